"""Consent is asked where members already are: the invitation they accept and the survey's
first screen, each with a preview of what others will see."""

import pytest
from django.urls import reverse

from members.models import Member
from members.surveys import links
from tests.factories import SurveyInvitationFactory

pytestmark = pytest.mark.django_db


def test_survey_first_screen_asks_and_records_the_members_choice(client):
    invitation = SurveyInvitationFactory(member__name="Rae Respondent", member__sector="health")
    token = links.survey_link_token(invitation=invitation)
    page = client.get(reverse("members:survey-answer", args=[token])).content.decode()
    assert "What others in the program may see of you" in page
    assert "What another member sees of you" in page and "Rae Respondent" in page
    response = client.post(
        reverse("members:survey-consent", args=[token]),
        {"consent-visibility": "members", "consent-accepts_introductions": "on"},
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=invitation.member_id)
    assert member.visibility == "members" and member.accepts_introductions
    assert member.consent_recorded_at is not None


def test_survey_consent_refuses_a_bad_choice_and_changes_nothing(client):
    invitation = SurveyInvitationFactory()
    token = links.survey_link_token(invitation=invitation)
    response = client.post(
        reverse("members:survey-consent", args=[token]), {"consent-visibility": "everyone"},
        follow=True,
    )  # fmt: skip
    assert "choose one of the two options" in response.content.decode()
    assert Member.objects.get(pk=invitation.member_id).consent_recorded_at is None
