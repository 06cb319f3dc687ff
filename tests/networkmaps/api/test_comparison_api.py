"""GET /api/v1/programs/<slug>/rounds/<id>/comparison/?against=<id> (issue 13)."""

import pytest

from tests.factories import ProgramRoleFactory, UserFactory
from tests.networkmaps.runs.test_missing_answers import two_waves  # noqa: F401

pytestmark = pytest.mark.django_db


def url(program, round_):
    return f"/api/v1/programs/{program.slug}/rounds/{round_.pk}/comparison/"


def test_comparison_api_gives_counts_rates_rule_and_stages(client, two_waves):  # noqa: F811
    program, one, two, people, _ = two_waves
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    client.force_login(staff)
    response = client.get(url(program, two), {"against": one.pk})
    assert response.status_code == 200
    data = response.json()
    assert (data["counts"]["new"], data["counts"]["lost"]) == (1, 2)
    assert (data["counts"]["unchanged"], data["counts"]["not_comparable"]) == (1, 2)
    assert data["round"]["response_rate"] == 0.5 and data["round"]["low_response"] is True
    assert data["against"]["response_rate"] == 1.0
    assert data["missing_answers"] == "reconstruct"
    assert data["round"]["stage"] is None  # no metric run yet
    assert "among pairs that could be compared" in data["headlines"][0]


def test_comparison_api_names_a_bad_against(client, two_waves):  # noqa: F811
    program, one, two, people, _ = two_waves
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    client.force_login(staff)
    for bad in ("", "x", "²"):
        response = client.get(url(program, two), {"against": bad})
        assert response.status_code == 400 and "against" in response.json()["detail"]
    assert client.get(url(program, two), {"against": two.pk}).status_code == 400
    assert client.get(url(program, two), {"against": 10**9}).status_code == 404


def test_comparison_api_is_for_staff_only(client, two_waves):  # noqa: F811
    program, one, two, people, _ = two_waves
    member = UserFactory()
    ProgramRoleFactory(user=member, program=program, role="member")
    client.force_login(member)
    assert client.get(url(program, two), {"against": one.pk}).status_code in (403, 404)
