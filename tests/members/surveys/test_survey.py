"""The relationship survey: personal links, the member's answers, staff tracking, closing."""

import datetime
from dataclasses import dataclass

import factory
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.models import (
    AuditEvent,
    IntroductionRequest,
    Member,
    Program,
    Relationship,
    SurveyInvitation,
    SurveySettings,
    UnlistedPerson,
)
from members.surveys import drafts, errors, links, responses, roster, submit
from members.surveys import services as surveys
from networkmaps.models import MetricRun
from networkmaps.runs.compute import round_data_load
from tests.factories import (
    CohortFactory,
    MemberFactory,
    OrganisationFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    program: object
    survey: object
    baseline: object
    knows: object
    advice: object
    cohort_a: list
    cohort_b: list
    outsider: object
    staff: object

    def invitation(self, member) -> SurveyInvitation:
        return SurveyInvitation.objects.select_related("survey__round", "member").get(
            survey=self.survey, member=member
        )

    def link(self, member) -> str:
        token = links.survey_link_token(invitation=self.invitation(member))
        return reverse("members:survey-answer", args=[token])


def make_world(*, per_cohort: int = 5) -> World:
    program = ProgramFactory(name="Harbour Fellows")
    first, second = (
        CohortFactory(program=program, year=2021),
        CohortFactory(program=program, year=2022),
    )
    org = OrganisationFactory(program=program, name="Tidewater Trust")
    # Everyone here chose to be seen by name, so respondents can find and pick them; the
    # staff-only case has its own tests below.
    listed = Member.Visibility.MEMBERS
    cohort_a = [
        MemberFactory(
            program=program, name=f"Ada {i}", organisation=org, sector="health", visibility=listed
        )
        for i in range(per_cohort)
    ]
    cohort_b = [
        MemberFactory(program=program, name=f"Bea {i}", sector="education", visibility=listed)
        for i in range(per_cohort)
    ]
    for m in cohort_a:
        m.cohorts.add(first)
    for m in cohort_b:
        m.cohorts.add(second)
    outsider = MemberFactory(program=program, name="Oscar Outside", visibility=listed)
    knows = RelationshipTypeFactory(program=program, name="knows")
    advice = RelationshipTypeFactory(program=program, name="seeks advice from", directed=True)
    baseline = RoundFactory(program=program, name="Baseline", observed_on=datetime.date(2024, 3, 1))
    round_ = RoundFactory(program=program, name="Year two", observed_on=datetime.date(2025, 3, 1))
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program,
        name="Year two survey",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=14),
        relationship_types=[knows, advice],
        cohorts=[first, second],
        round_=round_,
    )
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    return World(program, survey, baseline, knows, advice, cohort_a, cohort_b, outsider, staff)


@pytest.fixture
def world():
    return make_world()


def answer(world, member, picks: dict, meet=()):
    """Pick and rate people through the services, as the pages do."""
    invitation = world.invitation(member)
    for target in picks:
        drafts.answer_pick(invitation=invitation, member_id=target.pk)
    for target in meet:
        drafts.answer_pick(invitation=invitation, member_id=target.pk, wants_introduction=True)
    drafts.answers_rate(
        invitation=invitation,
        known={t.pk: ([ty.pk for ty in types], strength) for t, (types, strength) in picks.items()},
        unlisted={},
    )
    return invitation


def survey_ties(world, member):
    return set(
        Relationship.objects.filter(
            round=world.survey.round, source=member, origin=Relationship.Origin.SURVEY
        ).values_list("target_id", "type_id", "strength")
    )


# Links


def test_survey_invites_everyone_in_its_cohorts_and_nobody_else(world):
    invited = set(world.survey.invitations.values_list("member_id", flat=True))
    assert invited == {m.pk for m in world.cohort_a + world.cohort_b}


def test_personal_link_opens_the_members_survey(client, world):
    response = client.get(world.link(world.cohort_a[0]))
    assert response.status_code == 200
    assert b"Hello Ada 0" in response.content
    assert world.invitation(world.cohort_a[0]).opened_at is not None


def test_tampered_link_is_refused_with_a_clear_page(client, world):
    url = world.link(world.cohort_a[0])
    token = url.rstrip("/").split("/")[-1]
    # Point the link at someone else's answers: the signature no longer matches.
    forged = token.replace(token[2], "A" if token[2] != "A" else "B", 1)
    response = client.get(reverse("members:survey-answer", args=[forged]))
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert b"not valid" in response.content
    response = client.get(reverse("members:survey-answer", args=["not-a-link"]))
    assert response.status_code == 400


