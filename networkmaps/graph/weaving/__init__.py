"""Weaving suggestions: which introductions would strengthen a program's network.

Pure graph code (no Django). It takes the merged relationship graph of one
round, the node metrics and communities of its metric run and the members'
attributes, and returns ranked suggestions of five kinds. Each carries a score
(comparable within its kind), a plain-language reason built only from facts
about the network, and those facts as JSON-able data.

- closure: two people who share contacts but have no tie (Adamic–Adar).
- bridge: two people placed to connect groupings that barely touch.
- periphery: someone well placed to bring in a member with zero or one tie.
- hub_relief: two contacts of an over-relied-on hub who should meet directly.
- key_players: a small set that together reaches most of the network in two steps.

Ties are merged per unordered pair into one undirected edge, as in metrics.
A pair is suggested at most once across all kinds, never when the two people
are already tied, and never when staff dismissed it (``exclude_pairs``).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

if TYPE_CHECKING:
    from networkmaps.graph.input import GraphInput

KINDS = ("closure", "bridge", "periphery", "hub_relief", "key_players")

# Per kind: pairs to suggest (key_players: sets). Sized for a staff queue, so
# they do not grow with the network.
DEFAULT_LIMITS = {"closure": 50, "bridge": 20, "periphery": 30, "hub_relief": 20, "key_players": 1}

ATTRIBUTES = ("organisation", "cohort", "sector", "region")

# A queue where one person appears in every row is useless: cap how often one
# member is proposed within a kind.
MAX_PAIRS_PER_MEMBER = 3

CLOSURE_CROSS_ORGANISATION_BOOST = 1.5
CLOSURE_BLOCK_WORK = 2_000_000  # product entries per block of rows
SHARED_ISSUE_BONUS = 0.2  # per shared issue area, counted up to MAX_SHARED_ISSUES
MAX_SHARED_ISSUES = 3

BRIDGE_MAX_TIE_RATIO = 0.5  # observed / expected ties below this = "barely touch"
BRIDGE_MIN_EXPECTED_TIES = 2.0
BRIDGE_MAX_GROUPS = 300  # largest groups per dimension considered
BRIDGE_CANDIDATES_PER_SIDE = 8
BRIDGE_DIMENSIONS = ("component", "community", "sector", "cohort", "region")

HUB_MODIFIED_Z = 3.5  # Iglewicz & Hoaglin's outlier cut-off
HUB_SHARE_OF_TOP = 0.5
MAX_HUBS = 5
HUB_PAIRS_PER_HUB = 5
HUB_CANDIDATES = 40
HUB_MAX_CONTACTS = 3000

PERIPHERY_WEIGHTS = {"organisation": 2.0, "cohort": 2.0, "sector": 1.0, "region": 1.0}
PERIPHERY_COMMUNITY_WEIGHT = 1.0
PERIPHERY_ISSUE_WEIGHT = 1.0
PERIPHERY_RECRUITERS_PER_GROUP = 10

KEY_PLAYERS_MAX = 10


@dataclass(frozen=True)
class Suggestion:
    kind: str
    members: tuple[int, ...]
    score: float
    reason: str
    facts: dict[str, Any] = field(default_factory=dict)
    subject: int | None = None


def pair_key(a: int, b: int) -> tuple[int, int]:
    """The canonical (smaller, larger) form of an unordered pair of member ids."""
    if a == b:
        raise ValueError(f"a pair needs two different members, got {a} twice")
    return (a, b) if a < b else (b, a)


def suggest(
    *,
    graph: GraphInput,
    node_metrics: dict[int, dict],
    communities: dict[int, int],
    people: dict[int, dict],
    exclude_pairs: set[tuple[int, int]] = frozenset(),
    limits: dict[str, int] | None = None,
) -> list[Suggestion]:
    """Rank weaving suggestions of every kind for one round's network.

    Returns suggestions grouped by kind in ``KINDS`` order, each kind sorted by
    score (descending) then member ids. The same input gives the same output.
    ``limits`` overrides ``DEFAULT_LIMITS`` per kind; 0 switches a kind off.
    """
    unknown = set(limits or {}) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown suggestion kinds in limits: {sorted(unknown)}")
    limit = {**DEFAULT_LIMITS, **(limits or {})}
    net = _Network(graph, people, communities, exclude_pairs)
    betweenness = np.array(
        [float((node_metrics.get(m) or {}).get("betweenness") or 0.0) for m in net.ids.tolist()]
    )
    hubs = hub_indices(betweenness)
    taken: set[tuple[int, int]] = set()
    # Rarer, more specific kinds claim a pair first; closure has plenty of options.
    found = {
        "periphery": _periphery(net, limit["periphery"], taken, hubs),
        "hub_relief": _hub_relief(net, betweenness, hubs, limit["hub_relief"], taken),
        "bridge": _bridge(net, limit["bridge"], taken),
        "closure": _closure(net, limit["closure"], taken),
        "key_players": _key_players(net, limit["key_players"]),
    }
    return [s for kind in KINDS for s in sorted(found[kind], key=_order)]


def _order(s: Suggestion) -> tuple:
    return (-s.score, s.members)


class _Network:
    """The graph in index space (0..n-1, members sorted by id) plus attributes."""

    def __init__(
        self,
        graph: GraphInput,
        people: dict[int, dict],
        communities: dict[int, int],
        exclude_pairs: set[tuple[int, int]],
    ):
        ends = np.array([tie[:2] for tie in graph.ties], dtype=np.int64).reshape(-1, 2)
        ends = ends[ends[:, 0] != ends[:, 1]]
        self.ids = np.unique(np.concatenate([np.array(graph.nodes, dtype=np.int64), ends.ravel()]))
        self.n = n = len(self.ids)
        ids = self.ids.tolist()
        self.index = index = {m: i for i, m in enumerate(ids)}
        self.people = people

        arcs = np.searchsorted(self.ids, ends)
        rows = np.concatenate([arcs[:, 0], arcs[:, 1]])
        cols = np.concatenate([arcs[:, 1], arcs[:, 0]])
        adj = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        adj.sum_duplicates()
        adj.sort_indices()
        adj.data[:] = 1.0
        self.adj = adj
        self.degree = np.diff(adj.indptr)
        self.edge_rows = np.repeat(np.arange(n), self.degree)
        self.edge_cols = adj.indices

        self.values: dict[str, list[str | None]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for dim in ATTRIBUTES:
            given = graph.groups.get(dim, {})
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
        self._component_labels: np.ndarray | None = None
        self.groupings: dict[str, _Grouping] = {}

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


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _count(k: int, singular: str, plural: str | None = None) -> str:
    return f"{k:,} {singular if k == 1 else (plural or singular + 's')}"


def _issue_phrase(issues: list[str]) -> str:
    return f"both list {_join(issues)}" if issues else ""


# ---------------------------------------------------------------- closure


def _closure(net: _Network, limit: int, taken: set[tuple[int, int]]) -> list[Suggestion]:
    """Pairs at distance two ranked by Adamic–Adar, boosted across organisations.

    Adamic–Adar sums 1/log(degree) over shared contacts, so a contact who knows
    few people counts more than a hub who knows everyone. All distance-two
    pairs are scored by the sparse product A·diag(1/log d)·A, a block of rows
    at a time. score = Adamic–Adar × boost, boost = 1.5 across known, different
    organisations × (1 + 0.2 per shared issue area, up to 3).
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
            "cross": bool(pairs.org_boost[k] > 1),
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


