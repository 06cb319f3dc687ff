"""Computing a queued metric run (in a worker) and making its results current atomically.

Queueing lives in runs/services.py; the Celery task (runs/tasks.py) calls `metric_run_execute`."""

from __future__ import annotations

import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from scipy.sparse.csgraph import connected_components

from members.models import Member, Program, Round
from members.round_graph import round_graph_load
from members.ties.copy import rows_copy
from networkmaps.graph import summary
from networkmaps.graph.input import build_graphs
from networkmaps.graph.layout import compute_layout
from networkmaps.graph.metrics import ENGINE, GraphInput, compute_metrics
from networkmaps.graph.metrics.paths import path_sources
from networkmaps.maps.payload import map_payload_store
from networkmaps.models import (
    Community,
    MetricRun,
    NetworkMetric,
    NodeMetric,
    PairDecision,
    PathSweep,
    Suggestion,
)
from networkmaps.runs import round_context, split
from networkmaps.weaving.outcomes import decision_outcomes_update
from networkmaps.weaving.run_queue import run_suggestions

logger = logging.getLogger(__name__)

# Bump when a change to the analysis makes old results stale for the same data.
ANALYSIS_VERSION = "1"
# Exact or estimated is chosen per run from the work and the workers (split.path_plan);
# estimates use this many sampled members: 4096 keeps the top-50 brokers 92-98% the same
# as exact at 10k (1024 gave 82-92%).
PIVOTS = split.PIVOTS
KEEP_OLD_RUNS = 5
LOCK_NAMESPACE = 7301  # first key of our advisory locks: "metric run being computed"


@dataclass
class RoundData:
    graph: GraphInput
    previous_ties: list[tuple[int, int, int, bool]] | None
    people: dict[int, dict]
    # The program's settings a run reads (Program.RUN_SETTINGS, and the missing-answer rule),
    # so that a run with the same data but other settings is never reused.
    settings: dict

    def fingerprint(self, plan: str = "exact") -> str:
        """``plan``: exact or how many pivots (split.PathPlan.key), which changes results."""
        digest = hashlib.sha256()
        digest.update(f"{ANALYSIS_VERSION}|{ENGINE}|{plan}".encode())
        digest.update(repr(self.graph.nodes).encode())
        digest.update(repr(sorted(self.graph.ties)).encode())
        for name in sorted(self.graph.groups):
            values = self.graph.groups[name]
            digest.update(name.encode())
            digest.update(repr(sorted(values.items())).encode())
        digest.update(repr(sorted(self.previous_ties or [])).encode())
        # Suggestions quote names and interests, so they are part of the data too.
        digest.update(repr(sorted((k, sorted(v.items())) for k, v in self.people.items())).encode())
        digest.update(repr(sorted(self.settings.items())).encode())
        return digest.hexdigest()


def round_data_load(*, round_: Round) -> RoundData:
    """Everything the analysis needs about one round, read through the one round reader."""
    current = round_graph_load(round_=round_, people=True)
    graph = GraphInput(nodes=current.members, ties=current.rows(), groups=current.groups)
    previous = round_.previous()
    return RoundData(
        graph=graph,
        previous_ties=round_graph_load(round_=previous).rows() if previous else None,
        people=current.people,
        settings=_run_settings(round_),
    )


def _run_settings(round_: Round) -> dict:
    program = Program.objects.only(*Program.RUN_SETTINGS, "missing_answers")
    program = program.get(pk=round_.program_id)
    return {name: getattr(program, name) for name in (*Program.RUN_SETTINGS, "missing_answers")}


def metric_run_execute(*, run_id: int) -> MetricRun | None:
    """Compute a queued run (called by the Celery task; safe to call again for the same run).

    Claims the run, loads the round, skips the computation when a finished run already
    has the same data fingerprint, computes, and stores the results as the round's
    current run in one transaction. Any failure leaves the previous current run in place.
    """
    with _computing_lock(run_id) as acquired:
        if not acquired:
            return None  # Another worker is computing this very run (a duplicate delivery).
        return _claim_and_execute(run_id)


