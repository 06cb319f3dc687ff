"""Stable force-directed map coordinates (pure: no Django).

Coordinates live in the fixed box [-BOX, BOX]² so every consumer (the
WebGL map, the poster, exports) can scale them without knowing the graph.

A fresh layout (no ``previous``):

1. each connected component is laid out on its own with igraph's
   Fruchterman–Reingold (exact O(n²) forces up to ``EXACT_MAX`` nodes,
   igraph's grid approximation above that) and rescaled so the median
   distance to a nearest neighbour is one unit, so every component is drawn
   at the same density;
2. components are packed as circles, largest in the middle, the rest
   spiralling around it, so the picture uses the space;
3. isolates sit on rings just outside the packed components, not flung
   to the far edge of the canvas;
4. everything is scaled to fill the box.

With ``previous`` (the last round's positions) known people start where
they were and a short, cooled run nudges them: igraph's per-vertex bounds
keep each within ``STABLE_STEP`` of the box width per axis, and after
fitting away any overall growth no one moves more than ``MAX_DISPLACEMENT``
(4.2% of the box width). New people start at their placed neighbours'
centroid and move freely; new isolates take the widest gaps on the outer
ring and wholly new components are fitted into free space. Only if those
new pieces cannot fit inside the box is the whole map scaled down to make
room, which can move people further.
"""

from __future__ import annotations

import math
import random

import igraph as ig
import numpy as np

from networkmaps.graph.layout.box import BOX, EXACT_MAX, MAX_DISPLACEMENT, STABLE_STEP
from networkmaps.graph.layout.follow import follow_previous
from networkmaps.graph.layout.fresh import fit_box, fresh_layout

__all__ = ["BOX", "EXACT_MAX", "MAX_DISPLACEMENT", "STABLE_STEP", "compute_layout"]


def compute_layout(
    *,
    nodes: list[int],
    edges: list[tuple[int, int]],
    previous: dict[int, tuple[float, float]] | None = None,
    seed: int = 0,
) -> dict[int, tuple[float, float]]:
    """Return ``{node: (x, y)}`` inside [-BOX, BOX]² for every node.

    Edges are treated as undirected; self-ties and repeats are ignored. The
    result depends only on the arguments (same input in any order, same
    picture). ``previous`` may hold people who have since left, or
    positions that are not finite numbers; both are ignored.
    """
    # Sorted, so the picture does not depend on the order rows came back in.
    order = sorted(nodes)
    index = {node: i for i, node in enumerate(order)}
    if len(index) != len(nodes):
        raise ValueError("nodes contains duplicates")
    pairs = set()
    for a, b in edges:
        if a not in index or b not in index:
            raise ValueError(f"edge ({a}, {b}) names a node that is not in nodes")
        ia, ib = index[a], index[b]
        if ia != ib:
            pairs.add((ia, ib) if ia < ib else (ib, ia))
    if not nodes:
        return {}
    graph = ig.Graph(n=len(nodes), edges=sorted(pairs))

    ig.set_random_number_generator(random.Random(seed))
    try:
        before = {
            node: p
            for node, p in (previous or {}).items()
            if node in index and len(p) == 2 and all(map(math.isfinite, p))
        }
        known = [i for i, node in enumerate(order) if node in before]
        if known:
            prev = np.array([before[order[i]] for i in known], dtype=float)
            positions = follow_previous(graph, known, prev, np.random.default_rng(seed))
        else:
            positions = fit_box(fresh_layout(graph))
    finally:
        # igraph's default generator is the `random` module itself.
        ig.set_random_number_generator(random)

    return {
        node: (round(float(x), 2), round(float(y), 2))
        for node, (x, y) in zip(order, positions, strict=True)
    }
