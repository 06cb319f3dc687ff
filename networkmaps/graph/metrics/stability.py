"""How sure is each number: stability bands under resampled non-response (pure, no Django).

A round is an observation with people missing from it. To show how much a number depends
on who happened to answer, the round is re-estimated ``resamples`` times with a further
``drop`` share of the respondents removed at random (seeded): a dropped respondent's own
reports disappear, the ties others reported with them stay (the reconstruction rule). Each
resample recomputes the headline figures and every member's degree, betweenness and
closeness rank. This follows the resampling studies of network non-response (Borgatti,
Carley & Krackhardt 2006; Smith & Moody 2013): betweenness moves most, closeness least.

Cost: betweenness and closeness are re-estimated from the same ``pivots`` sources in every
resample (and in the baseline they are compared with), so pivot noise is shared and the
band shows the effect of missing answers, at ~pivots/n of an exact sweep per resample.
Networks of up to ``exact_paths`` members are swept exactly.

A member's rank is "stable" when the 10th-90th percentile band of their rank over the
resamples is no wider than max(3, half their rank): a top-5 broker must stay within about
3 places, the 200th may move 100.
"""

from __future__ import annotations

import random

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.stats import rankdata

from networkmaps.graph.metrics.paths import largest_component

RESAMPLES = 50
DROP = 0.10
PIVOTS = 16
EXACT_PATHS = 500
RANKED = ("degree", "betweenness", "closeness")
HEADLINE = (
    "ties",
    "density",
    "isolates",
    "components",
    "largest_component_share",
    "average_path_length",
)


def stability_bands(
    *,
    nodes: list[int],
    ties: list[tuple[int, int, int, bool]],
    answered: set[int] | frozenset[int] | None = None,
    resamples: int = RESAMPLES,
    drop: float = DROP,
    seed: int = 0,
    pivots: int = PIVOTS,
    exact_paths: int = EXACT_PATHS,
) -> dict:
    """Bands for the headline figures and each member's rank stability.

    ``ties``: the round's rows (source = the member who reported it), as GraphInput.ties;
    ``answered``: who answered (None: everybody). Returns plain data:
    {"network": {metric: [low, high]} (5th-95th percentile over resamples),
     "shifting": {metric: [member ids whose rank is not stable]},
     "resamples", "drop", "seed", "pivots"}.
    """
    order = np.unique(np.asarray(nodes, dtype=np.int64))
    n = int(order.shape[0])
    rows = np.asarray([(s, t) for s, t, *_ in ties], dtype=np.int64).reshape(-1, 2)
    source = np.searchsorted(order, rows[:, 0])
    target = np.searchsorted(order, rows[:, 1])
    keep = source != target
    source, target = source[keep], target[keep]
    if answered is None:
        respondents = np.arange(n)
    else:
        respondents = np.flatnonzero(np.isin(order, np.fromiter(answered, np.int64)))
    k = int(round(drop * respondents.shape[0]))
    exact = n <= exact_paths or pivots >= n
    out = {
        "resamples": resamples,
        "drop": drop,
        "seed": seed,
        "pivots": None if exact else pivots,
        "network": {},
        "shifting": {},
    }
    if n < 3 or not resamples:
        return out

    # Each merged pair once, with who reported it: the low end, the high end or both.
    low, high = np.minimum(source, target), np.maximum(source, target)
    pair, inverse = np.unique(low * n + high, return_inverse=True)
    by_low = np.zeros(pair.shape[0], dtype=bool)
    by_high = np.zeros(pair.shape[0], dtype=bool)
    by_low[inverse[source == low]] = True
    by_high[inverse[source == high]] = True
    u, v = pair // n, pair % n
    # The full adjacency in CSR order, with the pair behind each slot.
    slot_row = np.concatenate([u, v])
    slot_col = np.concatenate([v, u])
    slot_pair = np.concatenate([np.arange(pair.shape[0])] * 2)
    order_slots = np.lexsort((slot_col, slot_row))
    slot_row, slot_col, slot_pair = (
        slot_row[order_slots],
        slot_col[order_slots],
        slot_pair[order_slots].astype(np.int64),
    )
    sources = (
        np.arange(n, dtype=np.int32)
        if exact
        else np.array(random.Random(seed).sample(range(n), pivots), dtype=np.int32)
    )
    graph = (n, slot_row, slot_col, slot_pair, sources)

    base_figures, base_ranks = _estimate(graph, np.ones(pair.shape[0], dtype=bool))
    rng = np.random.default_rng(seed)
    figures = {name: [] for name in HEADLINE}
    ranks = {name: np.empty((resamples, n), dtype=np.float64) for name in RANKED}
    for r in range(resamples):
        dropped = np.zeros(n, dtype=bool)
        if k:
            dropped[rng.choice(respondents, size=k, replace=False)] = True
        kept = (by_low & ~dropped[u]) | (by_high & ~dropped[v])
        found, found_ranks = _estimate(graph, kept)
        for name in HEADLINE:
            figures[name].append(found[name])
        for name in RANKED:
            ranks[name][r] = found_ranks[name]
    for name, values in figures.items():
        known = [v for v in values if v is not None]
        if known and base_figures[name] is not None:
            low, high = np.percentile(known, [5, 95])
            out["network"][name] = [float(low), float(high)]
    for name in RANKED:
        low, high = np.percentile(ranks[name], [10, 90], axis=0)
        allowed = np.maximum(3.0, 0.5 * base_ranks[name])
        shifting = (high - low) > allowed
        out["shifting"][name] = order[shifting].tolist()
    return out


def _estimate(graph, kept: np.ndarray):
    """Headline figures and member ranks (1 = highest, ties share the best) of the graph
    of the `kept` pairs."""
    from networkmaps.graph import kernels

    n, slot_row, slot_col, slot_pair, sources = graph
    mask = kept[slot_pair]
    indices = slot_col[mask].astype(np.int32)
    degree = np.bincount(slot_row[mask], minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    m = int(kept.sum())
    adjacency = sp.csr_matrix((np.ones(indices.shape[0]), indices, indptr), shape=(n, n))
    count, labels = connected_components(adjacency, directed=False)
    sizes = np.bincount(labels, minlength=count)
    pair_shares, distance_sum = np.zeros(n), np.zeros(n)
    inverse_sum, reached = np.zeros(n), np.zeros(n, dtype=np.int64)
    counted = np.ones(sources.shape[0], dtype=bool)
    kernels.shortest_path_sweep(
        indptr, indices, sources, counted, pair_shares, distance_sum, inverse_sum, reached
    )
    # Ranks need no scaling: the sampled betweenness sums are proportional to the estimate.
    others = (sizes[labels] - 1).astype(np.float64)
    factor = np.divide(others, reached, out=np.zeros(n), where=reached > 0)
    total = distance_sum * factor
    closeness = np.divide(others * others, total, out=np.zeros(n), where=total > 0)
    largest = largest_component(labels, sizes)
    inside = labels == largest
    reached_inside = reached[inside].sum()
    figures = {
        "ties": m,
        "density": 2.0 * m / (n * (n - 1)),
        "isolates": int((degree == 0).sum()),
        "components": int(count),
        "largest_component_share": float(sizes[largest] / n),
        "average_path_length": (
            float(distance_sum[inside].sum() / reached_inside) if reached_inside else None
        ),
    }
    ranks = {
        "degree": rankdata(-degree, method="min"),
        "betweenness": rankdata(-pair_shares, method="min"),
        "closeness": rankdata(-closeness, method="min"),
    }
    return figures, ranks