def _open_pairs(net: _Network, blocked: np.ndarray, keep: int | None) -> _OpenPairs:
    n = net.n
    weight = np.zeros(n)
    many = net.degree > 1
    weight[many] = 1.0 / np.log(net.degree[many])
    weigh = sp.diags(weight)
    org = net.codes["organisation"]
    work = np.cumsum(net.adj @ net.degree.astype(float))
    cuts = np.searchsorted(work, np.arange(CLOSURE_BLOCK_WORK, work[-1], CLOSURE_BLOCK_WORK))
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
        cross = (org[rows] >= 0) & (org[cols] >= 0) & (org[rows] != org[cols])
        org_boost = np.where(cross, CLOSURE_CROSS_ORGANISATION_BOOST, 1.0)
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


def _closure_select(net: _Network, limit: int, pairs: _OpenPairs):
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
    net: _Network,
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


def _closure_suggestion(
    net: _Network, i: int, j: int, score: float, pair_facts: dict
) -> Suggestion:
    common = np.intersect1d(net.neighbours(i), net.neighbours(j))
    common = sorted(common.tolist(), key=lambda k: (-net.degree[k], net.ids[k]))
    names = [net.name(k) for k in common[:3]]
    if len(common) > 3:
        names.append(_count(len(common) - 3, "other"))
    a, b = sorted((i, j), key=lambda k: net.ids[k])
    issues = net.shared_issues(i, j)
    if len(common) == 1:
        parts = [f"{net.name(a)} and {net.name(b)} both have a tie to {names[0]}"]
    else:
        parts = [
            f"{net.name(a)} and {net.name(b)} both have ties to {len(common)} of the same "
            f"people ({_join(names)})"
        ]
    parts[0] += " but no tie to each other"
    org_a, org_b = net.values["organisation"][a], net.values["organisation"][b]
    if pair_facts["cross"]:
        parts.append(f"they work at different organisations ({org_a} and {org_b})")
    cohort_a, cohort_b = net.values["cohort"][a], net.values["cohort"][b]
    if cohort_a and cohort_b and cohort_a != cohort_b:
        parts.append(f"they are in different cohorts ({cohort_a} and {cohort_b})")
    if issues:
        parts.append(_issue_phrase(issues))
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
            "different_organisations": pair_facts["cross"],
            "organisations": [org_a, org_b],
            "cohorts": [cohort_a, cohort_b],
            "shared_issue_areas": issues,
            "communities": [int(net.community[a]), int(net.community[b])],
        },
    )


