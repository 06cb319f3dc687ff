"""Key-player suggestions: a small set that together reaches most of the network in two steps."""

from __future__ import annotations

import heapq

import numpy as np
import scipy.sparse as sp

from networkmaps.graph.weaving.network import Network
from networkmaps.graph.weaving.reasons import and_list, counted
from networkmaps.graph.weaving.suggestion import Suggestion

MAX_PLAYERS = 10


def find(net: Network, limit: int) -> list[Suggestion]:
    """A few people who together reach the most members within two steps.

    Greedy maximum coverage over two-step reach sets (a member reaches
    themselves, their contacts and their contacts' contacts), which is within
    1 − 1/e of the best possible set. Reach sets are the rows of the sparse
    (A + I)². Lazy evaluation: a member's gain can only shrink, so stale
    gains in the heap are upper bounds and most are never recounted. Size:
    1% of members, at least 3 and at most MAX_PLAYERS. Members without
    ties cannot pass anything on, so they are never picked.
    """
    n = net.n
    if limit <= 0 or n == 0 or net.adj.nnz == 0:
        return []
    connected = np.flatnonzero(net.degree > 0)
    size = min(MAX_PLAYERS, len(connected), max(3, round(0.01 * n)))
    step = (net.adj + sp.identity(n, format="csr")).astype(np.float32)
    reach_sets = (step @ step).tocsr()
    indptr, indices = reach_sets.indptr, reach_sets.indices
    reach_size = np.diff(indptr)
    heap = [(-int(reach_size[i]), int(net.ids[i]), i) for i in connected.tolist()]
    heapq.heapify(heap)
    covered = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    gains: list[int] = []
    while heap and len(chosen) < size and sum(gains) < len(connected):
        _, member, i = heapq.heappop(heap)
        reach = indices[indptr[i] : indptr[i + 1]]
        gain = int((~covered[reach]).sum())
        if gain == 0:
            continue
        if heap and (-gain, member) > heap[0][:2]:
            heapq.heappush(heap, (-gain, member, i))
            continue
        covered[reach] = True
        chosen.append(i)
        gains.append(gain)
    if not chosen:
        return []
    reached = int(covered.sum())
    share = reached / n
    names = and_list([net.name(i) for i in chosen])
    where = f"{share:.0%} of the network ({reached:,} of {n:,} members) within two steps."
    if len(chosen) == 1:
        # One hub can reach everyone connected: "these 1 person" would be wrong.
        reason = f"{names} alone reaches {where}"
    else:
        people = counted(len(chosen), "person", "people")
        reason = f"Together these {people} — {names} — reach {where}"
    return [
        Suggestion(
            kind="key_players",
            members=tuple(sorted(net.member(i) for i in chosen)),
            score=share,
            reason=reason,
            facts={
                "member_ids_in_order": [net.member(i) for i in chosen],
                "added_reach": gains,
                "reached": reached,
                "network_size": n,
                "share": share,
            },
        )
    ]
