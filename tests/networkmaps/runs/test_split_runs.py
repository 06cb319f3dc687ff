"""Split runs (networkmaps/runs/split.py) with tasks inline: the same code the workers run
(test_workers.py runs it on real worker processes)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from netlead.celery import app as celery_app
from networkmaps.models import MetricRun, NodeMetric, PathBlock, PathSweep
from networkmaps.runs import compute, services, split

pytestmark = pytest.mark.django_db

SPLIT_IN_FOUR = {"NETLEAD_SPLIT_MIN_MEMBERS": 2, "NETLEAD_SPLIT_BLOCKS": 4}
FIELDS = (*compute.NODE_FIELDS, "x", "y")


def _values(run) -> dict:
    return {row[0]: row[1:] for row in run.node_metrics.values_list("member_id", *FIELDS)}


def _assert_same(split_values: dict, single: dict) -> None:
    assert split_values.keys() == single.keys()
    worst = 0.0
    for member, row in single.items():
        for a, b in zip(row, split_values[member], strict=True):
            if a is None or b is None:
                assert a is None and b is None
            else:
                worst = max(worst, abs(a - b))
    assert worst <= 1e-9


def _single_then_forgotten(program, round_):
    """An unsplit run's values; the run is then deleted so the next run computes afresh
    (from the same previous-round layout)."""
    run = services.metric_run_request(program=program, round_=round_)
    run = compute.metric_run_execute(run_id=run.pk)
    assert run.status == MetricRun.Status.SUCCEEDED and not run.params["path_plan"]["split"]
    values = _values(run)
    run.delete()
    return values


def test_split_run_in_four_blocks_equals_the_single_process_run(demo_program):
    round_ = demo_program.current_round()
    single = _single_then_forgotten(demo_program, round_)
    with override_settings(**SPLIT_IN_FOUR):
        run = services.metric_run_request(program=demo_program, round_=round_)
        run = compute.metric_run_execute(run_id=run.pk)
    assert run.status == MetricRun.Status.SUCCEEDED and run.is_current, run.error
    assert run.params["path_plan"]["split"] and run.params["path_plan"]["blocks"] == 4
    assert run.timings["path_blocks"] == 4
    _assert_same(_values(run), single)
    assert not PathSweep.objects.exists()  # the partial sums are dropped once added up


def test_threads_inside_one_worker_give_the_same_results(demo_program):
    round_ = demo_program.current_round()
    single = _single_then_forgotten(demo_program, round_)
    with override_settings(NETLEAD_PATH_THREADS=2):
        run = services.metric_run_request(program=demo_program, round_=round_)
        run = compute.metric_run_execute(run_id=run.pk)
    assert run.status == MetricRun.Status.SUCCEEDED
    assert run.params["path_plan"]["threads"] == 2
    _assert_same(_values(run), single)


@pytest.fixture
def blocks_queued():
    """Blocks go to the broker instead of running inline, for a test to run them by hand."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def _start_split_run(program, round_):
    run = services.metric_run_request(program=program, round_=round_)
    with override_settings(**SPLIT_IN_FOUR):
        compute.metric_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run, PathSweep.objects.get(run=run)


def test_a_redelivered_block_replaces_its_sums_and_is_counted_once(demo_program, blocks_queued):
    round_ = demo_program.current_round()
    single = _single_then_forgotten(demo_program, round_)
    run, sweep = _start_split_run(demo_program, round_)
    assert run.status == MetricRun.Status.RUNNING and run.stage == "paths: 0 of 4 blocks done"
    for index in (0, 1, 1, 2):  # block 1 delivered twice
        assert split.block_compute(sweep_id=sweep.pk, index=index) is False
    run.refresh_from_db()
    assert run.stage == "paths: 3 of 4 blocks done"
    celery_app.conf.task_always_eager = True  # the last block sends the reduce: run it inline
    assert split.block_compute(sweep_id=sweep.pk, index=3) is True
    run.refresh_from_db()
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    _assert_same(_values(run), single)


def test_a_missing_block_is_never_stored_and_the_stalled_run_is_retried(
    demo_program, blocks_queued
):
    round_ = demo_program.current_round()
    good = services.metric_run_request(program=demo_program, round_=round_)
    compute.metric_run_execute(run_id=good.pk)
    MetricRun.objects.filter(pk=good.pk).update(fingerprint="older data")  # compute again
    run, sweep = _start_split_run(demo_program, round_)
    for index in (0, 1, 3):
        split.block_compute(sweep_id=sweep.pk, index=index)

    assert compute.metric_run_reduce(run_id=run.pk) is None
    with pytest.raises(split.BlocksMissing, match=r"blocks \[2\] of 4"):
        split.sums_collect(sweep)
    run.refresh_from_db()
    assert run.status == MetricRun.Status.RUNNING
    assert not NodeMetric.objects.filter(run=run).exists()

    # Not stalled yet: the check looks again later. Stalled: the run starts over.
    assert split.sweep_check(sweep_id=sweep.pk, check=0) == "waiting"
    assert split.sweep_check(sweep_id=sweep.pk, check=0) == "duplicate"
    with override_settings(NETLEAD_SPLIT_STALL_SECONDS=0):
        assert split.sweep_check(sweep_id=sweep.pk, check=1) == "retried"
    run.refresh_from_db()
    assert run.status == MetricRun.Status.QUEUED and "stopped arriving" in run.stage
    assert not PathBlock.objects.exists() and not PathSweep.objects.exists()
    good.refresh_from_db()
    assert good.is_current and not NodeMetric.objects.filter(run=run).exists()

    celery_app.conf.task_always_eager = True
    with override_settings(**SPLIT_IN_FOUR):
        compute.metric_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == MetricRun.Status.SUCCEEDED and run.is_current and run.attempts == 2


