"""Reading a program's network from its files: members (and ties) as rows and problems."""

from __future__ import annotations

from members.imports.read.columns import (
    IDENTIFYING,
    MEMBER_COLUMNS,
    convention_of,
    members_from,
    ties_from,
)
from members.imports.read.csv import read_csv
from members.imports.read.edgelist import looks_like_edge_list, read_edge_list
from members.imports.read.graph_xml import read_graph_xml
from members.imports.read.sheets import (
    EDGE_LIST,
    MB,
    Limits,
    ParsedNetwork,
    Problem,
    Sheet,
    Upload,
    normalise,
)
from members.imports.read.xlsx import read_workbook


def read_network(
    *, members: Upload | None, ties: Upload | None = None, limits: Limits | None = None
) -> ParsedNetwork:
    """Read the members file and the optional ties file into plain rows and problems.

    A workbook (Kumu Elements/Connections, Gephi nodes/edges) or a GEXF or GraphML file given
    as the members file also holds the ties; then no ties file is needed. A plain edge list
    needs no members file at all.
    """
    limits = limits or Limits()
    result = ParsedNetwork()
    if members is None:
        members, ties = ties, None
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
    if not member_sheets and tie_sheets and tie_sheets[0].format == EDGE_LIST:
        # A plain edge list: its ids are the members (matched later by external id).
        result.convention = EDGE_LIST
        result.members_from_ties = True
        result.ties = ties_from(tie_sheets[0], result, limits)
        return result
    if not member_sheets:
        if tie_sheets and ties is None:
            message = "looks like a ties file (From/To columns): choose it as the ties file."
        else:
            message = "found no members sheet (a header row with Name, Label, ID or Email)."
        result.problems.append(Problem(members.name, message))
        return result

    result.convention = convention_of(member_sheets[0], tie_sheets[0] if tie_sheets else None)
    result.members = members_from(member_sheets[0], result, limits)
    if tie_sheets:
        result.ties = ties_from(tie_sheets[0], result, limits)
    return result


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
    members.sort(key=lambda s: normalise(s.label) not in {"elements", "nodes", "members"})
    ties.sort(key=lambda s: normalise(s.label) not in {"connections", "edges", "ties"})
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
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
        if text and looks_like_edge_list(text):
            return read_edge_list(name, text)
    return read_csv(name, data, limits)
