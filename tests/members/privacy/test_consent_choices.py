"""Consent is asked where members already are: the invitation they accept and the survey's
first screen, each with a preview of what others will see."""

import pytest
from django.urls import reverse

from members.models import Invitation, Member, ProgramRole
from members.privacy import invitations
from members.surveys import links
from tests.factories import MemberFactory, SurveyInvitationFactory

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


def test_invitation_acceptance_records_the_members_choice(client):
    member = MemberFactory(name="Ivy Invited", email="ivy@example.org")
    invitation, token = invitations.invitation_create(
        program=member.program, invited_by=None, email="ivy@example.org",
        role=ProgramRole.Role.MEMBER, member=member,
    )  # fmt: skip
    url = reverse("invitation-accept", args=[token])
    page = client.get(url).content.decode()
    assert "What another member sees of you" in page
    client.post(
        url,
        {"username": "ivy", "password": "a long enough secret 1", "consent-visibility": "members"},
    )
    member.refresh_from_db()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
    assert member.visibility == "members" and not member.accepts_introductions
    assert member.consent_recorded_at is not None


def test_invitation_acceptance_with_a_bad_choice_is_refused_and_accepts_nothing(client):
    member = MemberFactory(email="una@example.org")
    invitation, token = invitations.invitation_create(
        program=member.program, invited_by=None, email="una@example.org",
        role=ProgramRole.Role.MEMBER, member=member,
    )  # fmt: skip
    response = client.post(
        reverse("invitation-accept", args=[token]),
        {"username": "una", "password": "a long enough secret 1", "consent-visibility": "all"},
    )
    assert "choose one of the two options" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_survey_first_screen_folds_a_choice_already_made(client):
    invitation = SurveyInvitationFactory()
    token = links.survey_link_token(invitation=invitation)
    client.post(
        reverse("members:survey-consent", args=[token]),
        {"consent-visibility": "members", "consent-accepts_introductions": "on"},
    )
    page = client.get(reverse("members:survey-answer", args=[token])).content.decode()
    assert "Who may see you: visible by name to other members</span> — change" in page
    assert "<details>" in page
