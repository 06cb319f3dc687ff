"""Seat convening attendees so that people who do not know each other meet.

Pure code (no Django). A facilitator gives the attendees (members and guests alike are
ints), a table size, the ties between attendees, their organisations, their groups and
(optionally) their communities; ``mix_rotations`` returns one seating per rotation
(several rounds of tables in one event), ``mix_tables`` a single one.

Hard constraints, met whenever the local search can find a way (``hard_conflicts``
reports any it could not):

- no two people at one table who already have a tie (unless ``familiar_face``: then
  each person should instead find at least one person they know at their table);
- no two people at one table from the same organisation;
- no pair seated together in two rotations.

The objective (``mix_score``, higher is better) for one rotation's seating is

    new pairs + 0.5 × cross-community pairs − 3 × largest table × over-share seats
    − HARD × (tied pairs, unless familiar_face; same-organisation pairs; pairs met in an
      earlier rotation) + (familiar_face) HARD/4 × people with someone they know

- new pairs: two people at the same table who have no tie;
- cross-community pairs: two people at the same table not known to be in the
  same community (all pairs when no communities are given);
- over-share seats: for cohort and sector, how far each table goes over its
  fair share of a value, ceil(share of attendees with that value × table
  size), summed over tables and values. One swap changes at most 2 × (table
  size − 1) pairs, worth at most 3 × (table size − 1), so no swap trades a
  balanced table for more new pairs;
- HARD = 50 × the largest table, more than any swap can win on the soft terms, so a
  hard constraint is traded only for another hard constraint.

Each rotation starts from a round-robin deal ordered by cohort, sector and community
(which already spreads each group evenly), shifted per rotation so that the people who
shared a table are dealt apart. It is improved by first repairing every broken hard
constraint with the best swap for that person (up to ``REPAIR_BUDGET`` swaps weighed),
then by swapping two people at different tables (each against a seeded sample of others)
while any swap raises the score (up to ``SOFT_BUDGET``). Swaps keep table sizes, which
never differ by more than one. The search runs compiled (``mixer_search.py``) and draws
its samples from the seed exactly as ``random.sample`` would: a seed fixes the plan.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from networkmaps.graph import mixer_search

NEW_PAIR_WEIGHT = 1.0
CROSS_COMMUNITY_WEIGHT = mixer_search.CROSS_COMMUNITY_WEIGHT  # compiled into the search
OVER_SHARE_PENALTY_PER_SEAT = 3.0  # × the largest table size
HARD_PER_SEAT = 50.0  # × the largest table size: one broken hard constraint
BALANCED_DIMENSIONS = ("cohort", "sector")
MAX_PASSES = 25
SAMPLE = 120  # partners tried per person in a soft pass, once the tables are large
# Swaps weighed per rotation once the hard constraints are met: keeps 500 people at three
# rotations within seconds (bench/mixer_bench.py) and, being a count, the result repeatable.
SOFT_BUDGET = 250_000
# Swaps weighed per rotation while repairing hard constraints. Events up to 1,000 people
# at three rotations weigh under a million (bench/mixer_bench.py); 2,000 at tables of 30
# over five rotations would weigh 31 million (13 s) for rules mostly no seating can keep.
REPAIR_BUDGET = 4_000_000


@dataclass(frozen=True)
class Conflict:
    """A hard constraint the seating could not meet: who, where, and why."""

    rotation: int  # 0-based
    table: int  # 0-based, in the order the rotation's tables are returned
    a: int
    b: int  # == a for "no familiar face"
    reason: str  # "tie" | "organisation" | "seated together before" | "no familiar face"


def table_sizes(count: int, table_size: int) -> list[int]:
    """Sizes of the fewest tables of at most ``table_size`` seats, differing by at most one."""
    if table_size < 1:
        raise ValueError(f"table_size must be at least 1, got {table_size}")
    if count == 0:
        return []
    tables = math.ceil(count / table_size)
    base, extra = divmod(count, tables)
    return [base + 1] * extra + [base] * (tables - extra)


def mix_rotations(
    *,
    attendees: list[int],
    table_size: int,
    ties: set[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    organisations: dict[int, str | None] | None = None,
    communities: dict[int, int] | None = None,
    rotations: int = 1,
    familiar_face: bool = False,
    seed: int = 0,
) -> list[list[list[int]]]:
    """One seating per rotation, each maximising ``mix_score`` given the ones before it.

    The same attendees, ties, groups and seed give the same tables, whatever the order
    of the lists. Tables come largest first, people sorted by id."""
    if table_size < 2:
        raise ValueError(f"table_size must be at least 2, got {table_size}")
    if rotations < 1:
        raise ValueError(f"rotations must be at least 1, got {rotations}")
    seen: set[int] = set()
    for person in attendees:
        if person in seen:
            raise ValueError(f"attendee {person} is listed twice")
        seen.add(person)
    if not attendees:
        return [[] for _ in range(rotations)]
    met: set[tuple[int, int]] = set()
    out = []
    for rotation in range(rotations):
        state = _Seating(
            attendees,
            table_size,
            ties,
            groups,
            communities or {},
            seed + rotation,
            organisations=organisations or {},
            met=met,
            familiar_face=familiar_face,
            rotation=rotation,
        )
        state.improve()
        tables = state.tables()
        out.append(tables)
        met |= set(_pairs(tables))
    return out


def mix_tables(
    *,
    attendees: list[int],
    table_size: int,
    ties: set[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    communities: dict[int, int] | None = None,
    organisations: dict[int, str | None] | None = None,
    familiar_face: bool = False,
    seed: int = 0,
) -> list[list[int]]:
    """Seat every attendee exactly once, maximising ``mix_score`` (one rotation)."""
    return mix_rotations(
        attendees=attendees,
        table_size=table_size,
        ties=ties,
        groups=groups,
        organisations=organisations,
        communities=communities,
        familiar_face=familiar_face,
        seed=seed,
    )[0]


def _pairs(tables: list[list[int]]):
    for table in tables:
        for k, a in enumerate(table):
            for b in table[k + 1 :]:
                yield (min(a, b), max(a, b))


def mix_score(
    *,
    tables: list[list[int]],
    ties: Iterable[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    communities: dict[int, int] | None = None,
    organisations: dict[int, str | None] | None = None,
    met: Iterable[tuple[int, int]] = (),
    familiar_face: bool = False,
) -> float:
    """The objective ``mix_rotations`` maximises for one rotation (module docstring)."""
    summary = mix_summary(
        tables=tables,
        ties=ties,
        groups=groups,
        communities=communities,
        organisations=organisations,
        met=met,
    )
    largest = max((len(table) for table in tables), default=0)
    hard = HARD_PER_SEAT * largest
    score = (
        NEW_PAIR_WEIGHT * summary["new_pairs"]
        + CROSS_COMMUNITY_WEIGHT * summary["cross_community_pairs"]
        - OVER_SHARE_PENALTY_PER_SEAT * largest * summary["over_share_seats"]
        - hard * (summary["same_organisation_pairs"] + summary["repeated_pairs"])
    )
    if familiar_face:
        score += hard / 4 * (summary["people"] - summary["without_familiar_face"])
    else:
        score -= hard * summary["tied_pairs"]
    return score


def mix_summary(
    *,
    tables: list[list[int]],
    ties: Iterable[tuple[int, int]],
    groups: dict[str, dict[int, str | None]],
    communities: dict[int, int] | None = None,
    organisations: dict[int, str | None] | None = None,
    met: Iterable[tuple[int, int]] = (),
) -> dict[str, int]:
    """The parts of ``mix_score``: pairs seated together, new, cross-community, over share,
    tied, same-organisation, seated together before, and people with nobody they know."""
    tied = {(min(a, b), max(a, b)) for a, b in ties}
    before = {(min(a, b), max(a, b)) for a, b in met}
    communities = communities or {}
    organisations = organisations or {}
    everyone = [p for table in tables for p in table]
    shares = {
        dim: _shares(groups.get(dim, {}).get(p) for p in everyone) for dim in BALANCED_DIMENSIONS
    }
    pairs = new = cross = over = same_org = repeated = 0
    knows: set[int] = set()
    for table in tables:
        for k, a in enumerate(table):
            for b in table[k + 1 :]:
                pair = (min(a, b), max(a, b))
                pairs += 1
                if pair in tied:
                    knows.update(pair)
                else:
                    new += 1
                ca, cb = communities.get(a), communities.get(b)
                cross += ca is None or cb is None or ca != cb
                oa = organisations.get(a)
                same_org += oa is not None and oa == organisations.get(b)
                repeated += pair in before
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
        "tied_pairs": pairs - new,
        "same_organisation_pairs": same_org,
        "repeated_pairs": repeated,
        "people": len(everyone),
        "without_familiar_face": len(everyone) - len(knows),
    }


def hard_conflicts(
    *,
    rotations: list[list[list[int]]],
    ties: Iterable[tuple[int, int]],
    organisations: dict[int, str | None] | None = None,
    familiar_face: bool = False,
) -> list[Conflict]:
    """Every hard constraint the seatings break, in rotation and table order."""
    tied = {(min(a, b), max(a, b)) for a, b in ties}
    organisations = organisations or {}
    seated = {p for tables in rotations for table in tables for p in table}
    sociable = {p for pair in tied if pair[0] in seated and pair[1] in seated for p in pair}
    met: set[tuple[int, int]] = set()
    out = []
    for r, tables in enumerate(rotations):
        for t, table in enumerate(tables):
            knows: set[int] = set()
            for k, a in enumerate(table):
                for b in table[k + 1 :]:
                    pair = (min(a, b), max(a, b))
                    if pair in tied:
                        knows.update(pair)
                        if not familiar_face:
                            out.append(Conflict(r, t, *pair, "tie"))
                    org = organisations.get(a)
                    if org is not None and org == organisations.get(b):
                        out.append(Conflict(r, t, *pair, "organisation"))
                    if pair in met:
                        out.append(Conflict(r, t, *pair, "seated together before"))
            if familiar_face:
                # Only someone who knows anyone attending can be seated with a familiar face.
                lonely = [p for p in table if p not in knows and p in sociable]
                out.extend(Conflict(r, t, p, p, "no familiar face") for p in lonely)
        met |= set(_pairs(tables))
    return out


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
    """A seating in index space with the counts that make a swap's effect cheap to know
    (as arrays: networkmaps/graph/mixer_search.py does the search, compiled).

    ``cost[i, t]`` is the weight of i's conflicts with the people at table t: 1 for a tie
    (a pair that is not new), plus HARD for a tie that may not share a table, a shared
    organisation or a pair seated together in an earlier rotation."""

    def __init__(
        self,
        attendees,
        table_size,
        ties,
        groups,
        communities,
        seed,
        *,
        organisations=None,
        met=frozenset(),
        familiar_face=False,
        rotation=0,
    ):
        # Sorted so that the seating depends on who comes, not on list order.
        self.people = sorted(attendees)
        n = len(self.people)
        index = {p: i for i, p in enumerate(self.people)}
        self.sizes = table_sizes(n, table_size)
        largest = max(self.sizes)
        self.hard = HARD_PER_SEAT * largest
        self.familiar_face = familiar_face
        self.over_share_penalty = OVER_SHARE_PENALTY_PER_SEAT * largest

        weights: dict[tuple[int, int], float] = {}

        def add(a: int, b: int, weight: float) -> None:
            if a != b and a in index and b in index:
                key = (min(index[a], index[b]), max(index[a], index[b]))
                weights[key] = weights.get(key, 0.0) + weight

        tie_pairs = {(min(a, b), max(a, b)) for a, b in ties if a != b}
        tied: list[tuple[int, int]] = []
        for a, b in tie_pairs:
            if a in index and b in index:
                tied.append((index[a], index[b]))
                add(a, b, NEW_PAIR_WEIGHT + (0.0 if familiar_face else self.hard))
        by_org: dict[str, list[int]] = {}
        for p in self.people:
            org = (organisations or {}).get(p)
            if org is not None:
                by_org.setdefault(org, []).append(p)
        for members in by_org.values():
            for k, a in enumerate(members):
                for b in members[k + 1 :]:
                    add(a, b, self.hard)
        for a, b in met:
            add(a, b, self.hard)
        self.w_ptr, self.w_idx, self.w_val = _csr(n, list(weights), list(weights.values()))
        self.tie_ptr, self.tie_idx, _ = _csr(n, tied, [1.0] * len(tied))

        # Unknown community (-1): matches nobody, not even another unknown.
        community_codes: dict[int, int] = {}
        self.community = np.array(
            [
                community_codes.setdefault(c, len(community_codes)) if c is not None else -1
                for c in (communities.get(p) for p in self.people)
            ],
            dtype=np.int64,
        )

        t = len(self.sizes)
        dims: list[list[int]] = []  # per dimension: value code per person (-1 unknown)
        caps: list[list[list[int]]] = []  # per dimension, table, value: fair share
        for dim in BALANCED_DIMENSIONS:
            values = [groups.get(dim, {}).get(p) for p in self.people]
            distinct = sorted({v for v in values if v is not None})
            code = {v: k for k, v in enumerate(distinct)}
            dims.append([code[v] if v is not None else -1 for v in values])
            shares = _shares(values)
            caps.append([[_fair_share(shares[v], size) for v in distinct] for size in self.sizes])
        width = max(1, *(len(c[0]) for c in caps))
        self.dims = np.array(dims, dtype=np.int64).reshape(len(dims), n)
        self.caps = np.zeros((len(caps), t, width), dtype=np.int64)
        for d, per_table in enumerate(caps):
            for table, row in enumerate(per_table):
                self.caps[d, table, : len(row)] = row

        rng = random.Random(seed)
        jitter = list(range(n))
        rng.shuffle(jitter)
        # An unknown community sorts as a code of its own per person, as it always has.
        own = [int(c) if c >= 0 else -1 - i for i, c in enumerate(self.community)]
        order = sorted(range(n), key=lambda i: (*(codes[i] for codes in dims), own[i], jitter[i]))
        self.table_of = np.zeros(n, dtype=np.int64)
        self.members = np.full((t, largest), -1, dtype=np.int64)
        self.place = np.zeros(n, dtype=np.int64)
        filled = [0] * t
        # Dealing a sorted list round-robin gives each table an even slice of every cohort,
        # and table k gets one of the extra seats when k < n mod t. Each rotation shifts
        # the deal by row, so people dealt to one table before are dealt to different ones.
        for k, i in enumerate(order):
            row, col = divmod(k, t)
            table = (col + rotation * row) % t if k < (n // t) * t else col
            self.table_of[i] = table
            self.members[table, filled[table]] = i
            self.place[i] = filled[table]
            filled[table] += 1
        rows = np.repeat(np.arange(n), np.diff(self.w_ptr))
        self.cost = np.zeros((n, t))
        np.add.at(self.cost, (rows, self.table_of[self.w_idx]), self.w_val)
        rows = np.repeat(np.arange(n), np.diff(self.tie_ptr))
        self.tie_count = np.zeros((n, t), dtype=np.int64)
        np.add.at(self.tie_count, (rows, self.table_of[self.tie_idx]), 1)
        self.community_count = np.zeros((t, max(1, len(community_codes))), dtype=np.int64)
        known = self.community >= 0
        np.add.at(self.community_count, (self.table_of[known], self.community[known]), 1)
        self.value_count = np.zeros_like(self.caps)
        for d in range(len(dims)):
            coded = self.dims[d] >= 0
            np.add.at(self.value_count[d], (self.table_of[coded], self.dims[d][coded]), 1)
        self.rng = rng

    def _scoring(self):
        return (
            self.w_ptr, self.w_idx, self.w_val, self.tie_ptr, self.tie_idx, self.table_of,
            self.cost, self.tie_count, self.community, self.community_count, self.dims,
            self.caps, self.value_count, self.over_share_penalty, self.hard,
            self.familiar_face,
        )  # fmt: skip

    def _moving(self):
        return (
            self.w_ptr, self.w_idx, self.w_val, self.tie_ptr, self.tie_idx, self.table_of,
            self.members, self.place, self.cost, self.tie_count, self.community,
            self.community_count, self.dims,
        )  # fmt: skip

    def _searching(self):
        return (*self._moving(), self.caps, self.value_count, self.over_share_penalty,
                self.hard, self.familiar_face)  # fmt: skip

    def gain(self, a: int, b: int) -> float:
        """How much mix_score rises if a and b (at different tables) swap seats."""
        return mixer_search.swap_gain(a, b, *self._scoring())

    def swap(self, a: int, b: int) -> None:
        mixer_search.swap_seats(a, b, *self._moving(), self.value_count)

    def improve(self) -> None:
        """Repair broken hard constraints with each person's best swap, then first-improvement
        hill climbing over swaps (all partners for small events, a seeded sample for large)."""
        mixer_search.repair(MAX_PASSES, REPAIR_BUDGET, *self._searching())
        budget = SOFT_BUDGET
        for _ in range(MAX_PASSES):
            order, partners = self._soft_draws(budget)
            improved, budget = mixer_search.climb(
                order[: len(partners)], partners, budget, *self._searching()
            )
            if budget <= 0 or not improved:
                return

    def _soft_draws(self, budget: int):
        """A soft pass's order (a seeded shuffle of everyone) and each person's partners:
        everyone, in that order, for small events; else a seeded sample of SAMPLE people,
        drawn for as many people as the budget lets the pass reach. The draws are
        random.shuffle's and random.sample's on this seating's stream, number for number:
        the seed gives the plan it always gave."""
        n = len(self.people)
        order = np.empty(n, dtype=np.int64)
        if n <= SAMPLE * 2:
            reach, k = 0, 0
        else:
            reach, k = min(n, -(-budget // SAMPLE)), SAMPLE
        partners = np.empty((reach, k), dtype=np.int64)
        # random.sample's own switch between a pool and a selection set.
        set_size = 21 + (4 ** math.ceil(math.log(k * 3, 4)) if k > 5 else 0)
        pool, taken = np.empty(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
        words = 2 * (n + reach * k) + 64  # a draw takes fewer than two words on average
        state = self.rng.getstate()
        while True:
            stream = self.rng.getrandbits(32 * words).to_bytes(4 * words, "little")
            used = mixer_search.draw_pass(
                np.frombuffer(stream, dtype="<u4"), n, reach, k, set_size, order, partners,
                pool, taken,
            )  # fmt: skip
            self.rng.setstate(state)
            if used >= 0:
                break
            words *= 2
        if used:
            self.rng.getrandbits(32 * used)  # leave the stream where Python's draws would
        if n <= SAMPLE * 2:
            partners = np.tile(order, (n, 1))
        return order, partners

    def tables(self) -> list[list[int]]:
        seated = [
            sorted(self.people[i] for i in row[:size])
            for row, size in zip(self.members.tolist(), self.sizes, strict=True)
        ]
        return sorted(seated, key=lambda table: (-len(table), table[0]))


def _csr(n: int, pairs: list[tuple[int, int]], values: list[float]):
    """Symmetric CSR arrays (row pointers, sorted columns, values) for pairs i < j."""
    if pairs:
        i, j = np.array(pairs, dtype=np.int64).T
        v = np.array(values, dtype=np.float64)
    else:
        i = j = np.zeros(0, dtype=np.int64)
        v = np.zeros(0)
    rows, cols, vals = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([v, v])
    order = np.lexsort((cols, rows))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr, cols[order], vals[order]
