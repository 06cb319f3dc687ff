"""The round report's trust and value by cohort, checked against counting the rows directly."""

import datetime
import random

import pytest
from django.urls import reverse

from members.models.surveys import MemberAnswer, SurveyQuestion, TieRating
from networkmaps.exports.tie_quality import tie_quality_by_cohort
from tests.factories import (
    CohortFactory,
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RoundFactory,
    SurveyFactory,
    SurveyInvitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated():
    rng = random.Random(15)
    program = ProgramFactory()
    early, late = (
        CohortFactory(program=program, year=2020),
        CohortFactory(program=program, year=2022),
    )
    people = [MemberFactory(program=program) for _ in range(12)]
    for i, person in enumerate(people):
        person.cohorts.add(early if i < 6 else late)
    people[5].cohorts.add(late)  # in both: grouped with the earliest, as the network does
    unplaced = MemberFactory(program=program)  # no cohort: not within or across anything
    before = RoundFactory(program=program, name="Baseline", observed_on=datetime.date(2024, 1, 1))
    after = RoundFactory(program=program, name="Year two", observed_on=datetime.date(2025, 1, 1))
    rows = []
    for round_ in (before, after):
        for source in people:
            for target in rng.sample(people + [unplaced], 5):
                if target == source:
                    continue
                for key in ("trust", "value", "trust_reliable", "shared_goals"):
                    rows.append(TieRating(round=round_, source=source, target=target, key=key,
                                          value=rng.randint(1, 5)))  # fmt: skip
    TieRating.objects.bulk_create(rows)
    cohort = {p.pk: (early.name if i < 6 else late.name) for i, p in enumerate(people)}
    return program, before, after, cohort, early, late


def _direct(round_, cohort, name, of_cohort, within):
    """The mean the report should show, counted straight from the rows."""
    values = [
        r.value
        for r in TieRating.objects.filter(round=round_)
        if (r.key == name or r.key.startswith(f"{name}_"))
        and r.source_id in cohort
        and r.target_id in cohort
        and (of_cohort is None or cohort[r.source_id] == of_cohort)
        and (cohort[r.source_id] == cohort[r.target_id]) == within
    ]
    return (sum(values) / len(values), len(values)) if values else (None, 0)


def test_average_trust_and_value_by_cohort_match_direct_counts(rated):
    program, before, after, cohort, early, late = rated
    quality = tie_quality_by_cohort(round_=after, before=before)
    got = {(q.cohort, name): q.row(name) for q in quality.cohorts for name in ("trust", "value")}
    got |= {(None, name): quality.overall.row(name) for name in ("trust", "value")}
    for of_cohort in (early.name, late.name, None):
        for name in ("trust", "value"):
            row = got[(of_cohort, name)]
            for within, side in ((True, "within"), (False, "across")):
                mean, n = _direct(after, cohort, name, of_cohort, within)
                then, _ = _direct(before, cohort, name, of_cohort, within)
                assert row[f"{side}_n"] == n
                assert row[side] == pytest.approx(mean)
                assert row[f"{side}_change"] == pytest.approx(mean - then)
    assert got[(None, "trust")]["within_n"] > 0 and got[(None, "trust")]["across_n"] > 0


def test_the_round_report_shows_trust_by_cohort_and_member_answer_counts_only(client, rated):
    program, before, after, cohort, early, late = rated
    survey = SurveyFactory(program=program, round=after)
    SurveyQuestion.objects.create(survey=survey, key="goal", kind=SurveyQuestion.Kind.SINGLE,
                                  text="Your main goal", choices=["Learn", "Connect"])  # fmt: skip
    members = list(program.members.order_by("pk")[:3])
    for member, goal in zip(members, ["Learn", "Connect", "Connect"], strict=True):
        invitation = SurveyInvitationFactory(
            survey=survey,
            member=member,
            submitted_at=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC),
        )
        MemberAnswer.objects.create(invitation=invitation, key="goal", value=goal)
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    client.force_login(staff)
    url = reverse("networkmaps:round-report", args=[program.slug, after.pk])
    page = client.get(url, {"before": before.pk}).content.decode()
    assert "Trust and value of ties" in page
    mean, _ = _direct(after, cohort, "trust", early.name, True)
    assert f"{mean:.2f}" in page
    assert "Learn: 1 · Connect: 2" in page
    assert members[0].name not in page
