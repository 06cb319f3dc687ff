"""What networkmaps does when members says something changed (see members/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver

from members.access import name_visible_to
from members.models import Member, Program
from members.privacy.audit import words_pattern, words_redact
from members.signals import member_consent_changed, member_erased, network_changed
from networkmaps.maps.poster_files import posters_forget
from networkmaps.models import PairDecision
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
    _decision_notes_forget(program_id=program_id, member_id=member_id)
    # Any poster may have drawn them (anonymised ones by position): all of them go.
    posters_forget(program_id=program_id, named_only=False)


@receiver(member_consent_changed, dispatch_uid="networkmaps.member_consent_changed")
def _consent(sender, *, program_id: int, member_id: int, visibility: str, **kwargs) -> None:
    if not name_visible_to(None, visibility):
        # Posters drawn while the name was shown still show it; anonymised ones never did.
        posters_forget(program_id=program_id, named_only=True)


def _decision_notes_forget(*, program_id: int, member_id: int) -> None:
    """Staff notes on other pairs' decisions may name the erased member: re-label those words
    (their own pairs' decisions go with their row). Sent before the row goes, so it is here."""
    person = Member.objects.filter(pk=member_id).values_list("name", "email").first()
    pattern = words_pattern(list(person or ()))
    if pattern is None:
        return
    notes = PairDecision.objects.filter(program_id=program_id).exclude(note="")
    for pk, note in notes.values_list("pk", "note").iterator(chunk_size=2000):
        if (cleaned := words_redact(note, pattern)) != note:
            PairDecision.objects.filter(pk=pk).update(note=cleaned)
