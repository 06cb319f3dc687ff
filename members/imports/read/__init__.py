"""Read a program's network from the spreadsheets it arrives with. Pure Python: no Django.

Three conventions are understood, and may be mixed because columns are matched by name
(case, spaces, `_` and `-` do not matter):

- Kumu: an *Elements* sheet (`Label` and/or `ID`, `Type`, `Description`, `Tags`, `Email`,
  custom columns) and a *Connections* sheet (`From`, `To`, `Type`, `Direction`, `Strength`);
  `|` separates several values (`To: Ann|Bo` is two ties).
- Gephi's spreadsheet import: nodes `Id, Label, …`; edges `Source, Target, Type, Weight, …`
  where `Type` is `Directed`/`Undirected`.
- Our own: members `name, email, organisation, title, cohort, sector, region, tags`
  (optionally `id`); ties `from, to, type, strength, round` (from/to: id, email or name).

Files are CSV (UTF-8 with or without BOM, comma or semicolon, sniffed) or XLSX (one
workbook may hold both sheets); GEXF and GraphML files (nodes and edges) are read into the
same rows. The result is plain rows plus a list of problems, each naming the file or sheet,
the row as a spreadsheet shows it (header = row 1; the node or edge for GEXF and GraphML)
and the column. Nothing here knows about the database: members/imports/plan.py matches
rows to the program.

Hostile files: a size limit before anything is parsed; row limits; workbooks are checked for
zip bombs (declared sizes) and DTDs before openpyxl, which parses through defusedxml; GEXF
and GraphML are parsed with defusedxml with DTDs forbidden; formula cells are refused.


Modules: sheets (the rows and problems), csv, xlsx, graph_xml (one per file kind), columns
(which column is which, per convention), references (who "Ann" means), network (all of it).
"""

from members.imports.read.columns import number_in_cell
from members.imports.read.network import read_network, read_sheets
from members.imports.read.references import Directory
from members.imports.read.sheets import (
    GEPHI,
    KUMU,
    MB,
    NETLEAD,
    Limits,
    MemberRow,
    MemberSheet,
    ParsedNetwork,
    Problem,
    Sheet,
    TieRow,
    TieSheet,
    Upload,
)

__all__ = [
    "GEPHI",
    "KUMU",
    "MB",
    "NETLEAD",
    "Directory",
    "Limits",
    "MemberRow",
    "MemberSheet",
    "ParsedNetwork",
    "Problem",
    "Sheet",
    "TieRow",
    "TieSheet",
    "Upload",
    "number_in_cell",
    "read_network",
    "read_sheets",
]
