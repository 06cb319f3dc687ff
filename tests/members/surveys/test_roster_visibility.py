"""A respondent behind a personal link sees the roster through the one visibility rule: a
member who chose "staff only" is on it by name — found by typing that name, pickable and
prefilled like anyone — but never found by title, organisation or cohort, and no survey
page shows their title, organisation or member id (pages name people by opaque keys)."""

import datetime
import re

import pytest
from django.urls import reverse

from members.access import RESPONDENT, details_visible_to, name_visible_to
from members.models import Member, SurveyInvitation
from members.privacy.consent import member_settings_update
from members.surveys import drafts, errors, links, questions, roster, submit
from tests.factories import MemberFactory, OrganisationFactory, RelationshipFactory
from tests.members.surveys.test_survey import make_world

pytestmark = pytest.mark.django_db

HIDDEN = "Hedda Hidden"
DETAILS = ("Director of Quiet", "Quietwater")


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


def _ids_shown(body: str, member_id: int) -> list[str]:
    """Every place a page would show a member id: pick forms, rating fields, data attributes."""
    marks = re.findall(r'name="member" value="([^"]*)"', body)
    shown = [f"pick value {m}" for m in marks if not re.fullmatch(r"[0-9a-f]{20}", m)]
    shown += re.findall(r'(?<![\w-])(?:types|strength|rate)-\d+"', body)
    shown += re.findall(r"data-member=", body)
    if f'value="{member_id}"' in body and 'name="member"' in body:
        shown.append(f'value="{member_id}"')
    return shown


def _key(world, member, person) -> str:
    return roster.person_key(invitation_id=world.invitation(member).pk, member_id=person.pk)


def test_the_rule_names_them_to_a_respondent_but_shows_no_details():
    staff_only = Member(visibility=Member.Visibility.STAFF)
    assert name_visible_to(RESPONDENT, staff_only)
    assert not details_visible_to(RESPONDENT, staff_only)
    assert details_visible_to(RESPONDENT, Member(visibility=Member.Visibility.MEMBERS))
    # Everyone else's view is as it was: a viewer without a role sees no hidden name.
    for role in (None, "facilitator", "member"):
        assert not name_visible_to(role, staff_only), role
    assert details_visible_to("staff", staff_only)


def test_a_staff_only_member_is_found_by_their_name_alone(world):
    invitation = world.invitation(world.cohort_a[0])
    cohort_b = world.cohort_b[0].cohorts.get()
    found = roster.roster_search(invitation=invitation, query="hedda hid")
    assert [(p.name, p.title, p.organisation) for p in found.people] == [(HIDDEN, "", "")]
    searches = [
        {"query": "director quiet"},
        {"query": "quietwater"},
        {"organisation_id": world.hidden.organisation_id},
        {"cohort_id": cohort_b.pk},
        {"query": "hedda", "cohort_id": cohort_b.pk},
        {"query": "hedda", "organisation_id": world.hidden.organisation_id},
    ]
    for search in searches:
        found = roster.roster_search(invitation=invitation, **search)
        assert HIDDEN not in {p.name for p in found.people}, search
    everyone_b = roster.roster_search(invitation=invitation, cohort_id=cohort_b.pk)
    assert {p.name for p in everyone_b.people} == {f"Bea {i}" for i in (0, 1, 3, 4)}


def test_the_roster_pages_name_them_without_title_organisation_or_id(client, world):
    token = _token(world, world.cohort_a[0])
    cohort_b = world.cohort_b[0].cohorts.get()
    answer = reverse("members:survey-answer", args=[token])
    results = reverse("members:survey-roster", args=[token])
    found = client.get(results, {"q": "hedda"}).content.decode().replace("hedda", "")
    assert HIDDEN in found
    pages = [
        (answer, {}),
        (results, {"q": "hedda"}),
        (results, {"cohort": cohort_b.pk}),
        (results, {"organisation": world.hidden.organisation_id}),
        (results, {"q": "Quietwater"}),
        (results, {"q": "Director"}),
    ]
    for url, query in pages:
        body = client.get(url, query).content.decode().replace(query.get("q", "~"), "")
        for secret in DETAILS:
            assert secret not in body, (url, query, secret)
        assert _ids_shown(body, world.hidden.pk) == [], (url, query)
        if "q" not in query or query["q"] != "hedda":
            assert HIDDEN not in body, (url, query)  # no filter or other word finds them
    page = client.get(answer)
    # Ten on the roster, the respondent and the staff-only member among them.
    assert page.context["roster_size"] == 10


def test_a_respondent_picks_them_by_the_pages_key_never_by_id(client, world):
    ada = world.cohort_a[0]
    invitation = world.invitation(ada)
    pick = reverse("members:survey-pick", args=[_token(world, ada)])
    response = client.post(pick, {"member": world.hidden.pk, "action": "know"}, HTTP_HX_REQUEST="1")
    assert "is not on this survey" in response.content.decode()
    # Another respondent's key for them does not work on this link either.
    elsewhere = _key(world, world.cohort_a[1], world.hidden)
    client.post(pick, {"member": elsewhere, "action": "know"}, HTTP_HX_REQUEST="1")
    assert (
        drafts.answers_normalised(SurveyInvitation.objects.get(pk=invitation.pk).answers)["known"]
        == []
    )

    results = client.get(
        reverse("members:survey-roster", args=[_token(world, ada)]), {"q": "hedda"}
    )
    (key,) = re.findall(r'name="member" value="([0-9a-f]{20})"', results.content.decode())
    assert key == _key(world, ada, world.hidden)
    response = client.post(pick, {"member": key, "action": "know"}, HTTP_HX_REQUEST="1")
    body = response.content.decode()
    assert HIDDEN in body and _ids_shown(body, world.hidden.pk) == []
    assert not any(secret in body for secret in DETAILS)
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    # The draft on the server still holds the member id.
    assert [k["member"] for k in answers["known"]] == [world.hidden.pk]
    client.post(pick, {"member": key, "action": "remove"}, HTTP_HX_REQUEST="1")
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert answers["known"] == []


