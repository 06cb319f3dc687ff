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
and the column. Nothing here knows about the database: `members/imports.py` matches rows to
the program.

Hostile files: a size limit before anything is parsed; row limits; workbooks are checked for
zip bombs (declared sizes) and DTDs before openpyxl, which parses through defusedxml; GEXF
and GraphML are parsed with defusedxml with DTDs forbidden; formula cells are refused.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import BinaryIO, NamedTuple
from xml.etree import ElementTree

import defusedxml
import openpyxl
from defusedxml import ElementTree as defused_etree
from openpyxl.xml import functions as openpyxl_xml

MB = 1024 * 1024
MAX_COLUMNS = 200
KUMU, GEPHI, NETLEAD = "Kumu", "Gephi", "netlead columns"
DIRECTION_WORDS = {"directed": True, "undirected": False, "mutual": False}
IDENTIFYING = {"name", "external_id", "email"}  # a members sheet has at least one of these
SUGGESTION_LIMIT = 50  # "did you mean" costs a scan of every name; enough for a bad column
# Exports put a `'` before text starting with these, so spreadsheets do not run it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 20 * MB
    member_rows: int = 50_000
    tie_rows: int = 200_000
    # An .xlsx is a zip of XML files: what it may unpack to, so a small "zip bomb" is refused
    # before anything is decompressed.
    unpacked_bytes: int = 400 * MB
    zip_parts: int = 2_000