def test_link_expires_when_the_survey_closes(client, world):
    url = world.link(world.cohort_a[0])
    world.survey.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    world.survey.opens_on = world.survey.closes_on - datetime.timedelta(days=10)
    world.survey.save()
    response = client.get(url)
    assert response.status_code == 410
    assert b"This survey has closed" in response.content
    assert b"no longer accepts answers" in response.content


def test_survey_not_open_yet_says_when_it_opens(client, world):
    world.survey.opens_on = timezone.localdate() + datetime.timedelta(days=3)
    world.survey.save()
    response = client.get(world.link(world.cohort_a[0]))
    assert response.status_code == 200
    assert b"This survey opens on" in response.content
    with pytest.raises(errors.SurveyClosed):
        drafts.answer_pick(
            invitation=world.invitation(world.cohort_a[0]), member_id=world.cohort_a[1].pk
        )


# Answers


def test_submitted_answers_become_survey_ties_of_the_round(world):
    ada, bea = world.cohort_a[0], world.cohort_b[0]
    invitation = answer(
        world,
        ada,
        {world.cohort_a[1]: ([world.knows], 4), bea: ([world.knows, world.advice], 2)},
        meet=[world.cohort_b[1]],
    )
    result = submit.answers_submit(invitation=invitation)
    assert (result.ties, result.people, result.introductions) == (3, 2, 1)
    assert survey_ties(world, ada) == {
        (world.cohort_a[1].pk, world.knows.pk, 4),
        (bea.pk, world.knows.pk, 2),
        (bea.pk, world.advice.pk, 2),
    }
    assert IntroductionRequest.objects.get(invitation=invitation).member == world.cohort_b[1]
    assert world.invitation(ada).submitted_at is not None


def test_resubmitting_replaces_the_members_survey_ties_and_double_submit_is_harmless(world):
    ada = world.cohort_a[0]
    imported = RelationshipFactory(
        program=world.program,
        source=ada,
        target=world.cohort_b[2],
        type=world.knows,
        round=world.survey.round,
        origin=Relationship.Origin.IMPORT,
    )
    invitation = answer(world, ada, {world.cohort_a[1]: ([world.knows], 4)})
    submit.answers_submit(invitation=invitation)
    submit.answers_submit(invitation=invitation)
    assert survey_ties(world, ada) == {(world.cohort_a[1].pk, world.knows.pk, 4)}

    drafts.answer_unpick(invitation=invitation, member_id=world.cohort_a[1].pk)
    answer(world, ada, {world.cohort_b[3]: ([world.advice], 5)})
    submit.answers_submit(invitation=world.invitation(ada))
    assert survey_ties(world, ada) == {(world.cohort_b[3].pk, world.advice.pk, 5)}
    # Ties from an import are not the member's survey answers: they stay.
    assert Relationship.objects.filter(pk=imported.pk).exists()


def test_a_member_cannot_name_themselves_or_someone_off_the_roster(world):
    ada = world.cohort_a[0]
    invitation = world.invitation(ada)
    with pytest.raises(errors.AnswerInvalid, match="cannot name yourself"):
        drafts.answer_pick(invitation=invitation, member_id=ada.pk)
    with pytest.raises(errors.AnswerInvalid, match="not on this survey"):
        drafts.answer_pick(invitation=invitation, member_id=world.outsider.pk)
    other_program = MemberFactory()
    with pytest.raises(errors.AnswerInvalid, match="not on this survey"):
        drafts.answer_pick(invitation=invitation, member_id=other_program.pk)

    # A draft doctored to contain them anyway is refused at submission.
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        answers={"known": [{"member": world.outsider.pk, "types": [world.knows.pk], "strength": 3}]}
    )
    with pytest.raises(errors.AnswerInvalid, match="Oscar Outside"):
        submit.answers_submit(invitation=world.invitation(ada))
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        answers={"known": [{"member": ada.pk, "types": [world.knows.pk], "strength": 3}]}
    )
    with pytest.raises(errors.AnswerInvalid, match="cannot name yourself"):
        submit.answers_submit(invitation=world.invitation(ada))
    assert not Relationship.objects.filter(round=world.survey.round).exists()


def test_each_person_needs_a_type_and_a_strength_before_submitting(world):
    invitation = answer(world, world.cohort_a[0], {world.cohort_a[1]: ([], None)})
    with pytest.raises(errors.AnswerInvalid, match="how you are connected to Ada 1"):
        submit.answers_submit(invitation=invitation)


