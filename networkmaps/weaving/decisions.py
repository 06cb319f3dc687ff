"""What staff decided about a suggested pair: introduced, dismissed or snoozed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from networkmaps.models import PairDecision, Suggestion

SNOOZE_DAYS = 30


def pair_decision_record(
    *,
    suggestion: Suggestion,
    status: str,
    decided_by: str,
    note: str = "",
    decided_on: datetime.date | None = None,
    snoozed_until: datetime.date | None = None,
) -> PairDecision:
    """Record that staff introduced, dismissed or snoozed the pair of a suggestion.

    The decision belongs to the pair, not to this run's suggestion row, so it survives
    recomputation; a dismissed pair is never suggested again."""
    if suggestion.pair is None:
        raise ValueError("Key-player sets are not introductions; there is nothing to record.")
    today = timezone.localdate()
    if status == PairDecision.Status.SNOOZED and snoozed_until is None:
        snoozed_until = today + datetime.timedelta(days=SNOOZE_DAYS)
    decision, _ = PairDecision.objects.update_or_create(
        program_id=suggestion.program_id,
        member_a_id=suggestion.member_a_id,
        member_b_id=suggestion.member_b_id,
        defaults={
            "kind": suggestion.kind,
            "status": status,
            "round_id": suggestion.run.round_id,
            "decided_on": decided_on or today,
            "note": note,
            "snoozed_until": snoozed_until if status == PairDecision.Status.SNOOZED else None,
            "decided_by": decided_by[:150],
        },
    )
    return decision