@dataclass(frozen=True)
class Problem:
    """Something that stops the import, said where a spreadsheet user would look for it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    unit: str = "row"  # GEXF and GraphML have nodes and edges instead of rows

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" {self.unit} {self.row}"
        if self.column:
            where += f", column {self.column}" if self.row is not None else f" column {self.column}"
        return f"{where}: {self.message}"


class MemberRow(NamedTuple):
    row: int
    name: str
    external_id: str
    email: str
    organisation: str
    title: str
    cohorts: tuple[str, ...]
    sector: str
    region: str
    tags: tuple[str, ...]


class TieRow(NamedTuple):
    row: int
    source: str
    target: str
    type: str
    strength: int | None
    round: str
    directed: bool | None  # None: the file does not say


@dataclass
class Sheet:
    """One CSV file or workbook sheet: its header (as written) and its non-blank rows."""

    label: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str = "row"
    format: str = ""  # "GEXF" or "GraphML" for sheets read from those

    def keys(self) -> list[str]:
        return [_normalise(h) for h in self.header]


@dataclass
class MemberSheet:
    label: str
    columns: dict[str, str]  # our field → the header as written, for messages
    rows: list[MemberRow]
    unit: str = "row"


@dataclass
class TieSheet:
    label: str
    columns: dict[str, str]
    rows: list[TieRow]
    unit: str = "row"


@dataclass
class ParsedNetwork:
    convention: str = NETLEAD
    members: MemberSheet | None = None
    ties: TieSheet | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Upload(NamedTuple):
    name: str
    stream: BinaryIO


# Column names as people write them → our field. Keys are normalised (see _normalise).
MEMBER_COLUMNS = {
    "name": "name", "label": "name", "full name": "name",
    "id": "external_id", "external id": "external_id", "member id": "external_id",
    "email": "email", "e mail": "email", "email address": "email",
    "organisation": "organisation", "organization": "organisation", "org": "organisation",
    "title": "title", "job title": "title", "position": "title",
    "cohort": "cohorts", "cohorts": "cohorts",
    "sector": "sector", "region": "region",
    "tags": "tags", "issue areas": "tags", "issue area": "tags",
}  # fmt: skip
TIE_COLUMNS = {
    "from": "source", "source": "source",
    "to": "target", "target": "target",
    "relationship type": "type", "relationship": "type", "connection type": "type",
    "kind": "type",
    # Kumu's Type is the relationship; Gephi's says Directed/Undirected and Label names it.
    "type": "type_or_direction", "label": "label",
    "strength": "strength", "weight": "strength",
    "round": "round",
    "direction": "direction", "directed": "direction",
}  # fmt: skip


def read_network(
    *, members: Upload, ties: Upload | None = None, limits: Limits | None = None
) -> ParsedNetwork:
    """Read the members file and the optional ties file into plain rows and problems.

    A workbook (Kumu Elements/Connections, Gephi nodes/edges) or a GEXF or GraphML file given
    as the members file also holds the ties; then no ties file is needed.
    """
    limits = limits or Limits()
    result = ParsedNetwork()
    member_sheets, tie_sheets, problems = _read_upload(members, limits, result.notes)
    result.problems += problems
    if ties is not None:
        more_members, more_ties, problems = _read_upload(ties, limits, result.notes)
        result.problems += problems
        if tie_sheets and more_ties:
            message = f"{members.name} holds ties as well as this file; give them once."
            result.problems.append(Problem(ties.name, message))
        tie_sheets += more_ties
        if more_members and not more_ties:
            message = "looks like a members file (it has no From and To, or Source and Target)."
            result.problems.append(Problem(ties.name, message))
    if result.problems:
        return result
    if not member_sheets:
        if tie_sheets and ties is None:
            message = "looks like a ties file (From/To columns): choose it as the ties file."
        else:
            message = "found no members sheet (a header row with Name, Label, ID or Email)."
        result.problems.append(Problem(members.name, message))
        return result

    result.convention = _convention(member_sheets[0], tie_sheets[0] if tie_sheets else None)
    result.members = _members_from(member_sheets[0], result, limits)
    if tie_sheets:
        result.ties = _ties_from(tie_sheets[0], result, limits)
    return result


# --- files ------------------------------------------------------------------------------


def _read_upload(
    upload: Upload, limits: Limits, notes: list[str]
) -> tuple[list[Sheet], list[Sheet], list[Problem]]:
    """(member sheets, tie sheets, problems) of one uploaded file, told apart by header."""
    sheets, problems = read_sheets(upload.name, upload.stream.read(limits.file_bytes + 1), limits)
    members, ties = [], []
    for sheet in sheets:
        keys = set(sheet.keys())
        if {"from", "to"} <= keys or {"source", "target"} <= keys:
            ties.append(sheet)
        elif any(MEMBER_COLUMNS.get(key) in IDENTIFYING for key in keys):
            members.append(sheet)
        else:
            notes.append(
                f"{upload.name}: sheet {sheet.label} was not used (no Name, Label, ID, Email, "
                "From/To or Source/Target column)."
            )
    # A workbook's sheet named like a convention wins over another sheet with a similar header.
    members.sort(key=lambda s: _normalise(s.label) not in {"elements", "nodes", "members"})
    ties.sort(key=lambda s: _normalise(s.label) not in {"connections", "edges", "ties"})
    return members, ties, problems


def read_sheets(name: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Problem]]:
    """The sheets of a file, whatever it is: CSV, an .xlsx workbook, GEXF or GraphML."""
    if len(data) > limits.file_bytes:
        return [], [
            Problem(name, f"is larger than {limits.file_bytes // MB} MB, the upload limit.")
        ]
    if not data.strip():
        return [], [Problem(name, "is empty.")]
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # Legacy .xls and password-protected workbooks are OLE containers, not zips.
        message = (
            "is an old-style .xls or a password-protected workbook; save it as .xlsx "
            "(without a password) or as CSV UTF-8."
        )
        return [], [Problem(name, message)]
    if data.startswith(b"PK\x03\x04"):
        return read_workbook(name, data, limits)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return read_graph_xml(name, data)
    return read_csv(name, data, limits)


def read_csv(name: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Problem]]:
    """A CSV file as a Sheet: UTF-8 (a BOM is fine; so is UTF-16, as Excel's 'Unicode text')."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        message = "is not UTF-8 text. In Excel choose Save As › “CSV UTF-8”."
        return [], [Problem(name, message, row=row)]
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=lambda d: len(next(csv.reader([first_line], delimiter=d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    row_limit = limits.member_rows + limits.tie_rows  # which kind it is is known later
    try:
        # A spreadsheet shows a quoted multi-line value as one row, so count records, not lines.
        for number, record in enumerate(reader, start=1):
            values = [_unescape(value.strip()) for value in record[:MAX_COLUMNS]]
            if not any(values):
                continue
            if header is None:
                header = values
                continue
            rows.append((number, values))
            if len(rows) > row_limit:
                return [], [Problem(name, f"has more than {row_limit:,} rows; not read.")]
    except csv.Error as exc:
        return [], [Problem(name, f"is not a readable CSV file ({exc}).", row=reader.line_num)]
    if header is None:
        return [], [Problem(name, "is empty.")]
    return [Sheet(name, header, rows)], []


def _unescape(value: str) -> str:
    """Undo the `'` that exports put before text a spreadsheet would take for a formula."""
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def read_workbook(name: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Problem]]:
    """Every sheet of an .xlsx workbook, after checking that it is safe to open."""
    problem = _unsafe_workbook(name, data, limits)
    if problem:
        return [], [problem]
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # noqa: BLE001 — a hostile file can break the parser in any way.
        return [], [_unreadable(name, exc)]
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):  # a chart sheet
                continue
            sheet, sheet_problems = _read_worksheet(worksheet, limits)
            problems += sheet_problems
            if sheet:
                sheets.append(sheet)
    except Exception as exc:  # noqa: BLE001
        return [], [_unreadable(name, exc)]
    finally:
        workbook.close()
    return sheets, problems


_XML_ENTITY_MESSAGE = (
    "contains XML entity or document-type declarations, which network files never need and "
    "which can be used to attack the server; it was not read."
)
_ENTITY_MESSAGE = (
    "contains XML entity or document-type declarations, which spreadsheets never need and "
    "which can be used to attack the server; it was not read. Re-save it from Excel."
)
_UNREADABLE_MESSAGE = (
    "could not be read as an Excel workbook (.xlsx). Save it again as .xlsx or as CSV UTF-8."
)


def _unreadable(name: str, exc: BaseException) -> Problem:
    # openpyxl wraps parser errors in its own, so look down the chain for defusedxml's.
    while exc is not None:
        if isinstance(exc, defusedxml.DefusedXmlException):
            return Problem(name, _ENTITY_MESSAGE)
        exc = exc.__cause__ or exc.__context__
    return Problem(name, _UNREADABLE_MESSAGE)


def _unsafe_workbook(name: str, data: bytes, limits: Limits) -> Problem | None:
    """Refuse zip bombs and XML with a DTD before openpyxl touches the file.

    Sizes are the ones the zip declares; Python's zipfile never inflates a part beyond its
    declared size, so the check holds for lying headers too. The DTD check is a first line:
    openpyxl parses through defusedxml as well, which forbids entities anywhere.
    """
    if not _parsed_with_defusedxml():
        return Problem(
            name,
            "Excel files cannot be read safely on this server (defusedxml is "
            "not in use); upload CSV files instead.",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem(name, _UNREADABLE_MESSAGE)
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.zip_parts:
            return Problem(name, f"has more than {limits.zip_parts} parts; not a normal workbook.")
        if sum(part.file_size for part in parts) > limits.unpacked_bytes:
            return Problem(
                name,
                f"would unpack to more than {limits.unpacked_bytes // MB} MB "
                "(a compressed “zip bomb”?); it was not opened.",
            )
        for part in parts:
            if not part.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(part) as stream:
                    head = stream.read(64 * 1024)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
                return Problem(name, _UNREADABLE_MESSAGE)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", errors="ignore").encode()
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                return Problem(name, _ENTITY_MESSAGE)
    return None


def _parsed_with_defusedxml() -> bool:
    return openpyxl_xml.iterparse.__module__.startswith("defusedxml")


def _read_worksheet(worksheet, limits: Limits) -> tuple[Sheet | None, list[Problem]]:
    label = worksheet.title
    # The stored dimensions can be wrong (or huge, to make every row huge): read what is there.
    worksheet.reset_dimensions()
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    row_limit = limits.member_rows + limits.tie_rows  # which kind it is is known later
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        values = []
        for position, cell in enumerate(cells[:MAX_COLUMNS]):
            if cell.data_type == "f":
                problems.append(
                    Problem(
                        label,
                        "holds a formula; formulas are not imported. Copy the column "
                        "and paste it back as values.",
                        number,
                        _column(header, position),
                    )
                )
                values.append("")
            elif cell.data_type == "e":
                problems.append(
                    Problem(
                        label,
                        f"holds the spreadsheet error {cell.value}.",
                        number,
                        _column(header, position),
                    )
                )
                values.append("")
            else:
                values.append(_text(cell.value))
        if not any(values):
            continue
        if header is None:
            header = values
            continue
        rows.append((number, values))
        if len(rows) > row_limit:
            problems.append(Problem(label, f"has more than {row_limit:,} rows; not read."))
            return None, problems
    if header is None:
        return None, problems
    return Sheet(label, header, rows), problems


def _column(header: list[str] | None, position: int) -> str:
    """The column's header if it has one, else its letter (A, B, …)."""
    if header and position < len(header) and header[position]:
        return header[position]
    return openpyxl.utils.get_column_letter(position + 1)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 12.0 → "12": ids and strengths typed as numbers
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return _unescape(str(value).strip())


# --- GEXF and GraphML -------------------------------------------------------------------


def read_graph_xml(name: str, data: bytes) -> tuple[list[Sheet], list[Problem]]:
    """A GEXF (Gephi) or GraphML file as a node sheet and an edge sheet.

    Parsed with defusedxml, which refuses entity declarations (billion laughs) and external
    references (XXE); a document type declaration is refused too, as neither format needs one.
    """
    try:
        root = defused_etree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        return [], [Problem(name, _XML_ENTITY_MESSAGE)]
    except ElementTree.ParseError as exc:
        return [], [Problem(name, f"is not well-formed XML ({exc}).")]
    kind = _local(root.tag)
    graph = next((child for child in root if _local(child.tag) == "graph"), None)
    if kind not in ("gexf", "graphml") or graph is None:
        return [], [Problem(name, "is XML, but not a GEXF (Gephi) or GraphML network.")]
    nodes, edges = (_gexf_records if kind == "gexf" else _graphml_records)(root, graph)
    file_format = "GEXF" if kind == "gexf" else "GraphML"
    return [
        _records_sheet(name, "node", nodes, file_format),
        _records_sheet(name, "edge", edges, file_format),
    ], []


def _gexf_records(root, graph) -> tuple[list[dict], list[dict]]:
    default_direction = graph.get("defaultedgetype", "undirected")
    titles: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for attributes in _all(graph, "attributes"):
        for attribute in _all(attributes, "attribute"):
            ident = attribute.get("id", "")
            titles.setdefault(attributes.get("class", "node"), {})[ident] = (
                attribute.get("title") or ident
            )

    def values(element, kind: str) -> dict[str, str]:
        found = {}
        for attvalues in _all(element, "attvalues"):
            for value in _all(attvalues, "attvalue"):
                key = value.get("for") or value.get("id") or ""
                found[titles[kind].get(key, key)] = value.get("value", "")
        return found

    nodes = [
        {"id": node.get("id", ""), "label": node.get("label", ""), **values(node, "node")}
        for group in _all(graph, "nodes")
        for node in _all(group, "node")
    ]
    edges = []
    for group in _all(graph, "edges"):
        for edge in _all(group, "edge"):
            record = {"source": edge.get("source", ""), "target": edge.get("target", "")}
            record |= values(edge, "edge")
            record["direction"] = edge.get("type", default_direction)
            record["label"] = edge.get("label", "")
            if not any(_normalise(k) == "strength" for k in record):
                record["weight"] = edge.get("weight", "")
            edges.append(record)
    return nodes, edges


def _graphml_records(root, graph) -> tuple[list[dict], list[dict]]:
    keys: dict[str, str] = {}
    defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for key in _all(root, "key"):
        ident = key.get("id", "")
        keys[ident] = key.get("attr.name") or ident
        default = next((d.text for d in key if _local(d.tag) == "default"), None)
        if default is not None:
            for kind in ("node", "edge") if key.get("for", "all") == "all" else (key.get("for"),):
                defaults.setdefault(kind, {})[keys[ident]] = default

    def values(element) -> dict[str, str]:
        return {
            keys.get(data.get("key", ""), data.get("key", "")): (data.text or "").strip()
            for data in _all(element, "data")
        }

    nodes = [
        {"id": node.get("id", ""), **defaults["node"], **values(node)}
        for node in _all(graph, "node")
    ]
    edge_default = graph.get("edgedefault", "directed")
    edges = []
    for edge in _all(graph, "edge"):
        record = {"source": edge.get("source", ""), "target": edge.get("target", "")}
        record |= defaults["edge"] | values(edge)
        if not any(_normalise(k) in ("directed", "direction") for k in record):
            directed = edge.get("directed", "true" if edge_default == "directed" else "false")
            record["direction"] = directed
        edges.append(record)
    return nodes, edges


def _records_sheet(label: str, unit: str, records: list[dict[str, str]], file_format: str) -> Sheet:
    """Records (attribute → value) as a sheet; a record's number is its place in the file."""
    header: list[str] = []
    for record in records:
        header += [key for key in record if key not in header]
    header = header[:MAX_COLUMNS]
    rows = [
        (number, [str(record.get(key, "") or "").strip() for key in header])
        for number, record in enumerate(records, start=1)
    ]
    return Sheet(label, header, rows, unit, file_format)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


# --- conventions ------------------------------------------------------------------------


def _normalise(header: str) -> str:
    return " ".join(re.sub(r"[_\-.]+", " ", header).lower().split())


def _convention(members: Sheet, ties: Sheet | None) -> str:
    if members.format:
        return members.format
    member_keys = set(members.keys())
    tie_keys = set(ties.keys()) if ties else set()
    if {"source", "target"} <= tie_keys or _normalise(members.label) == "nodes":
        return GEPHI
    if "label" in member_keys or _normalise(members.label) == "elements":
        return KUMU
    return NETLEAD


def _columns(sheet: Sheet, known: dict[str, str], result: ParsedNetwork) -> dict[str, int]:
    """Our field → column position; reports repeated columns and notes unused ones."""
    positions: dict[str, int] = {}
    seen: set[str] = set()
    unused = []
    for position, (header, key) in enumerate(zip(sheet.header, sheet.keys(), strict=True)):
        if not key:
            continue
        if key in seen:
            result.problems.append(
                Problem(sheet.label, "appears twice in the header.", row=1, column=header)
            )
            continue
        seen.add(key)
        field_name = known.get(key)
        # A second spelling of a field already read (Name after Label) is left unused.
        if field_name is None or field_name in positions:
            unused.append(header)
        else:
            positions[field_name] = position
    if unused:
        result.notes.append(f"{sheet.label}: columns not imported: {', '.join(unused)}.")
    return positions


def _members_from(sheet: Sheet, result: ParsedNetwork, limits: Limits) -> MemberSheet:
    positions = _columns(sheet, MEMBER_COLUMNS, result)
    columns = {f: sheet.header[p] for f, p in positions.items()}
    if len(sheet.rows) > limits.member_rows:
        message = f"has {len(sheet.rows):,} members; the limit is {limits.member_rows:,}."
        result.problems.append(Problem(sheet.label, message))
        return MemberSheet(sheet.label, columns, [], sheet.unit)

    def cell(values: list[str], name: str) -> str:
        position = positions.get(name)
        return values[position] if position is not None and position < len(values) else ""

    rows = [
        MemberRow(
            row=number,
            name=cell(values, "name"),
            external_id=cell(values, "external_id"),
            email=cell(values, "email"),
            organisation=cell(values, "organisation"),
            title=cell(values, "title"),
            cohorts=_split(cell(values, "cohorts")),
            sector=cell(values, "sector"),
            region=cell(values, "region"),
            tags=_split(cell(values, "tags"), also=",;"),
        )
        for number, values in sheet.rows
    ]
    return MemberSheet(sheet.label, columns, rows, sheet.unit)


def _ties_from(sheet: Sheet, result: ParsedNetwork, limits: Limits) -> TieSheet:
    positions = _columns(sheet, TIE_COLUMNS, result)
    columns = {f: sheet.header[p] for f, p in positions.items()}
    if len(sheet.rows) > limits.tie_rows:
        message = f"has {len(sheet.rows):,} ties; the limit is {limits.tie_rows:,}."
        result.problems.append(Problem(sheet.label, message))
        return TieSheet(sheet.label, columns, [], sheet.unit)
    get = positions.get
    source_at, target_at, type_at = get("source"), get("target"), get("type")
    type_or_direction_at, label_at = get("type_or_direction"), get("label")
    strength_at, round_at, direction_at = get("strength"), get("round"), get("direction")
    rows: list[TieRow] = []
    width = len(sheet.header)

    def problem(message: str, number: int, field_name: str) -> None:
        result.problems.append(
            Problem(sheet.label, message, number, columns[field_name], sheet.unit)
        )

    for number, values in sheet.rows:
        # Short rows (trailing empty cells left out) read as blank.
        values += [""] * (width - len(values))

        def cell(position: int | None, values=values) -> str:
            return "" if position is None else values[position]

        source, targets = cell(source_at), _split(cell(target_at))
        if not source:
            problem("is empty.", number, "source")
        if not targets:
            problem("is empty.", number, "target")
        directed = None
        type_word = cell(type_or_direction_at)
        if type_word.lower() in DIRECTION_WORDS:
            directed, type_word = DIRECTION_WORDS[type_word.lower()], ""
        type_name = cell(type_at) or type_word or cell(label_at)
        direction = cell(direction_at).lower()
        if direction in DIRECTION_WORDS:
            directed = DIRECTION_WORDS[direction]
        elif direction in ("true", "false", "yes", "no"):
            directed = direction in ("true", "yes")
        elif direction:
            problem(f"should be directed or undirected, not “{direction}”.", number, "direction")
        strength = None
        if raw_strength := cell(strength_at):
            strength = _strength(raw_strength)
            if strength is None:
                message = f"should be a whole number from 1 to 5, not “{raw_strength}”."
                problem(message, number, "strength")
        if not source:
            continue
        round_name = cell(round_at)
        for target in targets:
            rows.append(TieRow(number, source, target, type_name, strength, round_name, directed))
    return TieSheet(sheet.label, columns, rows, sheet.unit)


_STRENGTHS = {str(n): n for n in range(1, 6)}


def _split(value: str, also: str = "") -> tuple[str, ...]:
    """Kumu separates several values with `|`; tags may also use `,` or `;`."""
    if not value:
        return ()
    if "|" not in value and not (also and any(c in value for c in also)):
        return (value,)  # the usual case, and 100k ties call this
    separators = "|" if "|" in value or not also else also
    parts = re.split("[" + re.escape(separators) + "]", value)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _strength(value: str) -> int | None:
    if value in _STRENGTHS:
        return _STRENGTHS[value]
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    if not number.is_integer() or not 1 <= number <= 5:
        return None
    return int(number)


# --- references -------------------------------------------------------------------------


class Directory:
    """Who a reference in a ties file can mean: an external id, an email, or an exact name.

    Keys are whatever the caller uses to identify a member (database ids, placeholders).
    """

    def __init__(self) -> None:
        self.by_id: dict[str, object] = {}
        self.by_email: dict[str, object] = {}
        self.by_name: dict[str, list[object]] = {}
        self._suggestions: dict[str, str | None] = {}

    def add(self, key: object, *, name: str, email: str = "", external_id: str = "") -> None:
        if external_id:
            self.by_id[external_id] = key
        if email:
            self.by_email[email.lower()] = key
        if name:
            self.by_name.setdefault(name, []).append(key)

    def find(self, reference: str) -> tuple[object | None, str]:
        """(key, "") when the reference names one member, else (None, why not)."""
        key = self.by_id.get(reference)
        if key is None:
            key = self.by_email.get(reference.lower())
        if key is not None:
            return key, ""
        keys = self.by_name.get(reference, ())
        if len(keys) == 1:
            return keys[0], ""
        if keys:
            return None, (
                f"{len(keys)} members are named “{reference}”; use their email or ID "
                "to say which one."
            )
        suggestion = self.suggest(reference)
        hint = f" — did you mean “{suggestion}”?" if suggestion else ""
        return None, f"no member “{reference}”{hint}"

    def suggest(self, reference: str) -> str | None:
        if reference in self._suggestions:
            return self._suggestions[reference]
        if len(self._suggestions) >= SUGGESTION_LIMIT:
            return None
        pool = self.by_email if "@" in reference else self.by_name
        lookup = reference.lower() if "@" in reference else reference
        matches = difflib.get_close_matches(lookup, pool.keys(), n=1, cutoff=0.7)
        self._suggestions[reference] = matches[0] if matches else None
        return self._suggestions[reference]
