"""Closure suggestions: two people who share contacts but have no tie (Adamic–Adar)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from networkmaps.graph.weaving.network import (
    MAX_PAIRS_PER_MEMBER,
    MAX_SHARED_ISSUES,
    SHARED_ISSUE_BONUS,
    Network,
)
from networkmaps.graph.weaving.reasons import and_list, counted, dimension_name, issue_phrase
from networkmaps.graph.weaving.suggestion import Suggestion, pair_key

# Per divide the two are on different sides of (known values on both sides).
CROSS_DIVIDE_BOOST = 0.5
PLURALS = {"cohort": "cohorts", "sector": "sectors", "region": "regions"}
BLOCK_WORK = 2_000_000  # product entries per block of rows


def find(net: Network, limit: int, taken: set[tuple[int, int]]) -> list[Suggestion]:
    """Pairs at distance two ranked by Adamic–Adar, boosted across the program's divides.

    Adamic–Adar sums 1/log(degree) over shared contacts, so a contact who knows
    few people counts more than a hub who knows everyone. All distance-two
    pairs are scored by the sparse product A·diag(1/log d)·A, a block of rows
    at a time. score = Adamic–Adar × boost, boost = (1 + 0.5 per divide crossed: a
    grouping the program marks as a divide, ``net.divides``, where the two have known,
    different values) × (1 + 0.2 per shared issue area, up to 3).
    """
    if limit <= 0 or net.n < 3 or net.adj.nnz == 0:
        return []
    blocked = np.array(sorted(i * net.n + j for i, j in net.excluded | taken), dtype=np.int64)
    # Keeping only pairs that could make the top keeps memory flat on big networks;
    # in the rare case the pick needs a deeper pool, it is rebuilt deeper.
    for keep in (limit * 40, limit * 640, None):
        pairs = _open_pairs(net, blocked, keep)
        picks = _closure_select(net, limit, pairs)
        if picks is not None:
            break
    out = []
    for i, j, score, boost, k in picks:
        facts = {
            "adamic_adar": float(pairs.adamic_adar[k]),
            "boost": boost,
            "crossed": _crossed(net, i, j),
        }
        out.append(_closure_suggestion(net, i, j, score, facts))
        taken.add(pair_key(i, j))
    return out


@dataclass
class _OpenPairs:
    """Untied, undismissed pairs at distance two (row < col), with score bounds."""

    rows: np.ndarray
    cols: np.ndarray
    adamic_adar: np.ndarray
    org_boost: np.ndarray
    lower: np.ndarray  # score without the issue bonus
    upper: np.ndarray  # score with the largest issue bonus the two could share
    depth: float  # every pair among the `depth` best by lower bound is here


def _open_pairs(net: Network, blocked: np.ndarray, keep: int | None) -> _OpenPairs:
    n = net.n
    weight = np.zeros(n)
    many = net.degree > 1
    weight[many] = 1.0 / np.log(net.degree[many])
    weigh = sp.diags(weight)
    divide_codes = [net.codes[dim] for dim in net.divides if dim in net.codes]
    work = np.cumsum(net.adj @ net.degree.astype(float))
    cuts = np.searchsorted(work, np.arange(BLOCK_WORK, work[-1], BLOCK_WORK))
    bounds = np.unique(np.concatenate([[0], cuts, [n]]))
    parts: list[list[np.ndarray]] = []
    threshold = -math.inf
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        block = net.adj[start:stop]
        shared = (block @ weigh @ net.adj).tocsr()
        shared = (shared - shared.multiply(block)).tocsr()
        shared.eliminate_zeros()
        rows = np.repeat(np.arange(start, stop, dtype=np.int64), np.diff(shared.indptr))
        cols = shared.indices.astype(np.int64)
        # Each pair once, as (smaller index, larger index), and never a dismissed one.
        keep_pair = cols > rows
        if len(blocked):
            keep_pair &= ~np.isin(rows * n + cols, blocked)
        rows, cols, adamic_adar = rows[keep_pair], cols[keep_pair], shared.data[keep_pair]
        crossed = np.zeros(len(rows))
        for codes in divide_codes:
            crossed += (codes[rows] >= 0) & (codes[cols] >= 0) & (codes[rows] != codes[cols])
        org_boost = 1.0 + CROSS_DIVIDE_BOOST * crossed
        lower = adamic_adar * org_boost
        issues = np.minimum(net.issue_count[rows], net.issue_count[cols])
        issues = np.minimum(issues, MAX_SHARED_ISSUES)
        upper = lower * (1.0 + SHARED_ISSUE_BONUS * issues)
        parts.append([rows, cols, adamic_adar, org_boost, lower, upper])
        if keep is not None:
            lowers = np.concatenate([part[4] for part in parts])
            if len(lowers) > keep:
                threshold = max(threshold, np.partition(lowers, len(lowers) - keep)[-keep])
                parts = [[a[part[5] >= threshold] for a in part] for part in parts]
    columns = [np.concatenate([part[k] for part in parts]) for k in range(6)]
    return _OpenPairs(*columns, depth=math.inf if threshold == -math.inf else keep)


def _closure_select(net: Network, limit: int, pairs: _OpenPairs):
    """The exact greedy pick, or None when the pool is too shallow to be sure of it."""
    lower, upper = pairs.lower, pairs.upper
    if not len(lower):
        return []
    # Scoring issue overlaps for every pair is the slow part, so score only the
    # pairs that could reach the top and widen the net until the pick is exact.
    want = limit * 10
    while want <= pairs.depth:
        if want >= len(lower):
            threshold = -math.inf
            candidates = np.arange(len(lower))
        else:
            threshold = np.partition(lower, len(lower) - want)[len(lower) - want]
            candidates = np.flatnonzero(upper >= threshold)
        picks = _closure_pick(
            net, limit, pairs.rows, pairs.cols, pairs.adamic_adar, pairs.org_boost, candidates
        )
        if threshold == -math.inf or (len(picks) == limit and picks[-1][2] >= threshold):
            return picks
        want *= 4
    return None


def _closure_pick(
    net: Network,
    limit: int,
    rows: np.ndarray,
    cols: np.ndarray,
    adamic_adar: np.ndarray,
    org_boost: np.ndarray,
    candidates: np.ndarray,
) -> list[tuple[int, int, float, float, int]]:
    """Greedy top pairs by exact score, at most MAX_PAIRS_PER_MEMBER per member."""
    r, c = rows[candidates], cols[candidates]
    common_issues = np.asarray(
        net.issue_matrix[r].multiply(net.issue_matrix[c]).sum(axis=1)
    ).ravel()
    issue_boost = 1.0 + SHARED_ISSUE_BONUS * np.minimum(common_issues, MAX_SHARED_ISSUES)
    # Rounded so the facts show 1.8, not 1.7999999999999998.
    boost = np.round(org_boost[candidates] * issue_boost, 6)
    score = adamic_adar[candidates] * boost
    order = np.lexsort((net.ids[c], net.ids[r], -np.round(score, 12)))
    used: Counter[int] = Counter()
    picks = []
    for k in order:
        i, j = int(r[k]), int(c[k])
        if used[i] >= MAX_PAIRS_PER_MEMBER or used[j] >= MAX_PAIRS_PER_MEMBER:
            continue
        used[i] += 1
        used[j] += 1
        picks.append((i, j, float(score[k]), float(boost[k]), int(candidates[k])))
        if len(picks) == limit:
            break
    return picks


def _closure_suggestion(net: Network, i: int, j: int, score: float, pair_facts: dict) -> Suggestion:
    common = np.intersect1d(net.neighbours(i), net.neighbours(j))
    common = sorted(common.tolist(), key=lambda k: (-net.degree[k], net.ids[k]))
    names = [net.name(k) for k in common[:3]]
    if len(common) > 3:
        names.append(counted(len(common) - 3, "other"))
    a, b = sorted((i, j), key=lambda k: net.ids[k])
    issues = net.shared_issues(i, j)
    if len(common) == 1:
        parts = [f"{net.name(a)} and {net.name(b)} both have a tie to {names[0]}"]
    else:
        parts = [
            f"{net.name(a)} and {net.name(b)} both have ties to {len(common)} of the same "
            f"people ({and_list(names)})"
        ]
    parts[0] += " but no tie to each other"
    org_a, org_b = net.values["organisation"][a], net.values["organisation"][b]
    cohort_a, cohort_b = net.values["cohort"][a], net.values["cohort"][b]
    differ = pair_facts["crossed"]
    if "organisation" in differ:
        parts.append(f"they work at different organisations ({org_a} and {org_b})")
    for dim in differ:
        if dim != "organisation":
            what = PLURALS.get(dim) or f"{dimension_name(dim)} groups"
            va, vb = net.values[dim][a], net.values[dim][b]
            parts.append(f"they are in different {what} ({va} and {vb})")
    if issues:
        parts.append(issue_phrase(issues))
    return Suggestion(
        kind="closure",
        members=net.pair(a, b),
        score=score,
        reason="; ".join(parts) + ".",
        facts={
            "shared_contact_ids": [net.member(k) for k in common[:10]],
            "shared_contact_count": len(common),
            "adamic_adar": pair_facts["adamic_adar"],
            "boost": pair_facts["boost"],
            "different_organisations": "organisation" in pair_facts["crossed"],
            "divides_crossed": pair_facts["crossed"],
            "organisations": [org_a, org_b],
            "cohorts": [cohort_a, cohort_b],
            "shared_issue_areas": issues,
            "communities": [int(net.community[a]), int(net.community[b])],
        },
    )


def _crossed(net: Network, i: int, j: int) -> list[str]:
    """The divides on which i and j have known, different values."""
    return [
        dim
        for dim in net.divides
        if dim in net.codes
        and net.codes[dim][i] >= 0
        and net.codes[dim][j] >= 0
        and net.codes[dim][i] != net.codes[dim][j]
    ]
