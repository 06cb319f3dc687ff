"""What staff decided about a pair, kept as history: every decision is a new event.

PairDecision is where the pair stands now (one row per pair, so a recomputation or a
dismissal can find it); PairDecisionEvent rows are how it got there, and are never
overwritten. Restoring a dismissed or snoozed pair is one more event ("open")."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from members.models import Program, Round
from networkmaps.models import PairDecision, PairDecisionEvent, Suggestion

SNOOZE_DAYS = 30
Status = PairDecision.Status


def pair_decision_record(
    *,
    suggestion: Suggestion,
    status: str,
    decided_by: str,
    note: str = "",
    decided_on: datetime.date | None = None,
    snoozed_until: datetime.date | None = None,
    assigned_to=None,
    due_on: datetime.date | None = None,
) -> PairDecision:
    """Record what staff did about the pair of a suggestion (see ``pair_decide``)."""
    if suggestion.pair is None:
        raise ValueError("Key-player sets are not introductions; there is nothing to record.")
    return pair_decide(
        program=suggestion.program,
        pair=suggestion.pair,
        kind=suggestion.kind,
        round_=suggestion.run.round,
        status=status,
        decided_by=decided_by,
        note=note,
        decided_on=decided_on,
        snoozed_until=snoozed_until,
        assigned_to=assigned_to,
        due_on=due_on,
    )


def pair_decide(
    *,
    program: Program,
    pair: tuple[int, int],
    kind: str,
    round_: Round,
    status: str,
    decided_by: str,
    note: str = "",
    decided_on: datetime.date | None = None,
    snoozed_until: datetime.date | None = None,
    assigned_to=None,
    due_on: datetime.date | None = None,
) -> PairDecision:
    """Move a pair to ``status`` and add the event to its history (who, when, note).

    The pair's assignee and due date stay as they were unless given. A dismissed pair is
    never suggested again until it is restored ("open"). The decision belongs to the pair,
    not to one run's suggestion row, so it survives recomputation."""
    a, b = sorted(pair)
    if a == b:
        raise ValueError("An introduction needs two different members.")
    if status not in Status.values:
        raise ValueError(f"Unknown status {status!r}.")
    today = timezone.localdate()
    if status == Status.SNOOZED and snoozed_until is None:
        snoozed_until = today + datetime.timedelta(days=SNOOZE_DAYS)
    with transaction.atomic():
        decision = (
            PairDecision.objects.select_for_update()
            .filter(program=program, member_a_id=a, member_b_id=b)
            .first()
        )
        if decision is None:
            decision = PairDecision(program=program, member_a_id=a, member_b_id=b, kind=kind)
        # An introduction stays tied to the round it was made in: that is what the next
        # round's outcome is measured against.
        if status == Status.INTRODUCED or decision.pk is None:
            decision.round = round_
        if decision.status != Status.INTRODUCED or status == Status.INTRODUCED:
            decision.kind = kind
        decision.status = status
        decision.decided_on = decided_on or today
        decision.note = note
        decision.decided_by = decided_by[:150]
        decision.snoozed_until = snoozed_until if status == Status.SNOOZED else None
        if assigned_to is not None:
            decision.assigned_to = assigned_to
        if due_on is not None:
            decision.due_on = due_on
        decision.save()
        PairDecisionEvent.objects.create(
            decision=decision,
            status=status,
            note=note,
            decided_on=decision.decided_on,
            decided_by=decision.decided_by,
            snoozed_until=decision.snoozed_until,
            assigned_to=decision.assigned_to.get_username() if decision.assigned_to else "",
            due_on=decision.due_on,
            round=round_,
        )
    return decision


def pair_history(*, program: Program, pair: tuple[int, int]) -> list[PairDecisionEvent]:
    """Every decision about the pair, oldest first."""
    a, b = sorted(pair)
    return list(
        PairDecisionEvent.objects.filter(
            decision__program=program, decision__member_a_id=a, decision__member_b_id=b
        ).select_related("round")
    )
