"""Celery tasks for metric runs: ids in, one service call (runs/compute.py, runs/split.py).

A split run (runs/split.py) is one `metric_run_execute`, a group of `path_block_compute`
tasks, one `metric_run_reduce` and `path_sweep_check` now and then while its blocks run.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from networkmaps.runs import compute, split

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="networkmaps.metric_run_execute",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def metric_run_execute(run_id: int) -> None:
    compute.metric_run_execute(run_id=run_id)


@shared_task(
    bind=True,
    name="networkmaps.path_block_compute",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def path_block_compute(self, sweep_id: int, index: int) -> None:
    split.block_compute(sweep_id=sweep_id, index=index, worker=self.request.hostname or "")


@shared_task(
    name="networkmaps.metric_run_reduce",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def metric_run_reduce(run_id: int) -> None:
    compute.metric_run_reduce(run_id=run_id)


@shared_task(name="networkmaps.path_sweep_check", autoretry_for=TRANSIENT, max_retries=5)
def path_sweep_check(sweep_id: int, check: int) -> None:
    split.sweep_check(sweep_id=sweep_id, check=check)
