"""Seat convening attendees so that people who do not know each other meet.

Pure code (no Django). A facilitator gives the attendees, a table size, the
ties between attendees, their groups and (optionally) their communities;
``mix_tables`` returns the tables.

The objective (``mix_score``, higher is better) for a seating is

    new pairs + 0.5 × cross-community pairs − 3 × largest table × over-share seats

- new pairs: two people at the same table who have no tie;
- cross-community pairs: two people at the same table not known to be in the
  same community (all pairs when no communities are given);
- over-share seats: for cohort and sector, how far each table goes over its
  fair share of a value, ceil(share of attendees with that value × table
  size), summed over tables and values. One swap changes at most 2 × (table
  size − 1) pairs, worth at most 3 × (table size − 1), so no swap trades a
  balanced table for more new pairs: a table carries more than its share of
  a cohort or sector only when that is unavoidable.

Seating starts from a round-robin deal ordered by cohort, sector and
community (which already spreads each group evenly) and improves it by
swapping two people at different tables while any swap raises the score.
Swaps keep table sizes, which never differ by more than one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

NEW_PAIR_WEIGHT = 1.0
CROSS_COMMUNITY_WEIGHT = 0.5
OVER_SHARE_PENALTY_PER_SEAT = 3.0  # × the largest table size
BALANCED_DIMENSIONS = ("cohort", "sector")
MAX_PASSES = 25


def table_sizes(count: int, table_size: int) -> list[int]:
    """Sizes of the fewest tables of at most ``table_size`` seats, differing by at most one."""
    if table_size < 1:
        raise ValueError(f"table_size must be at least 1, got {table_size}")
    if count == 0:
        return []
    tables = math.ceil(count / table_size)
    base, extra = divmod(count, tables)
    return [base + 1] * extra + [base] * (tables - extra)


def mix_tables(
    *,
    attendees: list[int],
    table_size: int,
    ties: set[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    communities: dict[int, int] | None = None,
    seed: int = 0,
) -> list[list[int]]:
    """Seat every attendee exactly once, maximising ``mix_score``.

    The same attendees, ties, groups and seed give the same tables, whatever
    the order of the lists. Tables come largest first, members sorted by id.
    """
    if table_size < 2:
        raise ValueError(f"table_size must be at least 2, got {table_size}")
    seen: set[int] = set()
    for person in attendees:
        if person in seen:
            raise ValueError(f"attendee {person} is listed twice")
        seen.add(person)
    if not attendees:
        return []
    state = _Seating(attendees, table_size, ties, groups, communities or {}, seed)
    state.improve()
    return state.tables()


def mix_score(
    *,
    tables: list[list[int]],
    ties: Iterable[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    communities: dict[int, int] | None = None,
) -> float:
    """The objective ``mix_tables`` maximises (see the module docstring)."""
    summary = mix_summary(tables=tables, ties=ties, groups=groups, communities=communities)
    largest = max((len(table) for table in tables), default=0)
    return (
        NEW_PAIR_WEIGHT * summary["new_pairs"]
        + CROSS_COMMUNITY_WEIGHT * summary["cross_community_pairs"]
        - OVER_SHARE_PENALTY_PER_SEAT * largest * summary["over_share_seats"]
    )


def mix_summary(
    *,
    tables: list[list[int]],
    ties: Iterable[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    communities: dict[int, int] | None = None,
) -> dict[str, int]:
    """The parts of ``mix_score``: pairs seated together, new, cross-community, over share."""
    tied = {(min(a, b), max(a, b)) for a, b in ties}
    communities = communities or {}
    everyone = [p for table in tables for p in table]
    shares = {
        dim: _shares(groups.get(dim, {}).get(p) for p in everyone) for dim in BALANCED_DIMENSIONS
    }
    pairs = new = cross = over = 0
    for table in tables:
        for k, a in enumerate(table):
            for b in table[k + 1 :]:
                pairs += 1
                new += (min(a, b), max(a, b)) not in tied
                ca, cb = communities.get(a), communities.get(b)
                cross += ca is None or cb is None or ca != cb
        for dim in BALANCED_DIMENSIONS:
            counts: dict[str, int] = {}
            for p in table:
                value = groups.get(dim, {}).get(p)
                if value is not None:
                    counts[value] = counts.get(value, 0) + 1
            for value, count in counts.items():
                over += max(0, count - _fair_share(shares[dim][value], len(table)))
    return {
        "pairs": pairs,
        "new_pairs": new,
        "cross_community_pairs": cross,
        "over_share_seats": over,
    }


def _shares(values: Iterable[str | None]) -> dict[str, float]:
    values = list(values)
    counts: dict[str, int] = {}
    for value in values:
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return {value: count / len(values) for value, count in counts.items()}


def _fair_share(share: float, seats: int) -> int:
    # Rounded first so 0.25 × 8 is 2, not 3 through float noise.
    return math.ceil(round(share * seats, 9))


class _Seating:
    """A seating in index space with the counts that make a swap's effect O(1)."""

    def __init__(self, attendees, table_size, ties, groups, communities, seed):
        # Sorted so that the seating depends on who comes, not on list order.
        self.people = sorted(attendees)
        n = len(self.people)
        index = {p: i for i, p in enumerate(self.people)}
        self.neighbours: list[list[int]] = [[] for _ in range(n)]
        for a, b in {(min(a, b), max(a, b)) for a, b in ties if a != b}:
            if a in index and b in index:
                self.neighbours[index[a]].append(index[b])
                self.neighbours[index[b]].append(index[a])
        self.tied_sets = [set(x) for x in self.neighbours]

        # Unknown community: a code of its own per person, so it matches nobody.
        community_codes: dict[int, int] = {}
        self.community = []
        for i, p in enumerate(self.people):
            c = communities.get(p)
            self.community.append(
                community_codes.setdefault(c, len(community_codes)) if c is not None else -1 - i
            )

        self.sizes = table_sizes(n, table_size)
        self.over_share_penalty = OVER_SHARE_PENALTY_PER_SEAT * max(self.sizes)
        t = len(self.sizes)
        self.dims: list[list[int]] = []  # per dimension: value code per person (-1 unknown)
        self.caps: list[list[list[int]]] = []  # per dimension, table, value: fair share
        for dim in BALANCED_DIMENSIONS:
            values = [groups.get(dim, {}).get(p) for p in self.people]
            distinct = sorted({v for v in values if v is not None})
            code = {v: k for k, v in enumerate(distinct)}
            self.dims.append([code[v] if v is not None else -1 for v in values])
            shares = _shares(values)
            self.caps.append(
                [[_fair_share(shares[v], size) for v in distinct] for size in self.sizes]
            )

        rng = random.Random(seed)
        jitter = list(range(n))
        rng.shuffle(jitter)
        order = sorted(
            range(n),
            key=lambda i: (*(codes[i] for codes in self.dims), self.community[i], jitter[i]),
        )
        self.table_of = [0] * n
        self.members: list[list[int]] = [[] for _ in range(t)]
        # Dealing a sorted list round-robin gives each table an even slice of
        # every cohort, and table k gets one of the extra seats when k < n mod t.
        for k, i in enumerate(order):
            self.table_of[i] = k % t
            self.members[k % t].append(i)
        self.tie_count = [[0] * t for _ in range(n)]
        for i in range(n):
            for j in self.neighbours[i]:
                self.tie_count[i][self.table_of[j]] += 1
        self.community_count: list[dict[int, int]] = [{} for _ in range(t)]
        for i in range(n):
            counts = self.community_count[self.table_of[i]]
            counts[self.community[i]] = counts.get(self.community[i], 0) + 1
        self.value_count = []
        for codes, caps in zip(self.dims, self.caps, strict=True):
            counts = [[0] * len(caps[0]) if caps else [] for _ in range(t)]
            for i, c in enumerate(codes):
                if c >= 0:
                    counts[self.table_of[i]][c] += 1
            self.value_count.append(counts)
        self.rng = rng

    def gain(self, a: int, b: int) -> float:
        """How much mix_score rises if a and b (at different tables) swap seats."""
        ta, tb = self.table_of[a], self.table_of[b]
        tie_a, tie_b = self.tie_count[a], self.tie_count[b]
        both = 2 if b in self.tied_sets[a] else 0
        fewer_tied = tie_a[ta] + tie_b[tb] - (tie_a[tb] + tie_b[ta] - both)
        ca, cb = self.community[a], self.community[b]
        same = 0
        if ca != cb:
            count_a, count_b = self.community_count[ta], self.community_count[tb]
            same = (count_b.get(ca, 0) + count_a.get(cb, 0)) - (
                count_a.get(ca, 0) - 1 + count_b.get(cb, 0) - 1
            )
        over = 0
        for codes, caps, counts in zip(self.dims, self.caps, self.value_count, strict=True):
            va, vb = codes[a], codes[b]
            if va == vb:
                continue
            for table, leaving, arriving in ((ta, va, vb), (tb, vb, va)):
                row, cap = counts[table], caps[table]
                if leaving >= 0:
                    over -= row[leaving] > cap[leaving]
                if arriving >= 0:
                    over += row[arriving] >= cap[arriving]
        return (
            NEW_PAIR_WEIGHT * fewer_tied
            - CROSS_COMMUNITY_WEIGHT * same
            - self.over_share_penalty * over
        )

    def swap(self, a: int, b: int) -> None:
        ta, tb = self.table_of[a], self.table_of[b]
        for person, old, new in ((a, ta, tb), (b, tb, ta)):
            self.table_of[person] = new
            self.members[old].remove(person)
            self.members[new].append(person)
            for j in self.neighbours[person]:
                self.tie_count[j][old] -= 1
                self.tie_count[j][new] += 1
            c = self.community[person]
            self.community_count[old][c] -= 1
            self.community_count[new][c] = self.community_count[new].get(c, 0) + 1
            for codes, counts in zip(self.dims, self.value_count, strict=True):
                if codes[person] >= 0:
                    counts[old][codes[person]] -= 1
                    counts[new][codes[person]] += 1

    def improve(self) -> None:
        """First-improvement hill climbing over all swaps, in a seeded order."""
        n = len(self.people)
        for _ in range(MAX_PASSES):
            improved = False
            order = list(range(n))
            self.rng.shuffle(order)
            for a in order:
                for b in order:
                    if self.table_of[a] != self.table_of[b] and self.gain(a, b) > 1e-9:
                        self.swap(a, b)
                        improved = True
            if not improved:
                return

    def tables(self) -> list[list[int]]:
        seated = [sorted(self.people[i] for i in table) for table in self.members]
        return sorted(seated, key=lambda table: (-len(table), table[0]))
