"""Round-level summaries that sit beside the metrics: what changed since the previous round,
how many ties cross groups, and what each community has in common. Pure; no Django.

Ties come merged, one per pair: `MergedGraph.pair_strengths()` (graph/input.py)."""

from __future__ import annotations

from collections import Counter


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


def community_labels(
    communities: dict[int, int], groups: dict[str, dict[int, str | None]], *, max_parts: int = 2
) -> dict[int, tuple[int, str]]:
    """community index → (size, label naming the values most of its members share).

    A grouping is named when at least half of the community has the same value, e.g.
    "Fellows 2021 · health"; otherwise "mixed".
    """
    members: dict[int, list[int]] = {}
    for node, index in communities.items():
        members.setdefault(index, []).append(node)
    labels = {}
    for index, nodes in members.items():
        parts = []
        for name in ("cohort", "sector", "region"):
            values = groups.get(name)
            if not values:
                continue
            common = Counter(v for v in (values.get(n) for n in nodes) if v).most_common(1)
            if common and common[0][1] * 2 >= len(nodes) and len(parts) < max_parts:
                parts.append(common[0][0])
        labels[index] = (len(nodes), " · ".join(parts) if parts else "mixed")
    return labels
