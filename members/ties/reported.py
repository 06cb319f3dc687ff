"""A survey respondent's reported ties: replacing them on submit, adding merged ones."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from members.models import Relationship
from members.models.surveys import TieRating
from members.signals import network_changed_send
from members.ties.copy import ties_rows_create
from members.ties.validate import ProgramRows, tie_key, ties_recorded, ties_validate


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
    ties = [(source_id, target, type_id, round_id, s) for (target, type_id), s in wanted.items()]
    ties_validate(program_id=program_id, ties=ties, rows=rows)
    with transaction.atomic():
        mine = Relationship.objects.filter(round_id=round_id, source_id=source_id)
        reported = mine.filter(origin=origin)
        before = set(reported.values_list("target_id", "type_id", "strength"))
        reported.delete()
        # Deliberately per direction, unlike tie_record and ties_missing_add: a survey tie is
        # one person's report, and "confirmed only" counts a pair when both reported it. So
        # only a tie recorded from this same person to the same target stands in for theirs.
        kept = set(mine.values_list("target_id", "type_id"))
        new = [tie for tie in ties if (tie[1], tie[2]) not in kept]
        skipped = [pair for pair in wanted if pair in kept]
        ties_rows_create(program_id, new, origin)
        if before != {(target, type_id, s) for _, target, type_id, _, s in new}:
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
    ties = [(source_id, target_id, type_id, round_id, strength) for type_id in type_ids]
    ties_validate(program_id=program_id, ties=ties, rows=rows)
    with transaction.atomic():
        pair = Relationship.objects.filter(round_id=round_id, type_id__in=type_ids)
        recorded = ties_recorded(
            rows.directed,
            pair.filter(source_id__in=[source_id, target_id], target_id__in=[source_id, target_id]),
        )
        new = [
            tie for tie in ties if tie_key(*tie[:4], directed=rows.directed[tie[2]]) not in recorded
        ]
        ties_rows_create(program_id, new, origin)
        if new:
            network_changed_send(program_id=program_id, round_ids=[round_id], reason=reason)
    return len(new)


def tie_ratings_replace(
    *, round_id: int, source_id: int, ratings: dict[tuple[int, str], int]
) -> int:
    """Make `ratings` ({(target, question key): value}) the source's tie-quality answers of
    the round, replacing what they answered before. Returns how many are stored.

    Per direction, like the ties: trust is what the source said about the target."""
    with transaction.atomic():
        TieRating.objects.filter(round_id=round_id, source_id=source_id).delete()
        TieRating.objects.bulk_create(
            TieRating(round_id=round_id, source_id=source_id, target_id=target, key=key, value=v)
            for (target, key), v in ratings.items()
            if target != source_id
        )
    return len(ratings)
