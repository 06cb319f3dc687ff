"""A survey round with 40% response, closed, measured and compared with the round before.

Every number the round report states is checked against a count made here, directly
from the relationship rows (and networkx for the cores)."""

import datetime
import itertools

import networkx as nx
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from members.models import Relationship
from members.surveys import drafts, submit
from members.surveys import services as surveys
from networkmaps.exports import round_report
from networkmaps.models import MetricRun
from networkmaps.runs.compute import metric_run_execute
from networkmaps.runs.services import metric_run_request
from tests.factories import (
    CohortFactory,
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

N = 30


@pytest.fixture
def rounds():
    """Baseline (imported): a tight group 0–7, members 8–14 hanging on member 0, a chain
    15–29. Year two (survey): 12 of 30 answer; 8–11 join the tight group, 0 reaches 15."""
    program = ProgramFactory(name="Harbour Fellows")
    first, second = (
        CohortFactory(program=program, year=2021),
        CohortFactory(program=program, year=2022),
    )
    people = [
        MemberFactory(
            program=program, name=f"Fellow {i:02d}", sector=("health", "education")[i % 2]
        )
        for i in range(N)
    ]
    for i, person in enumerate(people):
        person.cohorts.add(first if i < 15 else second)
    knows = RelationshipTypeFactory(program=program, name="knows")
    advice = RelationshipTypeFactory(program=program, name="seeks advice from", directed=True)
    baseline = RoundFactory(program=program, name="Baseline", observed_on=datetime.date(2024, 3, 1))
    year_two = RoundFactory(program=program, name="Year two", observed_on=datetime.date(2025, 3, 1))
    before = [(a, b) for a, b in itertools.combinations(range(8), 2)]
    before += [(i, 0) for i in range(8, 15)] + [(i, i + 1) for i in range(15, 29)]
    Relationship.objects.bulk_create(
        Relationship(program=program, source=people[a], target=people[b], type=knows,
                     round=baseline, strength=3, origin=Relationship.Origin.IMPORT)
        for a, b in before
    )  # fmt: skip
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program,
        name="Year two survey",
        opens_on=today - datetime.timedelta(days=7),
        closes_on=today + datetime.timedelta(days=7),
        relationship_types=[knows, advice],
        cohorts=[first, second],
        round_=year_two,
    )
    answers = {i: dict.fromkeys(range(i + 1, 8), 3) for i in range(8)}  # the group again …
    answers[0] |= {1: 5, 2: 5, 15: 2}  # … two ties stronger, one new across cohorts
    for i in range(8, 12):
        answers[i] = dict.fromkeys(range(7), 4)  # newcomers to the core
    for member, named in answers.items():
        invitation = survey.invitations.get(member=people[member])
        for target in named:
            drafts.answer_pick(invitation=invitation, member_id=people[target].pk)
        drafts.answers_rate(
            invitation=invitation,
            known={people[t].pk: ([knows.pk], s) for t, s in named.items()},
            unlisted={},
        )
        submit.answers_submit(invitation=invitation)
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    return program, survey, baseline, year_two, people, staff


def merged(round_):
    pairs = {}
    for s, t, strength in Relationship.objects.filter(round=round_).values_list(
        "source_id", "target_id", "strength"
    ):
        key = frozenset((s, t))
        pairs[key] = max(pairs.get(key, 0), strength)
    return pairs


def core_numbers(program, pairs):
    graph = nx.Graph()
    graph.add_nodes_from(program.members.values_list("pk", flat=True))
    graph.add_edges_from(tuple(p) for p in pairs)
    return nx.core_number(graph)


def core_k(cores):
    """The metrics' definition: largest k >= 2 whose k-core holds at least 20% of members."""
    fits = [k for k in range(2, max(cores.values()) + 1)
            if sum(c >= k for c in cores.values()) >= 0.2 * len(cores)]  # fmt: skip
    return max(fits) if fits else None


