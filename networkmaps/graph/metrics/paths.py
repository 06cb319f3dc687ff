"""Path-based metrics from one sweep of breadth-first searches: betweenness, closeness,
harmonic centrality and average path length, exact or estimated from pivots (see
``networkmaps.graph.metrics`` for the estimators)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MIN_COMPONENT_SOURCES = 64


@dataclass
class Paths:
    betweenness: np.ndarray
    closeness: np.ndarray
    harmonic: np.ndarray
    average_path_length: float | None
    pivots: int | None
    distance_sources: int


@dataclass
class PathSums:
    """What the breadth-first sweep from a set of sources adds up, per member.

    Every field is a plain sum over sources, so the sums of disjoint blocks of sources
    add up (exactly, up to float rounding) to the sums of the whole sweep: that is what
    lets one run's sweep be split across worker processes (networkmaps/runs/split.py).
    """

    pair_shares: np.ndarray  # linearly scaled dependencies (betweenness before scaling)
    distance_sum: np.ndarray
    inverse_sum: np.ndarray
    reached: np.ndarray  # int64: how many sources reached the member

    @classmethod
    def zeros(cls, n: int) -> PathSums:
        return cls(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64))

    def add(self, other: PathSums) -> None:
        self.pair_shares += other.pair_shares
        self.distance_sum += other.distance_sum
        self.inverse_sum += other.inverse_sum
        self.reached += other.reached


@dataclass
class PathSources:
    """The sources of one run's sweep; ``counted[i]``: source i also counts betweenness
    (the pivots, as opposed to the extra distance-only sources of small components)."""

    sources: np.ndarray  # int32
    counted: np.ndarray  # bool
    pivots: int | None  # None: every member is a source (exact)

    def block_bounds(self, blocks: int) -> np.ndarray:
        """Where each of ``blocks`` contiguous, near-equal blocks of sources starts and ends."""
        blocks = max(1, min(blocks, self.sources.shape[0]))
        return np.linspace(0, self.sources.shape[0], blocks + 1).astype(np.int64)


def path_sources(labels: np.ndarray, sizes: np.ndarray, *, pivots: int | None, seed: int):
    """The sources of the sweep: every member (``pivots=None``) or the pivot sample plus
    the extra distance-only sources that keep small components exact."""
    n = labels.shape[0]
    if pivots is None:
        sampled = np.arange(n, dtype=np.int32)
        sources = sampled
    else:
        # The draw networkx's betweenness_centrality(k=, seed=) makes over the same order.
        sampled = np.array(random.Random(seed).sample(range(n), pivots), dtype=np.int32)
        extra = _component_sources(labels, sizes, sampled, seed)
        sources = np.concatenate([sampled, extra]).astype(np.int32)
    counted = np.arange(sources.shape[0]) < sampled.shape[0]
    return PathSources(sources=sources, counted=counted, pivots=None if pivots is None else pivots)


def path_sums(
    indptr: np.ndarray,
    indices: np.ndarray,
    sources: np.ndarray,
    counted: np.ndarray,
    *,
    report: Callable[[float], None] | None = None,
    threads: int = 1,
) -> PathSums:
    """The sweep from ``sources`` (one block of a run, or all of it).

    With ``threads > 1`` the sources are cut into one slice per thread, each thread sums
    into its own arrays (the kernel releases the GIL) and the slices are added in order.
    """
    from networkmaps.graph import kernels

    n = indptr.shape[0] - 1
    total = PathSums.zeros(n)
    if sources.shape[0] == 0:
        if report:
            report(1.0)
        return total
    chunks = max(1, min(50, sources.shape[0] // 64))
    bounds = np.linspace(0, sources.shape[0], chunks + 1).astype(np.int64)

    def sweep(lo: int, hi: int, into: PathSums) -> None:
        kernels.shortest_path_sweep(
            indptr, indices, sources[lo:hi], counted[lo:hi],
            into.pair_shares, into.distance_sum, into.inverse_sum, into.reached,
        )  # fmt: skip

    if threads <= 1:
        for i in range(chunks):
            sweep(bounds[i], bounds[i + 1], total)
            if report:
                report((i + 1) / chunks)
        return total

    from concurrent.futures import ThreadPoolExecutor

    parts = [PathSums.zeros(n) for _ in range(threads)]
    slices = np.array_split(np.arange(chunks), threads)

    def run_slice(index: int) -> None:
        for i in slices[index]:
            sweep(bounds[i], bounds[i + 1], parts[index])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(run_slice, index) for index in range(threads)]
        for future in futures:
            future.result()
    for part in parts:
        total.add(part)
    if report:
        report(1.0)
    return total


def path_metrics(
    indptr: np.ndarray,
    indices: np.ndarray,
    labels: np.ndarray,
    sizes: np.ndarray,
    *,
    pivots: int | None,
    seed: int,
    report: Callable[[float], None],
    sums: PathSums | None = None,
    threads: int = 1,
) -> Paths:
    """Betweenness, closeness, harmonic centrality and average path length from one
    sweep of breadth-first searches over all members or the pivot sample (the estimators
    are described in networkmaps.graph.metrics).

    ``sums``: the sweep already done elsewhere (the added-up blocks of a split run) from
    exactly the sources ``path_sources`` draws for the same ``pivots`` and ``seed``.
    """
    n = labels.shape[0]
    drawn = path_sources(labels, sizes, pivots=pivots, seed=seed)
    if sums is None:
        sums = path_sums(
            indptr, indices, drawn.sources, drawn.counted, report=report, threads=threads
        )
    elif sums.reached.shape[0] != n:
        raise ValueError(f"path sums are for {sums.reached.shape[0]} members, not {n}")
    pair_shares = sums.pair_shares
    distance_sum = sums.distance_sum
    inverse_sum = sums.inverse_sum
    reached = sums.reached

    # pair_shares sums, over the k sources other than v, v's share of unordered pairs;
    # scaled by (n - 1) / k' sources it estimates v's betweenness over unordered pairs,
    # and networkx normalises that by (n - 1)(n - 2) / 2. With every member a source
    # (k = n) this is exact.
    k = int(drawn.counted.sum())
    sampled = drawn.sources[:k]
    betweenness = np.zeros(n)
    if n > 2:
        betweenness = pair_shares * (2.0 / (k * (n - 2)))
        betweenness[sampled] = pair_shares[sampled] * (2.0 / ((k - 1) * (n - 2)))

    others = (sizes[labels] - 1).astype(np.float64)
    # Exact runs reach all others (factor 1); sampled runs scale up from the sources seen.
    factor = np.divide(others, reached, out=np.zeros(n), where=reached > 0)
    total_distance = distance_sum * factor
    closeness = np.divide(others, total_distance, out=np.zeros(n), where=total_distance > 0)
    closeness *= others / max(n - 1, 1)
    harmonic = inverse_sum * factor / max(n - 1, 1)

    largest = largest_component(labels, sizes)
    average_path_length = None
    if largest is not None and sizes[largest] >= 2:
        inside = labels == largest
        average_path_length = float(distance_sum[inside].sum() / reached[inside].sum())
    return Paths(
        betweenness=betweenness,
        closeness=closeness,
        harmonic=harmonic,
        average_path_length=average_path_length,
        pivots=None if pivots is None else k,
        distance_sources=int(drawn.sources.shape[0]),
    )


def _component_sources(labels, sizes, sampled, seed) -> np.ndarray:
    """Extra distance-only sources so every component has min(size, 64) of them."""
    n = labels.shape[0]
    is_source = np.zeros(n, dtype=bool)
    is_source[sampled] = True
    have = np.bincount(labels[sampled], minlength=sizes.shape[0])
    want = np.minimum(sizes, MIN_COMPONENT_SOURCES)
    short = np.flatnonzero(have < want)
    small = short[sizes[short] <= MIN_COMPONENT_SOURCES]
    extra = [np.flatnonzero(np.isin(labels, small) & ~is_source)]
    rng = random.Random(seed + 1)
    for c in short[sizes[short] > MIN_COMPONENT_SOURCES]:
        candidates = np.flatnonzero((labels == c) & ~is_source).tolist()
        extra.append(np.array(rng.sample(candidates, int(want[c] - have[c])), dtype=np.int64))
    return np.concatenate(extra)


def largest_component(labels, sizes) -> int | None:
    """Label of the largest component, ties to the one holding the smallest member id."""
    if sizes.shape[0] == 0:
        return None
    biggest = np.flatnonzero(sizes == sizes.max())
    first_member = np.full(sizes.shape[0], labels.shape[0])
    np.minimum.at(first_member, labels, np.arange(labels.shape[0]))
    return int(biggest[np.argmin(first_member[biggest])])
