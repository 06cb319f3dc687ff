"""Round-level summaries that sit beside the metrics: what changed since the previous round,
how many ties cross groups, and what each community has in common. Pure; no Django.

Ties come merged, one per pair: `MergedGraph.pair_strengths()` (graph/input.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

UNNAMED_GROUPINGS = ("organisation",)


def tie_changes(previous: dict[tuple[int, int], int], current: dict[tuple[int, int], int]):
    """Counts of merged ties that appeared, disappeared, got stronger or weaker."""
    common = previous.keys() & current.keys()
    return {
        "ties_new": len(current.keys() - previous.keys()),
        "ties_lost": len(previous.keys() - current.keys()),
        "ties_strengthened": sum(current[p] > previous[p] for p in common),
        "ties_weakened": sum(current[p] < previous[p] for p in common),
    }


def cross_group_ties(
    pairs: dict[tuple[int, int], int], groups: dict[str, dict[int, str | None]]
) -> dict[str, int]:
    """For each grouping, how many merged ties join members with different known values."""
    counts = {}
    for name, values in groups.items():
        crossing = 0
        for a, b in pairs:
            va, vb = values.get(a), values.get(b)
            if va and vb and va != vb:
                crossing += 1
        counts[f"cross_{name}_ties"] = crossing
    return counts


def round_changes(
    before: dict[tuple[int, int], int] | None,
    after: dict[tuple[int, int], int],
    groups: dict[str, dict[int, str | None]],
) -> dict[str, dict[str, int]]:
    """What a round's network gained and lost since the one `before` it, and how many ties
    cross groups in each: the one place a metric run and the round report get them.

    `before`/`after` are merged ties ({(low, high): strength}); `before` None means there
    is no earlier round, so "changes" and "cross_before" are empty.
    """
    return {
        "changes": tie_changes(before, after) if before is not None else {},
        "cross_before": cross_group_ties(before, groups) if before is not None else {},
        "cross_after": cross_group_ties(after, groups),
    }


def comparable_changes(
    before: dict[tuple[int, int], int],
    after: dict[tuple[int, int], int],
    *,
    answered_before: Iterable[int] | None,
    answered_after: Iterable[int] | None,
) -> dict[str, int]:
    """New, lost, unchanged, stronger and weaker ties among the pairs whose change can be
    seen, and how many tied pairs could not be compared.

    A pair is comparable when at least one of its two members answered in both rounds
    (`answered_*` None: everybody answered that round). A tie between two people who did
    not both answer twice may have "ended" only because nobody was asked about it; it is
    counted in `ties_not_comparable` (pairs tied in either round) instead of new or lost.
    """
    if answered_before is None and answered_after is None:
        both = None
    else:
        sets = [set(a) for a in (answered_before, answered_after) if a is not None]
        both = set.intersection(*sets)
    pairs = before.keys() | after.keys()
    comparable = pairs if both is None else {p for p in pairs if p[0] in both or p[1] in both}
    seen_before = {p: before[p] for p in comparable if p in before}
    seen_after = {p: after[p] for p in comparable if p in after}
    counts = tie_changes(seen_before, seen_after)
    counts["ties_unchanged"] = len(seen_before.keys() & seen_after.keys())
    counts["ties_not_comparable"] = len(pairs) - len(comparable)
    return counts


def community_labels(
    communities: dict[int, int], groups: dict[str, dict[int, str | None]], *, max_parts: int = 2
) -> dict[int, tuple[int, str]]:
    """community index → (size, label naming its most distinctive attribute values).

    Every grouping in `groups` counts (cohort, sector, region and custom `attr:<key>`
    ones) except organisation: labels travel onto anonymised maps and exports, where a
    cluster named after one organisation would point at its people. For each value, its
    share inside the community is compared with its share in the whole network (lift =
    share inside / share overall); values held by at least half the community are named,
    most distinctive first, with the share inside:
    "Hartford office (100 %) · Partners (72 %)". None qualify: "mixed".
    """
    members: dict[int, list[int]] = {}
    for node, index in communities.items():
        members.setdefault(index, []).append(node)
    total = max(len(communities), 1)
    overall = {
        name: Counter(v for v in (values.get(n) for n in communities) if v)
        for name, values in groups.items()
    }
    labels = {}
    for index, nodes in members.items():
        found = []
        for name, values in groups.items():
            if name in UNNAMED_GROUPINGS:
                continue
            inside = Counter(v for v in (values.get(n) for n in nodes) if v)
            for value, count in inside.items():
                share = count / len(nodes)
                if share * 2 < 1:
                    continue
                lift = share / (overall[name][value] / total)
                found.append((-lift, -share, name, str(value), share))
        found.sort()
        parts, used = [], set()
        for _, _, name, value, share in found:
            if name in used or len(parts) >= max_parts:
                continue
            used.add(name)
            parts.append(f"{value} ({share:.0%})".replace("%", " %"))
        labels[index] = (len(nodes), " · ".join(parts) if parts else "mixed")
    return labels


def communities_match(
    current: dict[int, int], previous: dict[int, int] | None, *, first: int = 1
) -> dict[int, int]:
    """Renumber `current` communities (member → index) for people: numbers start at
    `first`, and each community keeps the number of the previous partition's community it
    overlaps most (greedy, largest overlap first; a tie goes to the lower numbers).
    Unmatched communities get the lowest numbers nobody kept, largest first. Without a
    previous partition they are numbered in their current order (largest first).

    Returns current index → number."""
    indexes = sorted(set(current.values()))
    if not previous:
        return {index: rank for rank, index in enumerate(indexes, start=first)}
    overlap = Counter((c, previous[m]) for m, c in current.items() if m in previous)
    mapping: dict[int, int] = {}
    taken: set[int] = set()
    for (new, old), _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1])):
        if new in mapping or old in taken or old < first:
            continue
        mapping[new] = old
        taken.add(old)
    sizes = Counter(current.values())
    free = (n for n in range(first, first + len(indexes) + len(taken) + 1) if n not in taken)
    for index in sorted((i for i in indexes if i not in mapping), key=lambda i: (-sizes[i], i)):
        mapping[index] = next(free)
    return mapping
