"""Metric runs: the one way to queue them, and forgetting the suggestions they stored.

Queueing lives here and the computing in runs/compute.py, so that runs/tasks.py (which
computes) and this module (which sends the task) import in one direction only.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from members.models import Program, Round
from networkmaps.models import MetricRun, Suggestion
from networkmaps.runs import tasks


def metric_run_request(*, program: Program, round_: Round, requested_by: str = "") -> MetricRun:
    """Queue a metric run for a round, or return the one already queued or running."""
    try:
        with transaction.atomic():
            run = MetricRun.objects.create(
                program=program, round=round_, requested_by=requested_by[:150]
            )
    except IntegrityError:
        # Someone else queued this round a moment ago: theirs is the run.
        existing = MetricRun.objects.active().filter(round=round_).first()
        if existing is None:  # ... and it has finished in between: queue a fresh one.
            return metric_run_request(program=program, round_=round_, requested_by=requested_by)
        return existing
    transaction.on_commit(lambda: tasks.metric_run_execute.delay(run.pk))
    return run


def metric_runs_request_all(*, program: Program, requested_by: str = "") -> list[MetricRun]:
    """Queue every round of a program, oldest first (so each map starts from the one before)."""
    return [
        metric_run_request(program=program, round_=round_, requested_by=requested_by)
        for round_ in program.rounds.order_by("observed_on")
    ]


def suggestions_forget(*, program_id: int) -> int:
    """Delete every stored suggestion of a program (after an erasure): their reasons quote
    names. The next metric run computes them afresh."""
    deleted, _ = Suggestion.objects.filter(program_id=program_id).delete()
    return deleted
