"""What an import file reads into: plain rows, sheets and problems (no Django)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

MB = 1024 * 1024
MAX_COLUMNS = 200
KUMU, GEPHI, NETLEAD = "Kumu", "Gephi", "netlead columns"
EDGE_LIST = "edge list"
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
    # Columns no convention names (office, seniority …): (header as written, value).
    attributes: tuple[tuple[str, str], ...] = ()


class TieRow(NamedTuple):
    row: int
    source: str
    target: str
    type: str
    strength: int | None
    round: str
    directed: bool | None  # None: the file does not say
    weight: float | None = None  # the number the file gave, in its own range
    round_date: str = ""  # ISO 8601, as written


@dataclass
class Sheet:
    """One CSV file or workbook sheet: its header (as written) and its non-blank rows."""

    label: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str = "row"
    format: str = ""  # "GEXF" or "GraphML" for sheets read from those

    def keys(self) -> list[str]:
        return [normalise(h) for h in self.header]


@dataclass
class MemberSheet:
    label: str
    columns: dict[str, str]  # our field → the header as written, for messages
    rows: list[MemberRow]
    unit: str = "row"
    attributes: list[str] = field(default_factory=list)  # other headers, as written


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
    # A plain edge list has no members sheet: its ids become members named by their id.
    members_from_ties: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Upload(NamedTuple):
    name: str
    stream: BinaryIO


def normalise(header: str) -> str:
    """A header as matched against known column names: case, spaces, `_-.` do not matter."""
    return " ".join(re.sub(r"[_\-.]+", " ", header).lower().split())


def unescape(value: str) -> str:
    """Undo the `'` that exports put before text a spreadsheet would take for a formula.
    NUL characters go: nobody types one, and PostgreSQL cannot store one (issue 17)."""
    value = value.replace("\x00", "")
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value