# ---------------------------------------------------------------- bridge


@dataclass
class _Grouping:
    """One way of splitting members into groups, for bridges and hub relief."""

    dimension: str
    codes: np.ndarray  # per member: group code, -1 when unknown
    values: list[Any]  # per code: what the facts call the group
    labels: list[str]  # per code: how a reason names the group
    sizes: np.ndarray
    inner: np.ndarray  # per member: ties inside their own group
    leaders: list[list[int]]  # per code: its two best-connected members
    # Per code: the label naming the runner-up, for reasons about the leader.
    runner_up_labels: list[str]

    def label(self, code: int, *, besides: int | None = None) -> str:
        """The group's label, not named after ``besides`` when it can avoid it."""
        if self.leaders[code][:1] == [besides] and self.runner_up_labels[code]:
            return self.runner_up_labels[code]
        return self.labels[code]


@dataclass
class _BridgeGap:
    score: float
    dimension: str
    g1: int
    g2: int
    ties: int
    expected: float


def _grouping(net: _Network, dim: str) -> _Grouping:
    if dim not in net.groupings:
        net.groupings[dim] = _new_grouping(net, dim)
    return net.groupings[dim]


def _new_grouping(net: _Network, dim: str) -> _Grouping:
    if dim == "component":
        codes = net.components().astype(np.int64)
        values: list[Any] = []
    elif dim == "community":
        known = net.community >= 0
        uniques, inverse = np.unique(net.community[known], return_inverse=True)
        codes = np.full(net.n, -1, dtype=np.int64)
        codes[known] = inverse
        values = [int(c) for c in uniques]
    else:
        codes = net.codes[dim]
        values = sorted({v for v in net.values[dim] if v is not None})
    k = int(codes.max()) + 1 if net.n else 0
    sizes = np.bincount(codes[codes >= 0], minlength=k)
    inner = net.inner_degree(codes)
    known_ = np.flatnonzero(codes >= 0)
    leaders: list[list[int]] = [[] for _ in range(k)]
    for i in known_[np.lexsort((net.ids[known_], -inner[known_]))].tolist():
        if len(leaders[codes[i]]) < 2:
            leaders[codes[i]].append(i)
    names = [[net.name(i) for i in top] for top in leaders]
    runner_up = [""] * k
    if dim == "component":
        main = int(np.argmax(sizes))
        values = ["main" if c == main else "separate" for c in range(k)]
        labels = [
            "the main network" if c == main else f"the separate group around {top[0]}"
            for c, top in enumerate(names)
        ]
    elif dim == "community":
        labels = [f"the cluster around {top[0]}" for top in names]
        runner_up = [f"the cluster around {top[1]}" if len(top) > 1 else "" for top in names]
    else:
        labels = [f"the {value} {dim}" for value in values]
    return _Grouping(dim, codes, values, labels, sizes, inner, leaders, runner_up)


