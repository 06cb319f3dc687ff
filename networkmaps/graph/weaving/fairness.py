"""Fair by construction: which ranked introductions make the queue, and the exposure audit.

Two rules, applied to the pair suggestions of all kinds ranked together:

- no member is in more than K suggestions (K = the program's "max open suggestions per
  member", default 3);
- on every grouping the program marks as a divide, each group's share of the suggested
  people (distinct members named in a suggestion, counting only members whose value is
  known) stays within ±BAND (10 percentage points) of its share of eligible members.

The pick is greedy in rank order under the K cap, then repaired by swaps: while a group
is outside its band, the lowest-ranked suggestion that feeds an over-represented group is
replaced by the best-ranked unused one that does not (or the best one naming a member of
an under-represented group goes in for the lowest-ranked one that does not). Each swap
moves one group towards its band; a swapped-out suggestion never comes back, so the
repair ends. Pure: no Django.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

BAND = 0.10
MAX_OPEN_PER_MEMBER = 3


@dataclass(frozen=True)
class Exposure:
    """One group's share of eligible members and of suggested people, on one divide."""

    dimension: str
    group: str
    eligible: int
    eligible_share: float
    suggested: int
    suggested_share: float

    @property
    def within(self) -> bool:
        return abs(self.suggested_share - self.eligible_share) <= BAND + 1e-9

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "group": self.group,
            "eligible": self.eligible,
            "eligible_share": self.eligible_share,
            "suggested": self.suggested,
            "suggested_share": self.suggested_share,
            "within": self.within,
        }


def exposure_audit(
    *,
    pairs: list[tuple[int, int]],
    eligible: list[int],
    groups: dict[str, dict[int, Any]],
    divides: list[str],
) -> list[Exposure]:
    """Per divide and group: share of eligible members against share of suggested people."""
    people = {m for pair in pairs for m in pair}
    out = []
    for dim in divides:
        values = groups.get(dim, {})
        base = Counter(values[m] for m in eligible if values.get(m) is not None)
        shown = Counter(values[m] for m in people if values.get(m) is not None)
        total, suggested = sum(base.values()), sum(shown.values())
        for group in sorted(base, key=str):
            out.append(
                Exposure(
                    dimension=dim,
                    group=str(group),
                    eligible=base[group],
                    eligible_share=base[group] / total,
                    suggested=shown[group],
                    suggested_share=shown[group] / suggested if suggested else 0.0,
                )
            )
    return out


def fair_pick(
    ranked: list[tuple[int, int]],
    *,
    target: int,
    eligible: list[int],
    groups: dict[str, dict[int, Any]],
    divides: list[str],
    max_per_member: int = MAX_OPEN_PER_MEMBER,
    already: Counter[int] | None = None,
    kinds: list[str] | None = None,
    kind_caps: dict[str, int] | None = None,
) -> list[int]:
    """Positions in ``ranked`` (pairs, best first) of the fair queue of up to ``target``.

    ``already`` counts open suggestions members have outside this pick (e.g. requests),
    which the K cap includes. ``kinds`` (per pair) and ``kind_caps`` keep each kind to at
    most its share, so one plentiful kind cannot crowd out the rest. Returned positions
    are in rank order.
    """
    load: Counter[int] = Counter(already or {})
    kinds = kinds or [""] * len(ranked)
    caps = Caps(kinds, kind_caps or {})
    chosen: list[int] = []
    for k, (a, b) in enumerate(ranked):
        if len(chosen) == target:
            break
        if load[a] < max_per_member and load[b] < max_per_member and caps.room(k):
            chosen.append(k)
            caps.add(k)
            load[a] += 1
            load[b] += 1
    dropped: set[int] = set()
    for _ in range(4 * len(ranked)):
        audit = exposure_audit(
            pairs=[ranked[k] for k in chosen], eligible=eligible, groups=groups, divides=divides
        )
        outside = [e for e in audit if not e.within]
        if not outside:
            break
        # The group furthest outside its band is repaired first.
        worst = max(outside, key=lambda e: abs(e.suggested_share - e.eligible_share))
        move = _swap(ranked, chosen, dropped, load, worst, groups, max_per_member, caps)
        if move is None:
            outside.remove(worst)
            moved = False
            for other in sorted(outside, key=lambda e: -abs(e.suggested_share - e.eligible_share)):
                if _swap(ranked, chosen, dropped, load, other, groups, max_per_member, caps):
                    moved = True
                    break
            if not moved:
                break
    return sorted(chosen)


class Caps:
    """How many of each kind are chosen, against the kind's cap (no cap: unlimited)."""

    def __init__(self, kinds: list[str], caps: dict[str, int]):
        self.kinds, self.caps, self.count = kinds, caps, Counter()

    def room(self, k: int, instead_of: int | None = None) -> bool:
        kind = self.kinds[k]
        if kind not in self.caps or (instead_of is not None and self.kinds[instead_of] == kind):
            return True
        return self.count[kind] < self.caps[kind]

    def add(self, k: int) -> None:
        self.count[self.kinds[k]] += 1

    def remove(self, k: int) -> None:
        self.count[self.kinds[k]] -= 1


def _swap(
    ranked, chosen, dropped, load, worst: Exposure, groups, max_per_member, caps: Caps
) -> bool | None:
    values = groups.get(worst.dimension, {})

    def feeds(k: int) -> bool:
        return any(values.get(m) is not None and str(values[m]) == worst.group for m in ranked[k])

    over = worst.suggested_share > worst.eligible_share
    in_use = set(chosen)
    # Over: take out a suggestion that feeds the group, put in one that does not.
    # Under: put in one that feeds it, take out one that does not.
    outs = [k for k in reversed(chosen) if feeds(k) == over]
    ins = [
        k for k in range(len(ranked)) if k not in in_use and k not in dropped and feeds(k) != over
    ]
    for k_out in outs:
        a_out, b_out = ranked[k_out]
        for k_in in ins:
            a, b = ranked[k_in]
            room = Counter(load)
            room[a_out] -= 1
            room[b_out] -= 1
            fits = room[a] < max_per_member and room[b] < max_per_member
            if fits and caps.room(k_in, instead_of=k_out):
                chosen.remove(k_out)
                chosen.append(k_in)
                caps.remove(k_out)
                caps.add(k_in)
                dropped.add(k_out)
                load[a_out] -= 1
                load[b_out] -= 1
                load[a] += 1
                load[b] += 1
                return True
    return None
