"""Evergreen re-surveys: last round's ties come back whichever way they were stored, are kept
(one tap), re-rated or dropped; tie quality and answers about oneself are stored as data."""

import pytest
from django.urls import reverse

from members.models import Member, Relationship
from members.models.surveys import MemberAnswer, SurveyQuestion, TieRating
from members.surveys import drafts, questions, roster, submit
from tests.factories import RelationshipFactory
from tests.members.surveys.test_survey import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _tie(world, source, target, type_, strength, round_=None):
    RelationshipFactory(
        program=world.program, source=source, target=target, type=type_,
        round=round_ or world.baseline, strength=strength, origin=Relationship.Origin.IMPORT,
    )  # fmt: skip


def _token(world, member):
    return world.link(member).rstrip("/").split("/")[-1]


def test_prefill_takes_undirected_ties_stored_either_way_and_directed_ones_reported(world):
    ada, a1, a2, b0, b1 = world.cohort_a[0], *world.cohort_a[1:3], *world.cohort_b[:2]
    _tie(world, ada, a1, world.knows, 2)  # stored from her
    _tie(world, a2, ada, world.knows, 4)  # stored towards her: still her tie
    _tie(world, b0, ada, world.advice, 5)  # b0 seeks advice from her: not what she reported
    _tie(world, ada, b1, world.advice, 3)  # she seeks advice from b1
    _tie(world, a1, a2, world.knows, 5)  # not hers at all
    invitation = drafts.answers_open(invitation=world.invitation(ada))
    got = {e["member"]: (e["types"], e["strength"]) for e in invitation.answers["known"]}
    assert got == {
        a1.pk: ([world.knows.pk], 2),
        a2.pk: ([world.knows.pk], 4),
        b1.pk: ([world.advice.pk], 3),
    }
    assert all(e["prior"] and e["was"] for e in invitation.answers["known"])


def test_keep_drop_and_rerate_then_submit_stores_ties_and_trust_and_value(client, world):
    questions.ready_set_add(survey=world.survey, name="partner-trust")
    questions.ready_set_add(survey=world.survey, name="partner-value")
    ada, a1, a2, b0 = world.cohort_a[0], world.cohort_a[1], world.cohort_a[2], world.cohort_b[0]
    _tie(world, ada, a1, world.knows, 2)
    _tie(world, a2, ada, world.knows, 4)
    _tie(world, b0, ada, world.knows, 3)
    token = _token(world, ada)
    page = client.get(reverse("members:survey-answer", args=[token]), follow=True)
    body = page.content.decode()
    assert page.redirect_chain[-1][0].endswith("/still/")
    assert "Last round you were in touch with" in body
    # Labels of every 1–5 option are on the page, not hidden for screen readers only.
    assert body.count('class="scale-label">Not at all<') == 2 * 3  # trust + value × 3 people
    assert 'class="scale-label">Very well<' in body
    inv = world.invitation(ada)
    key = {m: roster.person_key(invitation_id=inv.pk, member_id=m.pk) for m in (a1, a2, b0)}
    response = client.post(
        reverse("members:survey-still", args=[token]),
        {
            f"still-{key[a1]}": "keep", f"q-trust-{key[a1]}": "4", f"q-value-{key[a1]}": "5",
            f"still-{key[a2]}": "keep", f"strength-{key[a2]}": "5", f"q-trust-{key[a2]}": "2",
            f"q-value-{key[a2]}": "3",
            f"still-{key[b0]}": "drop", f"q-trust-{key[b0]}": "9",  # not an option: ignored
            "action": "next",
        },
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("members:survey-answer", args=[token]))
    assert "Anyone new?" in page.content.decode()
    assert "Next: check and submit" in page.content.decode()  # nobody new: nothing to ask
    result = submit.answers_submit(invitation=world.invitation(ada))
    assert result.ties == 2
    ties = set(
        Relationship.objects.filter(round=world.survey.round, source=ada).values_list(
            "target_id", "type_id", "strength"
        )
    )
    assert ties == {(a1.pk, world.knows.pk, 2), (a2.pk, world.knows.pk, 5)}
    ratings = set(
        TieRating.objects.filter(round=world.survey.round).values_list(
            "source_id", "target_id", "key", "value"
        )
    )
    assert ratings == {
        (ada.pk, a1.pk, "trust", 4), (ada.pk, a1.pk, "value", 5),
        (ada.pk, a2.pk, "trust", 2), (ada.pk, a2.pk, "value", 3),
    }  # fmt: skip


