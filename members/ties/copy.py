"""One PostgreSQL COPY of new ties: the fast path for imports and the demo seed."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from members.models import Relationship
from members.ties.validate import TieTuple


def ties_copy(program_id: int, ties: Sequence[TieTuple], origin: str) -> None:
    """The ties as one PostgreSQL COPY through psycopg2's copy_expert (the only driver the
    project installs): no model instances and no INSERT parameters per row."""
    names = ("program", "source", "target", "type", "round", "strength", "origin")
    names += ("created_at", "updated_at")
    columns = ", ".join(
        connection.ops.quote_name(Relationship._meta.get_field(name).column) for name in names
    )
    now = timezone.now().isoformat()
    # Every value is an integer or one of the fixed strings: nothing to escape.
    fixed = f"\t{Relationship.Origin(origin).value}\t{now}\t{now}\n"
    buffer = io.StringIO()
    buffer.writelines(
        f"{program_id}\t{source}\t{target}\t{type_id}\t{round_id}\t{strength}{fixed}"
        for source, target, type_id, round_id, strength in ties
    )
    buffer.seek(0)
    table = connection.ops.quote_name(Relationship._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
