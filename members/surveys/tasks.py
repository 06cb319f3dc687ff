"""Celery task that closes surveys at their deadline (run by beat; see netlead/celery.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from members.surveys import services


@shared_task(
    name="members.surveys_close_due",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def surveys_close_due() -> int:
    return len(services.surveys_close_due())
