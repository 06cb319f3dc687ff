"""A survey respondent's reported ties: replacing them on submit, adding merged ones."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from members.models import Relationship
from members.signals import network_changed_send
from members.ties.validate import (
    ProgramRows,
    TieProblem,
    TiesRejected,
    tie_key,
    tie_validate,
    ties_recorded,
)


def ties_reported_replace(
    *,
    program_id: int,
    round_id: int,
    source_id: int,
    wanted: dict[tuple[int, int], int],
    origin: str = Relationship.Origin.SURVEY,
    reason: str = "survey answer",
) -> list[tuple[int, int]]:
    """Make `wanted` ({(target, type): strength}) the source's reported ties of the round.

    Their earlier ties of this origin go; ties staff imported or entered for the same person
    and type stay as they were, and are returned as skipped. Recomputes only if the round's
    ties actually changed (submitting the same answers twice changes nothing).
    """
    rows = ProgramRows.load(
        program_id=program_id,
        members=[source_id, *(target for target, _ in wanted)],
        types={type_id for _, type_id in wanted},
        rounds=[round_id],
    )
    problems = []
    for index, ((target, type_id), strength) in enumerate(wanted.items()):
        errors = tie_validate(
            program_id=program_id,
            source=source_id,
            target=target,
            type=type_id,
            round=round_id,
            strength=strength,
            rows=rows,
        )
        problems += [TieProblem(index, name, message) for name, message in errors.items()]
    if problems:
        raise TiesRejected(problems)
    with transaction.atomic():
        mine = Relationship.objects.filter(round_id=round_id, source_id=source_id)
        reported = mine.filter(origin=origin)
        before = set(reported.values_list("target_id", "type_id", "strength"))
        reported.delete()
        kept = set(mine.values_list("target_id", "type_id"))
        skipped = [pair for pair in wanted if pair in kept]
        new = {pair: strength for pair, strength in wanted.items() if pair not in kept}
        Relationship.objects.bulk_create(
            Relationship(
                program_id=program_id,
                source_id=source_id,
                target_id=target,
                type_id=type_id,
                round_id=round_id,
                strength=strength,
                origin=origin,
            )
            for (target, type_id), strength in new.items()
        )
        if before != {(t, ty, s) for (t, ty), s in new.items()}:
            network_changed_send(program_id=program_id, round_ids=[round_id], reason=reason)
    return skipped


def ties_missing_add(
    *,
    program_id: int,
    round_id: int,
    source_id: int,
    target_id: int,
    type_ids: Iterable[int],
    strength: int,
    origin: str = Relationship.Origin.SURVEY,
    reason: str,
) -> int:
    """Add the source's ties to the target of these types that are not recorded yet (of any
    origin, either way round for undirected types); returns how many were added."""
    type_ids = list(dict.fromkeys(type_ids))
    rows = ProgramRows.load(
        program_id=program_id, members=[source_id, target_id], types=type_ids, rounds=[round_id]
    )
    for type_id in type_ids:
        errors = tie_validate(
            program_id=program_id,
            source=source_id,
            target=target_id,
            type=type_id,
            round=round_id,
            strength=strength,
            rows=rows,
        )
        if errors:
            raise TiesRejected([TieProblem(None, name, m) for name, m in errors.items()])
    with transaction.atomic():
        pair = Relationship.objects.filter(round_id=round_id, type_id__in=type_ids)
        recorded = ties_recorded(
            rows.directed,
            pair.filter(source_id__in=[source_id, target_id], target_id__in=[source_id, target_id]),
        )
        new = [
            (source_id, target_id, type_id, round_id, strength)
            for type_id in type_ids
            if tie_key(source_id, target_id, type_id, round_id, directed=rows.directed[type_id])
            not in recorded
        ]
        Relationship.objects.bulk_create(
            Relationship(
                program_id=program_id,
                source_id=source,
                target_id=target,
                type_id=type_id,
                round_id=round_,
                strength=s,
                origin=origin,
            )
            for source, target, type_id, round_, s in new
        )
        if new:
            network_changed_send(program_id=program_id, round_ids=[round_id], reason=reason)
    return len(new)
