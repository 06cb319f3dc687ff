"""Split runs: one metric run's path sweep cut into blocks of sources that any worker computes.

The path sweep (Brandes' breadth-first searches, networkmaps/graph/metrics/paths.py) is a
sum over source members, so disjoint blocks of sources can be swept by different worker
processes and their partial sums added afterwards (exactly, up to float rounding). A run
above ``NETLEAD_SPLIT_MIN_MEMBERS`` members goes like this:

1. ``metric_run_execute`` (runs/compute.py) loads and merges the round, chooses exact or
   estimated (``path_plan``), stores the graph and sources in a PathSweep and sends one
   ``networkmaps.path_block_compute`` task per block as a Celery group.
2. Each block task sweeps its sources and upserts a PathBlock row keyed by (sweep, block):
   a redelivered block (acks_late: a worker killed mid-block) replaces its row and is
   never counted twice. The block that finds every block present sends the reduce.
3. ``networkmaps.metric_run_reduce`` (runs/compute.py) checks that every block is present,
   adds them up and continues the run exactly as an unsplit one (metrics, layout,
   suggestions, store). A missing block never gets stored as a partial sum.
4. ``networkmaps.path_sweep_check`` runs every ``NETLEAD_SPLIT_STALL_SECONDS``: when no block
   has arrived for that long, the run starts again from step 1 (the old results stay
   current until it completes), at most ``MAX_ATTEMPTS`` times.

It is a chord whose counter lives in PostgreSQL, next to the sums, rather than in a Celery
result backend: the project runs without one, and a counter that a duplicate delivery
cannot fool is the point. With Celery eager (the embedded default) the same tasks run
inline, one after the other.

Blocks go to the default queue unless ``NETLEAD_HEAVY_QUEUE`` routes them, with the run and
its reduce, to a queue of heavy workers (netlead/celery.py).
"""

from __future__ import annotations

import io
import math
import time
from dataclasses import asdict, dataclass

import numpy as np
from celery import current_app, group, signature
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from networkmaps.graph.metrics.paths import PathSources, PathSums, path_sums
from networkmaps.models import MetricRun, PathBlock, PathSweep

# Above this many members a run estimates rather than wait when its exact sweep would
# overrun the budget: 4096 keeps the top-50 brokers 92-98% the same as exact at 10k.
PIVOTS = 4096
MAX_BLOCKS = 256
MAX_ATTEMPTS = 3
# Measured on the 2-core machine (one thread, clustered graphs with ~5 ties per member):
# the sweep costs about this many ns per source and per (member + arc) at 10k members, and
# a growing share of cache misses makes that ~1.45x at 50k and ~2.5x at 100k.
NS_PER_STEP_AT_10K = 6.2
NS_GROWTH_EXPONENT = 0.4


def _setting(name: str, default):
    return getattr(settings, name, default)


class BlocksMissing(Exception):
    """Not every block of a sweep has reported: its sums must not be used."""


@dataclass
class PathPlan:
    """How one run computes its path metrics, and why (stored in the run's params)."""

    pivots: int | None  # None: exact
    split: bool
    blocks: int
    threads: int
    workers: int
    estimated_exact_seconds: float
    budget_seconds: float
    reason: str

    @property
    def key(self) -> str:
        """What of the plan changes results (part of the run's data fingerprint)."""
        return "exact" if self.pivots is None else f"pivots={self.pivots}"

    def as_params(self) -> dict:
        return asdict(self)


def _growth(n: int) -> float:
    return max(1.0, n / 10_000) ** NS_GROWTH_EXPONENT


def sweep_seconds(
    *, sources: int, n: int, pairs: int, speed: float = 1.0, ns_at_10k: float = NS_PER_STEP_AT_10K
) -> float:
    """Estimated CPU seconds of a sweep from ``sources`` over n members and ``pairs`` ties."""
    per_step = ns_at_10k * _growth(n)
    return sources * (n + 2 * pairs) * per_step * 1e-9 / max(speed, 1e-6)


# Runs smaller than this say little about the sweep's own cost (set-up dominates).
MEASURED_MIN_MEMBERS = 5_000


