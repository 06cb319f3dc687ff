"""The convening mixer: tables where people who do not know each other meet."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from networkmaps.graph.mixer import (
    _Seating,
    hard_conflicts,
    mix_rotations,
    mix_score,
    mix_summary,
    mix_tables,
    table_sizes,
)


def convening(attendees: int = 120, *, seed: int = 0):
    """Attendees listed cluster by cluster, as a registration export would be."""
    rng = np.random.default_rng(seed)
    community = {v: v // 12 for v in range(attendees)}
    ties = set()
    for a in range(attendees):
        for b in range(a + 1, attendees):
            same = community[a] == community[b]
            if rng.random() < (0.6 if same else 0.01):
                ties.add((a, b))
    groups = {
        "cohort": {v: ["Fellows 2019", "Fellows 2020", "Fellows 2021"][v % 3] for v in range(120)},
        "sector": {v: ["health", "housing", "education", "arts"][(v // 3) % 4] for v in range(120)},
    }
    return list(range(attendees)), ties, groups, community


def naive_chunks(attendees, size):
    return [attendees[i : i + size] for i in range(0, len(attendees), size)]


@pytest.fixture(scope="module")
def seated():
    attendees, ties, groups, community = convening()
    tables = mix_tables(
        attendees=attendees, table_size=8, ties=ties, groups=groups, communities=community
    )
    return attendees, ties, groups, community, tables


def test_every_attendee_is_seated_exactly_once(seated):
    attendees, *_, tables = seated
    seats = [p for table in tables for p in table]
    assert sorted(seats) == sorted(attendees)


def test_tables_are_full_and_differ_by_at_most_one(seated):
    attendees, *_, tables = seated
    sizes = [len(t) for t in tables]
    assert len(tables) == math.ceil(len(attendees) / 8)
    assert max(sizes) <= 8 and max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("count, size", [(300, 8), (10, 4), (9, 8), (17, 5), (16, 8), (1, 6)])
def test_table_sizes_balance_seats(count, size):
    sizes = table_sizes(count, size)
    assert sum(sizes) == count
    assert len(sizes) == math.ceil(count / size)
    assert max(sizes) <= size and max(sizes) - min(sizes) <= 1


def test_mixing_beats_seating_people_in_registration_order(seated):
    attendees, ties, groups, community, tables = seated
    kwargs = {"ties": ties, "groups": groups, "communities": community}
    naive = naive_chunks(attendees, 8)
    assert mix_score(tables=tables, **kwargs) > mix_score(tables=naive, **kwargs)
    mixed, chunked = mix_summary(tables=tables, **kwargs), mix_summary(tables=naive, **kwargs)
    assert mixed["new_pairs"] > chunked["new_pairs"]
    assert mixed["cross_community_pairs"] > chunked["cross_community_pairs"]


def test_no_table_holds_more_than_its_share_of_a_cohort_or_sector(seated):
    _, _, groups, _, tables = seated
    for dim in ("cohort", "sector"):
        share = Counter(groups[dim].values())
        for table in tables:
            counts = Counter(groups[dim][p] for p in table)
            for value, count in counts.items():
                assert count <= math.ceil(share[value] / 120 * len(table))


def test_mixing_is_deterministic_per_seed(seated):
    attendees, ties, groups, community, tables = seated
    again = mix_tables(
        attendees=list(reversed(attendees)),
        table_size=8,
        ties={(b, a) for a, b in ties},
        groups=groups,
        communities=community,
    )
    assert mix_score(tables=again, ties=ties, groups=groups, communities=community) == (
        mix_score(tables=tables, ties=ties, groups=groups, communities=community)
    )
    assert (
        mix_tables(
            attendees=attendees, table_size=8, ties=ties, groups=groups, communities=community
        )
        == tables
    )


def test_mix_score_counts_new_and_cross_community_pairs_and_over_share_seats():
    groups = {"cohort": {1: "A", 2: "A", 3: "B", 4: "B"}, "sector": {}}
    tables = [[1, 2], [3, 4]]
    summary = mix_summary(tables=tables, ties={(2, 1)}, groups=groups, communities={1: 0, 2: 1})
    # Two pairs: (1, 2) tied, (3, 4) new; (1, 2) cross-community, (3, 4) unknown counts as
    # cross; each table holds 2 of a cohort whose fair share of 2 seats is 1.
    assert summary == {
        "pairs": 2,
        "new_pairs": 1,
        "cross_community_pairs": 2,
        "over_share_seats": 2,
        "tied_pairs": 1,
        "same_organisation_pairs": 0,
        "repeated_pairs": 0,
        "people": 4,
        "without_familiar_face": 2,
    }
    # Each over-share seat costs 3 × the largest table (2 seats), a tied pair 50 × it.
    assert mix_score(tables=tables, ties={(1, 2)}, groups=groups, communities={1: 0, 2: 1}) == (
        1 + 0.5 * 2 - 3 * 2 * 2 - 50 * 2
    )


def test_a_swaps_gain_is_the_change_in_mix_score():
    attendees, ties, groups, community = convening(48, seed=5)
    groups = {dim: {p: v for p, v in values.items() if p % 5} for dim, values in groups.items()}
    seating = _Seating(attendees, 6, ties, groups, community, seed=0)
    kwargs = {"ties": ties, "groups": groups, "communities": community}
    rng = np.random.default_rng(0)
    for _ in range(60):
        a, b = (int(x) for x in rng.choice(len(attendees), 2, replace=False))
        if seating.table_of[a] == seating.table_of[b]:
            continue
        before = mix_score(tables=seating.tables(), **kwargs)
        gain = seating.gain(a, b)
        seating.swap(a, b)
        assert mix_score(tables=seating.tables(), **kwargs) - before == pytest.approx(gain)


def test_three_hundred_attendees_at_tables_of_eight_are_all_seated():
    # How long this takes is measured in bench/weaving_pure.py, not asserted here.
    rng = np.random.default_rng(3)
    attendees = list(range(1000, 1300))
    ties = {(int(a), int(b)) for a, b in rng.integers(1000, 1300, (1500, 2)) if a != b}
    groups = {
        "cohort": {p: f"Fellows {2015 + p % 9}" for p in attendees},
        "sector": {p: f"sector {p % 7}" for p in attendees},
    }
    communities = {p: (p * 7) % 23 for p in attendees}
    tables = mix_tables(
        attendees=attendees, table_size=8, ties=ties, groups=groups, communities=communities
    )
    assert sorted(p for t in tables for p in t) == attendees
    assert {len(t) for t in tables} == {7, 8}


def test_small_and_odd_inputs():
    assert mix_tables(attendees=[], table_size=8, ties=set(), groups={}) == []
    assert mix_tables(attendees=[5, 3], table_size=8, ties=set(), groups={}) == [[3, 5]]
    tables = mix_tables(attendees=list(range(9)), table_size=8, ties=set(), groups={})
    assert sorted(len(t) for t in tables) == [4, 5]
    with pytest.raises(ValueError, match="attendee 3 is listed twice"):
        mix_tables(attendees=[3, 4, 3], table_size=2, ties=set(), groups={})
    with pytest.raises(ValueError, match="table_size"):
        mix_tables(attendees=[1, 2], table_size=1, ties=set(), groups={})


# --- strangers at every table, several rotations (issue 16) -------------------------------


def event(attendees: int = 120, *, seed: int = 0):
    """A convening with ties inside clusters and organisations of two to six people."""
    people, ties, groups, community = convening(attendees, seed=seed)
    rng = np.random.default_rng(seed + 1)
    organisations, org = {}, 0
    order = [int(p) for p in rng.permutation(people)]
    while order:
        size = int(rng.integers(2, 7))
        for p in order[:size]:
            organisations[p] = f"Org {org}"
        order, org = order[size:], org + 1
    return people, ties, groups, community, organisations


def test_three_rotations_meet_every_hard_constraint_when_they_can():
    people, ties, groups, community, organisations = event()
    rotations = mix_rotations(
        attendees=people,
        table_size=8,
        ties=ties,
        groups=groups,
        organisations=organisations,
        communities=community,
        rotations=3,
    )
    assert len(rotations) == 3
    for tables in rotations:
        assert sorted(p for t in tables for p in t) == people
    assert hard_conflicts(rotations=rotations, ties=ties, organisations=organisations) == []
    # Checked independently of hard_conflicts: no tie, organisation or pair twice.
    seen = set()
    for tables in rotations:
        for table in tables:
            for i, a in enumerate(table):
                for b in table[i + 1 :]:
                    pair = (min(a, b), max(a, b))
                    assert pair not in ties and pair not in seen
                    assert organisations[a] != organisations[b]
                    seen.add(pair)


def test_an_impossible_constraint_is_reported_not_hidden():
    # Five colleagues from one organisation and only two tables: three must share.
    people = list(range(8))
    organisations = {p: "Same Org" if p < 5 else f"Org {p}" for p in people}
    rotations = mix_rotations(
        attendees=people, table_size=4, ties=set(), groups={}, organisations=organisations
    )
    conflicts = hard_conflicts(rotations=rotations, ties=set(), organisations=organisations)
    # The best seating splits them 3 + 2: four same-organisation pairs, and no more.
    assert [c.reason for c in conflicts] == ["organisation"] * 4
    assert all(c.a < 5 and c.b < 5 for c in conflicts)


def test_a_familiar_face_seats_everyone_who_knows_someone_with_one_of_them():
    people, ties, groups, community, organisations = event(96, seed=2)
    rotations = mix_rotations(
        attendees=people,
        table_size=8,
        ties=ties,
        groups=groups,
        organisations=organisations,
        communities=community,
        rotations=2,
        familiar_face=True,
    )
    conflicts = hard_conflicts(
        rotations=rotations, ties=ties, organisations=organisations, familiar_face=True
    )
    # The search is local: a late rotation may leave the odd person without a familiar face
    # (no pair may sit together twice), and says who.
    assert all(c.reason == "no familiar face" and c.rotation == 1 for c in conflicts)
    assert len(conflicts) <= 2
    known = {p for pair in ties for p in pair}
    for table in rotations[0]:
        for p in set(table) & known:
            assert any((min(p, q), max(p, q)) in ties for q in table if q != p)


def test_guests_who_are_not_members_are_seated_and_kept_from_their_colleagues():
    people = list(range(1, 21))
    guests = [-1, -2, -3]
    organisations = {p: f"Org {p % 7}" for p in people} | {-1: "Org 1", -2: "Visitors"}
    rotations = mix_rotations(
        attendees=people + guests,
        table_size=5,
        ties=set(),
        groups={},
        organisations=organisations,
        rotations=2,
    )
    seats = [p for table in rotations[0] for p in table]
    assert sorted(seats) == sorted(people + guests)
    assert hard_conflicts(rotations=rotations, ties=set(), organisations=organisations) == []


def test_a_swaps_gain_is_the_change_in_the_full_score():
    people, ties, groups, community, organisations = event(48, seed=5)
    met = {(p, p + 1) for p in range(0, 48, 3)}
    for familiar in (False, True):
        seating = _Seating(
            people, 6, ties, groups, community, 0,
            organisations=organisations, met=met, familiar_face=familiar,
        )  # fmt: skip
        kwargs = {
            "ties": ties,
            "groups": groups,
            "communities": community,
            "organisations": organisations,
            "met": met,
            "familiar_face": familiar,
        }
        rng = np.random.default_rng(1)
        for _ in range(60):
            a, b = (int(x) for x in rng.choice(len(people), 2, replace=False))
            if seating.table_of[a] == seating.table_of[b]:
                continue
            before = mix_score(tables=seating.tables(), **kwargs)
            gain = seating.gain(a, b)
            seating.swap(a, b)
            assert mix_score(tables=seating.tables(), **kwargs) - before == pytest.approx(gain)