def test_an_undecided_tie_from_last_round_must_be_kept_or_dropped_before_submitting(world):
    ada, a1 = world.cohort_a[0], world.cohort_a[1]
    _tie(world, a1, ada, world.knows, 3)
    invitation = drafts.answers_open(invitation=world.invitation(ada))
    problems = drafts.answers_problems(invitation=invitation, names={a1.pk: a1.name})
    assert problems == [f"Say whether you are still in touch with {a1.name}."]
    drafts.answers_still_in_touch(invitation=invitation, decisions={a1.pk: ("keep", None, {})})
    assert drafts.answers_problems(invitation=invitation, names={a1.pk: a1.name}) == []


def test_last_rounds_trust_comes_back_so_keeping_is_one_tap(world):
    ada, a1 = world.cohort_a[0], world.cohort_a[1]
    questions.ready_set_add(survey=world.survey, name="partner-trust")
    _tie(world, ada, a1, world.knows, 3)
    TieRating.objects.create(round=world.baseline, source=ada, target=a1, key="trust", value=4)
    invitation = drafts.answers_open(invitation=world.invitation(ada))
    assert invitation.answers["known"][0]["quality"] == {"trust": 4}
    drafts.answers_still_in_touch(invitation=invitation, decisions={a1.pk: ("keep", None, {})})
    submit.answers_submit(invitation=world.invitation(ada))
    assert TieRating.objects.get(round=world.survey.round, source=ada).value == 4


def test_member_questions_with_skip_logic_are_kept_and_can_update_the_member(client, world):
    ada = world.cohort_a[0]
    SurveyQuestion.objects.create(
        survey=world.survey, key="mentor", kind=SurveyQuestion.Kind.SINGLE,
        text="Do you mentor anyone?", choices=["Yes", "No"], position=0,
    )  # fmt: skip
    SurveyQuestion.objects.create(
        survey=world.survey, key="mentees", kind=SurveyQuestion.Kind.SCALE,
        text="How many?", show_if_key="mentor", show_if_value="Yes", position=1,
    )  # fmt: skip
    SurveyQuestion.objects.create(
        survey=world.survey, key="areas", kind=SurveyQuestion.Kind.MULTIPLE,
        text="Your issue areas", choices=["Health", "Housing", "Water"], position=2,
        attribute="issue_areas",
    )  # fmt: skip
    token = _token(world, ada)
    client.get(reverse("members:survey-answer", args=[token]))
    client.post(
        reverse("members:survey-questions", args=[token]),
        {"m-mentor": "No", "m-mentees": "3", "m-areas": ["Health", "Water", "Forged"],
         "action": "review"},
    )  # fmt: skip
    submit.answers_submit(invitation=world.invitation(ada))
    stored = dict(MemberAnswer.objects.values_list("key", "value"))
    # "How many?" is asked only after "Yes": its answer is not stored after "No".
    assert stored == {"mentor": "No", "areas": ["Health", "Water"]}
    assert Member.objects.get(pk=ada.pk).issue_areas == ["Health", "Water"]


def test_the_programs_wording_replaces_the_type_name_on_the_questions_page(client, world):
    ada, a1 = world.cohort_a[0], world.cohort_a[1]
    world.survey.type_wording = {str(world.knows.pk): {"question": "We talk shop", "help": "Hi"}}
    world.survey.save()
    drafts.answer_pick(invitation=world.invitation(ada), member_id=a1.pk)
    body = client.get(reverse("members:survey-questions", args=[_token(world, ada)])).content
    assert b"We talk shop" in body and b"seeks advice from" in body


def test_ready_made_sets_cite_their_source_and_add_once(world):
    assert questions.ready_set_add(survey=world.survey, name="network-health") == 10
    assert questions.ready_set_add(survey=world.survey, name="network-health") == 0
    assert questions.ready_set_add(survey=world.survey, name="partner-trust") == 1
    helps = set(world.survey.questions.values_list("help", flat=True))
    assert all("Adapted from" in h for h in helps)
    assert any("PARTNER" in h for h in helps) and any("Network Impact" in h for h in helps)
