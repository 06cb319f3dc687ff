"""Staff actions on a survey that must not misfire: editing it before it opens, counts for
the confirmation pages, a scheduled reminder, and reopening (audited).

Closing is `services.survey_close`; emailing is `emails.survey_invitations_email`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from members.models import AuditEvent, Cohort, RelationshipType, Survey, SurveyInvitation
from members.privacy.audit import audit_record
from members.responses import round_response_summary
from members.surveys import emails, links
from members.surveys.errors import SurveyError
from members.surveys.roster import survey_roster
from members.surveys.services import survey_invitations_sync


class SurveyLocked(SurveyError):
    pass


# Counts the confirmation pages show


@dataclass(frozen=True)
class EmailCounts:
    to_send: int  # with an email address, who would get this email
    without_email: int
    already: int  # invitations: already emailed; reminders: already answered


def survey_email_counts(*, survey: Survey, reminder: bool) -> EmailCounts:
    """Who the invitation (or reminder) email would go to right now."""
    invitations = SurveyInvitation.objects.filter(survey=survey)
    if reminder:
        waiting = invitations.filter(submitted_at__isnull=True)
        already = invitations.filter(submitted_at__isnull=False).count()
    else:
        waiting = invitations.filter(emailed_at__isnull=True)
        already = invitations.filter(emailed_at__isnull=False).count()
    without = waiting.filter(member__email="").count()
    return EmailCounts(to_send=waiting.count() - without, without_email=without, already=already)


def survey_email_status(*, survey: Survey) -> dict[str, int]:
    """For the survey page, in one query: how many were emailed, how many invitations and
    reminders a click would send now (people with an email address)."""
    has_email = ~Q(member__email="")
    return SurveyInvitation.objects.filter(survey=survey).aggregate(
        emailed=Count("pk", filter=Q(emailed_at__isnull=False)),
        to_invite=Count("pk", filter=Q(emailed_at__isnull=True) & has_email),
        to_remind=Count("pk", filter=Q(submitted_at__isnull=True) & has_email),
    ) | {"questions": survey.questions.count()}


@dataclass(frozen=True)
class CloseCounts:
    answered: int
    asked: int
    threshold: float

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def low(self) -> bool:
        return self.rate is not None and self.rate < self.threshold

    @property
    def waiting(self) -> int:
        return self.asked - self.answered


def survey_close_counts(*, survey: Survey) -> CloseCounts:
    """Answered / asked of the survey's round and the program's low-response threshold, as
    the round report will count them (`round_response_summary`), for the close page."""
    answered, asked, _, threshold = round_response_summary(round_=survey.round)
    return CloseCounts(answered=answered, asked=asked, threshold=threshold)


# Editing until it opens


def survey_editable(survey: Survey, today: datetime.date | None = None) -> bool:
    """A survey's questions and roster may change until it opens (and nobody answered)."""
    today = today or timezone.localdate()
    return survey.closed_at is None and today < survey.opens_on


@transaction.atomic
def survey_update(
    *,
    survey: Survey,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    relationship_types: Iterable[RelationshipType],
    cohorts: Iterable[Cohort],
    type_wording: dict[str, dict[str, str]],
) -> Survey:
    """Change a survey that has not opened yet; raises SurveyLocked once it has."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey_editable(locked):
        raise SurveyLocked(
            "This survey has opened: its questions can no longer change. "
            "Close it and start another survey for a new round."
        )
    locked.name, locked.opens_on, locked.closes_on = name, opens_on, closes_on
    locked.type_wording = type_wording
    locked.full_clean(exclude=["round", "program"])
    locked.save(update_fields=["name", "opens_on", "closes_on", "type_wording"])
    locked.relationship_types.set(relationship_types)
    locked.cohorts.set(cohorts)
    # People no longer in the survey's cohorts have answered nothing yet: their invitations go.
    roster = survey_roster(survey=locked).values("pk")
    SurveyInvitation.objects.filter(survey=locked).exclude(member__in=roster).delete()
    survey_invitations_sync(survey=locked)
    return locked


# Reopening


@transaction.atomic
def survey_reopen(*, survey: Survey, closes_on: datetime.date, actor) -> Survey:
    """Open a closed survey again until `closes_on` (today or later), audited."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    today = timezone.localdate()
    if closes_on < today:
        raise SurveyError("The new closing day must be today or later.")
    was = locked.closed_at or locked.closes_on
    locked.closed_at, locked.closes_on = None, closes_on
    locked.save(update_fields=["closed_at", "closes_on"])
    audit_record(
        program=locked.program,
        actor=actor,
        action=AuditEvent.Action.SURVEY_CHANGE,
        target=f"survey “{locked.name}” reopened",
        details={"closed": str(was), "closes_on": str(closes_on)},
    )
    return locked


# The scheduled reminder


def survey_reminder_schedule(
    *, survey: Survey, at: datetime.datetime | None, link_base: str, actor
) -> Survey:
    """Schedule (or, with `at` None, cancel) the reminder email. Only once invitations went
    out, and only for a time before the survey closes."""
    if at is not None:
        if not SurveyInvitation.objects.filter(survey=survey, emailed_at__isnull=False).exists():
            raise SurveyError("Send the invitations first: a reminder follows an invitation.")
        if at <= timezone.now():
            raise SurveyError("Pick a time in the future for the reminder.")
        closes = timezone.make_aware(datetime.datetime.combine(survey.closes_on, datetime.time.max))
        if at > closes:
            raise SurveyError(
                f"Pick a time before the survey closes on {survey.closes_on:%-d %B %Y}."
            )
    Survey.objects.filter(pk=survey.pk).update(
        reminder_at=at, reminder_sent_at=None, link_base=link_base.rstrip("/")
    )
    survey.reminder_at, survey.reminder_sent_at = at, None
    audit_record(
        program=survey.program,
        actor=actor,
        action=AuditEvent.Action.SURVEY_CHANGE,
        target=f"survey “{survey.name}” reminder {'scheduled' if at else 'cancelled'}",
        details={"at": at.isoformat() if at else None},
    )
    return survey


def survey_link_absolute(*, survey: Survey, invitation: SurveyInvitation) -> str:
    token = links.survey_link_token(invitation=invitation)
    return f"{survey.link_base}{reverse('members:survey-answer', args=[token])}"


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[int, int]:
    """Send every scheduled reminder that is due, once, to those who have not answered.

    Run by Celery beat (`members.survey_reminders_send_due`). Claiming a reminder is one
    conditional update, so two beat ticks or two workers never send it twice. Returns
    {survey id: emails sent}."""
    now = now or timezone.now()
    sent = {}
    due = Survey.objects.filter(
        reminder_at__lte=now, reminder_sent_at__isnull=True, closed_at__isnull=True
    ).select_related("program")
    for survey in due.order_by("pk"):
        if not Survey.objects.filter(pk=survey.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            continue  # another worker claimed it
        try:
            result = emails.survey_invitations_email(
                survey=survey,
                link_for=lambda inv, s=survey: survey_link_absolute(survey=s, invitation=inv),
                reminder=True,
                now=now,
            )
        except SurveyError:
            continue  # closed (or not open) by now: nothing to remind of
        sent[survey.pk] = result.sent
    return sent
