"""Requests are suggestions: the survey's "introduce me", a member's ask, "X should meet Y"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from members.models import IntroductionRequest, RequestedIntroduction
from members.requests import introduction_request_create, introduction_requests
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    SurveyFactory,
    SurveyInvitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_members_own_ask_and_a_staff_entry_are_told_apart_and_asking_again_updates_words():
    program = ProgramFactory()
    login = UserFactory()
    me, you = MemberFactory(program=program, user=login), MemberFactory(program=program)
    staff = UserFactory()
    asked = introduction_request_create(
        program=program, requester=me, other=you, words="same city", by_user=login
    )
    assert asked.source == RequestedIntroduction.Source.MEMBER
    again = introduction_request_create(
        program=program, requester=me, other=you, words="same city, same issue", by_user=staff
    )
    assert again.pk == asked.pk and again.words == "same city, same issue"
    assert again.source == RequestedIntroduction.Source.MEMBER  # the first ask stays the member's
    entered = introduction_request_create(
        program=program, requester=you, other=me, words="", by_user=staff
    )
    assert entered.source == RequestedIntroduction.Source.STAFF


def test_bad_requests_name_the_field_and_write_nothing():
    program, elsewhere = ProgramFactory(), ProgramFactory()
    me, stranger = MemberFactory(program=program), MemberFactory(program=elsewhere)
    with pytest.raises(ValidationError) as error:
        introduction_request_create(
            program=program, requester=me, other=stranger, words="", by_user=None
        )
    assert "other" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        introduction_request_create(program=program, requester=me, other=me, words="", by_user=None)
    assert "other" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        introduction_request_create(
            program=program, requester=me, other=MemberFactory(program=program),
            words="x" * 2001, by_user=None,
        )  # fmt: skip
    assert "words" in error.value.message_dict
    assert not RequestedIntroduction.objects.exists()


def test_survey_requests_and_asks_are_listed_for_both_members():
    survey = SurveyFactory()
    program = survey.program
    invitation = SurveyInvitationFactory(survey=survey)
    wanted = MemberFactory(program=program)
    IntroductionRequest.objects.create(invitation=invitation, member=wanted)
    third = MemberFactory(program=program)
    introduction_request_create(
        program=program, requester=third, other=wanted, words="we should talk", by_user=None
    )
    for member in (invitation.member, wanted):
        sources = {r.source for r in introduction_requests(program=program, member=member)}
        assert "survey" in sources
    listed = introduction_requests(program=program, member=third)
    assert [(r.requester, r.words, r.source) for r in listed] == [
        (third.pk, "we should talk", "staff")
    ]
