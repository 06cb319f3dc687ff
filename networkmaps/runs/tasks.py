"""Celery task for metric runs: an id in, one service call (runs/compute.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from networkmaps.runs import compute


@shared_task(
    name="networkmaps.metric_run_execute",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def metric_run_execute(run_id: int) -> None:
    compute.metric_run_execute(run_id=run_id)
