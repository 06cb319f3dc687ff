"""Celery tasks of the import page: preview or write one import job; sweep stale uploads."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from members.imports import services, staging


@shared_task(
    name="members.import_run",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def import_run(job_id: int) -> str | None:
    job = services.import_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="members.imports_sweep")
def imports_sweep() -> int:
    return staging.imports_sweep()
