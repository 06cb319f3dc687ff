"""What a new tie would change: the effect of introducing two members (pure, no Django).

For a pair (i, j) of a round's network, before → after adding the tie i–j:

- two-step reach of i and of j: the other members within two steps;
- average distance between connected pairs, and how many pairs become connected;
- whether the tie joins two separate parts (components) or two clusters (communities),
  and how many ties the two clusters have between them now;
- E-I index per grouping, of the whole network and of i's and j's groups:
  (external − internal) / (external + internal) over ties whose two ends have known values.

Distances come from breadth-first searches: exact (every source) up to EXACT_LIMIT
members, else from SAMPLE_SOURCES sources drawn with a fixed seed plus i and j (the
average is then an estimate, and ``exact`` says so). A new tie i–j shortens s→t to
min(d(s,t), d(s,i) + 1 + d(j,t), d(s,j) + 1 + d(i,t)), so the searches from i and j give
every source's "after" row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path

EXACT_LIMIT = 1500
SAMPLE_SOURCES = 256


def tie_effect(
    adj: sp.csr_matrix,
    i: int,
    j: int,
    *,
    groups: dict[str, np.ndarray] | None = None,
    communities: np.ndarray | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The effect of adding the tie i–j to the symmetric 0/1 adjacency ``adj``.

    ``groups``: grouping name → per-index code (-1 unknown). ``communities``: per-index
    cluster (-1 unknown). Indices are rows of ``adj``. Returns plain JSON-able data."""
    n = adj.shape[0]
    if i == j or not (0 <= i < n and 0 <= j < n):
        raise ValueError("a new tie needs two different members of the network")
    adj = adj.tocsr()
    already = bool(adj[i, j])
    from_pair = shortest_path(adj, unweighted=True, directed=False, indices=[i, j])
    d_i, d_j = from_pair
    out: dict[str, Any] = {"already_tied": already, "distance": _finite(d_i[j])}

    def reach(row: np.ndarray, me: int) -> int:
        return int(((row <= 2) & (np.arange(n) != me)).sum())

    after_i = np.minimum(d_i, 1 + d_j)
    after_j = np.minimum(d_j, 1 + d_i)
    out["reach_two_steps"] = {
        "before": [reach(d_i, i), reach(d_j, j)],
        "after": [reach(after_i, i), reach(after_j, j)],
    }

    if n <= EXACT_LIMIT:
        sources = np.arange(n)
        exact = True
    else:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(n, SAMPLE_SOURCES, replace=False))
        exact = False
    before = shortest_path(adj, unweighted=True, directed=False, indices=sources)
    after = np.minimum(
        before,
        np.minimum(before[:, [i]] + 1 + d_j[None, :], before[:, [j]] + 1 + d_i[None, :]),
    )
    off_diagonal = sources[:, None] != np.arange(n)[None, :]
    was = np.isfinite(before) & off_diagonal
    now = np.isfinite(after) & off_diagonal
    mean_before = float(before[was].mean()) if was.any() else None
    mean_after = float(after[now].mean()) if now.any() else None
    changed = float((before[was] - after[was]).sum())
    # Sampled rows stand for n sources; each unordered pair appears twice in n × n.
    scale = n / len(sources)
    out["average_distance"] = {
        "before": mean_before,
        "after": mean_after,
        "exact": exact,
        "sources": int(len(sources)),
        "pairs_closer": int(round(((before[was] > after[was]).sum()) * scale / 2)),
        "steps_saved": changed * scale / 2,
    }

    parts, label = connected_components(adj, directed=False)
    sizes = np.bincount(label)
    joins = bool(label[i] != label[j])
    out["joins_parts"] = joins
    out["newly_connected_pairs"] = int(sizes[label[i]] * sizes[label[j]]) if joins else 0
    out["parts"] = {"before": int(parts), "after": int(parts - joins)}

    if communities is not None and communities[i] >= 0 and communities[j] >= 0:
        ci, cj = int(communities[i]), int(communities[j])
        rows, cols = adj.nonzero()
        between = int(
            (((communities[rows] == ci) & (communities[cols] == cj)) & (rows < cols)).sum()
            + (((communities[rows] == cj) & (communities[cols] == ci)) & (rows < cols)).sum()
        )
        out["clusters"] = {
            "different": ci != cj,
            "ties_between": between if ci != cj else None,
        }
        out["joins_clusters"] = bool(ci != cj and between == 0)
    out["e_i"] = {name: _e_i_change(adj, codes, i, j) for name, codes in (groups or {}).items()}
    return out


def _e_i_change(adj: sp.csr_matrix, codes: np.ndarray, i: int, j: int) -> dict[str, Any]:
    upper = sp.triu(adj, k=1).tocoo()
    r, c = upper.row, upper.col
    known = (codes[r] >= 0) & (codes[c] >= 0)
    r, c = r[known], c[known]
    external = codes[r] != codes[c]

    def index(e: int, i_: int) -> float | None:
        return (e - i_) / (e + i_) if e + i_ else None

    e, inner = int(external.sum()), int((~external).sum())
    out: dict[str, Any] = {"network": {"before": index(e, inner)}}
    if codes[i] < 0 or codes[j] < 0:
        out["network"]["after"] = out["network"]["before"]
        out["crosses"] = None
        return out
    crosses = bool(codes[i] != codes[j])
    out["crosses"] = crosses
    out["network"]["after"] = index(e + crosses, inner + (not crosses))
    for side, g in (("first", int(codes[i])), ("second", int(codes[j]))):
        touches = (codes[r] == g) | (codes[c] == g)
        g_e = int((touches & external).sum())
        g_i = int((touches & ~external).sum())
        out[side] = {
            "group_code": g,
            "before": index(g_e, g_i),
            "after": index(g_e + crosses, g_i + (not crosses)),
        }
    return out


def _finite(value: float) -> int | None:
    return None if np.isinf(value) else int(value)
