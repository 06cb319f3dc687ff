"""Bridge suggestions: connect components, clusters or attribute groups that barely touch."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from networkmaps.graph.weaving.groupings import Grouping, grouping_by
from networkmaps.graph.weaving.network import (
    MAX_PAIRS_PER_MEMBER,
    MAX_SHARED_ISSUES,
    SHARED_ISSUE_BONUS,
    Network,
)
from networkmaps.graph.weaving.reasons import and_list, capital, counted, share
from networkmaps.graph.weaving.suggestion import Suggestion, pair_key

# "Barely touch": the share of possible pairs across two groups that are tied is less than
# half the share inside the sparser of the two, and short of it by more than chance.
MAX_DENSITY_RATIO = 0.5
MIN_EXPECTED_TIES = 4.0  # at the inside density; below this, nothing can be told apart
SIGNIFICANCE_SDS = 2.0
MAX_GROUPS = 300  # largest groups per dimension considered
CANDIDATES_PER_SIDE = 8
# Components and clusters first; then every attribute grouping of the round (standard and
# custom), in Network.dimensions order.
STRUCTURAL = ("component", "community")


@dataclass
class _BridgeGap:
    score: float
    dimension: str
    g1: int
    g2: int
    ties: int
    possible: int = 0
    inside: tuple[float, float] = (0.0, 0.0)  # tie density inside g1 and g2


def dimensions(net: Network) -> tuple[str, ...]:
    """Every grouping a bridge may cross: components, clusters, then each attribute."""
    return STRUCTURAL + tuple(net.dimensions)


def find(net: Network, limit: int, taken: set[tuple[int, int]]) -> list[Suggestion]:
    """Connect groupings that barely touch, through well-connected people on each side.

    Separate components come first (score 1–2, larger pairs higher): joining
    them shortens the most paths. Then, for any two groups of any grouping (clusters,
    cohort, sector, region, organisation, custom attributes): with n₁, n₂ members and
    density = ties / possible pairs, the pair is a gap when the density between them is
    below half the lower of the two inside densities (d₁₂ < 0.5·min(d₁, d₂)), at least
    4 ties would be there at that inside density (e = min(d₁, d₂)·n₁·n₂ ≥ 4), and the
    shortfall is beyond chance (ties ≤ e − 2√e). Score = gap · min(1, 2·√(n₁·n₂)/n),
    gap = 1 − d₁₂ / min(d₁, d₂). The pair carrying a bridge is the untied one with the
    most ties inside their own sides, with a bonus for shared issues.
    """
    if limit <= 0 or net.n < 4 or net.adj.nnz == 0:
        return []
    dims = dimensions(net)
    groupings = {dim: grouping_by(net, dim) for dim in dims}
    gaps = [gap for grouping in groupings.values() for gap in _bridge_gaps(net, grouping)]
    rank = {dim: k for k, dim in enumerate(dims)}
    gaps.sort(key=lambda g: (-round(g.score, 12), rank[g.dimension], g.g1, g.g2))
    members = {dim: _members_by_code(g.codes) for dim, g in groupings.items()}
    used: Counter[int] = Counter()
    per_dimension: Counter[str] = Counter()
    tried: set[int] = set()
    out: list[Suggestion] = []
    # The first pass leaves room for every dimension; the second fills what is left.
    for dimension_cap in (math.ceil(limit / 2), limit):
        for k, gap in enumerate(gaps):
            if len(out) == limit:
                return out
            if k in tried or per_dimension[gap.dimension] >= dimension_cap:
                continue
            tried.add(k)
            grouping = groupings[gap.dimension]
            carriers = _bridge_carriers(net, grouping, members[gap.dimension], gap, taken, used)
            if carriers is not None:
                per_dimension[gap.dimension] += 1
                out.append(_bridge_suggestion(net, grouping, gap, *carriers))
    return out


def _members_by_code(codes: np.ndarray) -> dict[int, np.ndarray]:
    known = np.flatnonzero(codes >= 0)
    order = known[np.argsort(codes[known], kind="stable")]
    splits = np.flatnonzero(np.diff(codes[order])) + 1
    return {int(codes[chunk[0]]): chunk for chunk in np.split(order, splits) if len(chunk)}


def _bridge_gaps(net: Network, grouping: Grouping) -> list[_BridgeGap]:
    n, dim, codes, sizes = net.n, grouping.dimension, grouping.codes, grouping.sizes
    k = len(sizes)
    if k < 2:
        return []
    if dim == "component":
        main = int(np.argmax(sizes))
        return [
            _BridgeGap(1.0 + 2.0 * math.sqrt(sizes[main] * sizes[c]) / n, dim, main, c, 0)
            for c in range(k)
            if c != main and sizes[c] >= 2
        ]
    top = np.lexsort((np.arange(k), -sizes))[:MAX_GROUPS]
    top = np.sort(top[sizes[top] >= 2])
    if len(top) < 2:
        return []
    local_of = np.full(k, -1, dtype=np.int64)
    local_of[top] = np.arange(len(top))
    local = np.where(codes >= 0, local_of[np.maximum(codes, 0)], -1)
    inside_members = np.flatnonzero(local >= 0)
    member_of = sp.csr_matrix(
        (np.ones(len(inside_members)), (inside_members, local[inside_members])),
        shape=(n, len(top)),
    )
    ties = (member_of.T @ net.adj @ member_of).toarray()
    size = sizes[top].astype(float)
    inside = np.diag(ties) / 2.0 / np.maximum(size * (size - 1) / 2.0, 1.0)
    first, second = np.triu_indices(len(top), k=1)
    possible = size[first] * size[second]
    between = ties[first, second]
    lower = np.minimum(inside[first], inside[second])
    expected = lower * possible
    keep = (
        (expected >= MIN_EXPECTED_TIES)
        & (between < MAX_DENSITY_RATIO * expected)
        & (between <= expected - SIGNIFICANCE_SDS * np.sqrt(expected))
    )
    if dim == "community":
        # Communities in different components are the component bridge's job.
        home = np.zeros(len(top), dtype=np.int64)
        home[local[inside_members]] = net.components()[inside_members]
        keep &= home[first] == home[second]
    out = []
    for k in np.flatnonzero(keep).tolist():
        a, b = int(first[k]), int(second[k])
        gap = 1.0 - between[k] / expected[k]
        score = gap * min(1.0, 2.0 * math.sqrt(size[a] * size[b]) / n)
        out.append(
            _BridgeGap(
                score, dim, int(top[a]), int(top[b]), int(between[k]), int(possible[k]),
                (float(inside[a]), float(inside[b])),
            )
        )  # fmt: skip
    return out


def _bridge_carriers(
    net: Network,
    grouping: Grouping,
    members: dict[int, np.ndarray],
    gap: _BridgeGap,
    taken: set[tuple[int, int]],
    used: Counter[int],
) -> tuple[int, int] | None:
    """The open pair, one per side, with the most ties inside their own sides."""
    inner = grouping.inner

    def best(code: int) -> list[int]:
        group = members[code]
        group = group[[used[i] < MAX_PAIRS_PER_MEMBER for i in group.tolist()]]
        order = np.lexsort((net.ids[group], -inner[group]))
        return group[order][:CANDIDATES_PER_SIDE].tolist()

    options = []
    for i in best(gap.g1):
        for j in best(gap.g2):
            if net.open_pair(i, j, taken):
                shared = min(len(net.shared_issues(i, j)), MAX_SHARED_ISSUES)
                value = (1 + inner[i]) * (1 + inner[j]) * (1 + SHARED_ISSUE_BONUS * shared)
                options.append((-value, net.pair(i, j), i, j))
    if not options:
        return None
    _, _, i, j = min(options)
    used[i] += 1
    used[j] += 1
    taken.add(pair_key(i, j))
    return i, j


def _bridge_suggestion(
    net: Network, grouping: Grouping, gap: _BridgeGap, i: int, j: int
) -> Suggestion:
    dim = gap.dimension
    l1, l2 = grouping.labels[gap.g1], grouping.labels[gap.g2]
    s1, s2 = int(grouping.sizes[gap.g1]), int(grouping.sizes[gap.g2])
    d1, d2 = int(grouping.inner[i]), int(grouping.inner[j])
    issues = net.shared_issues(i, j)
    also = f"; both list {and_list(issues)}" if issues else ""
    if dim == "component":
        reason = (
            f"{capital(l2)} ({counted(s2, 'person', 'people')}) has no tie at all to {l1} "
            f"({counted(s1, 'person', 'people')}). {net.name(i)} has {counted(d1, 'tie')} in "
            f"{l1} and {net.name(j)} {counted(d2, 'tie')} in the separate group{also}; "
            "introducing them would connect the two."
        )
    else:
        linked = (
            "are not linked by any tie"
            if gap.ties == 0
            else f"are linked by only {counted(gap.ties, 'tie')}"
        )
        reason = (
            f"{capital(l1)} ({counted(s1, 'person', 'people')}) and {l2} "
            f"({counted(s2, 'person', 'people')}) {linked}: {share(gap.ties / gap.possible)} "
            f"of the {gap.possible:,} possible pairs across them, against "
            f"{share(gap.inside[0])} inside {l1} and {share(gap.inside[1])} inside {l2}. "
            f"{net.name(i)} has {counted(d1, 'tie')} inside {l1} and {net.name(j)} "
            f"{counted(d2, 'tie')} inside {l2}{also}; an introduction between them would "
            "carry the bridge."
        )
    return Suggestion(
        kind="bridge",
        members=net.pair(i, j),
        score=float(gap.score),
        reason=reason,
        facts={
            "dimension": dim,
            "groups": [grouping.values[gap.g1], grouping.values[gap.g2]],
            "group_labels": [l1, l2],
            "group_sizes": [s1, s2],
            "ties_between": gap.ties,
            "possible_between": gap.possible,
            "density_between": gap.ties / gap.possible if gap.possible else 0.0,
            "density_inside": list(gap.inside),
            "carriers": [net.member(i), net.member(j)],
            "carrier_inner_ties": [d1, d2],
            "shared_issue_areas": issues,
        },
    )