def test_the_questions_and_review_pages_name_them_without_details(client, world):
    ada = world.cohort_a[0]
    token = _token(world, ada)
    key = _key(world, ada, world.hidden)
    pick = reverse("members:survey-pick", args=[token])
    client.post(pick, {"member": key, "action": "meet"})
    for name in ("members:survey-answer", "members:survey-review"):
        body = client.get(reverse(name, args=[token])).content.decode()
        assert HIDDEN in body and not any(secret in body for secret in DETAILS), name
        assert _ids_shown(body, world.hidden.pk) == [], name
    client.post(pick, {"member": key, "action": "know"})
    questions = reverse("members:survey-questions", args=[token])
    body = client.get(questions).content.decode()
    assert HIDDEN in body and f"types-{key}" in body
    response = client.post(
        questions, {f"types-{key}": [world.knows.pk], f"strength-{key}": "4", "action": "review"}
    )
    assert response.status_code == 302
    for name in ("members:survey-answer", "members:survey-questions", "members:survey-review"):
        body = client.get(reverse(name, args=[token])).content.decode()
        assert HIDDEN in body, name
        assert not any(secret in body for secret in DETAILS), name
        assert _ids_shown(body, world.hidden.pk) == [], name
    response = client.post(reverse("members:survey-review", args=[token]), follow=True)
    assert b"We recorded 1 tie to 1 person" in response.content


def test_last_rounds_tie_to_them_is_prefilled_like_anyone_elses(world):
    ada = world.cohort_a[0]
    for target in (world.hidden, world.cohort_b[0]):
        RelationshipFactory(
            program=world.program, source=ada, target=target, type=world.knows,
            round=world.baseline, strength=3,
        )  # fmt: skip
    invitation = drafts.answers_open(
        invitation=world.invitation(ada), now=datetime.datetime.now(datetime.UTC)
    )
    assert [k["member"] for k in invitation.answers["known"]] == [
        world.cohort_b[0].pk,
        world.hidden.pk,
    ]


def test_nobody_off_the_roster_can_be_picked(world):
    invitation = world.invitation(world.cohort_a[0])
    off = MemberFactory(program=world.program, name="Olga Off", visibility=Member.Visibility.STAFF)
    with pytest.raises(errors.AnswerInvalid, match="not on this survey's list"):
        drafts.answer_pick(invitation=invitation, member_id=off.pk)
    key = roster.person_key(invitation_id=invitation.pk, member_id=off.pk)
    assert roster.person_member_id(invitation=invitation, key=key) is None


def test_an_off_roster_error_does_not_name_a_staff_only_member(world):
    invitation = world.invitation(world.cohort_a[0])
    off = MemberFactory(program=world.program, name="Olga Off", visibility=Member.Visibility.STAFF)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        answers={"known": [{"member": off.pk, "types": [world.knows.pk], "strength": 3}]}
    )
    with pytest.raises(errors.AnswerInvalid) as refused:
        submit.answers_submit(invitation=world.invitation(world.cohort_a[0]))
    assert str(refused.value) == "Not on this survey's list of people: someone."


def test_they_can_still_be_named_as_someone_not_on_the_list(world):
    invitation = world.invitation(world.cohort_a[0])
    drafts.answer_unlisted_add(invitation=invitation, name=HIDDEN)
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert [u["name"] for u in answers["unlisted"]] == [HIDDEN]


def test_hiding_keeps_an_earlier_pick_but_its_pages_show_only_the_name(client, world):
    ada, picked = world.cohort_a[0], world.cohort_b[0]
    invitation = world.invitation(ada)
    drafts.answer_pick(invitation=invitation, member_id=picked.pk)
    drafts.answer_pick(invitation=invitation, member_id=world.cohort_b[1].pk)
    member_settings_update(
        member=picked, visibility=Member.Visibility.STAFF, accepts_introductions=True
    )
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert [k["member"] for k in answers["known"]] == [picked.pk, world.cohort_b[1].pk]
    token = _token(world, ada)
    for name in ("members:survey-answer", "members:survey-questions", "members:survey-review"):
        body = client.get(reverse(name, args=[token])).content.decode()
        assert picked.name in body and "Bea 1" in body, name
        if picked.title:
            assert picked.title not in body, name
        if picked.organisation_id:
            assert picked.organisation.name not in body, name


def test_the_still_in_touch_page_names_them_without_details_or_id(client, world):
    questions.ready_set_add(survey=world.survey, name="partner-trust")
    ada = world.cohort_a[0]
    # Stored towards Ada (an import), undirected: her tie too, so it comes back on her page.
    RelationshipFactory(
        program=world.program, source=world.hidden, target=ada, type=world.knows,
        round=world.baseline, strength=3,
    )  # fmt: skip
    token = _token(world, ada)
    page = client.get(reverse("members:survey-answer", args=[token]), follow=True)
    body = page.content.decode()
    assert page.redirect_chain[-1][0].endswith("/still/")
    assert f"Last round you were in touch with {HIDDEN}" in body
    assert not any(secret in body for secret in DETAILS)
    assert _ids_shown(body, world.hidden.pk) == []
    assert f'value="{world.hidden.pk}"' not in body
    key = _key(world, ada, world.hidden)
    assert f'name="still-{key}"' in body and f'name="q-trust-{key}"' in body
