"""The merged graph as weaving reads it: index space, adjacency and members' attributes.

Built from the one merged graph of the round (``networkmaps.graph.input.MergedGraph``):
weaving never merges ties itself, so its suggestions see exactly the ties the metrics saw.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from networkmaps.graph.input import MergedGraph
from networkmaps.graph.weaving.suggestion import pair_key

if TYPE_CHECKING:
    from networkmaps.graph.weaving.groupings import Grouping

ATTRIBUTES = ("organisation", "cohort", "sector", "region")

# A queue where one person appears in every row is useless: cap how often one
# member is proposed within a kind.
MAX_PAIRS_PER_MEMBER = 3

SHARED_ISSUE_BONUS = 0.2  # per shared issue area, counted up to MAX_SHARED_ISSUES
MAX_SHARED_ISSUES = 3


class Network:
    """The graph in index space (0..n-1, members sorted by id) plus attributes.

    Index i is member ``merged.order[i]``; ties are the merged ones, unweighted.
    """

    def __init__(
        self,
        merged: MergedGraph,
        people: dict[int, dict],
        communities: dict[int, int],
        exclude_pairs: set[tuple[int, int]],
    ):
        self.ids = merged.order
        self.n = n = merged.n
        ids = self.ids.tolist()
        self.index = index = {m: i for i, m in enumerate(ids)}
        self.people = people

        # Symmetric 0/1 CSR with sorted column indices: `tied` bisects its rows.
        adj = merged.adjacency(weighted=False)
        self.adj = adj
        self.degree = np.diff(adj.indptr)
        self.edge_rows = np.repeat(np.arange(n), self.degree)
        self.edge_cols = adj.indices

        self.values: dict[str, list[str | None]] = {}
        self.codes: dict[str, np.ndarray] = {}
        # The four standard groupings, then whatever else the round carries (custom
        # attributes from an import, "attr:<key>"), in a stable order.
        self.dimensions = list(ATTRIBUTES) + sorted(set(merged.groups) - set(ATTRIBUTES))
        for dim in self.dimensions:
            given = merged.groups.get(dim, {})
            values = [_clean(given[m] if m in given else people.get(m, {}).get(dim)) for m in ids]
            self.values[dim] = values
            self.codes[dim] = _codes(values)

        self.issues = [tuple(sorted(set(people.get(m, {}).get("issue_areas") or ()))) for m in ids]
        areas = sorted({a for issues in self.issues for a in issues})
        area_index = {a: k for k, a in enumerate(areas)}
        self.issue_count = np.array([len(x) for x in self.issues], dtype=np.int64)
        irows = np.repeat(np.arange(n), self.issue_count)
        icols = [area_index[a] for issues in self.issues for a in issues]
        self.issue_matrix = sp.csr_matrix(
            (np.ones(len(irows)), (irows, icols)), shape=(n, max(1, len(areas)))
        )

        self.community = np.array(
            [-1 if communities.get(m) is None else int(communities[m]) for m in ids],
            dtype=np.int64,
        )
        self.community_size = Counter(self.community.tolist())

        self.excluded = {
            pair_key(index[a], index[b])
            for a, b in exclude_pairs
            if a in index and b in index and a != b
        }
        # Groupings the program marks as divides (closure boosts crossing them, fairness
        # balances them): every grouping unless the program says otherwise.
        self.divides: list[str] = list(self.dimensions)
        self._component_labels: np.ndarray | None = None
        self.groupings: dict[str, Grouping] = {}

    def name(self, i: int) -> str:
        member = int(self.ids[i])
        return self.people.get(member, {}).get("name") or f"Member {member}"

    def member(self, i: int) -> int:
        return int(self.ids[i])

    def neighbours(self, i: int) -> np.ndarray:
        return self.adj.indices[self.adj.indptr[i] : self.adj.indptr[i + 1]]

    def tied(self, i: int, j: int) -> bool:
        row = self.neighbours(i)
        k = np.searchsorted(row, j)
        return bool(k < len(row) and row[k] == j)

    def open_pair(self, i: int, j: int, taken: set[tuple[int, int]]) -> bool:
        """Whether i and j may be suggested: untied, not dismissed, not already proposed."""
        if i == j:
            return False
        key = pair_key(i, j)
        return key not in self.excluded and key not in taken and not self.tied(i, j)

    def pair(self, i: int, j: int) -> tuple[int, int]:
        return pair_key(self.member(i), self.member(j))

    def components(self) -> np.ndarray:
        if self._component_labels is None:
            _, self._component_labels = connected_components(self.adj, directed=False)
        return self._component_labels

    def inner_degree(self, codes: np.ndarray) -> np.ndarray:
        """Ties each member has to others with the same (known) code."""
        r, c = self.edge_rows, self.edge_cols
        same = (codes[r] == codes[c]) & (codes[r] >= 0)
        return np.bincount(r[same], minlength=self.n)

    def shared_issues(self, i: int, j: int) -> list[str]:
        return sorted(set(self.issues[i]) & set(self.issues[j]))


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _codes(values: list[str | None]) -> np.ndarray:
    distinct = {v: k for k, v in enumerate(sorted({v for v in values if v is not None}))}
    return np.array([distinct[v] if v is not None else -1 for v in values], dtype=np.int64)
