"""Staff choose, per key indicator, whether higher or lower is the goal (issue 13)."""

import pytest
from django.urls import reverse

from members.models import Program
from networkmaps.runs.charts import INDICATORS, good_directions
from tests.factories import ProgramFactory, ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory()


def _signed_in(client, program, role):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    client.force_login(user)


def _all(**changed):
    return {key: changed.get(key, default[2]) for key, default in INDICATORS.items()}


def test_staff_set_a_direction_and_the_charts_read_it(client, program):
    _signed_in(client, program, "staff")
    url = reverse("networkmaps:indicator-directions", args=[program.slug])
    response = client.post(url, _all(ties="down"), follow=True)
    assert "Ties now judged the other way" in response.content.decode()
    program.refresh_from_db()
    # Only what differs from the default is stored.
    assert program.indicator_directions == {"ties": "down"}
    assert good_directions(program)["ties"] == "down"
    form = response.context["directions_form"]
    assert form["ties"].initial == "down" and form["isolates"].initial == "down"
    client.post(url, _all())
    program.refresh_from_db()
    assert program.indicator_directions == {}


def test_bad_direction_is_a_clear_error_and_nothing_is_saved(client, program):
    _signed_in(client, program, "staff")
    Program.objects.filter(pk=program.pk).update(indicator_directions={"density": "down"})
    url = reverse("networkmaps:indicator-directions", args=[program.slug])
    response = client.post(url, _all(ties="sideways", isolates=""), follow=True)
    assert response.status_code == 200
    assert "choose higher or lower for: Ties, Isolated members" in response.content.decode()
    program.refresh_from_db()
    assert program.indicator_directions == {"density": "down"}


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_only_staff_may_change_directions(client, program, role):
    _signed_in(client, program, role)
    url = reverse("networkmaps:indicator-directions", args=[program.slug])
    assert client.post(url, _all(ties="down")).status_code == 404
    program.refresh_from_db()
    assert program.indicator_directions == {}
