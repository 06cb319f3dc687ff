"""Kumu: a JSON blueprint or an Excel workbook, with ids Kumu matches on between imports."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Iterator

from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from networkmaps.exports.rows import (
    ExportData,
    ExportMember,
    ExportTie,
    batched,
    cell_value,
    joined,
)


def kumu_json_write(data: ExportData) -> Iterator[bytes]:
    """A Kumu blueprint: `{"elements": [...], "connections": [...]}` with stable `id`s, which
    Kumu matches on, so importing a newer export into the same map updates it. Connections
    say whether they were carried from the previous round, and carry the trust and value
    members gave them when the round has ratings."""

    def element(member: ExportMember) -> dict:
        values = {"id": member.id, "label": member.label, "type": "Person"}
        if not data.anonymised:
            values |= {"email": member.email, "organisation": member.organisation,
                       "title": member.title}  # fmt: skip
        values |= {
            "tags": list(member.tags),
            "cohort": list(member.cohorts),
            "sector": member.sector,
            "region": member.region,
        }
        values |= {k: member.attributes.get(k) for k, _ in data.attribute_columns}
        return values | {k: _json_value(member.metrics.get(k)) for k in data.metric_columns}

    def connection(tie: ExportTie) -> dict:
        return {
            "id": _connection_id(tie),
            "from": tie.source,
            "to": tie.target,
            "type": tie.type,
            "direction": tie.direction,
            "strength": tie.strength,
            "round": tie.round,
            "round date": tie.round_date,
            "carried": tie.carried,
        } | ({"trust": _json_value(tie.trust), "value": _json_value(tie.value)}
             if data.tie_quality else {})  # fmt: skip

    yield b'{"elements": ['
    yield from _json_items(data.members, element)
    yield b'],\n"connections": ['
    yield from _json_items(data.ties, connection)
    yield b"]}\n"


def kumu_xlsx_write(data: ExportData) -> Iterator[bytes]:
    """A Kumu workbook: sheets Elements (ID, Label, Type, Tags, …) and Connections (ID, From,
    To, Type, Direction, Strength, Round, Round date, Carried; Trust and Value when the round
    has ratings). Several tags or cohorts are `|`-separated."""

    def clean(value):
        value = cell_value(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook(write_only=True)
    elements = workbook.create_sheet("Elements")
    header = ["ID", "Label", "Type", "Tags"]
    if not data.anonymised:
        header += ["Email", "Organisation", "Title"]
    header += ["Cohort", "Sector", "Region", *(k for k, _ in data.attribute_columns)]
    header += data.metric_columns
    elements.append(header)
    for member in data.members:
        row = [member.id, member.label, "Person", joined(member.tags)]
        if not data.anonymised:
            row += [member.email, member.organisation, member.title]
        row += [joined(member.cohorts), member.sector, member.region]
        row += [member.attributes.get(k) for k, _ in data.attribute_columns]
        row += [member.metrics.get(k) for k in data.metric_columns]
        elements.append([clean(value) for value in row])
    connections = workbook.create_sheet("Connections")
    header = ["ID", "From", "To", "Type", "Direction", "Strength", "Round", "Round date"]
    header += ["Carried"] + (["Trust", "Value"] if data.tie_quality else [])
    connections.append(header)
    for tie in data.ties:
        row = [
            _connection_id(tie), tie.source, tie.target, tie.type, tie.direction,
            tie.strength, tie.round, tie.round_date, tie.carried,
        ]  # fmt: skip
        if data.tie_quality:
            row += [tie.trust, tie.value]
        connections.append([clean(value) for value in row])
    # openpyxl writes a workbook to a file only: spill to disk past 16 MB, then stream it.
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(256 * 1024):
            yield chunk


def _connection_id(tie: ExportTie) -> str:
    # No round in the id: the same tie seen again next round updates the Kumu connection.
    return f"{tie.source}~{tie.target}~{slugify(tie.type) or 'tie'}"


def _json_items(rows: list, to_dict: Callable[[object], dict]) -> Iterator[bytes]:
    for number, chunk in enumerate(batched(rows)):
        comma = "," if number else ""
        text = ",".join("\n" + json.dumps(to_dict(row), ensure_ascii=False) for row in chunk)
        yield (comma + text).encode()


def _json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
