"""Real Celery worker processes on Redis against PostgreSQL (CI runs these; locally they
need REDIS_URL and a PostgreSQL DATABASE_URL). The same behaviour is tested inline in
test_metric_runs.py."""

import re
import threading
import time

import pytest
from django.db import connection

from members.demo import seed as member_services
from members.models import Relationship
from networkmaps.models import MetricRun, NodeMetric, PathBlock, PathSweep
from networkmaps.runs import compute, services
from networkmaps.runs.tasks import metric_run_execute

pytestmark = pytest.mark.celery_worker


def _wait_for(predicate, *, timeout, what, pool):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}.\nWorker logs:\n{pool.logs()}")


def _status(run):
    run.refresh_from_db()
    return run.status


def test_real_worker_computes_a_run_and_its_results_are_in_postgres(celery_workers):
    program = member_services.demo_program_seed()
    celery_workers.start()
    round_ = program.current_round()
    run = services.metric_run_request(program=program, round_=round_, requested_by="test")
    _wait_for(lambda: _status(run) not in MetricRun.ACTIVE, timeout=90, what="the run",
              pool=celery_workers)  # fmt: skip
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    assert run.is_current and run.attempts == 1
    assert NodeMetric.objects.filter(run=run).count() == program.members.count()
    assert "Task networkmaps.metric_run_execute" in celery_workers.logs()


def test_killed_worker_leaves_the_previous_run_current_and_the_task_is_redelivered(
    celery_workers,
):
    program = member_services.demo_program_seed(members=5000, slug="large")
    round_ = program.current_round()
    # A good run, computed here, is what people see while the next one runs.
    good = services.metric_run_request(program=program, round_=round_)
    compute.metric_run_execute(run_id=good.pk)
    good.refresh_from_db()
    assert good.is_current

    Relationship.objects.filter(round=round_).order_by("pk").first().delete()
    first_worker = celery_workers.start()
    run = services.metric_run_request(program=program, round_=round_)
    _wait_for(
        lambda: (MetricRun.objects.filter(pk=run.pk, progress__gt=0.06).exists()),
        timeout=90, what="the worker to be mid-computation", pool=celery_workers,
    )  # fmt: skip
    celery_workers.kill(first_worker)

    run.refresh_from_db()
    good.refresh_from_db()
    assert run.status == MetricRun.Status.RUNNING  # nobody finished it
    assert good.is_current and not run.is_current
    assert not NodeMetric.objects.filter(run=run).exists()

    celery_workers.start()
    _wait_for(lambda: _status(run) == MetricRun.Status.SUCCEEDED, timeout=180,
              what="the redelivered run", pool=celery_workers)  # fmt: skip
    good.refresh_from_db()
    assert run.is_current and not good.is_current
    assert run.attempts == 2
    assert NodeMetric.objects.filter(run=run).count() == 5000


def test_two_concurrent_requests_and_a_duplicate_message_compute_once(celery_workers):
    program = member_services.demo_program_seed()
    round_ = program.current_round()
    celery_workers.start_many(2)
    # Seeding queued its own runs: let them finish, then start this round from no run.
    _wait_for(lambda: not MetricRun.objects.active().filter(program=program).exists(),
              timeout=90, what="the seeded runs", pool=celery_workers)  # fmt: skip
    MetricRun.objects.filter(round=round_).delete()
    barrier = threading.Barrier(2)
    runs = []

    def request():
        barrier.wait()
        try:
            runs.append(services.metric_run_request(program=program, round_=round_))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs[0].pk == runs[1].pk
    duplicate = metric_run_execute.delay(runs[0].pk)  # as if the broker delivered it twice
    run = runs[0]
    _wait_for(lambda: _status(run) == MetricRun.Status.SUCCEEDED, timeout=90, what="the run",
              pool=celery_workers)  # fmt: skip
    _wait_for(lambda: f"{duplicate.id}] succeeded" in celery_workers.logs(), timeout=60,
              what="the duplicate message to be consumed", pool=celery_workers)  # fmt: skip
    assert MetricRun.objects.filter(round=round_).count() == 1
    assert MetricRun.objects.current().filter(round=round_).count() == 1
    assert NodeMetric.objects.filter(run=run).count() == program.members.count()
    assert run.attempts == 1


