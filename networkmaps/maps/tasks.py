"""Celery tasks for posters: draw one (an id in), and sweep stale poster files on a schedule."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from networkmaps.maps import poster_files


@shared_task(
    name="networkmaps.poster_render",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def poster_render(poster_id: int) -> None:
    poster_files.poster_render(poster_id=poster_id)


@shared_task(
    name="networkmaps.posters_sweep",
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
)
def posters_sweep() -> dict[str, int]:
    return poster_files.posters_sweep()
