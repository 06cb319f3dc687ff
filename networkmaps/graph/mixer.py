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
constraint with the best swap for that person, then by swapping two people at different
tables (each against a seeded sample of others) while any swap raises the score. Swaps
keep table sizes, which never differ by more than one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

NEW_PAIR_WEIGHT = 1.0
CROSS_COMMUNITY_WEIGHT = 0.5
OVER_SHARE_PENALTY_PER_SEAT = 3.0  # × the largest table size
HARD_PER_SEAT = 50.0  # × the largest table size: one broken hard constraint
BALANCED_DIMENSIONS = ("cohort", "sector")
MAX_PASSES = 25
SAMPLE = 120  # partners tried per person in a soft pass, once the tables are large
# Swaps weighed per rotation once the hard constraints are met: keeps 500 people at three
# rotations within seconds (bench/mixer_bench.py) and, being a count, the result repeatable.
SOFT_BUDGET = 250_000


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
    """A seating in index space with the counts that make a swap's effect cheap to know.

    ``cost[i][t]`` is the weight of i's conflicts with the people at table t: 1 for a tie
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
        self.tied: list[set[int]] = [set() for _ in range(n)]
        for a, b in tie_pairs:
            if a in index and b in index:
                self.tied[index[a]].add(index[b])
                self.tied[index[b]].add(index[a])
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
        self.weight: list[dict[int, float]] = [{} for _ in range(n)]
        for (i, j), w in weights.items():
            self.weight[i][j] = w
            self.weight[j][i] = w

        # Unknown community: a code of its own per person, so it matches nobody.
        community_codes: dict[int, int] = {}
        self.community = []
        for i, p in enumerate(self.people):
            c = communities.get(p)
            self.community.append(
                community_codes.setdefault(c, len(community_codes)) if c is not None else -1 - i
            )

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
        # Dealing a sorted list round-robin gives each table an even slice of every cohort,
        # and table k gets one of the extra seats when k < n mod t. Each rotation shifts
        # the deal by row, so people dealt to one table before are dealt to different ones.
        for k, i in enumerate(order):
            row, col = divmod(k, t)
            table = (col + rotation * row) % t if k < (n // t) * t else col
            self.table_of[i] = table
            self.members[table].append(i)
        self.cost = [[0.0] * t for _ in range(n)]
        self.tie_count = [[0] * t for _ in range(n)]
        for i in range(n):
            for j, w in self.weight[i].items():
                self.cost[i][self.table_of[j]] += w
            for j in self.tied[i]:
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
        cost_a, cost_b = self.cost[a], self.cost[b]
        both = 2 * self.weight[a].get(b, 0.0)
        fewer = cost_a[ta] + cost_b[tb] - (cost_a[tb] + cost_b[ta] - both)
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
        gain = fewer - CROSS_COMMUNITY_WEIGHT * same - self.over_share_penalty * over
        if self.familiar_face:
            gain += self.hard / 4 * self._familiar_change(a, b, ta, tb)
        return gain

    def _familiar_change(self, a: int, b: int, ta: int, tb: int) -> int:
        """Change in how many people know someone at their table, if a and b swap."""
        change = 0
        tie_count = self.tie_count
        ab = b in self.tied[a]
        # a moves to tb (where b no longer sits), b to ta.
        change += (tie_count[a][tb] - ab >= 1) - (tie_count[a][ta] >= 1)
        change += (tie_count[b][ta] - ab >= 1) - (tie_count[b][tb] >= 1)
        friends_a, friends_b = self.tied[a], self.tied[b]
        if not (tie_count[a][ta] or tie_count[a][tb] or tie_count[b][ta] or tie_count[b][tb]):
            return change  # neither has a friend at either table: nobody else is affected
        for tp, leaving, arriving in ((ta, friends_a, friends_b), (tb, friends_b, friends_a)):
            for p in self.members[tp]:
                if p in (a, b):
                    continue
                delta = (p in arriving) - (p in leaving)
                if delta:
                    old = tie_count[p][tp]
                    change += (old + delta >= 1) - (old >= 1)
        return change

    def swap(self, a: int, b: int) -> None:
        ta, tb = self.table_of[a], self.table_of[b]
        for person, old, new in ((a, ta, tb), (b, tb, ta)):
            self.table_of[person] = new
            self.members[old].remove(person)
            self.members[new].append(person)
            for j, w in self.weight[person].items():
                self.cost[j][old] -= w
                self.cost[j][new] += w
            for j in self.tied[person]:
                self.tie_count[j][old] -= 1
                self.tie_count[j][new] += 1
            c = self.community[person]
            self.community_count[old][c] -= 1
            self.community_count[new][c] = self.community_count[new].get(c, 0) + 1
            for codes, counts in zip(self.dims, self.value_count, strict=True):
                if codes[person] >= 0:
                    counts[old][codes[person]] -= 1
                    counts[new][codes[person]] += 1

    def _broken(self, i: int) -> bool:
        if self.cost[i][self.table_of[i]] >= self.hard - 1e-9:
            return True
        return self.familiar_face and self.tied[i] and not self.tie_count[i][self.table_of[i]]

    def improve(self) -> None:
        """Repair broken hard constraints with each person's best swap, then first-improvement
        hill climbing over swaps (all partners for small events, a seeded sample for large)."""
        n = len(self.people)
        everyone = list(range(n))
        for _ in range(MAX_PASSES):
            broken = [i for i in everyone if self._broken(i)]
            if not broken:
                break
            repaired = False
            for a in broken:
                if not self._broken(a):
                    continue
                best, partner = 1e-9, -1
                for b in everyone:
                    if self.table_of[a] != self.table_of[b]:
                        g = self.gain(a, b)
                        if g > best:
                            best, partner = g, b
                if partner >= 0:
                    self.swap(a, partner)
                    repaired = True
            if not repaired:
                break
        budget = SOFT_BUDGET
        for _ in range(MAX_PASSES):
            improved = False
            order = list(everyone)
            self.rng.shuffle(order)
            for a in order:
                partners = order if n <= SAMPLE * 2 else self.rng.sample(everyone, SAMPLE)
                budget -= len(partners)
                for b in partners:
                    if self.table_of[a] != self.table_of[b] and self.gain(a, b) > 1e-9:
                        self.swap(a, b)
                        improved = True
                if budget <= 0:
                    return
            if not improved:
                return

    def tables(self) -> list[list[int]]:
        seated = [sorted(self.people[i] for i in table) for table in self.members]
        return sorted(seated, key=lambda table: (-len(table), table[0]))