@contextmanager
def _computing_lock(run_id: int):
    """A PostgreSQL advisory lock held while a worker computes a run.

    It belongs to the worker's database session, so it is released when the worker dies;
    a redelivered task can then take the run over. SQLite runs tasks inline, one at a time.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, run_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, run_id])


def _claim_and_execute(run_id: int) -> MetricRun | None:
    if PathSweep.objects.filter(run_id=run_id, sent_at__isnull=False).exists():
        # A split run's blocks are out: they, the reduce and the sweep check finish it.
        return None
    now = timezone.now()
    claimed = MetricRun.objects.filter(pk=run_id, status__in=MetricRun.ACTIVE).update(
        status=MetricRun.Status.RUNNING,
        started_at=now,
        attempts=F("attempts") + 1,
        stage="loading data",
        progress=0.0,
    )
    if not claimed:
        return None  # Finished or failed already: a redelivered message has nothing to do.
    run = MetricRun.objects.select_related("round").get(pk=run_id)
    try:
        return _execute(run)
    except (OperationalError, InterfaceError):
        # Transient database trouble: give the run back to the queue for the task's retry.
        MetricRun.objects.filter(pk=run_id, status=MetricRun.Status.RUNNING).update(
            status=MetricRun.Status.QUEUED, stage="waiting to retry"
        )
        raise
    except Exception as exc:
        return _failed(run_id, exc)


def _failed(run_id: int, exc: Exception) -> MetricRun:
    """Mark a run that raised as failed; the round's current results stay current."""
    logger.exception("Metric run %s failed", run_id)
    MetricRun.objects.filter(pk=run_id, status=MetricRun.Status.RUNNING).update(
        status=MetricRun.Status.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
    )
    return MetricRun.objects.get(pk=run_id)


def _execute(run: MetricRun) -> MetricRun:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = round_data_load(round_=run.round)
    # The round's ties are merged per pair once, here; metrics, layout, suggestions and
    # summaries all read this one merged graph.
    merged = build_graphs(data.graph)
    plan = split.path_plan(n=merged.n, pairs=int(merged.edge_u.shape[0]))
    fingerprint = data.fingerprint(plan.key)
    timings["load"] = time.perf_counter() - started

    same = (
        MetricRun.objects.filter(round=run.round, fingerprint=fingerprint)
        .filter(status=MetricRun.Status.SUCCEEDED)
        .order_by("-is_current", "-finished_at")
        .first()
    )
    if same is not None:
        return _finish_unchanged(run, same, fingerprint)

    if plan.split:
        _sweep_start(run, merged, plan, fingerprint, timings)
        return MetricRun.objects.get(pk=run.pk)
    result = compute_metrics(
        merged, **_limits(plan, merged.n), seed=0, progress=_progress(run), threads=plan.threads
    )
    timings["metrics"] = time.perf_counter() - started - timings["load"]
    return _complete(run, data, merged, result, plan, fingerprint, timings, started)


def _limits(plan: split.PathPlan, n: int) -> dict:
    if plan.pivots is None:
        return {"exact_limit": n, "pivots": PIVOTS}
    return {"exact_limit": plan.pivots, "pivots": plan.pivots}


def _sweep_start(run, merged, plan, fingerprint, timings) -> None:
    """Send a split run's path sweep to the workers as blocks (networkmaps/runs/split.py)."""
    unweighted = merged.adjacency(weighted=False)
    _, labels = connected_components(unweighted, directed=False)
    sources = path_sources(labels, np.bincount(labels), pivots=plan.pivots, seed=0)
    MetricRun.objects.filter(pk=run.pk).update(
        params={"path_plan": plan.as_params()}, timings=timings
    )
    split.sweep_start(
        run=run,
        indptr=unweighted.indptr.astype(np.int64),
        indices=unweighted.indices.astype(np.int32),
        plan_sources=sources,
        plan=plan,
        fingerprint=fingerprint,
    )


