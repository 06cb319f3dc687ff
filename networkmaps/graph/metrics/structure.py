"""Group structure of a round: Louvain communities, the k-core, and Gould & Fernandez
brokerage per grouping."""

from __future__ import annotations

import random

import igraph
import numpy as np

from networkmaps.graph.input import MergedGraph

CORE_MIN_SHARE = 0.2
# The periphery: isolates and members who hang on by one chain (core number 0 or 1).
PERIPHERY_MAX_CORE = 1
BROKERAGE_GROUPINGS = ("cohort", "sector", "organisation")
# Column order of kernels.brokerage_counts; ties between counts go to the earlier role.
BROKERAGE_ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")


def louvain(g: igraph.Graph, *, seed: int) -> tuple[np.ndarray, float | None]:
    """Louvain communities numbered by size (0 = largest, ties by smallest member id),
    and their modularity. Seeds igraph's random generator for the call only."""
    n = g.vcount()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = np.asarray(g.community_multilevel().membership, dtype=np.int64)
    finally:
        # igraph's default generator is the random module itself.
        igraph.set_random_number_generator(random)
    modularity = float(g.modularity(membership.tolist())) if g.ecount() else None
    if n == 0:
        return membership, modularity
    sizes = np.bincount(membership)
    first_member = np.full(sizes.shape[0], n)
    np.minimum.at(first_member, membership, np.arange(n))
    rank = np.empty(sizes.shape[0], dtype=np.int64)
    rank[np.lexsort((first_member, -sizes))] = np.arange(sizes.shape[0])
    return rank[membership], modularity


def core_threshold(core: np.ndarray) -> tuple[int | None, int]:
    """k* (largest k >= 2 whose k-core holds >= CORE_MIN_SHARE of members) and core size."""
    n = core.shape[0]
    if n == 0:
        return None, 0
    at_least = np.cumsum(np.bincount(core)[::-1])[::-1]  # at_least[k] = |k-core|
    candidates = [k for k in range(2, at_least.shape[0]) if at_least[k] >= CORE_MIN_SHARE * n]
    if not candidates:
        return None, 0
    k = max(candidates)
    return k, int(at_least[k])


def group_codes(order: np.ndarray, values: dict[int, str | None]) -> np.ndarray:
    """Integer code per member for a grouping; -1 where the member has no value."""
    raw = [values.get(member) for member in order.tolist()]
    distinct = sorted({v for v in raw if v is not None}, key=str)
    code = {v: i for i, v in enumerate(distinct)}
    return np.array([-1 if v is None else code[v] for v in raw], dtype=np.int64)


def brokerage_counts(merged: MergedGraph, groups: dict[str, dict[int, str | None]]) -> dict:
    """grouping -> (counts per role (n x 5), member has a value) for brokerage groupings."""
    from networkmaps.graph import kernels

    present = [g for g in BROKERAGE_GROUPINGS if g in groups]
    if not present:
        return {}
    out_arcs = merged.arcs()
    in_arcs = merged.arcs(transpose=True)
    result = {}
    for grouping in present:
        codes = group_codes(merged.order, groups[grouping])
        counts = kernels.brokerage_counts(
            out_arcs.indptr.astype(np.int64),
            out_arcs.indices.astype(np.int32),
            in_arcs.indptr.astype(np.int64),
            in_arcs.indices.astype(np.int32),
            codes,
        )
        result[grouping] = (counts, codes >= 0)
    return result