def test_a_late_block_of_an_abandoned_sweep_changes_nothing(demo_program, blocks_queued):
    run, sweep = _start_split_run(demo_program, demo_program.current_round())
    split.sweep_retry(run_id=run.pk, why="test")
    assert split.block_compute(sweep_id=sweep.pk, index=0) is False
    assert not PathBlock.objects.exists()


def test_exact_or_estimated_follows_the_budget_and_the_workers():
    with override_settings(NETLEAD_PATH_BUDGET_SECONDS=600, NETLEAD_WORKER_PROCESSES=1):
        alone = split.path_plan(n=100_000, pairs=500_000)
    with override_settings(NETLEAD_PATH_BUDGET_SECONDS=600, NETLEAD_WORKER_PROCESSES=4):
        four = split.path_plan(n=100_000, pairs=500_000)
    assert alone.pivots == split.PIVOTS and "over the 600 s budget" in alone.reason
    assert four.pivots is None and four.split and "4 worker process(es)" in four.reason
    assert four.blocks >= 8 and four.blocks % 4 == 0  # every worker busy to the last round
    small = split.path_plan(n=10_000, pairs=50_000)
    assert small.pivots is None and not small.split and small.key == "exact"


def test_node_metric_rows_store_every_value_as_given(demo_program):
    """On PostgreSQL the rows go through the one COPY helper (members/ties/copy.py)."""
    run = services.metric_run_request(program=demo_program, round_=demo_program.current_round())
    run = compute.metric_run_execute(run_id=run.pk)
    first, second = run.node_metrics.order_by("member_id").values_list("member_id", flat=True)[:2]
    run.node_metrics.all().delete()
    values = dict.fromkeys(compute.NODE_FIELDS, 0.25) | {"degree": 3, "core_number": 2.0}
    tricky = {"brokerage_cohort": 'liaison\t"x"\\n', "brokerage_cohort_count": 7}
    nodes = {
        first: values | {"constraint": float("nan"), "effective_size": None} | tricky,
        second: values | {"betweenness": 1e-300, "brokerage_sector": None},
    }
    compute._node_metrics_store(run.pk, nodes, {first: (1.5, -2.25)})
    a, b = run.node_metrics.order_by("member_id")
    assert (a.member_id, a.degree, a.core_number, a.x, a.y) == (first, 3, 2, 1.5, -2.25)
    assert a.constraint is None and a.effective_size is None and a.pagerank == 0.25
    assert a.brokerage == tricky
    assert b.betweenness == 1e-300 and b.x is None and b.brokerage == {"brokerage_sector": None}


def test_dashboard_counts_blocks_done_and_says_why_exact(staff_client, demo_program, blocks_queued):
    url = reverse("networkmaps:dashboard", args=[demo_program.slug])
    run, sweep = _start_split_run(demo_program, demo_program.current_round())
    split.block_compute(sweep_id=sweep.pk, index=0)
    page = staff_client.get(url).content.decode()
    assert "paths: 1 of 4 blocks done" in page
    celery_app.conf.task_always_eager = True
    for index in (1, 2, 3):
        split.block_compute(sweep_id=sweep.pk, index=index)
    page = staff_client.get(url).content.decode()
    assert "Path metrics exact: the full sweep of 120 members takes under a second" in page
    assert "split into 4 blocks for the workers" in page


@pytest.mark.parametrize(
    ("raw", "read"), [("1e12", "1000000000000.0"), ("1,5", "error"), ("nan", "error")]
)
def test_the_path_budget_setting_reads_a_number_as_written(raw, read):
    """django-environ's Env.float keeps only digits, "," and ".": "1e12" became 112 s and a
    run asked to be exact was estimated from pivots without a word."""
    import subprocess
    import sys

    from django.conf import settings

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "NETLEAD_PATH_BUDGET_SECONDS": raw}
    code = "from netlead import settings; print(settings.NETLEAD_PATH_BUDGET_SECONDS)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    if read == "error":
        assert done.returncode != 0 and "NETLEAD_PATH_BUDGET_SECONDS must be" in done.stderr
    else:
        assert done.returncode == 0 and done.stdout.strip() == read


def test_the_plan_uses_the_sweep_cost_this_deployment_measured(demo_program):
    """A machine 4x slower than the development one learns it from its own large runs: the
    sweep that fit the budget at the default speed no longer does, and is estimated."""
    from django.utils import timezone

    with override_settings(NETLEAD_PATH_BUDGET_SECONDS=600, NETLEAD_WORKER_PROCESSES=1):
        before = split.path_plan(n=50_000, pairs=235_000)
        slow = split.NS_PER_STEP_AT_10K * 4
        MetricRun.objects.create(
            program=demo_program,
            round=demo_program.current_round(),
            status=MetricRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            params={"path_cost": {"ns_per_step_at_10k": slow, "n": 50_000}},
        )
        after = split.path_plan(n=50_000, pairs=235_000)
    assert before.pivots is None and after.pivots == split.PIVOTS
    assert after.estimated_exact_seconds == pytest.approx(4 * before.estimated_exact_seconds, 0.01)


def test_a_run_records_what_its_sweep_cost(demo_program):
    run = services.metric_run_request(program=demo_program, round_=demo_program.current_round())
    run = compute.metric_run_execute(run_id=run.pk)
    cost = run.params["path_cost"]
    assert cost["n"] == 120 and cost["ns_per_step_at_10k"] > 0
