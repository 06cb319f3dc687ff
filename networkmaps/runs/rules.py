"""Changing how a program's rounds treat missing answers (and what counts as low response).

The rule changes which ties each round has and which pairs can be compared, so every
round is recomputed; earlier results are marked so that the next runs do not reuse them
(their data fingerprint does not include the rule)."""

from __future__ import annotations

from django import forms
from django.db import transaction

from members.models import Program
from networkmaps.models import MetricRun
from networkmaps.runs import services


class RoundRulesForm(forms.ModelForm):
    low_response_threshold = forms.IntegerField(
        min_value=0, max_value=100, label="Low response below (%)"
    )

    class Meta:
        model = Program
        fields = ["missing_answers", "low_response_threshold"]
        labels = {"missing_answers": "Missing answers"}


@transaction.atomic
def round_rules_set(*, program: Program, missing_answers: str, threshold: int, by: str) -> bool:
    """Set the rule and threshold; when the rule changed, recompute every round (after
    commit). Returns whether the rule changed."""
    locked = Program.objects.select_for_update().get(pk=program.pk)
    changed = locked.missing_answers != missing_answers
    Program.objects.filter(pk=program.pk).update(
        missing_answers=missing_answers, low_response_threshold=threshold
    )
    program.missing_answers, program.low_response_threshold = missing_answers, threshold
    if changed:
        MetricRun.objects.filter(program=program).update(fingerprint="")
        services.metric_runs_request_all(program=program, requested_by=by)
    return changed
