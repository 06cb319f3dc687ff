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
        found = g.community_leiden(
            objective_function="modularity", initial_membership=start, n_iterations=-1
        )
    finally:
        igraph.set_random_number_generator(random)
    membership = found.membership
    return dict(zip(ids, membership, strict=True)), float(g.modularity(membership))
