"""Reading a plain edge list: two to four columns per line, no members sheet.

`a b`, `a,b,4.5`, `a;b;2;2024-06-01` or tab-separated, with `#` comments and an optional
header (`source target weight`). The third and fourth columns are told apart by what they
hold: a number is the weight, an ISO date the round's date, other text the round's name.
This is what networkx's `write_edgelist` / `write_weighted_edgelist`, Pajek-style arc lists
and most scripts write.
"""

from __future__ import annotations

import re

from members.imports.read.sheets import EDGE_LIST, Problem, Sheet, normalise

_HEADER_WORDS = {
    "source", "target", "from", "to", "weight", "strength", "value", "round", "wave",
    "date", "round date", "type", "relationship", "node1", "node2", "u", "v",
}  # fmt: skip
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def looks_like_edge_list(text: str) -> bool:
    """True when the first lines are 2–4 plain fields each and none names a member column."""
    lines = list(_content_lines(text, limit=20))
    if not lines or any('"' in line for _, line in lines):
        return False  # quoted cells: a real CSV
    delimiter = _delimiter(lines[0][1])
    widths = {len(_fields(line, delimiter)) for _, line in lines}
    if not widths <= {2, 3, 4}:
        return False
    first = [normalise(f) for f in _fields(lines[0][1], delimiter)]
    # A members file (name,email) or a netlead ties file with more than from/to is a CSV.
    return not (set(first) & {"name", "email", "label", "id", "organisation"})


def read_edge_list(name: str, text: str) -> tuple[list[Sheet], list[Problem]]:
    """The edge list as a ties sheet with columns from, to and (when given) weight, round,
    round_date; row numbers are line numbers."""
    lines = list(_content_lines(text))
    delimiter = _delimiter(lines[0][1])
    first = _fields(lines[0][1], delimiter)
    if all(normalise(f) in _HEADER_WORDS for f in first) and not _NUMBER.fullmatch(first[-1]):
        header, lines = [normalise(f) for f in first], lines[1:]
        header[:2] = ["from", "to"]
    else:
        header = []
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    extra = header[2:]
    kinds: dict[int, str] = {}
    for number, line in lines:
        fields = _fields(line, delimiter)
        if not 2 <= len(fields) <= 4:
            message = f"has {len(fields)} columns; an edge list has 2 to 4."
            problems.append(Problem(name, message, row=number))
            continue
        if not header and len(kinds) < len(fields) - 2:
            for position, value in enumerate(fields[2:], start=2):
                if position not in kinds:
                    kinds[position] = _kind(value)
        rows.append((number, fields))
    if not header:
        width = max((len(f) for _, f in rows), default=2)
        extra = [kinds.get(p, "round") for p in range(2, width)]
        if len(set(extra)) < len(extra):
            problems.append(
                Problem(name, "has two extra columns of the same kind; add a header line.", row=1)
            )
    # With a header it reads like a spreadsheet (header = row 1); without, by line.
    sheet = Sheet(name, ["from", "to", *extra], rows, "row" if header else "line", EDGE_LIST)
    return [sheet], problems


def _kind(value: str) -> str:
    if _DATE.fullmatch(value):
        return "round date"
    if _NUMBER.fullmatch(value):
        return "weight"
    return "round"


def _content_lines(text: str, limit: int | None = None):
    found = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if "#" in raw else raw.strip()
        if line:
            yield number, line
            found += 1
            if limit is not None and found >= limit:
                return


def _delimiter(line: str) -> str | None:
    """Tab, semicolon or comma when the line has one; otherwise any run of whitespace."""
    for delimiter in ("\t", ";", ","):
        if delimiter in line:
            return delimiter
    return None


def _fields(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    return [field.strip() for field in line.split(delimiter)]
