"""A real Celery worker sends the scheduled reminder, only to those who have not answered
(CI runs this on Redis and PostgreSQL; locally it needs REDIS_URL and a PostgreSQL
DATABASE_URL). The same service runs inline in test_staff_pages.py."""

import datetime
import time

import pytest
from django.utils import timezone

from members.models import Survey, SurveyInvitation
from members.surveys import tasks
from tests.members.surveys.test_survey import make_world

pytestmark = pytest.mark.celery_worker


def test_real_worker_sends_the_due_reminder_only_to_non_respondents(celery_workers):
    world = make_world()
    world.survey.invitations.update(emailed_at=timezone.now())
    answered = [m.pk for m in world.cohort_a[:3]]
    world.survey.invitations.filter(member_id__in=answered).update(submitted_at=timezone.now())
    Survey.objects.filter(pk=world.survey.pk).update(
        reminder_at=timezone.now() - datetime.timedelta(minutes=1),
        link_base="https://netlead.example",
    )
    celery_workers.start()
    # What beat sends every five minutes, sent once by hand.
    tasks.survey_reminders_send_due.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Survey.objects.get(pk=world.survey.pk).reminder_sent_at is not None:
            reminded = SurveyInvitation.objects.filter(survey=world.survey, reminders_sent=1)
            if reminded.count() == 7:
                break
        time.sleep(0.3)
    logs = celery_workers.logs()
    assert "Task members.survey_reminders_send_due" in logs, logs
    reminded = set(
        SurveyInvitation.objects.filter(survey=world.survey, reminders_sent=1).values_list(
            "member_id", flat=True
        )
    )
    everyone = {m.pk for m in world.cohort_a + world.cohort_b}
    assert reminded == everyone - set(answered), logs
    # The worker's console email backend writes each message to its log.
    for member in world.cohort_a[3:] + world.cohort_b:
        assert f"To: {member.email}" in logs
    for member in world.cohort_a[:3]:
        assert f"To: {member.email}" not in logs
    assert "https://netlead.example/survey/" in logs