def metric_run_reduce(*, run_id: int) -> MetricRun | None:
    """Continue a split run once every block of its sweep is in (the reduce task).

    Adds up the blocks' sums and goes on exactly as an unsplit run. Does nothing while a
    block is missing (the last block sends the reduce again; a stalled run is retried by
    split.sweep_check), so a partial sum is never stored. Safe to call twice.
    """
    with _computing_lock(run_id) as acquired:
        if not acquired:
            return None  # Another worker is reducing this run.
        run = MetricRun.objects.select_related("round").filter(pk=run_id).first()
        sweep = PathSweep.objects.filter(run_id=run_id).first()
        if run is None or sweep is None or run.status != MetricRun.Status.RUNNING:
            return None
        try:
            sums, costs = split.sums_collect(sweep)
        except split.BlocksMissing:
            return None
        try:
            return _reduce(run, sweep, sums, costs)
        except (OperationalError, InterfaceError):
            raise  # The task retries; the blocks stay for it.
        except Exception as exc:
            PathSweep.objects.filter(run_id=run_id).delete()  # its sums will never be used
            return _failed(run_id, exc)


def _reduce(run, sweep, sums, costs) -> MetricRun:
    # The run's total counts from when it was claimed, before its blocks went out.
    started = time.perf_counter() - (timezone.now() - run.started_at).total_seconds()
    _set_progress(run.pk, "adding up the blocks", 0.89)
    plan = split.PathPlan(**run.params["path_plan"])
    data = round_data_load(round_=run.round)
    merged = build_graphs(data.graph)
    fingerprint = data.fingerprint(plan.key)
    if fingerprint != sweep.fingerprint:
        split.sweep_retry(run_id=run.pk, why="the round's data changed during the run")
        return MetricRun.objects.get(pk=run.pk)
    timings = dict(run.timings)
    timings |= costs
    # Last block stored → the reduce picked up, the round reloaded and merged again.
    since_sweep = (timezone.now() - sweep.created_at).total_seconds()
    timings["after_last_block"] = round(since_sweep - costs["paths_wall"], 3)
    mark = time.perf_counter()
    result = compute_metrics(merged, **_limits(plan, merged.n), seed=0, path_sums=sums)
    timings["metrics_after_paths"] = time.perf_counter() - mark
    return _complete(run, data, merged, result, plan, fingerprint, timings, started)


def _path_cost(merged, result, plan, timings) -> dict:
    """What this run's path sweep cost (split.path_cost): the blocks' CPU time, or the
    unsplit sweep's wall time on its threads."""
    if "path_block_cpu_total" in timings:
        cpu = timings["path_block_cpu_total"]
    else:
        cpu = result.params["timings"].get("paths", 0.0) * plan.threads
    sources = merged.n if plan.pivots is None else plan.pivots
    pairs = int(merged.edge_u.shape[0])
    return split.path_cost(cpu_seconds=cpu, sources=sources, n=merged.n, pairs=pairs)


