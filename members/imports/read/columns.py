"""Which column is which (Kumu, Gephi or netlead names), and sheets into member and tie rows."""

from __future__ import annotations

import datetime
import functools
import math
import re

from members.imports.read.sheets import (
    GEPHI,
    KUMU,
    NETLEAD,
    Limits,
    MemberRow,
    MemberSheet,
    ParsedNetwork,
    Problem,
    Sheet,
    TieRow,
    TieSheet,
    normalise,
)

DIRECTION_WORDS = {"directed": True, "undirected": False, "mutual": False}
IDENTIFYING = {"name", "external_id", "email"}  # a members sheet has at least one of these

# Column names as people write them → our field. Keys are normalised (see normalise).
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
# Member columns that are not the member's attributes: what netlead's own exports add
# (metrics, positions) and Kumu's element type and description. They stay unused.
NOT_ATTRIBUTES = {
    "degree", "in degree", "out degree", "weighted degree", "betweenness", "closeness",
    "harmonic", "eigenvector", "pagerank", "constraint", "effective size", "clustering",
    "core number", "community", "reach two steps", "x", "y", "z", "size", "colour", "color",
    "type", "description", "image", "layout",
}  # fmt: skip
TIE_COLUMNS = {
    "from": "source", "source": "source",
    "to": "target", "target": "target",
    "relationship type": "type", "relationship": "type", "connection type": "type",
    "kind": "type",
    # Kumu's Type is the relationship; Gephi's says Directed/Undirected and Label names it.
    "type": "type_or_direction", "label": "label",
    "strength": "strength", "weight": "weight", "value": "weight",
    "round": "round", "wave": "round",
    "round date": "round_date", "date": "round_date", "observed on": "round_date",
    "start": "round_date",
    "direction": "direction", "directed": "direction",
}  # fmt: skip


def convention_of(members: Sheet, ties: Sheet | None) -> str:
    if members.format:
        return members.format
    member_keys = set(members.keys())
    tie_keys = set(ties.keys()) if ties else set()
    if {"source", "target"} <= tie_keys or normalise(members.label) == "nodes":
        return GEPHI
    if "label" in member_keys or normalise(members.label) == "elements":
        return KUMU
    return NETLEAD


def _columns(
    sheet: Sheet, known: dict[str, str], result: ParsedNetwork, others: list[int] | None = None
) -> dict[str, int]:
    """Our field → column position; reports repeated columns and notes unused ones (or, with
    `others`, collects their positions: a members sheet keeps them as attributes)."""
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
        if (
            field_name is None
            and others is not None
            and key not in NOT_ATTRIBUTES
            and not key.startswith("brokerage")
        ):
            others.append(position)
        elif field_name is None or field_name in positions:
            unused.append(header)
        else:
            positions[field_name] = position
    if unused:
        result.notes.append(f"{sheet.label}: columns not imported: {', '.join(unused)}.")
    return positions


def members_from(sheet: Sheet, result: ParsedNetwork, limits: Limits) -> MemberSheet:
    others: list[int] = []
    positions = _columns(sheet, MEMBER_COLUMNS, result, others)
    columns = {f: sheet.header[p] for f, p in positions.items()}
    attributes = [sheet.header[p] for p in others]
    if len(sheet.rows) > limits.member_rows:
        message = f"has {len(sheet.rows):,} members; the limit is {limits.member_rows:,}."
        result.problems.append(Problem(sheet.label, message))
        return MemberSheet(sheet.label, columns, [], sheet.unit, attributes)

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
            attributes=tuple(
                (sheet.header[p], values[p]) for p in others if p < len(values) and values[p]
            ),
        )
        for number, values in sheet.rows
    ]
    return MemberSheet(sheet.label, columns, rows, sheet.unit, attributes)


def ties_from(sheet: Sheet, result: ParsedNetwork, limits: Limits) -> TieSheet:
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
    if strength_at is None:
        strength_at = get("weight")
    date_at = get("round_date")
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
        weight = None
        if raw_weight := cell(strength_at):
            weight = number_in_cell(raw_weight)
            if weight is None:
                message = f"should be a number, not “{raw_weight}”."
                problem(message, number, "strength" if "strength" in columns else "weight")
        round_date = written = cell(date_at)
        if written:
            round_date = _iso_date(written)
            if round_date is None:
                message = f"should be a date written YYYY-MM-DD, not “{written}”."
                problem(message, number, "round_date")
                round_date = ""
        if not source:
            continue
        round_name = cell(round_at) or round_date
        for target in targets:
            rows.append(
                TieRow(
                    number, source, target, type_name, None, round_name, directed, weight,
                    round_date,
                )
            )  # fmt: skip
    return TieSheet(sheet.label, columns, rows, sheet.unit)


_NUMBERS = {str(n): float(n) for n in range(0, 11)}
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?")


def _split(value: str, also: str = "") -> tuple[str, ...]:
    """Kumu separates several values with `|`; tags may also use `,` or `;`."""
    if not value:
        return ()
    if "|" not in value and not (also and any(c in value for c in also)):
        return (value,)  # the usual case, and 100k ties call this
    separators = "|" if "|" in value or not also else also
    parts = re.split("[" + re.escape(separators) + "]", value)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def number_in_cell(value: str) -> float | None:
    """A weight as written (`4`, `2.5`, `2,5`); None when it is not a finite number."""
    if value in _NUMBERS:
        return _NUMBERS[value]
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@functools.lru_cache(maxsize=4096)  # a file repeats its few dates on every row
def _iso_date(value: str) -> str | None:
    """`2024-06-01` (a time after it is ignored) as YYYY-MM-DD, else None."""
    found = _ISO_DATE.fullmatch(value.strip())
    if not found:
        return None
    try:
        return datetime.date.fromisoformat(found[1]).isoformat()
    except ValueError:
        return None