def path_cost(*, cpu_seconds: float, sources: int, n: int, pairs: int) -> dict:
    """What a finished sweep cost, per source and per (member + arc), scaled to 10k members:
    stored in the run's params, so that later plans use this deployment's own speed."""
    steps = max(1, sources) * max(1, n + 2 * pairs)
    return {"ns_per_step_at_10k": round(cpu_seconds * 1e9 / steps / _growth(n), 3), "n": n}


def measured_ns_at_10k() -> float | None:
    """The median sweep cost of the last five runs of at least MEASURED_MIN_MEMBERS members
    (any program on this deployment), or None before there are any."""
    costs = [
        params["path_cost"]["ns_per_step_at_10k"]
        for params in MetricRun.objects.filter(
            status=MetricRun.Status.SUCCEEDED,
            params__path_cost__n__gte=MEASURED_MIN_MEMBERS,
        )
        .order_by("-finished_at")
        .values_list("params", flat=True)[:5]
    ]
    return float(np.median(costs)) if costs else None


def path_plan(*, n: int, pairs: int) -> PathPlan:
    """Exact or estimated from the work and the workers available, not from a fixed size.

    Exact when the whole sweep, shared by ``NETLEAD_WORKER_PROCESSES`` processes of
    ``NETLEAD_PATH_THREADS`` threads each (one process unless the run is split), fits in
    ``NETLEAD_PATH_BUDGET_SECONDS``; else estimated from ``PIVOTS`` pivots.
    """
    budget = float(_setting("NETLEAD_PATH_BUDGET_SECONDS", 600))
    workers = max(1, int(_setting("NETLEAD_WORKER_PROCESSES", 1)))
    threads = max(1, int(_setting("NETLEAD_PATH_THREADS", 1)))
    speed = float(_setting("NETLEAD_PATH_SPEED", 1.0))
    split = n >= int(_setting("NETLEAD_SPLIT_MIN_MEMBERS", 20_000)) and n > 1
    # This deployment's own measured speed once it has computed a large run; until then
    # the cost measured on the 2-core development machine.
    ns_at_10k = measured_ns_at_10k() or NS_PER_STEP_AT_10K
    cpu = sweep_seconds(sources=n, n=n, pairs=pairs, speed=speed, ns_at_10k=ns_at_10k)
    parallel = threads * (workers if split else 1)
    wall = cpu / parallel
    took = f"about {wall:,.0f} s" if wall >= 1 else "under a second"
    where = f"{workers} worker process(es)" if split else "one worker process"
    where += f" x {threads} thread(s)" if threads > 1 else ""
    if wall <= budget or n <= PIVOTS:
        pivots = None
        reason = (
            f"exact: the full sweep of {n:,} members takes {took} on {where}, "
            f"within the {budget:,.0f} s budget"
        )
    else:
        pivots = PIVOTS
        reason = (
            f"estimated from {PIVOTS:,} pivots: the exact sweep of {n:,} members would take "
            f"{took} on {where}, over the {budget:,.0f} s budget"
        )
    sources = n if pivots is None else pivots
    blocks = 1
    if split:
        blocks = int(_setting("NETLEAD_SPLIT_BLOCKS", 0))
        if blocks <= 0:
            # Blocks of about a minute each, at least two per worker so a slow one evens
            # out, and a whole number of blocks per worker: 5 equal blocks on 2 workers
            # take 3 rounds where 6 take 3 shorter ones, every worker busy to the end.
            sweep_cpu = sweep_seconds(
                sources=sources, n=n, pairs=pairs, speed=speed, ns_at_10k=ns_at_10k
            )
            per_worker = max(2, math.ceil(sweep_cpu / 60 / workers))
            blocks = per_worker * workers
        blocks = max(1, min(blocks, MAX_BLOCKS, sources))
    return PathPlan(
        pivots=pivots,
        split=split,
        blocks=blocks,
        threads=threads,
        workers=workers,
        estimated_exact_seconds=round(wall, 1),
        budget_seconds=budget,
        reason=reason,
    )


# --- the sweep and its blocks -------------------------------------------------------------


