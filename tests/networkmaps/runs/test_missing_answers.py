"""Rounds that tell the truth (issue 13): a survey closed at 6 % response, a two-wave network
counted by hand, carry-forward, confirmed-ties reconstruction and the response summary."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member, Relationship, ResponseStatus, SurveySettings
from members.responses import response_status_record, round_response_summary
from members.round_graph import round_graph_load
from members.surveys import drafts, submit
from members.surveys import services as surveys
from networkmaps.exports import round_report
from networkmaps.models import MetricRun, NetworkMetric, NodeMetric
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


def pairs_of(round_):
    return {
        (min(s, t), max(s, t))
        for s, t in Relationship.objects.filter(round=round_).values_list("source_id", "target_id")
    }


def submit_answers(survey, member, named: dict[int, int], type_id: int) -> None:
    invitation = survey.invitations.get(member=member)
    for target in named:
        drafts.answer_pick(invitation=invitation, member_id=target)
    drafts.answers_rate(
        invitation=invitation,
        known={t: ([type_id], s) for t, s in named.items()},
        unlisted={},
    )
    submit.answers_submit(invitation=invitation)


@pytest.fixture
def six_percent(computed):
    """The demo program's two rounds, then a third surveyed round that 7 of 120 answer. Each
    respondent reports their year-two ties except the first one, plus one new tie."""
    program = computed
    year_two = program.rounds.get(name="Year two")
    knows = program.relationship_types.filter(directed=False).order_by("pk").first()
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program,
        name="Year three",
        opens_on=today - datetime.timedelta(days=7),
        closes_on=today + datetime.timedelta(days=7),
        relationship_types=[knows],
        cohorts=list(program.cohorts.all()),
    )
    before = pairs_of(year_two)
    degree = {}
    for a, b in before:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    respondents = sorted(degree, key=lambda m: (-degree[m], m))[:7]
    members = list(
        Member.objects.filter(program=program).order_by("pk").values_list("pk", flat=True)
    )
    for r in respondents:
        mine = sorted(b if a == r else a for a, b in before if r in (a, b))
        stranger = next(m for m in members if m != r and (min(m, r), max(m, r)) not in before)
        submit_answers(
            survey, Member.objects.get(pk=r), dict.fromkeys(mine[1:] + [stranger], 3), knows.pk
        )
    return program, survey, year_two, survey.round, respondents


def test_closing_a_survey_at_six_percent_keeps_reported_ties_and_tells_the_truth(
    six_percent, staff_client, django_capture_on_commit_callbacks
):
    program, survey, year_two, year_three, respondents = six_percent
    summary = round_response_summary(round_=year_three)
    answered, asked, rate, threshold = summary
    assert (answered, asked) == (7, 120) and round(rate, 3) == 0.058 and threshold == 0.6
    assert summary.low

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("members:survey-close", args=[program.slug, survey.pk]))
    statuses = dict(
        ResponseStatus.objects.filter(round=year_three).values_list("member_id", "status")
    )
    assert sum(s == "answered" for s in statuses.values()) == 7 and len(statuses) == 120
    assert MetricRun.objects.current().get(round=year_three).status == MetricRun.Status.SUCCEEDED

    # Hand count: a pair is comparable when one of its members answered in both rounds
    # (year two was imported: everyone counts as having answered it).
    before, now = pairs_of(year_two), pairs_of(year_three)
    answered_ids = set(respondents)
    comparable = {p for p in before | now if p[0] in answered_ids or p[1] in answered_ids}
    lost = {p for p in comparable if p in before and p not in now}
    new = {p for p in comparable if p in now and p not in before}
    blind = len(before | now) - len(comparable)
    assert len(lost) == 7 and len(new) == 7 and blind > 300

    # Ties of non-respondents that respondents reported remain, in the reader and the run.
    silent = {b if a in answered_ids else a for a, b in now} - answered_ids
    run = MetricRun.objects.current().get(round=year_three)
    degrees = dict(NodeMetric.objects.filter(run=run).values_list("member_id", "degree"))
    assert silent and all(degrees[m] > 0 for m in silent)
    graph_pairs = round_graph_load(round_=year_three).pairs()
    assert now <= graph_pairs

    report = round_report.round_comparison(program=program, before=year_two, after=year_three)
    assert (report.ties_new, report.ties_lost) == (len(new), len(lost))
    assert report.ties_not_comparable == blind
    assert report.low_response is not None
    headline = report.headlines()[0]
    assert (
        f"{len(lost)} ties ended" in headline and "among pairs that could be compared" in headline
    )
    run_values = dict(
        NetworkMetric.objects.filter(run__round=year_three, run__is_current=True).values_list(
            "name", "value"
        )
    )
    assert (run_values["ties_lost"], run_values["ties_not_comparable"]) == (len(lost), blind)

    page = staff_client.get(reverse("networkmaps:round-report", args=[program.slug, year_three.pk]))
    text = page.content.decode()
    assert "Low response:" in text and "7 of 120 members answered" in text
    assert f"{blind} tied pairs could not be compared" in text
    dashboard = staff_client.get(reverse("networkmaps:dashboard", args=[program.slug])).content
    assert b"Low response in Year three" in dashboard

    # "As reported" reproduces the old behaviour, and says so.
    program.missing_answers = "as_reported"
    program.save(update_fields=["missing_answers"])
    old = round_report.round_comparison(program=program, before=year_two, after=year_three)
    assert (old.ties_new, old.ties_lost) == (len(now - before), len(before - now))
    assert old.ties_not_comparable == 0 and len(before - now) > 300
    assert "(as reported: no repair for missing answers)" in old.headlines()[0]


@pytest.fixture
def two_waves():
    """Six members a-f. Wave 1 (imported, everyone answered): a-b, b-c, c-d, d-e, e-f.
    Wave 2: a, b, c answered (a-b again, a-c new); d, e, f did not."""
    program = ProgramFactory()
    knows = RelationshipTypeFactory(program=program)
    a, b, c, d, e, f = (MemberFactory(program=program, name=n) for n in "abcdef")
    one = RoundFactory(program=program, name="One", observed_on=datetime.date(2024, 1, 1))
    two = RoundFactory(program=program, name="Two", observed_on=datetime.date(2025, 1, 1))
    for x, y in [(a, b), (b, c), (c, d), (d, e), (e, f)]:
        RelationshipFactory(program=program, source=x, target=y, type=knows, round=one)
    for x, y in [(a, b), (a, c)]:
        RelationshipFactory(
            program=program, source=x, target=y, type=knows, round=two, origin="survey"
        )
    everyone = [m.pk for m in (a, b, c, d, e, f)]
    response_status_record(round_=one, answered_ids=everyone)
    response_status_record(round_=two, answered_ids=[a.pk, b.pk, c.pk], asked_ids=everyone)
    return program, one, two, (a, b, c, d, e, f), knows


def test_two_wave_network_counts_new_lost_and_not_comparable_by_hand(two_waves):
    program, one, two, people, _ = two_waves
    report = round_report.round_comparison(program=program, before=one, after=two)
    # Comparable (one end answered twice): a-b unchanged, a-c new, b-c and c-d lost.
    # Not comparable: d-e, e-f (neither answered in wave 2).
    assert (report.ties_new, report.ties_lost) == (1, 2)
    assert (report.ties_unchanged, report.ties_not_comparable) == (1, 2)
    program.missing_answers = "as_reported"
    program.save(update_fields=["missing_answers"])
    report = round_report.round_comparison(program=program, before=one, after=two)
    assert (report.ties_new, report.ties_lost, report.ties_not_comparable) == (1, 4, 0)


def test_carry_forward_keeps_a_non_respondents_own_ties_marked_as_carried(two_waves):
    program, one, two, (a, b, c, d, e, f), _ = two_waves
    program.missing_answers = "carry_forward"
    program.save(update_fields=["missing_answers"])
    graph = round_graph_load(round_=two)
    carried = {(t.source, t.target) for t in graph.ties if t.carried}
    # d and e reported c-d? No: wave-1 rows are c→d, d→e, e→f; d and e are their sources.
    assert carried == {(d.pk, e.pk), (e.pk, f.pk)}
    assert graph.answered == {a.pk, b.pk, c.pk}
    program.missing_answers = "reconstruct"
    program.save(update_fields=["missing_answers"])
    assert not any(t.carried for t in round_graph_load(round_=two).ties)


def test_reconstruction_counts_reports_about_non_respondents_under_confirmed_ties(two_waves):
    program, one, two, (a, b, c, d, e, f), knows = two_waves
    SurveySettings.objects.update_or_create(program=program, defaults={"ties_count": "both"})
    RelationshipFactory(program=program, source=b, target=a, type=knows, round=two, origin="survey")
    RelationshipFactory(program=program, source=c, target=d, type=knows, round=two, origin="survey")
    pairs = round_graph_load(round_=two).pairs()
    # a-b is confirmed; c-d is c's report about d, who did not answer: reconstructed.
    assert pairs == {(a.pk, b.pk), (c.pk, d.pk)}
    program.missing_answers = "as_reported"
    program.save(update_fields=["missing_answers"])
    assert round_graph_load(round_=two).pairs() == {(a.pk, b.pk)}


def test_a_round_without_statuses_counts_everyone_as_answered(two_waves):
    program, one, two, people, _ = two_waves
    ResponseStatus.objects.filter(round=one).delete()
    summary = round_response_summary(round_=one)
    assert not summary.recorded and not summary.low
    assert round_graph_load(round_=one).answered is None
    assert list(itertools.islice(round_graph_load(round_=one).ties, 1))
