"""Setting up, syncing and closing relationship surveys (staff side)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from members.models import (
    Cohort,
    Program,
    RelationshipType,
    Round,
    Survey,
    SurveyInvitation,
    SurveySettings,
)
from members.responses import survey_response_statuses_sync
from members.signals import network_changed_send
from members.surveys.roster import survey_roster

# Setting up a survey


@transaction.atomic
def survey_create(
    *,
    program: Program,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    relationship_types: Iterable[RelationshipType],
    cohorts: Iterable[Cohort],
    round_: Round | None = None,
) -> Survey:
    """Create a survey (and, without `round_`, a new round named like it) and its invitations."""
    if round_ is None:
        round_ = Round(program=program, name=name, observed_on=closes_on)
        round_.full_clean()
        round_.save()
    survey = Survey(
        program=program, round=round_, name=name, opens_on=opens_on, closes_on=closes_on
    )
    survey.full_clean()
    survey.save()
    survey.relationship_types.set(relationship_types)
    survey.cohorts.set(cohorts)
    survey_invitations_sync(survey=survey)
    return survey


def survey_invitations_sync(*, survey: Survey) -> int:
    """Invite roster members who have no invitation yet (people added to a cohort later).

    Invitations of people who left the cohorts stay: their answers are already in."""
    invited = SurveyInvitation.objects.filter(survey=survey).values("member_id")
    missing = survey_roster(survey=survey).exclude(pk__in=invited).values_list("pk", flat=True)
    created = SurveyInvitation.objects.bulk_create(
        (SurveyInvitation(survey=survey, member_id=pk) for pk in missing),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(created)


def survey_settings(*, program: Program) -> SurveySettings:
    settings_row, _ = SurveySettings.objects.get_or_create(program=program)
    return settings_row


@transaction.atomic
def survey_settings_set(*, program: Program, ties_count: str, changed_by: str) -> bool:
    """Set which survey ties count; when that changes, every round's metrics recompute
    (after commit) so they agree again with the maps and exports that read the setting.

    Returns whether the setting changed."""
    survey_settings(program=program)  # make sure the row exists before locking it
    settings_row = SurveySettings.objects.select_for_update().get(program=program)
    if settings_row.ties_count == ties_count:
        return False
    settings_row.ties_count = ties_count
    settings_row.save(update_fields=["ties_count"])
    network_changed_send(
        program_id=program.pk,
        round_ids=None,
        reason=f"which ties count changed by {changed_by}",
    )
    return True


# The member's draft


def survey_close(*, survey: Survey, closed_by: str, now: datetime.datetime | None = None) -> bool:
    """Close the survey and, once that is committed, ask for a metric run of its round.

    Returns False when it was closed already (a second click, or two staff at once)."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = Survey.objects.filter(pk=survey.pk, closed_at__isnull=True).update(closed_at=now)
        if closed:
            survey.closed_at = now
            survey_response_statuses_sync(survey=survey)  # issue 13: who answered is data
            network_changed_send(
                program_id=survey.program_id, round_ids=[survey.round_id], reason=closed_by
            )
    return bool(closed)


def surveys_close_due(
    *, program: Program | None = None, now: datetime.datetime | None = None
) -> list[Survey]:
    """Close every survey whose last day has passed (of one program, or of all of them).

    Run on a schedule (Celery beat, or the embedded timer of `manage.py run_embedded`) and by
    `manage.py surveys_close_due`; never from a page view. Safe to run twice or from two
    processes at once: `survey_close` closes each survey exactly once."""
    now = now or timezone.now()
    due = Survey.objects.filter(closed_at__isnull=True, closes_on__lt=timezone.localdate(now))
    if program is not None:
        due = due.filter(program=program)
    due = due.select_related("program", "round").order_by("pk")
    return [s for s in due if survey_close(survey=s, closed_by="closing date passed", now=now)]
