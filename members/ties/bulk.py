"""Writing many ties at once: the API's bulk upsert, inserts and strength changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from members.models import Program, Relationship
from members.signals import network_changed_send
from members.ties.copy import ties_copy, ties_rows_create
from members.ties.validate import (
    BATCH,
    ProgramRows,
    TieProblem,
    TiesRejected,
    TieTuple,
    strength_problem,
    strength_valid,
    ties_recorded,
    ties_validate,
)


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)
    rounds: set[int] = field(default_factory=set)  # rounds whose ties changed


def ties_bulk_upsert(
    *,
    program: Program,
    items: Sequence[dict],
    origin: str = Relationship.Origin.API,
    reason: str = "bulk upload",
) -> BulkResult:
    """Create each tie, or update the strength of the one already recorded for the same
    (source, target, type, round). A tie of an undirected type matches either way round.

    `items` have integer `source`, `target`, `type`, `round` and `strength`. Every problem
    is collected first (TiesRejected lists them by index and field); with any problem
    nothing is written. The program row is locked meanwhile, so bulk uploads and
    spreadsheet imports into one program run one after the other.
    """
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        rows = ProgramRows.load(program_id=program.pk)
        batch = [(*_ids(item), item["strength"]) for item in items]
        keys = ties_validate(program_id=program.pk, ties=batch, rows=rows, once=True)

        existing = ties_recorded(
            rows.directed,
            Relationship.objects.filter(
                round_id__in={item["round"] for item in items},
                source_id__in={i["source"] for i in items} | {i["target"] for i in items},
            ),
        )
        result = BulkResult()
        new, changed = [], []
        now = timezone.now()
        for item, tie, key in zip(items, batch, keys, strict=True):
            if key not in existing:
                new.append(tie)
                result.created += 1
                result.rounds.add(item["round"])
            elif existing[key][1] != item["strength"]:
                changed.append(
                    Relationship(pk=existing[key][0], strength=item["strength"], updated_at=now)
                )
                result.updated += 1
                result.rounds.add(item["round"])
            else:
                result.unchanged += 1
        # bulk_create, not COPY: the API answers with each tie's id.
        created = iter(ties_rows_create(program.pk, new, origin))
        Relationship.objects.bulk_update(changed, ["strength", "updated_at"], batch_size=2000)
        result.ids = [existing[key][0] if key in existing else next(created).pk for key in keys]
        if result.rounds:
            network_changed_send(program_id=program.pk, round_ids=result.rounds, reason=reason)
    return result


def ties_insert(
    *,
    program_id: int,
    ties: Sequence[TieTuple],
    origin: str,
    reason: str,
    weights: Sequence[float | None] | None = None,
) -> int:
    """Insert new ties, validated, as fast as the database allows; returns how many.
    `weights` (one per tie, or None) are the weights an imported file gave them.

    The caller knows they are not recorded yet (the unique constraint refuses a repeat, and
    the whole transaction with it). On PostgreSQL this is one COPY, five times faster than
    INSERTs for 100k ties; elsewhere it is bulk_create.
    """
    if not ties:
        return 0
    rows = ProgramRows.load(program_id=program_id)
    ties_validate(program_id=program_id, ties=ties, rows=rows)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            ties_copy(program_id, ties, origin, weights)
        else:
            ties_rows_create(program_id, ties, origin, weights)
        network_changed_send(
            program_id=program_id, round_ids={tie[3] for tie in ties}, reason=reason
        )
    return len(ties)


def ties_strength_set(*, program_id: int, strengths: dict[int, int], reason: str) -> set[int]:
    """Give recorded ties new strengths ({tie id: strength}); returns the rounds touched."""
    bad = {pk: s for pk, s in strengths.items() if not strength_valid(s)}
    if bad:
        pk, strength = next(iter(bad.items()))
        raise TiesRejected(
            [TieProblem(None, "strength", f"Tie {pk}: {strength_problem(strength)}")]
        )
    by_strength: dict[int, list[int]] = {}
    for pk, strength in strengths.items():
        by_strength.setdefault(strength, []).append(pk)
    now = timezone.now()
    rounds: set[int] = set()
    with transaction.atomic():
        # At most five strengths: one UPDATE per strength (and batch) beats a CASE per row.
        for strength, pks in by_strength.items():
            for start in range(0, len(pks), BATCH):
                batch = Relationship.objects.filter(
                    program_id=program_id, pk__in=pks[start : start + BATCH]
                )
                rounds |= set(batch.values_list("round_id", flat=True).distinct())
                batch.update(strength=strength, updated_at=now)
        if rounds:
            network_changed_send(program_id=program_id, round_ids=rounds, reason=reason)
    return rounds


def _ids(item: dict) -> tuple[int, int, int, int]:
    return item["source"], item["target"], item["type"], item["round"]
