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


def path_metrics(
    indptr: np.ndarray,
    indices: np.ndarray,
    labels: np.ndarray,
    sizes: np.ndarray,
    *,
    pivots: int | None,
    seed: int,
    report: Callable[[float], None],
) -> Paths:
    """Betweenness, closeness, harmonic centrality and average path length from one
    sweep of breadth-first searches over all members or the pivot sample (the estimators
    are described in networkmaps.graph.metrics)."""
    from networkmaps.graph import kernels

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

    pair_shares = np.zeros(n)
    distance_sum = np.zeros(n)
    inverse_sum = np.zeros(n)
    reached = np.zeros(n, dtype=np.int64)
    chunks = max(1, min(50, sources.shape[0] // 64))
    bounds = np.linspace(0, sources.shape[0], chunks + 1).astype(np.int64)
    for i in range(chunks):
        lo, hi = bounds[i], bounds[i + 1]
        kernels.shortest_path_sweep(
            indptr,
            indices,
            sources[lo:hi],
            counted[lo:hi],
            pair_shares,
            distance_sum,
            inverse_sum,
            reached,
        )
        report((i + 1) / chunks)

    # pair_shares sums, over the k sources other than v, v's share of unordered pairs;
    # scaled by (n - 1) / k' sources it estimates v's betweenness over unordered pairs,
    # and networkx normalises that by (n - 1)(n - 2) / 2. With every member a source
    # (k = n) this is exact.
    k = sampled.shape[0]
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
        distance_sources=int(sources.shape[0]),
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
