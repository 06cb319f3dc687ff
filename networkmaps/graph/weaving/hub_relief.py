"""Hub-relief suggestions: two contacts of an over-relied-on hub who should meet directly."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from networkmaps.graph.weaving.groupings import grouping_by
from networkmaps.graph.weaving.network import Network
from networkmaps.graph.weaving.reasons import counted
from networkmaps.graph.weaving.suggestion import Suggestion, by_rank, pair_key

MODIFIED_Z = 3.5  # Iglewicz & Hoaglin's outlier cut-off
SHARE_OF_TOP = 0.5
MAX_HUBS = 5
PAIRS_PER_HUB = 5
CANDIDATES = 40
MAX_CONTACTS = 3000


def hub_indices(betweenness: np.ndarray) -> list[int]:
    """Members the network depends on far more than the rest (indices, highest first).

    A hub's betweenness is a robust outlier — modified z-score
    0.6745·(b − median)/MAD above 3.5 (Iglewicz & Hoaglin 1993; mean absolute
    deviation ×1.2533 when MAD is 0) — and at least half the top value, so
    only the few who stand out from the other brokers count. At most MAX_HUBS.
    """
    if not len(betweenness) or betweenness.max() <= 0:
        return []
    median = np.median(betweenness)
    spread = np.abs(betweenness - median)
    mad = np.median(spread)
    if mad > 0:
        z = 0.6745 * (betweenness - median) / mad
    elif spread.mean() > 0:
        z = (betweenness - median) / (1.253314 * spread.mean())
    else:
        return []
    top = betweenness.max()
    hubs = np.flatnonzero((z > MODIFIED_Z) & (betweenness >= SHARE_OF_TOP * top))
    return hubs[np.argsort(-betweenness[hubs], kind="stable")][:MAX_HUBS].tolist()


def find(
    net: Network,
    betweenness: np.ndarray,
    hubs: list[int],
    limit: int,
    taken: set[tuple[int, int]],
) -> list[Suggestion]:
    """Pairs of a hub's contacts, in different groups, whose only shared contact is the hub.

    Groups are communities, or sectors, cohorts or regions when all the hub's
    contacts share one community. Introducing X and Y gives every pair of the
    hub's contacts that share no one but the hub, with one of them in X's
    circle and the other in Y's (circle: X plus X's ties among the hub's
    contacts), a route around the hub. score = pairs relieved × hub
    betweenness / top betweenness. Each contact appears once per hub.
    """
    if limit <= 0 or net.n < 5 or not hubs:
        return []
    per_hub = min(PAIRS_PER_HUB, math.ceil(limit / len(hubs)))
    found = []
    for h in hubs:
        found.extend(_relieve(net, h, betweenness, per_hub, taken))
    found.sort(key=by_rank)
    for dropped in found[limit:]:
        taken.discard(pair_key(net.index[dropped.members[0]], net.index[dropped.members[1]]))
    return found[:limit]


def _relieve(
    net: Network, h: int, betweenness: np.ndarray, per_hub: int, taken: set[tuple[int, int]]
) -> list[Suggestion]:
    contacts = net.neighbours(h)
    if len(contacts) > MAX_CONTACTS:
        busiest = np.lexsort((net.ids[contacts], -net.degree[contacts]))[:MAX_CONTACTS]
        contacts = np.sort(contacts[busiest])
    if len(contacts) < 2:
        return []
    grouping = None
    for dim in ("community", "sector", "cohort", "region"):
        codes = grouping_by(net, dim).codes[contacts]
        if len(set(codes[codes >= 0].tolist())) >= 2:
            grouping = grouping_by(net, dim)
            break
    if grouping is None:
        return []
    group = grouping.codes[contacts]
    rows = net.adj[contacts].astype(np.float32)
    common = (rows @ rows.T).toarray()
    tied = rows[:, contacts].toarray() > 0
    # Every pair of contacts shares the hub: a count of one means only the hub.
    only_hub = (common == 1) & ~tied
    np.fill_diagonal(only_hub, False)
    total = int(only_hub.sum()) // 2
    if total == 0:
        return []
    load = only_hub.sum(axis=1)
    busy = np.flatnonzero(load > 0)
    candidates = busy[np.lexsort((net.ids[contacts[busy]], -load[busy]))][:CANDIDATES]
    # A new tie X–Y gives every dependent pair (u, v) with u in X's circle and
    # v in Y's circle (circle = X plus X's ties among the hub's contacts) a
    # route that avoids the hub.
    circle = tied | np.eye(len(contacts), dtype=bool)
    circles = circle[:, candidates].astype(np.float32)
    gains = circles.T @ only_hub.astype(np.float32) @ circles
    options = []
    for x in range(len(candidates)):
        for y in range(x + 1, len(candidates)):
            a, b = int(candidates[x]), int(candidates[y])
            if group[a] < 0 or group[b] < 0 or group[a] == group[b]:
                continue
            i, j = int(contacts[a]), int(contacts[b])
            if gains[x, y] <= 0 or not net.open_pair(i, j, taken):
                continue
            both = circle[:, a] & circle[:, b]
            overlap = int(only_hub[np.ix_(both, both)].sum()) if both.any() else 0
            relieved = int(round(gains[x, y])) - overlap // 2
            options.append((-relieved, net.pair(i, j), a, b, relieved))
    options.sort()
    out = []
    busy_members: set[int] = set()
    for _, _, a, b, relieved in options:
        if len(out) == per_hub:
            break
        if a in busy_members or b in busy_members:
            continue
        busy_members.update((a, b))
        i, j = int(contacts[a]), int(contacts[b])
        taken.add(pair_key(i, j))
        ga, gb = int(group[a]), int(group[b])
        in_a, in_b = group == ga, group == gb
        facts = {
            "hub_id": net.member(h),
            "hub_betweenness": float(betweenness[h]),
            "dimension": grouping.dimension,
            "groups": [grouping.values[ga], grouping.values[gb]],
            "group_labels": [grouping.label(ga, besides=h), grouping.label(gb, besides=h)],
            "contacts_in_groups": [int(in_a.sum()), int(in_b.sum())],
            "only_through_hub_between_groups": int(only_hub[np.ix_(in_a, in_b)].sum()),
            "only_through_hub_total": total,
            "pairs_relieved": relieved,
            "shared_contacts": int(common[a, b]),
            "other_route_steps": _route_around(net, h, i, j),
        }
        score = relieved * float(betweenness[h] / betweenness.max())
        out.append(_hub_suggestion(net, h, i, j, score, facts))
    return out


def _route_around(net: Network, h: int, i: int, j: int) -> int | None:
    """Steps on the shortest route from i to j that avoids h (None: there is none)."""
    keep = np.ones(net.n)
    keep[h] = 0.0
    mask = sp.diags(keep)
    without = (mask @ net.adj @ mask).tocsr()
    steps = shortest_path(without, unweighted=True, directed=False, indices=i)[j]
    return None if np.isinf(steps) else int(steps)


def _hub_suggestion(net: Network, h: int, i: int, j: int, score: float, facts: dict) -> Suggestion:
    hub, x, y = net.name(h), net.name(i), net.name(j)
    (n1, n2), (l1, l2) = facts["contacts_in_groups"], facts["group_labels"]
    between = facts["only_through_hub_between_groups"]
    shared, steps = facts["shared_contacts"], facts["other_route_steps"]
    if shared == 1:
        first = f"{hub} is the only contact {x} and {y} share"
    else:
        first = f"{x} and {y} share {hub} and {counted(shared - 1, 'other contact')}"
    route = (
        "there is no other route between them"
        if steps is None
        else f"the shortest route between them that avoids {hub} is {counted(steps, 'step')}"
    )
    reason = (
        f"{first}; {route}. {hub} has {counted(n1, 'contact')} in {l1} and {n2:,} in {l2}; "
        f"for {counted(between, 'pair')} across the two, {hub} is the only contact "
        f"{'they share' if between != 1 else 'the two share'}. Introducing {x} and {y} would "
        f"give {counted(facts['pairs_relieved'], 'pair')} of {hub}'s contacts who share no one "
        f"but {hub} a new route of at most 3 steps around {hub}."
    )
    return Suggestion(
        kind="hub_relief",
        members=net.pair(i, j),
        score=score,
        reason=reason,
        facts=facts,
        subject=net.member(h),
    )
