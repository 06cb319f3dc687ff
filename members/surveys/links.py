"""Members' personal survey links: signed tokens without a password."""

from __future__ import annotations

import datetime

from django.core import signing
from django.utils import timezone

from members.models import (
    SurveyInvitation,
)
from members.surveys.errors import LinkExpired, LinkInvalid

LINK_SALT = "netlead.survey.link"


# Personal links


def survey_link_token(*, invitation: SurveyInvitation) -> str:
    """The signed part of a member's personal link.

    No timestamp in it: the link is the same every time staff copy or email it, and it
    expires with its survey (checked on every use in `invitation_from_token`), so closing
    a survey early or extending it changes what the link may do at once."""
    signer = signing.Signer(salt=LINK_SALT)
    return signer.sign_object({"s": invitation.survey_id, "m": invitation.member_id})


def invitation_from_token(*, token: str, now: datetime.datetime | None = None):
    """The invitation a personal link stands for.

    Raises LinkInvalid for a link that was altered or is not ours, and LinkExpired once the
    survey has closed."""
    now = now or timezone.now()
    signer = signing.Signer(salt=LINK_SALT)
    try:
        data = signer.unsign_object(token)
        survey_id, member_id = int(data["s"]), int(data["m"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid(
            "This survey link is not valid. Please use the link exactly as it was sent to you."
        ) from exc
    invitation = (
        SurveyInvitation.objects.select_related("survey__program", "survey__round", "member")
        .filter(survey_id=survey_id, member_id=member_id)
        .first()
    )
    if invitation is None:
        raise LinkInvalid("This survey link is no longer valid.")
    survey = invitation.survey
    if survey.status(timezone.localdate(now)) == "closed":
        closed_on = survey.closed_at.date() if survey.closed_at else survey.closes_on
        raise LinkExpired(
            f"“{survey.name}” closed on {closed_on:%-d %B %Y} and no longer accepts answers.",
            invitation,
        )
    return invitation
