"""What networkmaps does when members says something changed (see members/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver

from members.access import name_visible_to
from members.models import Program
from members.signals import member_consent_changed, member_erased, network_changed
from networkmaps.maps.poster_files import posters_forget
from networkmaps.runs.services import metric_run_request, suggestions_forget


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
    suggestions_forget(program_id=program_id)
    # Any poster may have drawn them (anonymised ones by position): all of them go.
    posters_forget(program_id=program_id, named_only=False)


@receiver(member_consent_changed, dispatch_uid="networkmaps.member_consent_changed")
def _consent(sender, *, program_id: int, member_id: int, visibility: str, **kwargs) -> None:
    if not name_visible_to(None, visibility):
        # Posters drawn while the name was shown still show it; anonymised ones never did.
        posters_forget(program_id=program_id, named_only=True)