def _bridge(net: _Network, limit: int, taken: set[tuple[int, int]]) -> list[Suggestion]:
    """Connect groupings that barely touch, through well-connected people on each side.

    Separate components come first (score 1–2, larger pairs higher): joining
    them shortens the most paths. Then any two communities, sectors, cohorts
    or regions whose ties fall below half of what the configuration model
    expects (vol₁·vol₂ / 2m) score gap · 2·√(size₁·size₂)/n (0–1), where
    gap = 1 − observed/expected. The pair carrying a bridge is the untied one
    with the most ties inside their own sides, with a bonus for shared issues.
    """
    if limit <= 0 or net.n < 4 or net.adj.nnz == 0:
        return []
    groupings = {dim: _grouping(net, dim) for dim in BRIDGE_DIMENSIONS}
    gaps = [gap for grouping in groupings.values() for gap in _bridge_gaps(net, grouping)]
    rank = {dim: k for k, dim in enumerate(BRIDGE_DIMENSIONS)}
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


def _bridge_gaps(net: _Network, grouping: _Grouping) -> list[_BridgeGap]:
    n, dim, codes, sizes = net.n, grouping.dimension, grouping.codes, grouping.sizes
    k = len(sizes)
    if k < 2:
        return []
    if dim == "component":
        main = int(np.argmax(sizes))
        return [
            _BridgeGap(1.0 + 2.0 * math.sqrt(sizes[main] * sizes[c]) / n, dim, main, c, 0, 0.0)
            for c in range(k)
            if c != main and sizes[c] >= 2
        ]
    top = np.lexsort((np.arange(k), -sizes))[:BRIDGE_MAX_GROUPS]
    top = np.sort(top[sizes[top] >= 2])
    if len(top) < 2:
        return []
    local_of = np.full(k, -1, dtype=np.int64)
    local_of[top] = np.arange(len(top))
    local = np.where(codes >= 0, local_of[np.maximum(codes, 0)], -1)
    inside = np.flatnonzero(local >= 0)
    member_of = sp.csr_matrix((np.ones(len(inside)), (inside, local[inside])), shape=(n, len(top)))
    ties = (member_of.T @ net.adj @ member_of).toarray()
    volume = np.bincount(local[inside], weights=net.degree[inside], minlength=len(top))
    expected = np.outer(volume, volume) / net.adj.nnz
    first, second = np.triu_indices(len(top), k=1)
    keep = (expected[first, second] >= BRIDGE_MIN_EXPECTED_TIES) & (
        ties[first, second] < BRIDGE_MAX_TIE_RATIO * expected[first, second]
    )
    if dim == "community":
        # Communities in different components are the component bridge's job.
        home = np.zeros(len(top), dtype=np.int64)
        home[local[inside]] = net.components()[inside]
        keep &= home[first] == home[second]
    size = sizes[top].astype(float)
    out = []
    for a, b in zip(first[keep].tolist(), second[keep].tolist(), strict=True):
        gap = 1.0 - ties[a, b] / expected[a, b]
        score = gap * min(1.0, 2.0 * math.sqrt(size[a] * size[b]) / n)
        out.append(
            _BridgeGap(score, dim, int(top[a]), int(top[b]), int(ties[a, b]), expected[a, b])
        )
    return out


