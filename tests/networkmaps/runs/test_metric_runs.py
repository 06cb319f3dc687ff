"""Metric runs through the service layer, with tasks inline (see test_workers.py for real
worker processes)."""

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError

from members.models import Relationship
from networkmaps.models import MetricRun, NetworkMetric, NodeMetric
from networkmaps.runs import compute, services

pytestmark = pytest.mark.django_db


def _run(program, round_name):
    round_ = program.rounds.get(name=round_name)
    run = services.metric_run_request(program=program, round_=round_)
    return compute.metric_run_execute(run_id=run.pk) or MetricRun.objects.get(pk=run.pk)


def test_run_stores_every_members_metrics_and_becomes_current(demo_program):
    run = _run(demo_program, "Year two")
    assert run.status == MetricRun.Status.SUCCEEDED and run.is_current
    assert run.node_metrics.count() == 120
    network = dict(run.network_metrics.values_list("name", "value"))
    ties = Relationship.objects.filter(round=run.round)
    pairs = {tuple(sorted(p)) for p in ties.values_list("source_id", "target_id")}
    assert network["members"] == 120
    assert network["ties"] == len(pairs)
    assert network["relationships"] == ties.count()
    assert network["ties_new"] > 0 and network["ties_lost"] > 0
    assert network["cross_cohort_ties"] > 0
    assert run.communities.count() == network["communities"]
    assert run.params["approximate"] is False and run.approximate is False
    assert run.fingerprint and run.finished_at and run.timings["total"] > 0


def test_isolates_are_in_the_run(demo_program):
    run = _run(demo_program, "Baseline")
    isolated = run.node_metrics.filter(degree=0)
    assert isolated.count() >= 2
    assert set(isolated.values_list("constraint", flat=True)) == {None}


def test_same_data_twice_is_not_computed_again(demo_program):
    first = _run(demo_program, "Year two")
    second = _run(demo_program, "Year two")
    assert second.status == MetricRun.Status.UNCHANGED and second.reused_id == first.pk
    assert NodeMetric.objects.count() == 120
    first.refresh_from_db()
    assert first.is_current


@pytest.mark.parametrize(
    ("setting", "value"),
    [("weaving_max_per_member", 1), ("weaving_divides", ["sector"]), ("missing_answers", "drop")],
)
def test_a_setting_the_run_reads_is_part_of_its_fingerprint(demo_program, setting, value):
    """Changed however it is changed (here without the settings page's signal), a setting
    the run reads makes the next run compute afresh, never reuse the old suggestions."""
    from members.models import Program

    first = _run(demo_program, "Year two")
    field = Program._meta.get_field(setting)
    if field.choices:
        value = next(c for c, _ in field.choices if c != getattr(demo_program, setting))
    Program.objects.filter(pk=demo_program.pk).update(**{setting: value})
    second = _run(demo_program, "Year two")
    assert second.status == MetricRun.Status.SUCCEEDED and second.fingerprint != first.fingerprint


def test_changed_data_gives_a_new_current_run(demo_program):
    first = _run(demo_program, "Year two")
    Relationship.objects.filter(round=first.round).order_by("pk").first().delete()
    second = _run(demo_program, "Year two")
    first.refresh_from_db()
    assert second.status == MetricRun.Status.SUCCEEDED and second.is_current
    assert not first.is_current
    assert MetricRun.objects.current().filter(round=first.round).count() == 1


def test_failed_run_leaves_the_previous_run_current(demo_program, monkeypatch):
    good = _run(demo_program, "Year two")
    Relationship.objects.filter(round=good.round).order_by("pk").first().delete()

    def broken(*args, **kwargs):
        raise MemoryError("out of memory while computing betweenness")

    monkeypatch.setattr(compute, "compute_metrics", broken)
    failed = _run(demo_program, "Year two")
    good.refresh_from_db()
    assert failed.status == MetricRun.Status.FAILED
    assert "out of memory" in failed.error
    assert good.is_current
    assert not NodeMetric.objects.filter(run=failed).exists()
    assert not NetworkMetric.objects.filter(run=failed).exists()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_puts_the_run_back_for_the_tasks_retry(
    demo_program, monkeypatch, error
):
    def lost(*args, **kwargs):
        raise error("connection already closed")

    monkeypatch.setattr(compute, "compute_metrics", lost)
    round_ = demo_program.rounds.get(name="Year two")
    run = services.metric_run_request(program=demo_program, round_=round_)
    with pytest.raises(error):
        compute.metric_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == MetricRun.Status.QUEUED


def test_a_second_request_while_one_is_queued_returns_the_same_run(demo_program):
    round_ = demo_program.rounds.get(name="Baseline")
    first = services.metric_run_request(program=demo_program, round_=round_)
    second = services.metric_run_request(program=demo_program, round_=round_)
    assert first.pk == second.pk
    assert MetricRun.objects.count() == 1


def test_executing_a_finished_run_again_does_nothing(demo_program):
    run = _run(demo_program, "Baseline")
    assert compute.metric_run_execute(run_id=run.pk) is None
    assert NodeMetric.objects.count() == 120


@pytest.mark.django_db(transaction=True)
def test_compute_metrics_command_waits_for_every_round(demo_program, capsys):
    # Seeding the demo queued (and, committed, computed) its own runs: start from none, so
    # that the command's runs compute rather than find the data unchanged.
    MetricRun.objects.all().delete()
    # Outside a test transaction the queued task runs (inline) as soon as the request commits.
    call_command("compute_metrics", "--program", demo_program.slug, "--wait", "--timeout", "60")
    out = capsys.readouterr().out
    assert "Baseline: metrics computed" in out and "Year two: metrics computed" in out
    assert MetricRun.objects.current().count() == 2


def test_compute_metrics_command_names_unknown_program_and_round(demo_program):
    with pytest.raises(Exception, match="No program with slug"):
        call_command("compute_metrics", "--program", "nope")
    with pytest.raises(Exception, match="rounds: Baseline, Year two"):
        call_command("compute_metrics", "--program", demo_program.slug, "--round", "Year 9")


def test_server_side_cursors_are_planned_for_all_their_rows():
    """QuerySet.iterator() on PostgreSQL is a server-side cursor, planned for its first 10%
    by default: a small round's ties were then read by walking the whole table in pk order."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert float(cursor.fetchone()[0]) == 1.0