def _complete(run, data, merged, result, plan, fingerprint, timings, started) -> MetricRun:
    """Layout, suggestions, summaries and the store: the same for split and unsplit runs."""
    result.params["path_plan"] = plan.as_params()
    result.params["path_cost"] = _path_cost(merged, result, plan, timings)
    current = merged.pair_strengths()
    _set_progress(run.pk, "laying out the map", 0.93)
    mark = time.perf_counter()
    positions = compute_layout(
        nodes=data.graph.nodes, edges=list(current), previous=_previous_positions(run.round), seed=0
    )
    timings["layout"] = time.perf_counter() - mark
    _set_progress(run.pk, "finding introductions", 0.95)
    mark = time.perf_counter()
    suggestions = run_suggestions(
        run=run,
        merged=merged,
        node_metrics=result.nodes,
        communities=result.communities,
        people=data.people,
        previous_ties=data.previous_ties,
        exclude_pairs=_dismissed_pairs(run.program_id),
    )
    timings["suggestions"] = time.perf_counter() - mark
    before = None
    if data.previous_ties is not None:
        before = build_graphs(GraphInput(nodes=data.graph.nodes, ties=data.previous_ties))
    changes = summary.round_changes(
        before.pair_strengths() if before else None, current, merged.groups
    )
    network = dict(result.network) | changes["cross_after"] | changes["changes"]
    round_context.add(run=run, data=data, merged=merged, result=result, network=network)
    labels = summary.community_labels(result.communities, merged.groups)

    _set_progress(run.pk, "saving results", 0.97)
    stored_at = time.perf_counter()
    finished = _store(run, result, network, labels, positions, suggestions, fingerprint, timings)
    timings["store"] = time.perf_counter() - stored_at
    if finished:
        _analyze_after_large_store(len(result.nodes))
        decision_outcomes_update(round_=run.round)
        mark = time.perf_counter()
        map_payload_store(run=run)
        timings["map_payload"] = time.perf_counter() - mark
    MetricRun.objects.filter(pk=run.pk).update(
        timings=timings | {"total": time.perf_counter() - started}
    )
    if finished:
        _prune(run.round_id)
    # A split run's blocks have been added up: their sums are not needed any more.
    PathSweep.objects.filter(run_id=run.pk).delete()
    return MetricRun.objects.get(pk=run.pk)


def _store(run, result, network, labels, positions, suggestions, fingerprint, timings) -> bool:
    with transaction.atomic():
        locked = MetricRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != MetricRun.Status.RUNNING:
            return False  # Another worker got there first: leave its run alone.
        _node_metrics_store(run.pk, result.nodes, positions)
        Suggestion.objects.bulk_create(_suggestion_rows(run, suggestions), batch_size=2000)
        NetworkMetric.objects.bulk_create(
            NetworkMetric(run_id=run.pk, name=name, value=_number(value))
            for name, value in network.items()
        )
        Community.objects.bulk_create(
            Community(run_id=run.pk, index=index, size=size, label=label[:200])
            for index, (size, label) in labels.items()
        )
        MetricRun.objects.filter(round_id=run.round_id, is_current=True).update(is_current=False)
        MetricRun.objects.filter(pk=run.pk).update(
            status=MetricRun.Status.SUCCEEDED,
            is_current=True,
            fingerprint=fingerprint,
            approximate=bool(result.params.get("approximate")),
            params=result.params,
            timings=timings,
            stage="done",
            progress=1.0,
            finished_at=timezone.now(),
        )
    return True


# Above this many rows a store is followed by ANALYZE: a 100k-member table without fresh
# statistics got plans that spilled to disk.
ANALYZE_AFTER_ROWS = 20_000
NODE_METRIC_COPY_FIELDS = ("run", "member", "brokerage", "x", "y")


