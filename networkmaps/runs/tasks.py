from celery import shared_task
from django.db import InterfaceError, OperationalError

from networkmaps.maps import data as maps
from networkmaps.runs import services


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def metric_run_execute(run_id: int) -> None:
    services.metric_run_execute(run_id=run_id)


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def poster_render(poster_id: int) -> None:
    maps.poster_render(poster_id=poster_id)
