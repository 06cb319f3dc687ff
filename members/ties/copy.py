"""Inserting new tie rows, already validated: one PostgreSQL COPY (the fast path for
imports and the demo seed) or bulk_create (where each new tie's id is needed).

`rows_copy` is the same COPY for any model's rows: the one COPY helper of the project
(a metric run stores its NodeMetric rows through it)."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone

from members.models import Relationship
from members.ties.validate import BATCH, TieTuple

_NULL = "\\N"


def ties_rows_create(
    program_id: int,
    ties: Iterable[TieTuple],
    origin: str,
    weights: Sequence[float | None] | None = None,
) -> list[Relationship]:
    """The ties as Relationship rows through bulk_create, with their ids."""
    weights = weights or itertools.repeat(None)
    return Relationship.objects.bulk_create(
        (
            Relationship(
                program_id=program_id, source_id=source, target_id=target, type_id=type_id,
                round_id=round_id, strength=strength, origin=origin, weight=weight,
            )
            for (source, target, type_id, round_id, strength), weight in zip(
                ties, weights, strict=False
            )
        ),
        batch_size=BATCH,
    )  # fmt: skip


def ties_copy(
    program_id: int,
    ties: Sequence[TieTuple],
    origin: str,
    weights: Sequence[float | None] | None = None,
) -> None:
    """The ties as one PostgreSQL COPY through psycopg2's copy_expert (the only driver the
    project installs): no model instances and no INSERT parameters per row."""
    names = ("program", "source", "target", "type", "round", "strength", "origin")
    names += ("created_at", "updated_at", "weight")
    columns = ", ".join(
        connection.ops.quote_name(Relationship._meta.get_field(name).column) for name in names
    )
    now = timezone.now().isoformat()
    # Every value is an integer or one of the fixed strings: nothing to escape.
    fixed = f"\t{Relationship.Origin(origin).value}\t{now}\t{now}\t"
    weights = weights or itertools.repeat(None)
    buffer = io.StringIO()  # a weight is a float's repr, or COPY's NULL
    buffer.writelines(
        f"{program_id}\t{source}\t{target}\t{type_id}\t{round_id}\t{strength}{fixed}"
        f"{_NULL if weight is None else repr(float(weight))}\n"
        for (source, target, type_id, round_id, strength), weight in zip(
            ties, weights, strict=False
        )
    )
    buffer.seek(0)
    _copy(Relationship._meta.db_table, columns, buffer)


def rows_copy(model, names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Any model's new rows as one PostgreSQL COPY (the metric run's NodeMetric rows):
    `names` are field names, each row their values in that order. None is NULL, a dict or
    list is JSON, a bool is t/f; text is escaped for COPY's text format."""
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in names
    )
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    buffer.seek(0)
    _copy(model._meta.db_table, columns, buffer)


def _copy_text(value) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float.__repr__(value)  # numpy's float64 too, without its "np.float64(...)"
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    return str(value).translate(_COPY_ESCAPES)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy(table: str, columns: str, buffer: io.StringIO) -> None:
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN", buffer
        )