# --- split runs (issue 18): blocks of one run's path sweep on several real workers ----------

SPLIT_ENV = {"NETLEAD_SPLIT_MIN_MEMBERS": "2", "NETLEAD_SPLIT_BLOCKS": "4"}
SPLIT_FIELDS = (*compute.NODE_FIELDS, "x", "y")


def _values(run):
    return {row[0]: row[1:] for row in run.node_metrics.values_list("member_id", *SPLIT_FIELDS)}


def _max_difference(a, b):
    assert a.keys() == b.keys()
    worst = 0.0
    for member, row in a.items():
        for x, y in zip(row, b[member], strict=True):
            assert (x is None) == (y is None)
            if x is not None:
                worst = max(worst, abs(x - y))
    return worst


def _single_process_values(program, round_, pool):
    """The round computed here, in one process, after the runs seeding queued are done
    (so both runs start from the same previous-round layout); then forgotten."""
    _wait_for(lambda: not MetricRun.objects.active().filter(program=program).exists(),
              timeout=120, what="the seeded runs", pool=pool)  # fmt: skip
    MetricRun.objects.filter(round=round_).delete()
    run = services.metric_run_request(program=program, round_=round_)
    run = compute.metric_run_execute(run_id=run.pk)
    values = _values(run)
    run.delete()  # the split run computes afresh, from the same previous-round layout
    return values


def test_split_run_on_two_workers_equals_the_single_process_run(celery_workers):
    program = member_services.demo_program_seed(members=400, slug="split")
    round_ = program.current_round()
    celery_workers.env |= SPLIT_ENV
    celery_workers.start_many(2)
    single = _single_process_values(program, round_, celery_workers)
    run = services.metric_run_request(program=program, round_=round_)
    _wait_for(lambda: _status(run) not in MetricRun.ACTIVE, timeout=120, what="the split run",
              pool=celery_workers)  # fmt: skip
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    assert run.timings["path_blocks"] == 4
    assert _max_difference(_values(run), single) <= 1e-9
    logs = celery_workers.logs()
    assert logs.count("Task networkmaps.path_block_compute") >= 4
    assert "Task networkmaps.metric_run_reduce" in logs


def test_a_worker_killed_mid_block_has_its_block_redelivered_and_counted_once(celery_workers):
    program = member_services.demo_program_seed(members=6000, slug="split-kill")
    round_ = program.current_round()
    celery_workers.env |= SPLIT_ENV
    first = celery_workers.start()
    single = _single_process_values(program, round_, celery_workers)
    started = re.compile(r"Task networkmaps\.path_block_compute\[([0-9a-f-]+)\] received")
    seeded_blocks = len(started.findall(celery_workers.logs()))
    run = services.metric_run_request(program=program, round_=round_)
    # The one worker sends the blocks, then starts on one of them.
    _wait_for(lambda: PathSweep.objects.filter(run=run, sent_at__isnull=False).exists(),
              timeout=90, what="the blocks to be sent", pool=celery_workers)  # fmt: skip
    sweep = PathSweep.objects.get(run=run)
    _wait_for(lambda: len(started.findall(celery_workers.logs())) > seeded_blocks, timeout=60,
              what="a block of this run to start", pool=celery_workers)  # fmt: skip
    done_before = PathBlock.objects.filter(sweep=sweep).count()
    celery_workers.kill(first)
    assert done_before < 4
    killed_log = (celery_workers.tmp_path / "worker-0.log").read_text()
    cut_short = started.findall(killed_log)[-1]
    assert f"{cut_short}] succeeded" not in killed_log
    run.refresh_from_db()
    assert run.status == MetricRun.Status.RUNNING and not run.is_current

    celery_workers.start_many(2)
    _wait_for(lambda: _status(run) == MetricRun.Status.SUCCEEDED, timeout=240,
              what="the run after the kill", pool=celery_workers)  # fmt: skip
    assert run.timings["path_blocks"] == 4
    assert _max_difference(_values(run), single) <= 1e-9
    assert NodeMetric.objects.filter(run=run).count() == 6000
    # The block the killed worker was on was delivered again and done by another worker.
    assert f"{cut_short}] succeeded" in celery_workers.logs()
