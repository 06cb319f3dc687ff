"""The staff dashboard lists the E-I index of each of the program's own divides."""

import pytest
from django.urls import reverse

from members.models import MemberAttribute, Round
from networkmaps.models import MetricRun
from networkmaps.runs import selectors
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    program = ProgramFactory()
    MemberAttribute.objects.create(program=program, key="office", label="Office <i>site</i>")
    MemberAttribute.objects.create(program=program, key="years", label="Years", kind="number")
    MemberAttribute.objects.create(program=program, key="team", label="Team")
    round_ = RoundFactory(program=program, is_current=True)
    knows = RelationshipTypeFactory(program=program)
    people = [
        MemberFactory(program=program, attributes={"office": office, "team": team, "years": 2})
        for office, team in [("Oslo", "a"), ("Oslo", "a"), ("Lima", "b"), ("Lima", "b")]
    ]
    for a, b in [(0, 1), (1, 2), (2, 3)]:
        RelationshipFactory(
            program=program, source=people[a], target=people[b], type=knows, round=round_
        )
    compute_all_rounds(program)
    return program


def _rows(program):
    return {metric.key: (metric, cells) for metric, cells in selectors.network_overview(
        program=program
    ).rows}  # fmt: skip


def test_dashboard_lists_custom_attribute_ei_with_its_label(offices, client):
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=offices, role="staff")
    client.force_login(staff)
    response = client.get(reverse("networkmaps:dashboard", args=[offices.slug]))
    rows = {metric.key: (metric, cells) for metric, cells in response.context["overview"].rows}
    metric, cells = rows["ei_attr:office"]
    assert metric.label == "E-I Office <i>site</i>"
    # Oslo–Oslo and Lima–Lima inside, Oslo–Lima across: (1 - 2) / 3.
    assert cells[-1].value == pytest.approx(-1 / 3)
    content = response.content.decode()
    assert "E-I Office &lt;i&gt;site&lt;/i&gt;" in content and "<i>site</i>" not in content
    assert "ei_attr:years" not in rows  # a number is not a divide
    keys = list(rows)
    assert keys.index("ei_cohort") < keys.index("ei_attr:office") < keys.index("core_size")


def test_hidden_or_removed_attribute_is_not_listed(offices):
    run = MetricRun.objects.get(program=offices, is_current=True)
    assert run.network_metrics.filter(name="ei_attr:team").exists()
    MemberAttribute.objects.filter(program=offices, key="team").update(hidden=True)
    MemberAttribute.objects.filter(program=offices, key="office").delete()
    rows = _rows(offices)
    assert "ei_attr:team" not in rows and "ei_attr:office" not in rows


def test_change_since_the_round_before_for_a_custom_divide(offices):
    first = Round.objects.get(program=offices)
    later = RoundFactory(program=offices, observed_on=first.observed_on.replace(year=2030))
    people = list(offices.members.order_by("pk"))
    knows = first.ties.first().type
    for a, b in [(0, 2), (1, 3), (0, 1)]:
        RelationshipFactory(
            program=offices, source=people[a], target=people[b], type=knows, round=later
        )
    compute_all_rounds(offices)
    metric, cells = _rows(offices)["ei_attr:office"]
    # Two of three ties now cross offices: (2 - 1) / 3.
    assert [c.value for c in cells] == [pytest.approx(-1 / 3), pytest.approx(1 / 3)]
    assert cells[-1].change == pytest.approx(2 / 3)