def test_a_closed_survey_accepts_no_answers(client, world):
    ada = world.cohort_a[0]
    invitation = answer(world, ada, {world.cohort_a[1]: ([world.knows], 3)})
    url = world.link(ada)
    token = url.rstrip("/").split("/")[-1]
    surveys.survey_close(survey=world.survey, closed_by="test")
    with pytest.raises(errors.SurveyClosed, match="has closed"):
        submit.answers_submit(invitation=invitation)
    with pytest.raises(errors.SurveyClosed):
        drafts.answer_pick(invitation=invitation, member_id=world.cohort_a[2].pk)
    response = client.post(reverse("members:survey-review", args=[token]))
    assert response.status_code == 410
    assert b"no longer accepts answers" in response.content
    assert not Relationship.objects.filter(round=world.survey.round).exists()


def test_previous_rounds_answers_are_prefilled(client, world):
    ada = world.cohort_a[0]
    for target, type_, strength in (
        (world.cohort_a[1], world.knows, 2),
        (world.cohort_a[1], world.advice, 4),
        (world.cohort_b[0], world.knows, 3),
        (world.outsider, world.knows, 5),  # no longer on the roster: not pre-filled
    ):
        RelationshipFactory(
            program=world.program,
            source=ada,
            target=target,
            type=type_,
            round=world.baseline,
            strength=strength,
        )
    response = client.get(world.link(ada), follow=True)
    assert response.redirect_chain[-1][0].endswith("/still/")  # a re-survey opens on it
    assert "In Baseline you were in touch with these 2 people" in response.content.decode()
    answers = world.invitation(ada).answers
    types = sorted([world.knows.pk, world.advice.pk])
    assert [(e["member"], e["types"], e["strength"], e["prior"]) for e in answers["known"]] == [
        (world.cohort_a[1].pk, types, 4, True),
        (world.cohort_b[0].pk, [world.knows.pk], 3, True),
    ]


def test_roster_search_matches_every_word_and_filters(client, world, django_assert_max_num_queries):
    invitation = world.invitation(world.cohort_a[0])
    found = roster.roster_search(invitation=invitation, query="ada")
    assert {p.name for p in found.people} == {f"Ada {i}" for i in range(1, 5)}  # not themself
    found = roster.roster_search(invitation=invitation, query="tidewater 3")
    assert [p.name for p in found.people] == ["Ada 3"]
    cohort_b = world.cohort_b[0].cohorts.get()
    found = roster.roster_search(invitation=invitation, cohort_id=cohort_b.pk)
    assert {p.name for p in found.people} == {f"Bea {i}" for i in range(5)}
    assert roster.roster_search(invitation=invitation, query="oscar").people == []

    token = world.link(world.cohort_a[0]).rstrip("/").split("/")[-1]
    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:survey-roster", args=[token]), {"q": "bea"})
    assert response.status_code == 200
    assert response.content.count(b'class="roster-person"') == 5


def test_roster_search_pages_through_a_large_roster(world):
    cohort = world.cohort_a[0].cohorts.get()
    extra = MemberFactory.create_batch(
        45,
        program=world.program,
        name=factory.Sequence(lambda n: f"Zed Person {n:03d}"),
        visibility=Member.Visibility.MEMBERS,
    )
    cohort.members.add(*extra)
    invitation = world.invitation(world.cohort_a[0])
    first = roster.roster_search(invitation=invitation, query="zed")
    assert (len(first.people), first.total, first.more) == (20, 45, 25)
    last = roster.roster_search(invitation=invitation, query="zed", offset=40)
    assert (len(last.people), last.more) == (5, 0)


def person_key(world, member, person) -> str:
    """The opaque key a respondent's pages use for `person` (never the member id)."""
    invitation = world.invitation(member)
    return roster.person_key(invitation_id=invitation.pk, member_id=person.pk)