def _bridge_carriers(
    net: _Network,
    grouping: _Grouping,
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
        return group[order][:BRIDGE_CANDIDATES_PER_SIDE].tolist()

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
    net: _Network, grouping: _Grouping, gap: _BridgeGap, i: int, j: int
) -> Suggestion:
    dim = gap.dimension
    l1, l2 = grouping.labels[gap.g1], grouping.labels[gap.g2]
    s1, s2 = int(grouping.sizes[gap.g1]), int(grouping.sizes[gap.g2])
    d1, d2 = int(grouping.inner[i]), int(grouping.inner[j])
    issues = net.shared_issues(i, j)
    also = f"; both list {_join(issues)}" if issues else ""
    if dim == "component":
        reason = (
            f"{_capital(l2)} ({_count(s2, 'person', 'people')}) has no tie at all to {l1} "
            f"({_count(s1, 'person', 'people')}). {net.name(i)} has {_count(d1, 'tie')} in "
            f"{l1} and {net.name(j)} {_count(d2, 'tie')} in the separate group{also}; "
            "introducing them would connect the two."
        )
    else:
        linked = (
            "are not linked by any tie"
            if gap.ties == 0
            else f"are linked by only {_count(gap.ties, 'tie')}"
        )
        reason = (
            f"{_capital(l1)} ({_count(s1, 'person', 'people')}) and {l2} "
            f"({_count(s2, 'person', 'people')}) {linked}, where about {gap.expected:.0f} would "
            f"be expected if ties ignored {dim}. {net.name(i)} has {_count(d1, 'tie')} inside "
            f"{l1} and {net.name(j)} {_count(d2, 'tie')} inside {l2}{also}; an introduction "
            "between them would carry the bridge."
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
            "expected_ties": round(float(gap.expected), 1),
            "carriers": [net.member(i), net.member(j)],
            "carrier_inner_ties": [d1, d2],
            "shared_issue_areas": issues,
        },
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- periphery