def _node_metrics_store(run_id: int, nodes: dict, positions: dict) -> None:
    """Every member's NodeMetric row: one COPY on PostgreSQL (members/ties/copy.py, the
    one COPY helper), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        NodeMetric.objects.bulk_create(
            (
                _node_metric(run_id, member, values, positions.get(member))
                for member, values in nodes.items()
            ),
            batch_size=5000,
        )
        return
    rows_copy(
        NodeMetric,
        (*NODE_METRIC_COPY_FIELDS, *NODE_FIELDS),
        (
            (
                run_id,
                member,
                {k: v for k, v in values.items() if k.startswith("brokerage_")},
                *(positions.get(member) or (None, None)),
                *(_column(name, values[name]) for name in NODE_FIELDS),
            )
            for member, values in nodes.items()
        ),
    )


def _column(name: str, value):
    value = _number(value)
    return int(value) if value is not None and name in INTEGER_NODE_FIELDS else value


def _analyze_after_large_store(rows: int) -> None:
    """Fresh planner statistics for the tables a large run just filled."""
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        for model in (NodeMetric, Member):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _previous_positions(round_: Round) -> dict[int, tuple[float, float]] | None:
    """Where members stood on the last map of this round, or else of the round before, so
    that maps of successive rounds line up."""
    for candidate in (round_, round_.previous()):
        if candidate is None:
            continue
        rows = NodeMetric.objects.filter(
            run__round=candidate, run__is_current=True, x__isnull=False
        ).values_list("member_id", "x", "y")
        positions = {member: (x, y) for member, x, y in rows}
        if positions:
            return positions
    return None


def _dismissed_pairs(program_id: int) -> set[tuple[int, int]]:
    rows = PairDecision.objects.filter(
        program_id=program_id, status=PairDecision.Status.DISMISSED
    ).values_list("member_a_id", "member_b_id")
    return set(rows)


def _suggestion_rows(run: MetricRun, suggestions) -> list[Suggestion]:
    rows, ranks = [], {}
    for found in suggestions:
        ranks[found.kind] = ranks.get(found.kind, 0) + 1
        pair = found.members if found.kind != Suggestion.Kind.KEY_PLAYERS else (None, None)
        rows.append(
            Suggestion(
                run_id=run.pk,
                program_id=run.program_id,
                kind=found.kind,
                rank=ranks[found.kind],
                member_a_id=pair[0],
                member_b_id=pair[1],
                subject_id=found.subject,
                member_ids=list(found.members),
                score=found.score,
                reason=found.reason,
                facts=found.facts,
            )
        )
    return rows


def _finish_unchanged(run: MetricRun, same: MetricRun, fingerprint: str) -> MetricRun:
    with transaction.atomic():
        locked = MetricRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != MetricRun.Status.RUNNING:
            return locked
        if not same.is_current:
            MetricRun.objects.filter(round_id=run.round_id, is_current=True).update(
                is_current=False
            )
            MetricRun.objects.filter(pk=same.pk).update(is_current=True)
        MetricRun.objects.filter(pk=run.pk).update(
            status=MetricRun.Status.UNCHANGED,
            reused=same,
            fingerprint=fingerprint,
            stage="data unchanged",
            progress=1.0,
            finished_at=timezone.now(),
        )
    decision_outcomes_update(round_=run.round)
    return MetricRun.objects.get(pk=run.pk)


def _prune(round_id: int) -> None:
    """Keep the current run and the newest few finished ones of a round; drop the rest."""
    finished = (
        MetricRun.objects.filter(round_id=round_id, is_current=False)
        .exclude(status__in=MetricRun.ACTIVE)
        .order_by("-created_at")
    )
    stale = list(finished.values_list("pk", flat=True)[KEEP_OLD_RUNS:])
    if stale:
        MetricRun.objects.filter(pk__in=stale).delete()


def _progress(run: MetricRun):
    last = [0.0]

    def report(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or fraction >= 1.0:
            last[0] = now
            _set_progress(run.pk, stage, 0.05 + 0.9 * fraction)

    return report


def _set_progress(run_id: int, stage: str, progress: float) -> None:
    MetricRun.objects.filter(pk=run_id, status=MetricRun.Status.RUNNING).update(
        stage=stage[:100], progress=min(1.0, max(0.0, progress))
    )


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if value != value else value  # NaN is stored as "not defined"


NODE_FIELDS = (
    "degree",
    "in_degree",
    "out_degree",
    "weighted_degree",
    "betweenness",
    "closeness",
    "harmonic",
    "eigenvector",
    "pagerank",
    "constraint",
    "effective_size",
    "clustering",
    "core_number",
    "community",
    "reach_two_steps",
)


INTEGER_NODE_FIELDS = frozenset(
    name
    for name in NODE_FIELDS
    if NodeMetric._meta.get_field(name).get_internal_type().endswith("IntegerField")
)


def _node_metric(run_id: int, member_id: int, values: dict, position) -> NodeMetric:
    brokerage = {k: v for k, v in values.items() if k.startswith("brokerage_")}
    x, y = position or (None, None)
    return NodeMetric(
        run_id=run_id,
        member_id=member_id,
        brokerage=brokerage,
        x=x,
        y=y,
        **{name: _number(values[name]) for name in NODE_FIELDS},
    )
