"""CSV member and tie lists, in our import's column names so a file imports straight back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from networkmaps.exports.rows import CHUNK_ROWS, ExportData, ExportMember, cell_value, joined


def csv_members_write(data: ExportData) -> Iterator[bytes]:
    """One row per member: attributes, map position and every metric of the round."""
    columns = _member_columns(data)
    rows = ([value(m) for _, value in columns] for m in data.members)
    return _csv_rows([header for header, _ in columns], rows)


def csv_ties_write(data: ExportData) -> Iterator[bytes]:
    """One row per counted tie; `from`/`to` are the member ids of the member list, and
    `carried` is "true" for a tie carried from the previous round, not reported in this one."""
    header = ["from", "to", "type", "direction", "strength", "round", "round_date", "carried"]
    rows = (
        [t.source, t.target, t.type, t.direction, t.strength, t.round, t.round_date,
         "true" if t.carried else "false"]
        + ([cell_value(t.trust), cell_value(t.value)] if data.tie_quality else [])
        for t in data.ties
    )  # fmt: skip
    return _csv_rows(header + (["trust", "value"] if data.tie_quality else []), rows)


def _member_columns(data: ExportData) -> list[tuple[str, Callable[[ExportMember], object]]]:
    """(header, value) of the member columns."""
    columns: list[tuple[str, Callable[[ExportMember], object]]] = [
        ("id", lambda m: m.id),
        ("name", lambda m: m.label),
    ]
    if not data.anonymised:
        columns += [
            ("email", lambda m: m.email),
            ("organisation", lambda m: m.organisation),
            ("title", lambda m: m.title),
        ]
    columns += [
        ("cohort", lambda m: joined(m.cohorts)),
        ("sector", lambda m: m.sector),
        ("region", lambda m: m.region),
        ("tags", lambda m: joined(m.tags)),
        ("x", lambda m: m.position[0] if m.position else None),
        ("y", lambda m: m.position[1] if m.position else None),
    ]
    columns += [(key, lambda m, key=key: m.metrics.get(key)) for key in data.metric_columns]
    columns += [(f"answer:{k}", lambda m, k=k: m.answers.get(k)) for k in data.answer_columns]
    columns += [(k, lambda m, k=k: m.attributes.get(k)) for k, _ in data.attribute_columns]
    return columns


def _csv_rows(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents survive).
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell_value(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
