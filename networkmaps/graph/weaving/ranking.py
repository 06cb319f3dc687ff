"""One ranked queue across kinds: structural value and chance side by side, then fairness.

Each pair suggestion gets two numbers staff see next to each other:

- value: its score as a share of the best score of its kind in this run (0–1], so the best
  closure, the best bridge and the best hub relief all stand at 1;
- chance: the estimated probability that the two form a tie by the next round (from the
  program's own history or its link-prediction model; None when neither exists yet).

priority = √(value · chance / best chance) — the geometric mean of the two on the same
0–1 footing — or the value alone when there is no chance; the queue is sorted by priority
and then cut fairly (networkmaps/graph/weaving/fairness.py). Key-player sets are not
introductions: they follow the pairs, outside the fairness pick.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from networkmaps.graph.weaving.fairness import MAX_OPEN_PER_MEMBER, exposure_audit, fair_pick
from networkmaps.graph.weaving.suggestion import Suggestion


@dataclass(frozen=True)
class Ranked:
    suggestion: Suggestion
    value: float
    chance: float | None
    priority: float


def rank_queue(
    suggestions: list[Suggestion],
    *,
    chances: dict[tuple[int, int], float] | None,
    target: int,
    eligible: list[int],
    groups: dict[str, dict[int, Any]],
    divides: list[str],
    max_per_member: int = MAX_OPEN_PER_MEMBER,
    already: Counter[int] | None = None,
    kind_caps: dict[str, int] | None = None,
) -> tuple[list[Suggestion], list[dict[str, Any]]]:
    """The queue in priority order (pairs, fairly picked, then key players) with value,
    chance and priority in each suggestion's facts; and the exposure audit of the pick."""
    best: dict[str, float] = {}
    for s in suggestions:
        best[s.kind] = max(best.get(s.kind, 0.0), s.score)
    pairs = [s for s in suggestions if s.kind != "key_players"]
    known = [c for c in (chances or {}).values() if c is not None]
    top_chance = max(known) if known else 0.0
    ranked = []
    for s in pairs:
        value = s.score / best[s.kind] if best[s.kind] > 0 else 0.0
        chance = (chances or {}).get(s.members)
        if chance is not None and top_chance > 0:
            priority = math.sqrt(max(value, 0.0) * chance / top_chance)
        else:
            priority = value
        ranked.append(Ranked(s, value, chance, priority))
    ranked.sort(key=lambda r: (-round(r.priority, 12), r.suggestion.kind, r.suggestion.members))
    picked = fair_pick(
        [r.suggestion.members for r in ranked],
        target=target,
        eligible=eligible,
        groups=groups,
        divides=divides,
        max_per_member=max_per_member,
        already=already,
        kinds=[r.suggestion.kind for r in ranked],
        kind_caps=kind_caps,
    )
    out = [_with_numbers(ranked[k]) for k in picked]
    for s in suggestions:
        if s.kind == "key_players":
            out.append(_with_numbers(Ranked(s, 1.0, None, 0.0)))
    audit = exposure_audit(
        pairs=[ranked[k].suggestion.members for k in picked],
        eligible=eligible,
        groups=groups,
        divides=divides,
    )
    return out, [e.as_dict() for e in audit]


def _with_numbers(r: Ranked) -> Suggestion:
    facts = {**r.suggestion.facts, "value": r.value, "chance": r.chance, "priority": r.priority}
    return replace(r.suggestion, facts=facts)
