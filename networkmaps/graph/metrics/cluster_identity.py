"""Clusters that stay put: a partition refined from the previous one (pure, no Django).

igraph's Louvain (``community_multilevel``) cannot start from a given membership, and a
fresh run can reshuffle half the members after a single new tie. Leiden (Traag, Waltman &
van Eck 2019) optimising the same modularity can: it starts from the previous partition
(members new since then start alone) and only moves members where modularity gains. A
metric run keeps that seeded partition when its modularity is within ``TOLERANCE`` of the
fresh Louvain one, so clusters change when the network does, not when the dice do.
"""

from __future__ import annotations

import random

import igraph
import numpy as np

from networkmaps.graph.input import MergedGraph

TOLERANCE = 0.01
# Leiden passes at most: each pass starts from the last one's partition. igraph 1.0's own
# "until stable" (n_iterations=-1) never returns on some small graphs (two ties seeded as
# [0, 1, 0, 1], a path of four seeded as one cluster), and a metric run must end.
MAX_PASSES = 50


def seeded_partition(
    merged: MergedGraph, previous: dict[int, int], *, seed: int = 0
) -> tuple[dict[int, int], float | None]:
    """(member -> community label, modularity) from Leiden started at `previous`."""
    ids = merged.order.tolist()
    labels: dict[int, int] = {}
    start = []
    for member in ids:
        label = previous.get(member)
        key = ("previous", label) if label is not None else ("new", member)
        start.append(labels.setdefault(key, len(labels)))
    edges = np.column_stack([merged.edge_u, merged.edge_v]).tolist()
    g = igraph.Graph(n=len(ids), edges=edges)
    if g.ecount() == 0:
        return dict(zip(ids, start, strict=True)), None
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = _leiden_until_stable(g, start)
    finally:
        igraph.set_random_number_generator(random)
    return dict(zip(ids, membership, strict=True)), float(g.modularity(membership))


def _leiden_until_stable(g: igraph.Graph, start: list[int]) -> list[int]:
    """Leiden passes from `start` until a pass leaves the partition as it was (labels
    aside), or MAX_PASSES."""
    membership = start
    for _ in range(MAX_PASSES):
        found = g.community_leiden(
            objective_function="modularity", initial_membership=membership, n_iterations=1
        ).membership
        if _canonical(found) == _canonical(membership):
            return found
        membership = found
    return membership


def _canonical(membership: list[int]) -> list[int]:
    """Labels renumbered by first appearance: the same partition gives the same list."""
    seen: dict[int, int] = {}
    return [seen.setdefault(label, len(seen)) for label in membership]
