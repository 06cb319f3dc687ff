"""Changing which survey ties count recomputes every round once, and the settings form only
sends staff back to a page on this site."""

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from members.models import SurveySettings
from networkmaps.models import MetricRun
from tests.factories import ProgramFactory, ProgramRoleFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

BOTH = SurveySettings.TiesCount.BOTH_SIDES


@pytest.fixture
def program():
    program = ProgramFactory(slug="lakeside")
    for year in (2024, 2025):
        RoundFactory(program=program, name=str(year), observed_on=datetime.date(year, 3, 1))
    return program


@pytest.fixture
def staff_client(program):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program)
    client = Client()
    client.force_login(user)
    return client


def _post(client, program, **data):
    return client.post(reverse("members:survey-settings", args=[program.slug]), data)


def _runs() -> Counter:
    return Counter(MetricRun.objects.values_list("round_id", flat=True))


def test_changing_which_ties_count_recomputes_every_round_once(
    program, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(staff_client, program, ties_count=BOTH)
    assert SurveySettings.objects.get(program=program).ties_count == BOTH
    assert _runs() == Counter({round_.pk: 1 for round_ in program.rounds.all()})


def test_saving_the_same_setting_again_recomputes_nothing(
    program, staff_client, django_capture_on_commit_callbacks
):
    SurveySettings.objects.create(program=program, ties_count=BOTH)
    with django_capture_on_commit_callbacks(execute=True):
        _post(staff_client, program, ties_count=BOTH)
    assert not MetricRun.objects.exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"]
)
def test_settings_never_redirect_off_site(program, staff_client, next_url):
    response = _post(staff_client, program, ties_count=BOTH, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:survey-list", args=[program.slug])


def test_settings_go_back_to_the_page_they_came_from(program, staff_client):
    back = reverse("members:survey-list", args=[program.slug]) + "?page=2"
    response = _post(staff_client, program, ties_count=BOTH, next=back)
    assert response["Location"] == back