def sweep_start(
    *,
    run: MetricRun,
    indptr: np.ndarray,
    indices: np.ndarray,
    plan_sources: PathSources,
    plan: PathPlan,
    fingerprint: str,
) -> PathSweep:
    """Store the graph and sources of a split run and send its blocks to the workers."""
    buffer = io.BytesIO()
    np.savez(
        buffer,
        indptr=indptr,
        indices=indices,
        sources=plan_sources.sources,
        counted=plan_sources.counted,
    )
    with transaction.atomic():
        PathSweep.objects.filter(run=run).delete()  # a retried run starts from no blocks
        sweep = PathSweep.objects.create(
            run=run,
            blocks=plan.blocks,
            fingerprint=fingerprint,
            pivots=plan.pivots,
            graph=buffer.getvalue(),
        )
        _progress(run.pk, 0, plan.blocks)
    # A worker runs in autocommit, so the sweep is committed by now and every worker sees it.
    # (Eager, inside a caller's transaction, the blocks run on this same connection.)
    if not _eager():
        sweep_check_send(sweep_id=sweep.pk, check=0)
    group(
        signature("networkmaps.path_block_compute", args=(sweep.pk, index))
        for index in range(sweep.blocks)
    ).apply_async()
    # From here a redelivered run message leaves the run to its blocks and the check.
    PathSweep.objects.filter(pk=sweep.pk).update(sent_at=timezone.now())
    return sweep


def block_compute(*, sweep_id: int, index: int, worker: str = "") -> bool:
    """Sweep one block's sources and store its sums (replacing an earlier delivery's).

    Returns whether this block completed the set (and so sent the reduce)."""
    sweep = PathSweep.objects.filter(pk=sweep_id).select_related("run").first()
    if sweep is None or sweep.run.status != MetricRun.Status.RUNNING or index >= sweep.blocks:
        return False  # The run finished, failed or started over: this block is stale.
    with np.load(io.BytesIO(bytes(sweep.graph))) as arrays:
        indptr, indices = arrays["indptr"], arrays["indices"]
        sources, counted = arrays["sources"], arrays["counted"]
    bounds = PathSources(sources=sources, counted=counted, pivots=sweep.pivots).block_bounds(
        sweep.blocks
    )
    lo, hi = int(bounds[index]), int(bounds[index + 1])
    started = time.process_time()
    threads = max(1, int(_setting("NETLEAD_PATH_THREADS", 1)))
    sums = path_sums(indptr, indices, sources[lo:hi], counted[lo:hi], threads=threads)
    cpu = time.process_time() - started
    buffer = io.BytesIO()
    np.savez(buffer, **{name: getattr(sums, name) for name in SUM_FIELDS})
    # One row per (sweep, block): a second delivery of the same block replaces the first.
    PathBlock.objects.bulk_create(
        [
            PathBlock(
                sweep_id=sweep_id,
                index=index,
                sources=hi - lo,
                sums=buffer.getvalue(),
                cpu_seconds=cpu,
                worker=worker[:200],
            )
        ],
        update_conflicts=True,
        unique_fields=["sweep", "index"],
        update_fields=["sources", "sums", "cpu_seconds", "worker", "finished_at"],
    )
    PathSweep.objects.filter(pk=sweep_id).update(last_block_at=timezone.now())
    done = PathBlock.objects.filter(sweep_id=sweep_id).count()
    _progress(sweep.run_id, done, sweep.blocks)
    if done < sweep.blocks:
        return False
    reduce_send(run_id=sweep.run_id)
    return True


SUM_FIELDS = ("pair_shares", "distance_sum", "inverse_sum", "reached")


