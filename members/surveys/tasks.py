"""Celery tasks run by beat (see netlead/celery.py): closing surveys at their deadline and
sending the reminders staff scheduled."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from members.surveys import services, staff


@shared_task(
    name="members.surveys_close_due",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def surveys_close_due() -> int:
    return len(services.surveys_close_due())


@shared_task(
    name="members.survey_reminders_send_due",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def survey_reminders_send_due() -> int:
    return sum(staff.reminders_send_due().values())
