"""A respondent behind a personal link sees the roster through the one visibility rule: a
member who chose "staff only" is not listed, found (by name, title, organisation, cohort)
or pickable by id, and is not prefilled from last round; they can be typed in as unlisted."""

import datetime

import pytest
from django.urls import reverse

from members.models import Member, SurveyInvitation
from members.privacy.consent import member_settings_update
from members.surveys import drafts, errors, links, roster
from tests.factories import OrganisationFactory, RelationshipFactory
from tests.members.surveys.test_survey import make_world

pytestmark = pytest.mark.django_db

HIDDEN = "Hedda Hidden"


@pytest.fixture
def world():
    world = make_world()
    org = OrganisationFactory(program=world.program, name="Quietwater Lab")
    hidden = world.cohort_b[2]
    Member.objects.filter(pk=hidden.pk).update(
        name=HIDDEN, title="Director of Quiet", organisation=org, visibility=Member.Visibility.STAFF
    )
    world.hidden = Member.objects.get(pk=hidden.pk)
    return world


def _token(world, member) -> str:
    return links.survey_link_token(invitation=world.invitation(member))


def test_a_staff_only_member_is_not_found_by_any_search(world):
    invitation = world.invitation(world.cohort_a[0])
    cohort_b = world.cohort_b[0].cohorts.get()
    searches = [
        {"query": "hedda"},
        {"query": "director quiet"},
        {"query": "quietwater"},
        {"organisation_id": world.hidden.organisation_id},
        {"cohort_id": cohort_b.pk},
    ]
    for search in searches:
        found = roster.roster_search(invitation=invitation, **search)
        assert world.hidden not in found.people, search
    everyone_b = roster.roster_search(invitation=invitation, cohort_id=cohort_b.pk)
    assert {p.name for p in everyone_b.people} == {f"Bea {i}" for i in (0, 1, 3, 4)}


def test_the_roster_pages_show_no_trace_of_them(client, world):
    token = _token(world, world.cohort_a[0])
    cohort_b = world.cohort_b[0].cohorts.get()
    for url, query in (
        (reverse("members:survey-answer", args=[token]), {}),
        (reverse("members:survey-roster", args=[token]), {"q": "hedda"}),
        (reverse("members:survey-roster", args=[token]), {"cohort": cohort_b.pk}),
        (reverse("members:survey-roster", args=[token]), {"q": "Quietwater"}),
    ):
        body = client.get(url, query).content.decode().replace(query.get("q", "~"), "")
        for secret in (HIDDEN, "Director of Quiet", "Quietwater", f'value="{world.hidden.pk}"'):
            assert secret not in body, (url, query, secret)
    page = client.get(reverse("members:survey-answer", args=[token]))
    # Ten on the roster, the respondent among them; the hidden member is not counted.
    assert page.context["roster_size"] == 9


def test_a_respondent_cannot_pick_them_by_id(client, world):
    invitation = world.invitation(world.cohort_a[0])
    with pytest.raises(errors.AnswerInvalid, match="not on this survey's list"):
        drafts.answer_pick(invitation=invitation, member_id=world.hidden.pk)
    with pytest.raises(errors.AnswerInvalid, match="not on this survey's list"):
        drafts.answer_pick(
            invitation=invitation, member_id=world.hidden.pk, wants_introduction=True
        )
    response = client.post(
        reverse("members:survey-pick", args=[_token(world, world.cohort_a[0])]),
        {"member": world.hidden.pk, "action": "know"},
        HTTP_HX_REQUEST="true",
    )
    assert HIDDEN not in response.content.decode()
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert drafts.answers_normalised(answers)["known"] == []


def test_last_rounds_tie_to_them_is_not_prefilled(world):
    ada = world.cohort_a[0]
    for target in (world.hidden, world.cohort_b[0]):
        RelationshipFactory(
            program=world.program, source=ada, target=target, type=world.knows,
            round=world.baseline, strength=3,
        )  # fmt: skip
    invitation = drafts.answers_open(
        invitation=world.invitation(ada), now=datetime.datetime.now(datetime.UTC)
    )
    assert [k["member"] for k in invitation.answers["known"]] == [world.cohort_b[0].pk]


def test_they_can_still_be_named_as_someone_not_on_the_list(world):
    invitation = world.invitation(world.cohort_a[0])
    drafts.answer_unlisted_add(invitation=invitation, name=HIDDEN)
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert [u["name"] for u in answers["unlisted"]] == [HIDDEN]


def test_hiding_takes_an_earlier_pick_out_of_the_draft_and_its_pages(client, world):
    ada, picked = world.cohort_a[0], world.cohort_b[0]
    invitation = world.invitation(ada)
    drafts.answer_pick(invitation=invitation, member_id=picked.pk)
    drafts.answer_pick(invitation=invitation, member_id=world.cohort_b[1].pk)
    member_settings_update(
        member=picked, visibility=Member.Visibility.STAFF, accepts_introductions=True
    )
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert [k["member"] for k in answers["known"]] == [world.cohort_b[1].pk]
    token = _token(world, ada)
    for name in ("members:survey-answer", "members:survey-questions", "members:survey-review"):
        body = client.get(reverse(name, args=[token])).content.decode()
        assert picked.name not in body and "Bea 1" in body, name
