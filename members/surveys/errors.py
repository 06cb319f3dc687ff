"""What can go wrong with a survey link or an answer, as exceptions the pages turn into words."""

from __future__ import annotations

from members.models import (
    SurveyInvitation,
)


class SurveyError(Exception):
    """A problem to show the member in plain words."""


class LinkInvalid(SurveyError):
    pass


class LinkExpired(SurveyError):
    def __init__(self, message: str, invitation: SurveyInvitation):
        super().__init__(message)
        self.invitation = invitation


class SurveyClosed(SurveyError):
    pass


class AnswerInvalid(SurveyError):
    pass