def test_forty_percent_round_is_closed_measured_and_reported(
    client, rounds, django_capture_on_commit_callbacks
):
    program, survey, baseline, year_two, people, staff = rounds
    # Every pair counted as reported (no repair): the report's counts before issue 13.
    # The default rule's comparable-pairs counts are tested in runs/test_missing_answers.py.
    program.missing_answers = "as_reported"
    program.save(update_fields=["missing_answers"])
    metric_run_execute(run_id=metric_run_request(program=program, round_=baseline).pk)
    client.force_login(staff)

    page = client.get(reverse("members:survey-detail", args=[program.slug, survey.pk]))
    assert "40.0%" in page.content.decode()  # 12 of 30
    assert page.context["summary"].responded == 12
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:survey-close", args=[program.slug, survey.pk]))
    run = MetricRun.objects.current().get(round=year_two)
    assert run.status == MetricRun.Status.SUCCEEDED

    # The same numbers, counted directly.
    then, now = merged(baseline), merged(year_two)
    new, lost = now.keys() - then.keys(), then.keys() - now.keys()
    stronger = {p for p in now.keys() & then.keys() if now[p] > then[p]}
    cohort = {m.pk: m.cohorts.get().name for m in people}
    sector = {m.pk: m.sector for m in people}

    def crossing(pairs, group):
        return sum(group[a] != group[b] for a, b in (tuple(p) for p in pairs))

    cores_then, cores_now = core_numbers(program, then), core_numbers(program, now)
    k_now = core_k(cores_now)
    moved = {m for m, c in cores_then.items() if c <= 1 and cores_now[m] >= k_now}
    assert (len(new), len(lost), len(stronger), len(moved)) == (25, 17, 6, 4)  # the fixture's story

    report = round_report.round_comparison(program=program, before=baseline, after=year_two)
    assert (report.ties_before, report.ties_after) == (len(then), len(now))
    assert (report.ties_new, report.ties_lost) == (len(new), len(lost))
    assert report.ties_strengthened == len(stronger)
    assert report.ties_weakened == sum(now[p] < then[p] for p in now.keys() & then.keys())
    assert [(g.label, g.before, g.after) for g in report.cross_groups] == [
        ("cohorts", crossing(then, cohort), crossing(now, cohort)),
        ("sectors", crossing(then, sector), crossing(now, sector)),
    ]
    assert report.runs_ready
    assert {m.pk for m in report.moved_to_core} == moved
    assert round_report.core_threshold(run) == k_now

    response = client.get(reverse("networkmaps:round-report", args=[program.slug, year_two.pk]))
    text = response.content.decode()
    assert f"{len(new)} new ties formed and {len(lost)} ties ended" in text
    assert f"{len(then)} ties then, {len(now)} now" in text
    assert f"{len(stronger)} ties got stronger" in text
    before_c, after_c = crossing(then, cohort), crossing(now, cohort)
    assert f"Ties across cohorts: {before_c} → {after_c}" in text
    assert f"{len(moved)} members moved from the edge of the network into its core" in text
    assert "12 of 30 members answered “Year two survey” (40%)" in text
    for member in report.moved_to_core:
        assert member.name in text


def test_round_report_pdf_is_one_page(client, rounds):
    program, survey, baseline, year_two, people, staff = rounds
    client.force_login(staff)
    url = reverse("networkmaps:round-report", args=[program.slug, year_two.pk])
    response = client.get(url, {"format": "pdf", "before": baseline.pk})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with open("/tmp/netlead-round-report.pdf", "wb") as handle:
        handle.write(response.content)

    weasyprint = pytest.importorskip("weasyprint")
    report = round_report.round_comparison(program=program, before=baseline, after=year_two)
    html = render_to_string(
        "networkmaps/round_report_pdf.html", {"program": program, "report": report}
    )
    assert len(weasyprint.HTML(string=html).render().pages) == 1


def test_the_first_round_has_nothing_to_compare_with(client, rounds):
    program, survey, baseline, year_two, people, staff = rounds
    client.force_login(staff)
    response = client.get(reverse("networkmaps:round-report", args=[program.slug, baseline.pk]))
    assert b"nothing earlier to compare it with" in response.content