def sums_collect(sweep: PathSweep) -> tuple[PathSums, dict]:
    """The added-up sums of every block, and what the blocks cost.

    Raises BlocksMissing unless every block 0 .. blocks-1 is present and together they
    swept every source exactly once."""
    rows = list(
        PathBlock.objects.filter(sweep=sweep)
        .order_by("index")
        .values_list("index", "sources", "sums", "cpu_seconds", "worker")
    )
    present = [row[0] for row in rows]
    if present != list(range(sweep.blocks)):
        missing = sorted(set(range(sweep.blocks)) - set(present))
        raise BlocksMissing(f"blocks {missing} of {sweep.blocks} have not reported")
    with np.load(io.BytesIO(bytes(sweep.graph))) as arrays:
        n = arrays["indptr"].shape[0] - 1
        expected = arrays["sources"].shape[0]
    if sum(row[1] for row in rows) != expected:
        raise BlocksMissing(f"the blocks swept {sum(r[1] for r in rows)} of {expected} sources")
    total = PathSums.zeros(n)
    for _, _, blob, _, _ in rows:
        with np.load(io.BytesIO(bytes(blob))) as part:
            total.add(PathSums(**{name: part[name] for name in SUM_FIELDS}))
    costs = [row[3] for row in rows]
    last = PathBlock.objects.filter(sweep=sweep).aggregate(last=Max("finished_at"))["last"]
    report = {
        # The path stage: from the sweep's start to its last block stored.
        "paths_wall": round((last - sweep.created_at).total_seconds(), 3),
        "path_blocks": sweep.blocks,
        "path_block_cpu_total": round(sum(costs), 3),
        "path_block_cpu_max": round(max(costs), 3),
        "path_workers": sorted({row[4] for row in rows if row[4]}),
    }
    return total, report


def reduce_send(*, run_id: int) -> None:
    signature("networkmaps.metric_run_reduce", args=(run_id,)).apply_async()


# --- stalled blocks -----------------------------------------------------------------------


def sweep_check_send(*, sweep_id: int, check: int) -> None:
    stall = int(_setting("NETLEAD_SPLIT_STALL_SECONDS", 900))
    signature("networkmaps.path_sweep_check", args=(sweep_id, check)).apply_async(countdown=stall)


def sweep_check(*, sweep_id: int, check: int) -> str:
    """Look after a split run whose blocks may have stopped arriving.

    No block for ``NETLEAD_SPLIT_STALL_SECONDS``: the run starts over (queued again, a new
    sweep), or fails after ``MAX_ATTEMPTS``. Every block in but no reduce: send it again.
    Otherwise look again later. Duplicate deliveries of one check act once (``check``)."""
    sweep = PathSweep.objects.filter(pk=sweep_id).select_related("run").first()
    if sweep is None or sweep.run.status != MetricRun.Status.RUNNING:
        return "finished"
    # Only one delivery of check number `check` goes on; the others stop here.
    if not PathSweep.objects.filter(pk=sweep_id, checks=check).update(checks=check + 1):
        return "duplicate"
    done = PathBlock.objects.filter(sweep=sweep).count()
    if done == sweep.blocks:
        reduce_send(run_id=sweep.run_id)
        sweep_check_send(sweep_id=sweep_id, check=check + 1)
        return "reduce sent"
    stall = int(_setting("NETLEAD_SPLIT_STALL_SECONDS", 900))
    last = sweep.last_block_at or sweep.created_at
    if (timezone.now() - last).total_seconds() < stall:
        sweep_check_send(sweep_id=sweep_id, check=check + 1)
        return "waiting"
    return sweep_retry(run_id=sweep.run_id, why=f"{sweep.blocks - done} blocks stopped arriving")


def sweep_retry(*, run_id: int, why: str) -> str:
    """Start a split run over (its blocks are dropped), or fail it after MAX_ATTEMPTS.
    The round's current results stay current either way."""
    with transaction.atomic():
        run = MetricRun.objects.select_for_update().get(pk=run_id)
        if run.status != MetricRun.Status.RUNNING:
            return "finished"
        PathSweep.objects.filter(run=run).delete()
        if run.attempts >= MAX_ATTEMPTS:
            MetricRun.objects.filter(pk=run_id).update(
                status=MetricRun.Status.FAILED,
                error=f"{why}; gave up after {run.attempts} attempts",
                finished_at=timezone.now(),
            )
            return "failed"
        MetricRun.objects.filter(pk=run_id).update(
            status=MetricRun.Status.QUEUED, stage=f"retrying: {why}"[:100], progress=0.0
        )
        transaction.on_commit(
            lambda: signature("networkmaps.metric_run_execute", args=(run_id,)).apply_async()
        )
    return "retried"


def _progress(run_id: int, done: int, blocks: int) -> None:
    MetricRun.objects.filter(pk=run_id, status=MetricRun.Status.RUNNING).update(
        stage=f"paths: {done} of {blocks} blocks done",
        progress=0.08 + 0.8 * done / max(blocks, 1),
    )


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)
