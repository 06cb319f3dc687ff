"""From a round's relationship rows to the merged graph every metric runs on (no Django).

``build_graphs(graph)`` merges the ties once, with numpy, and hands out the views other
modules need: edge and arc arrays, a scipy.sparse adjacency matrix and the per-pair
strengths, all indexed by the same member order. See networkmaps.graph.metrics for the semantics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class GraphInput:
    """One round's members and relationship rows, as plain data."""

    # Every member id in the round, isolates included.
    nodes: list[int]
    # (source, target, strength 1-5, directed): one per relationship row; a pair may have
    # several rows of different relationship types.
    ties: list[tuple[int, int, int, bool]]
    # Grouping name ("cohort", "sector", "region", "organisation") -> member -> value.
    groups: dict[str, dict[int, str | None]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class MergedGraph:
    """The merged graph of a round, as numpy arrays over a fixed member order.

    Position i everywhere stands for member ``order[i]``; ``order`` is ascending.
    """

    order: np.ndarray  # member ids, ascending (int64)
    edge_u: np.ndarray  # merged undirected ties as index pairs, edge_u < edge_v,
    edge_v: np.ndarray  # sorted by (edge_u, edge_v)
    weight: np.ndarray  # max strength over the rows merged into each tie
    arc_source: np.ndarray  # directed view: directed rows one way, undirected rows both
    arc_target: np.ndarray  # ways, one arc per ordered pair, sorted
    directed_source: np.ndarray  # arcs from directed-type rows only (for reciprocity)
    directed_target: np.ndarray
    relationships: int  # input rows, self-ties included
    self_ties: int  # rows ignored because source == target
    # Grouping name -> member id -> value, as given in GraphInput.groups.
    groups: dict[str, dict[int, str | None]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.order.shape[0])

    @property
    def m(self) -> int:
        return int(self.edge_u.shape[0])

    def adjacency(self, *, weighted: bool = True) -> sp.csr_matrix:
        """Symmetric n x n adjacency (float64) in ``order``; entries = merged strength,
        or 1 when ``weighted`` is false. Column indices are sorted within each row."""
        data = self.weight.astype(np.float64) if weighted else np.ones(self.m)
        return _csr(
            np.concatenate([self.edge_u, self.edge_v]),
            np.concatenate([self.edge_v, self.edge_u]),
            self.n,
            np.concatenate([data, data]),
        )

    def arcs(self, *, transpose: bool = False) -> sp.csr_matrix:
        """The directed view as a 0/1 matrix (row = source), or its transpose."""
        if transpose:
            return _csr(self.arc_target, self.arc_source, self.n)
        return _csr(self.arc_source, self.arc_target, self.n)

    def pair_strengths(self) -> dict[tuple[int, int], int]:
        """{(low member id, high member id): merged strength}: the merged ties by member id."""
        ids = self.order
        return dict(
            zip(
                zip(ids[self.edge_u].tolist(), ids[self.edge_v].tolist(), strict=True),
                self.weight.tolist(),
                strict=True,
            )
        )


def build_graphs(graph: GraphInput) -> MergedGraph:
    """Merge ``graph.ties`` into one undirected tie per pair (weight = max strength),
    plus the directed view used for in/out-degree and brokerage.

    Raises ValueError naming the row when a tie refers to a member not in ``nodes`` or
    has a strength outside 1-5.
    """
    order = np.unique(np.asarray(graph.nodes, dtype=np.int64))
    n = int(order.shape[0])
    rows = np.asarray(graph.ties, dtype=np.int64).reshape(-1, 4)
    source = _positions(order, rows[:, 0], "source")
    target = _positions(order, rows[:, 1], "target")
    strength = rows[:, 2]
    bad = np.flatnonzero((strength < 1) | (strength > 5))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"ties[{i}]: strength {int(strength[i])} is outside 1-5")
    directed = rows[:, 3] != 0

    loop = source == target
    source, target, strength, directed = (
        source[~loop],
        target[~loop],
        strength[~loop],
        directed[~loop],
    )

    # A pair of positions (i, j) is encoded as i * n + j while merging.
    low = np.minimum(source, target)
    high = np.maximum(source, target)
    pair, inverse = np.unique(low * n + high, return_inverse=True)
    weight = np.zeros(pair.shape[0], np.int64)
    np.maximum.at(weight, inverse, strength)

    arcs = np.unique(
        np.concatenate(
            [source * n + target, target[~directed] * n + source[~directed]],
        )
    )
    directed_arcs = np.unique(source[directed] * n + target[directed])
    base = max(n, 1)
    return MergedGraph(
        order=order,
        edge_u=(pair // base).astype(np.int32),
        edge_v=(pair % base).astype(np.int32),
        weight=weight,
        arc_source=(arcs // base).astype(np.int32),
        arc_target=(arcs % base).astype(np.int32),
        directed_source=(directed_arcs // base).astype(np.int32),
        directed_target=(directed_arcs % base).astype(np.int32),
        relationships=int(rows.shape[0]),
        self_ties=int(loop.sum()),
        groups=graph.groups,
    )


def adjacency(
    graph: GraphInput | MergedGraph, *, weighted: bool = True
) -> tuple[sp.csr_matrix, list[int]]:
    """``(A, order)``: the symmetric scipy.sparse CSR adjacency of the merged graph and the
    member id of each row/column (``order[i]`` is row i, ascending ids). ``A[i, j]`` is the
    merged strength (max over relationship rows) or 1 if ``weighted`` is false."""
    merged = graph if isinstance(graph, MergedGraph) else build_graphs(graph)
    return merged.adjacency(weighted=weighted), merged.order.tolist()


def _positions(order: np.ndarray, ids: np.ndarray, field_name: str) -> np.ndarray:
    pos = np.searchsorted(order, ids)
    if order.size:
        missing = order[np.minimum(pos, order.size - 1)] != ids
    else:
        missing = np.ones(ids.shape, bool)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise ValueError(f"ties[{i}]: {field_name} member {int(ids[i])} is not in nodes")
    return pos.astype(np.int64)


def _csr(rows: np.ndarray, cols: np.ndarray, n: int, data: np.ndarray | None = None):
    """CSR matrix with sorted column indices from parallel (row, col[, value]) arrays.
    The pairs must be distinct."""
    rows = np.asarray(rows, np.int64)
    cols = np.asarray(cols, np.int64)
    sort = np.lexsort((cols, rows))
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    values = np.ones(rows.shape[0]) if data is None else np.asarray(data, np.float64)[sort]
    return sp.csr_matrix((values, cols[sort].astype(np.int32), indptr), shape=(n, n))
