"""Which column is which (Kumu, Gephi or netlead names), and sheets into member and tie rows."""

from __future__ import annotations

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


def members_from(sheet: Sheet, result: ParsedNetwork, limits: Limits) -> MemberSheet:
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
