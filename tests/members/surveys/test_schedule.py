"""Surveys close at their deadline on a schedule (beat, the embedded timer, the command),
never because someone opened a page."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.surveys import tasks
from netlead.periodic import periodic_run_due
from networkmaps.models import MetricRun
from tests.factories import ProgramFactory, ProgramRoleFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _due_survey(**kwargs):
    today = timezone.localdate()
    return SurveyFactory(
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=1),
        **kwargs,
    )


def test_the_command_closes_every_due_survey_of_every_program_and_queues_its_metrics(
    django_capture_on_commit_callbacks,
):
    due = [_due_survey(program=ProgramFactory()), _due_survey(program=ProgramFactory())]
    # Its last day is today: still open.
    open_ = SurveyFactory(closes_on=timezone.localdate())

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("surveys_close_due", stdout=out)

    for survey in due:
        survey.refresh_from_db()
        assert survey.closed_at is not None
        assert MetricRun.objects.filter(round=survey.round).exists()
    open_.refresh_from_db()
    assert open_.closed_at is None
    assert not MetricRun.objects.filter(round=open_.round).exists()
    assert "2 survey(s) closed." in out.getvalue()


def test_closing_due_surveys_twice_closes_each_once(django_capture_on_commit_callbacks):
    survey = _due_survey()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.surveys_close_due.apply().get() == 1
        assert tasks.surveys_close_due.apply().get() == 0
    assert MetricRun.objects.filter(round=survey.round).count() == 1


def test_opening_the_survey_pages_does_not_close_a_due_survey(
    client, django_capture_on_commit_callbacks
):
    survey = _due_survey()
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=survey.program)
    client.force_login(staff)
    slug = survey.program.slug
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(reverse("members:survey-list", args=[slug])).status_code == 200
        detail = reverse("members:survey-detail", args=[slug, survey.pk])
        assert client.get(detail).status_code == 200
    survey.refresh_from_db()
    assert survey.closed_at is None
    assert not MetricRun.objects.filter(round=survey.round).exists()


def test_the_embedded_timer_closes_a_due_survey_at_once_then_waits_for_its_next_time(
    django_capture_on_commit_callbacks,
):
    survey = _due_survey()
    last_run = {}
    with django_capture_on_commit_callbacks(execute=True):
        assert "members.surveys_close_due" in periodic_run_due(last_run=last_run)
    survey.refresh_from_db()
    assert survey.closed_at is not None
    assert MetricRun.objects.filter(round=survey.round).exists()
    # A tick a moment later runs nothing: every entry ran just now.
    assert periodic_run_due(last_run=last_run) == []