def _periphery(
    net: _Network, limit: int, taken: set[tuple[int, int]], hubs: list[int]
) -> list[Suggestion]:
    """For members with zero or one tie, a well-connected member who shares something.

    A recruiter is well connected and shares an organisation, cohort,
    sector, region, community or issue area with the peripheral member. Value
    = affinity (PERIPHERY_WEIGHTS, +1 per shared issue up to 3, +1 for the
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
            if len(pool) < PERIPHERY_RECRUITERS_PER_GROUP:
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
                sum(PERIPHERY_WEIGHTS[dim] for dim in shared)
                + PERIPHERY_ISSUE_WEIGHT * min(len(issues), MAX_SHARED_ISSUES)
                + PERIPHERY_COMMUNITY_WEIGHT * same_community
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


def _traits(net: _Network, i: int) -> list[tuple]:
    keys: list[tuple] = [
        (dim, int(net.codes[dim][i])) for dim in PERIPHERY_WEIGHTS if net.codes[dim][i] >= 0
    ]
    community = int(net.community[i])
    if community >= 0 and net.community_size[community] >= 2:
        keys.append(("community", community))
    keys.extend(("issue", area) for area in net.issues[i])
    return keys


def _shared_traits(net: _Network, p: int, r: int) -> tuple[dict[str, str], list[str], bool]:
    shared = {
        dim: net.values[dim][p]
        for dim in PERIPHERY_WEIGHTS
        if net.codes[dim][p] >= 0 and net.codes[dim][p] == net.codes[dim][r]
    }
    community = int(net.community[p])
    same_community = (
        community >= 0 and community == net.community[r] and net.community_size[community] >= 2
    )
    return shared, net.shared_issues(p, r), bool(same_community)


def _periphery_suggestion(net: _Network, p: int, r: int, score: float) -> Suggestion:
    shared, issues, same_community = _shared_traits(net, p, r)
    contacts = net.neighbours(p).tolist()
    who, recruiter = net.name(p), net.name(r)
    if contacts:
        situation = f"{who} has only one tie (to {net.name(contacts[0])})."
    else:
        situation = f"{who} has no ties in the network yet."
    traits = [f"{dim} ({value})" for dim, value in shared.items()]
    if issues:
        traits.append(f"interest in {_join(issues)}")
    offer = [f"shares {who}'s {_join(traits)}"] if traits else []
    if same_community:
        offer.append("is in the same cluster")
    reason = (
        f"{situation} {recruiter} {' and '.join(offer)}. With ties to "
        f"{_count(int(net.degree[r]), 'person', 'people')}, {recruiter} is well placed to "
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


# ---------------------------------------------------------------- hub relief


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
    hubs = np.flatnonzero((z > HUB_MODIFIED_Z) & (betweenness >= HUB_SHARE_OF_TOP * top))
    return hubs[np.argsort(-betweenness[hubs], kind="stable")][:MAX_HUBS].tolist()


def _hub_relief(
    net: _Network,
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
    per_hub = min(HUB_PAIRS_PER_HUB, math.ceil(limit / len(hubs)))
    found = []
    for h in hubs:
        found.extend(_relieve(net, h, betweenness, per_hub, taken))
    found.sort(key=_order)
    for dropped in found[limit:]:
        taken.discard(pair_key(net.index[dropped.members[0]], net.index[dropped.members[1]]))
    return found[:limit]


def _relieve(
    net: _Network, h: int, betweenness: np.ndarray, per_hub: int, taken: set[tuple[int, int]]
) -> list[Suggestion]:
    contacts = net.neighbours(h)
    if len(contacts) > HUB_MAX_CONTACTS:
        busiest = np.lexsort((net.ids[contacts], -net.degree[contacts]))[:HUB_MAX_CONTACTS]
        contacts = np.sort(contacts[busiest])
    if len(contacts) < 2:
        return []
    grouping = None
    for dim in ("community", "sector", "cohort", "region"):
        codes = _grouping(net, dim).codes[contacts]
        if len(set(codes[codes >= 0].tolist())) >= 2:
            grouping = _grouping(net, dim)
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
    candidates = busy[np.lexsort((net.ids[contacts[busy]], -load[busy]))][:HUB_CANDIDATES]
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
        }
        score = relieved * float(betweenness[h] / betweenness.max())
        out.append(_hub_suggestion(net, h, i, j, score, facts))
    return out


def _hub_suggestion(net: _Network, h: int, i: int, j: int, score: float, facts: dict) -> Suggestion:
    hub = net.name(h)
    (n1, n2), (l1, l2) = facts["contacts_in_groups"], facts["group_labels"]
    between = facts["only_through_hub_between_groups"]
    reason = (
        f"{hub} has {_count(n1, 'contact')} in {l1} and {n2:,} in {l2}; for "
        f"{_count(between, 'pair')} across the two, {hub} is the only person both know. "
        f"Introducing {net.name(i)} and "
        f"{net.name(j)} would give {_count(facts['pairs_relieved'], 'pair')} of {hub}'s contacts "
        f"a route that does not run through {hub} (of {facts['only_through_hub_total']:,} that "
        "now depend on them alone)."
    )
    return Suggestion(
        kind="hub_relief",
        members=net.pair(i, j),
        score=score,
        reason=reason,
        facts=facts,
        subject=net.member(h),
    )


# ---------------------------------------------------------------- key players


def _key_players(net: _Network, limit: int) -> list[Suggestion]:
    """A few people who together reach the most members within two steps.

    Greedy maximum coverage over two-step reach sets (a member reaches
    themselves, their contacts and their contacts' contacts), which is within
    1 − 1/e of the best possible set. Reach sets are the rows of the sparse
    (A + I)². Lazy evaluation: a member's gain can only shrink, so stale
    gains in the heap are upper bounds and most are never recounted. Size:
    1% of members, at least 3 and at most KEY_PLAYERS_MAX. Members without
    ties cannot pass anything on, so they are never picked.
    """
    n = net.n
    if limit <= 0 or n == 0 or net.adj.nnz == 0:
        return []
    connected = np.flatnonzero(net.degree > 0)
    size = min(KEY_PLAYERS_MAX, len(connected), max(3, round(0.01 * n)))
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
    names = _join([net.name(i) for i in chosen])
    reason = (
        f"Together these {_count(len(chosen), 'person', 'people')} — {names} — reach "
        f"{share:.0%} of the network ({reached:,} of {n:,} members) within two steps."
    )
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
