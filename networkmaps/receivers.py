"""What networkmaps does when members says something changed (see members/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver

from members.access import name_visible_to
from members.models import Member, Program
from members.privacy.audit import words_pattern, words_redact
from members.signals import (
    member_consent_changed,
    member_erased,
    network_changed,
    program_settings_changed,
)
from networkmaps.maps.poster_files import posters_forget
from networkmaps.models import (
    Community,
    MapPayload,
    MetricRun,
    PairDecision,
    PairDecisionEvent,
    WhatIf,
)
from networkmaps.runs.services import (
    metric_run_request,
    metric_runs_request_all,
    suggestions_forget,
)


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


@receiver(program_settings_changed, dispatch_uid="networkmaps.program_settings_changed")
def _settings(sender, *, program_id: int, settings, **kwargs) -> None:
    if not Program.RUN_SETTINGS & set(settings):
        return
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return
    # Same data, other settings: no stored run may stand in for the new one (runs reuse a
    # finished run whose data fingerprint matches, and settings are not part of it).
    MetricRun.objects.filter(program_id=program_id).update(fingerprint="")
    metric_runs_request_all(program=program, requested_by="settings change")


@receiver(member_erased, dispatch_uid="networkmaps.member_erased")
def _forget(sender, *, program_id: int, member_id: int, words=(), **kwargs) -> None:
    suggestions_forget(program_id=program_id)
    _computed_text_forget(program_id=program_id, member_id=member_id, words=list(words))
    # A stored map holds their node (groups, position): the map is built on request instead.
    MapPayload.objects.filter(run__program_id=program_id).delete()
    WhatIf.objects.filter(run__program_id=program_id).delete()  # computed again on demand
    # Any poster may have drawn them (anonymised ones by position): all of them go.
    posters_forget(program_id=program_id, named_only=False)


@receiver(member_consent_changed, dispatch_uid="networkmaps.member_consent_changed")
def _consent(sender, *, program_id: int, member_id: int, visibility: str, **kwargs) -> None:
    if not name_visible_to(None, visibility):
        # Posters drawn while the name was shown still show it; anonymised ones never did.
        posters_forget(program_id=program_id, named_only=True)


def _computed_text_forget(*, program_id: int, member_id: int, words: list[str]) -> None:
    """Free text on this side that may name the erased member, by any of `words` (or their
    name and email, read here since the signal comes before their row goes). Their own
    pairs' decisions and histories go with their row. A staff note on another pair that
    names them is blanked whole (the rest of it may describe them), in the decision and in
    every event of its history; who decided, cluster labels and errors are re-labelled."""
    person = Member.objects.filter(pk=member_id).values_list("name", "email").first()
    pattern = words_pattern([*words, *(person or ())])
    if pattern is None:
        return

    def names(text: str) -> bool:
        return words_redact(text, pattern) != text

    decisions = PairDecision.objects.filter(program_id=program_id)
    for pk, note, by in decisions.values_list("pk", "note", "decided_by").iterator(2000):
        if names(note) or names(by):
            PairDecision.objects.filter(pk=pk).update(
                note="" if names(note) else note, decided_by=words_redact(by, pattern)[:150]
            )
    events = PairDecisionEvent.objects.filter(decision__program_id=program_id)
    fields = ("pk", "note", "decided_by", "assigned_to")
    for pk, note, by, to in events.values_list(*fields).iterator(chunk_size=2000):
        if names(note) or names(by) or names(to):
            PairDecisionEvent.objects.filter(pk=pk).update(
                note="" if names(note) else note,
                decided_by=words_redact(by, pattern)[:150],
                assigned_to=words_redact(to, pattern)[:150],
            )
    runs = MetricRun.objects.filter(program_id=program_id)
    for pk, error, by in runs.values_list("pk", "error", "requested_by").iterator(2000):
        if names(error) or names(by):
            MetricRun.objects.filter(pk=pk).update(
                error="" if names(error) else error, requested_by=words_redact(by, pattern)[:150]
            )
    clusters = Community.objects.filter(run__program_id=program_id)
    for pk, label in clusters.values_list("pk", "label").iterator(chunk_size=2000):
        if names(label):
            Community.objects.filter(pk=pk).update(label=words_redact(label, pattern)[:200])
