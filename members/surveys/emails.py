"""Emailing survey invitations and reminders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from members.models import (
    AuditEvent,
    Survey,
    SurveyInvitation,
)
from members.privacy.audit import audit_record
from members.surveys.drafts import _survey_open_check
from members.surveys.errors import SurveyError


@dataclass
class Emailed:
    sent: int
    without_email: list[str]


def survey_invitations_email(
    *,
    survey: Survey,
    link_for: Callable[[SurveyInvitation], str],
    reminder: bool,
    actor=None,
    now: datetime.datetime | None = None,
) -> Emailed:
    """Email personal links: first invitations to everyone not yet emailed, or (`reminder`)
    a reminder to everyone who has not submitted. Members without an address are listed so
    staff can copy their links instead."""
    now = now or timezone.now()
    _survey_open_check(survey.pk, now)
    invitations = SurveyInvitation.objects.filter(survey=survey).select_related("member")
    if reminder and not invitations.filter(emailed_at__isnull=False).exists():
        raise SurveyError("Send the invitations first: a reminder follows an invitation.")
    if reminder:
        invitations = invitations.filter(submitted_at__isnull=True)
    else:
        invitations = invitations.filter(emailed_at__isnull=True)
    program = survey.program
    messages, sent_ids, without = [], [], []
    for invitation in invitations.order_by("member__name"):
        member = invitation.member
        if not member.email:
            without.append(member.name)
            continue
        subject = (
            f"Reminder: {survey.name} closes on {survey.closes_on:%-d %B}"
            if reminder
            else f"{program.name}: who do you know? ({survey.name})"
        )
        body = (
            f"Dear {member.name},\n\n"
            f"{program.name} is mapping how its people are connected, so that we can "
            "introduce people who should know each other.\n\n"
            "Please tell us whom you know. It takes about ten minutes; you can save and "
            "finish later.\n\n"
            f"Your personal link (please do not share it):\n{link_for(invitation)}\n\n"
            f"The survey closes on {survey.closes_on:%-d %B %Y}.\n"
        )
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email]))
        sent_ids.append(invitation.pk)
    if messages:
        get_connection().send_messages(messages)
    sent = SurveyInvitation.objects.filter(pk__in=sent_ids)
    if reminder:
        sent.update(reminded_at=now, reminders_sent=F("reminders_sent") + 1)
    else:
        sent.update(emailed_at=now)
    if sent_ids:
        audit_record(
            program=program,
            actor=actor,
            action=AuditEvent.Action.INVITE,
            target=f"survey “{survey.name}”",
            details={"emails": len(sent_ids), "reminder": reminder},
        )
    return Emailed(sent=len(sent_ids), without_email=without)
