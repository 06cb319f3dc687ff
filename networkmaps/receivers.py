"""What networkmaps does when members says something changed (see members/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver

from members.models import Program
from members.signals import member_erased, network_changed
from networkmaps.models import Suggestion
from networkmaps.runs.services import metric_run_request


@receiver(network_changed, dispatch_uid="networkmaps.network_changed")
def _recompute(sender, *, program_id: int, round_ids, reason: str, **kwargs) -> None:
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return  # deleted in the meantime: nothing left to compute
    rounds = program.rounds.order_by("observed_on", "id")
    if round_ids is not None:
        rounds = rounds.filter(pk__in=round_ids)
    for round_ in rounds:
        metric_run_request(program=program, round_=round_, requested_by=reason)


@receiver(member_erased, dispatch_uid="networkmaps.member_erased")
def _forget(sender, *, program_id: int, member_id: int, **kwargs) -> None:
    # Reasons quote names: every stored suggestion of the program goes; runs recompute them.
    Suggestion.objects.filter(program_id=program_id).delete()
