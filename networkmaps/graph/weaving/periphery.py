"""Periphery suggestions: someone well placed to bring in a member with zero or one tie."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from networkmaps.graph.weaving.network import MAX_PAIRS_PER_MEMBER, MAX_SHARED_ISSUES, Network
from networkmaps.graph.weaving.reasons import and_list, counted
from networkmaps.graph.weaving.suggestion import Suggestion, pair_key

WEIGHTS = {"organisation": 2.0, "cohort": 2.0, "sector": 1.0, "region": 1.0}
COMMUNITY_WEIGHT = 1.0
ISSUE_WEIGHT = 1.0
RECRUITERS_PER_GROUP = 10


def find(
    net: Network, limit: int, taken: set[tuple[int, int]], hubs: list[int]
) -> list[Suggestion]:
    """For members with zero or one tie, a well-connected member who shares something.

    A recruiter is well connected and shares an organisation, cohort,
    sector, region, community or issue area with the peripheral member. Value
    = affinity (WEIGHTS, +1 per shared issue up to 3, +1 for the
    same community) × (0.5 + 0.5·log(1+deg)/log(1+max deg)); isolates count
    double. Hubs are not asked: the network already leans on them too much.
    Recruiters need at least the median degree of connected members (and 2).
    Members sharing nothing with anyone get no suggestion: there is no fact
    to give staff.
    """
    if limit <= 0 or net.n < 2:
        return []
    peripheral = np.flatnonzero(net.degree <= 1)
    connected = net.degree[net.degree > 0]
    floor = max(2.0, float(np.median(connected))) if len(connected) else 2.0
    able = np.setdiff1d(np.flatnonzero(net.degree >= floor), hubs)
    if not len(peripheral) or not len(able):
        return []
    pools: dict[tuple, list[int]] = {}
    # The best-connected few per shared trait are the only plausible recruiters.
    for i in able[np.lexsort((net.ids[able], -net.degree[able]))].tolist():
        for key in _traits(net, i):
            pool = pools.setdefault(key, [])
            if len(pool) < RECRUITERS_PER_GROUP:
                pool.append(i)
    log_top = math.log1p(int(net.degree.max()))
    ranked = []
    for p in peripheral.tolist():
        options = []
        for r in sorted({r for key in _traits(net, p) for r in pools.get(key, ())}):
            if not net.open_pair(p, r, taken):
                continue
            shared, issues, same_community = _shared_traits(net, p, r)
            affinity = (
                sum(WEIGHTS[dim] for dim in shared)
                + ISSUE_WEIGHT * min(len(issues), MAX_SHARED_ISSUES)
                + COMMUNITY_WEIGHT * same_community
            )
            value = affinity * (0.5 + 0.5 * math.log1p(int(net.degree[r])) / log_top)
            options.append((-value, net.member(r), r))
        if options:
            urgency = 2.0 if net.degree[p] == 0 else 1.0
            options.sort()
            ranked.append((urgency * -options[0][0], net.member(p), p, urgency, options))
    ranked.sort(key=lambda x: (-round(x[0], 12), x[1]))
    used: Counter[int] = Counter()
    out = []
    for _, _, p, urgency, options in ranked:
        if len(out) == limit:
            break
        for negative_value, _, r in options:
            if used[r] < MAX_PAIRS_PER_MEMBER:
                used[r] += 1
                taken.add(pair_key(p, r))
                out.append(_periphery_suggestion(net, p, r, urgency * -negative_value))
                break
    return out


def _traits(net: Network, i: int) -> list[tuple]:
    keys: list[tuple] = [(dim, int(net.codes[dim][i])) for dim in WEIGHTS if net.codes[dim][i] >= 0]
    community = int(net.community[i])
    if community >= 0 and net.community_size[community] >= 2:
        keys.append(("community", community))
    keys.extend(("issue", area) for area in net.issues[i])
    return keys


def _shared_traits(net: Network, p: int, r: int) -> tuple[dict[str, str], list[str], bool]:
    shared = {
        dim: net.values[dim][p]
        for dim in WEIGHTS
        if net.codes[dim][p] >= 0 and net.codes[dim][p] == net.codes[dim][r]
    }
    community = int(net.community[p])
    same_community = (
        community >= 0 and community == net.community[r] and net.community_size[community] >= 2
    )
    return shared, net.shared_issues(p, r), bool(same_community)


def _periphery_suggestion(net: Network, p: int, r: int, score: float) -> Suggestion:
    shared, issues, same_community = _shared_traits(net, p, r)
    contacts = net.neighbours(p).tolist()
    who, recruiter = net.name(p), net.name(r)
    if contacts:
        situation = f"{who} has only one tie (to {net.name(contacts[0])})."
    else:
        situation = f"{who} has no ties in the network yet."
    traits = [f"{dim} ({value})" for dim, value in shared.items()]
    if issues:
        traits.append(f"interest in {and_list(issues)}")
    offer = [f"shares {who}'s {and_list(traits)}"] if traits else []
    if same_community:
        offer.append("is in the same cluster")
    reason = (
        f"{situation} {recruiter} {' and '.join(offer)}. With ties to "
        f"{counted(int(net.degree[r]), 'person', 'people')}, {recruiter} is well placed to "
        f"bring {who} in."
    )
    return Suggestion(
        kind="periphery",
        members=net.pair(p, r),
        score=score,
        reason=reason,
        facts={
            "member_id": net.member(p),
            "degree": int(net.degree[p]),
            "contact_ids": [net.member(c) for c in contacts],
            "recruiter_id": net.member(r),
            "recruiter_degree": int(net.degree[r]),
            "shared": shared,
            "shared_issue_areas": issues,
            "same_community": same_community,
        },
        subject=net.member(p),
    )