def test_the_pages_take_a_member_from_picking_to_submitted(client, world):
    ada, target = world.cohort_a[0], world.cohort_b[1]
    token = world.link(ada).rstrip("/").split("/")[-1]
    key = person_key(world, ada, target)
    client.get(reverse("members:survey-answer", args=[token]))
    results = client.get(reverse("members:survey-roster", args=[token]), {"q": "bea 1"})
    assert f'name="member" value="{key}"' in results.content.decode()
    response = client.post(
        reverse("members:survey-pick", args=[token]),
        {"member": key, "action": "know"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "picked"
    assert b"Bea 1" in response.content
    client.post(
        reverse("members:survey-unlisted", args=[token]),
        {"name": "Nadia Newcomer", "organisation": "Elsewhere"},
    )
    response = client.post(
        reverse("members:survey-questions", args=[token]),
        {
            f"types-{key}": [world.knows.pk],
            f"strength-{key}": "5",
            "utypes-0": [world.advice.pk],
            "ustrength-0": "2",
            "action": "review",
        },
    )
    assert response.status_code == 302
    response = client.get(response.url)
    assert b"Nadia Newcomer" in response.content and b"strength 5 of 5" in response.content
    response = client.post(reverse("members:survey-review", args=[token]), follow=True)
    assert b"We recorded 1 tie to 1 person" in response.content
    assert survey_ties(world, ada) == {(target.pk, world.knows.pk, 5)}
    assert UnlistedPerson.objects.get(invitation__member=ada).name == "Nadia Newcomer"


def test_picking_self_through_the_page_shows_the_reason(client, world):
    ada = world.cohort_a[0]
    token = world.link(ada).rstrip("/").split("/")[-1]
    response = client.post(
        reverse("members:survey-pick", args=[token]),
        {"member": person_key(world, ada, ada), "action": "know"},
        HTTP_HX_REQUEST="true",
    )
    assert b"You cannot name yourself" in response.content


def test_unlisted_person_merged_by_staff_becomes_a_tie_and_stays_merged(world):
    ada, bea = world.cohort_a[0], world.cohort_b[4]
    invitation = world.invitation(ada)
    drafts.answer_unlisted_add(invitation=invitation, name="B. Four", organisation="")
    drafts.answers_rate(invitation=invitation, known={}, unlisted={0: ([world.knows.pk], 4)})
    submit.answers_submit(invitation=world.invitation(ada))
    person = UnlistedPerson.objects.get(invitation=invitation)
    assert submit.unlisted_person_merge(person=person, member=bea) == 1
    assert survey_ties(world, ada) == {(bea.pk, world.knows.pk, 4)}
    # Submitting again keeps the merge instead of dropping the tie.
    submit.answers_submit(invitation=world.invitation(ada))
    assert survey_ties(world, ada) == {(bea.pk, world.knows.pk, 4)}
    assert UnlistedPerson.objects.get(invitation=invitation).merged_into == bea


# Staff


def test_staff_pages_are_for_staff_only(client, world):
    member_user = UserFactory()
    ProgramRoleFactory(user=member_user, program=world.program, role="member")
    client.force_login(member_user)
    url = reverse("members:survey-detail", args=[world.program.slug, world.survey.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("members:survey-list", args=[world.program.slug])).status_code == 404


def test_staff_create_a_survey_with_a_new_round(client, world):
    client.force_login(world.staff)
    cohort = world.cohort_b[0].cohorts.get()
    today = timezone.localdate()
    response = client.post(
        reverse("members:survey-new", args=[world.program.slug]),
        {
            "name": "Year three survey",
            "round": "",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat(),
            "relationship_types": [world.knows.pk],
            "cohorts": [cohort.pk],
            f"question_{world.knows.pk}": "We have worked together",
            f"help_{world.knows.pk}": "On a project, a board or a campaign",
        },
    )
    assert response.status_code == 302
    created = world.program.surveys.get(name="Year three survey")
    assert created.round.name == "Year three survey"
    assert created.invitations.count() == 5
    assert created.wording(world.knows) == {
        "question": "We have worked together",
        "help": "On a project, a board or a campaign",
    }


def test_forty_percent_response_page_and_closing_runs_metrics(
    client, world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # 4 of 10 answer: 3 in the first cohort, 1 in the second.
    everyone = world.cohort_a + world.cohort_b
    for member, target in zip(
        [*world.cohort_a[:3], world.cohort_b[0]],
        [*world.cohort_b[:3], world.cohort_a[4]],
        strict=True,
    ):
        submit.answers_submit(invitation=answer(world, member, {target: ([world.knows], 3)}))
    client.force_login(world.staff)
    url = reverse("members:survey-detail", args=[world.program.slug, world.survey.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    page = response.content.decode()
    assert "40.0%" in page and '4</span><span class="stat-label">of 10 answered' in page
    assert "60.0%" in page and "20.0%" in page  # by cohort: 3 of 5, 1 of 5
    summary = response.context["summary"]
    assert [(c.invited, c.responded) for c in summary.by_cohort] == [(5, 3), (5, 1)]
    waiting = client.get(url, {"show": "waiting"}).context["page"]
    assert {inv.member_id for inv in waiting} == {m.pk for m in everyone[3:5] + everyone[6:]}
    named_by = {inv.member_id: inv.named_by for inv in waiting}
    assert named_by[world.cohort_a[4].pk] == 1  # a non-respondent, named by Bea 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:survey-close", args=[world.program.slug, world.survey.pk])
        )
    run = MetricRun.objects.get(round=world.survey.round)
    assert run.status == MetricRun.Status.SUCCEEDED
    assert run.requested_by == world.staff.username
    # A second close is harmless and queues nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:survey-close", args=[world.program.slug, world.survey.pk]))
    assert MetricRun.objects.filter(round=world.survey.round).count() == 1


def test_a_survey_past_its_closing_date_is_closed_by_the_schedule_not_by_opening_the_page(
    client, world, django_capture_on_commit_callbacks
):
    world.survey.opens_on = timezone.localdate() - datetime.timedelta(days=30)
    world.survey.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    world.survey.save()
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("members:survey-list", args=[world.program.slug]))
    assert response.status_code == 200
    world.survey.refresh_from_db()
    assert world.survey.closed_at is None  # a page view does no scheduled work
    assert not MetricRun.objects.filter(round=world.survey.round).exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("surveys_close_due")
    world.survey.refresh_from_db()
    assert world.survey.closed_at is not None
    assert MetricRun.objects.filter(round=world.survey.round).exists()


def test_invitations_then_reminders_only_to_those_who_have_not_answered(client, world):
    world.cohort_b[4].email = ""
    world.cohort_b[4].save()
    submit.answers_submit(
        invitation=answer(world, world.cohort_a[0], {world.cohort_a[1]: ([world.knows], 3)})
    )
    client.force_login(world.staff)
    url = reverse("members:survey-email", args=[world.program.slug, world.survey.pk])
    response = client.post(url, {"kind": "invitation"}, follow=True)
    assert len(mail.outbox) == 9
    assert b"1 without an email address" in response.content
    link = world.link(world.cohort_a[1])
    assert any(link in message.body for message in mail.outbox)
    mail.outbox.clear()
    client.post(url, {"kind": "reminder"})
    reminded = {message.to[0] for message in mail.outbox}
    assert world.cohort_a[0].email not in reminded
    assert len(reminded) == 8
    assert SurveyInvitation.objects.filter(reminders_sent=1).count() == 8
    assert client.post(url, {"kind": "invitation"}).status_code == 302
    assert len(mail.outbox) == 8  # everyone with an address was invited already
    audit = AuditEvent.objects.filter(program=world.program, action="invite")
    assert [e.details for e in audit.order_by("pk")] == [
        {"emails": 9, "reminder": False},
        {"emails": 8, "reminder": True},
    ]


def test_confirmed_ties_setting_drops_one_sided_survey_ties_from_the_graph(world):
    a0, a1, a2 = world.cohort_a[:3]
    submit.answers_submit(
        invitation=answer(world, a0, {a1: ([world.knows], 3), a2: ([world.knows], 3)})
    )
    submit.answers_submit(invitation=answer(world, a1, {a0: ([world.advice], 2)}))
    RelationshipFactory(
        program=world.program, source=a2, target=world.cohort_b[0], type=world.knows,
        round=world.survey.round, origin=Relationship.Origin.IMPORT,
    )  # fmt: skip

    def pairs():
        ties = round_data_load(round_=world.survey.round).graph.ties
        return {(s, t) for s, t, *_ in ties}

    # Default: every reported tie counts.
    assert pairs() == {
        (a0.pk, a1.pk),
        (a0.pk, a2.pk),
        (a1.pk, a0.pk),
        (a2.pk, world.cohort_b[0].pk),
    }
    SurveySettings.objects.create(program=world.program, ties_count="both")
    # Confirmed only: a0–a1 (both reported, different types) and the imported tie stay. By
    # default a2, who did not answer, keeps a0's report of them (reconstruction, issue 13).
    assert pairs() == {
        (a0.pk, a1.pk), (a1.pk, a0.pk), (a0.pk, a2.pk), (a2.pk, world.cohort_b[0].pk)
    }  # fmt: skip
    Program.objects.filter(pk=world.program.pk).update(missing_answers="as_reported")
    world.survey.round.program.refresh_from_db()
    assert pairs() == {(a0.pk, a1.pk), (a1.pk, a0.pk), (a2.pk, world.cohort_b[0].pk)}
    summary = responses.survey_response_summary(survey=world.survey)
    assert (summary.reported_pairs, summary.confirmed_pairs) == (2, 1)
