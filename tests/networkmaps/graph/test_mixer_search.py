"""The mixer's compiled search makes the plans the pure-Python search made: its seeded draws
are random.shuffle's and random.sample's, number for number, and a seed still fixes the
tables (the gain itself is checked against mix_score in test_mixer.py)."""

from __future__ import annotations

import hashlib
import json
import random

import numpy as np
import pytest

from networkmaps.graph import mixer_search
from networkmaps.graph.mixer import SAMPLE, _Seating, hard_conflicts, mix_rotations


def case(attendees: int, seed: int):
    """Clustered ties, organisations of one to six, some people of unknown cohort, sector
    or community, ids that are neither 0..n-1 nor listed in order."""
    rng = np.random.default_rng(seed)
    people = [int(p) for p in rng.permutation(np.arange(attendees) * 3 + 7)]
    cluster = {p: k // 10 for k, p in enumerate(sorted(people))}
    ties = set()
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            if rng.random() < (0.4 if cluster[a] == cluster[b] else 0.01):
                ties.add((min(a, b), max(a, b)))
    organisations = {p: f"Org {int(rng.integers(0, attendees // 3))}" for p in people}
    groups = {
        "cohort": {p: f"Fellows {p % 4}" for p in people if p % 11},
        "sector": {p: ["health", "housing", "arts"][p % 3] for p in people if p % 13},
    }
    communities = {p: cluster[p] % 6 for p in people if p % 7}
    return people, ties, organisations, groups, communities


@pytest.mark.parametrize("n", [2, 7, 240, 241, 500, 1045, 1046, 1500])
def test_a_passes_draws_are_pythons_shuffle_and_sample(n):
    # Above 2 × SAMPLE people each person gets a sample; above 1,045 random.sample
    # switches from a pool to a selection set, and so must the compiled draws.
    seating = _Seating(list(range(n)), 10 if n > 3 else 2, set(), {}, {}, 3)
    python = random.Random(3)
    python.shuffle(list(range(n)))  # the deal's jitter, drawn when the seating was made
    for budget in (250_000, 5_000, 60):
        order, partners = seating._soft_draws(budget)
        expected = list(range(n))
        python.shuffle(expected)
        assert order.tolist() == expected
        if n > 2 * SAMPLE:
            reach = min(n, -(-budget // SAMPLE))
            assert partners.tolist() == [python.sample(range(n), SAMPLE) for _ in range(reach)]
        else:
            assert partners.tolist() == [expected] * n
        assert seating.rng.getstate() == python.getstate()


# Fingerprints of the plans the pure-Python search (before it was compiled) made for these
# events with seed 4, and how many hard rules it left unmet.
BEFORE = {
    (90, 1, 6, 3, False): ("8dfe403f9ca7c548", 0),
    (90, 1, 6, 3, True): ("c04a1fc5b102af72", 35),
    (300, 2, 8, 2, False): ("4fd16c2c7fc50ea2", 0),
    (300, 2, 8, 2, True): ("04b0ef5823daa1d4", 7),
}


@pytest.mark.parametrize("event", list(BEFORE))
def test_the_compiled_search_makes_the_plans_it_always_made(event):
    attendees, seed, table_size, rotations, familiar = event
    people, ties, organisations, groups, communities = case(attendees, seed)
    plan = mix_rotations(
        attendees=people, table_size=table_size, ties=ties, groups=groups,
        organisations=organisations, communities=communities, rotations=rotations,
        familiar_face=familiar, seed=4,
    )  # fmt: skip
    fingerprint = hashlib.sha256(json.dumps(plan).encode()).hexdigest()[:16]
    unmet = hard_conflicts(
        rotations=plan, ties=ties, organisations=organisations, familiar_face=familiar
    )
    assert (fingerprint, len(unmet)) == BEFORE[event]


def test_another_seed_gives_another_plan_and_the_same_seed_the_same():
    people, ties, organisations, groups, communities = case(300, 2)
    kwargs = {"attendees": people, "table_size": 8, "ties": ties, "groups": groups,
              "organisations": organisations, "familiar_face": True}  # fmt: skip
    first = mix_rotations(**kwargs, seed=1)
    assert mix_rotations(**kwargs, seed=1) == first
    assert mix_rotations(**kwargs, seed=2) != first


def test_the_repair_stops_once_its_budget_is_spent():
    # Colleagues dealt together everywhere: each repair weighs everyone (n swaps), so a
    # budget of one person's worth moves exactly two people.
    people = list(range(40))
    organisations = {p: f"Org {p % 4}" for p in people}
    seating = _Seating(people, 4, set(), {}, {}, 0, organisations=organisations)
    before = seating.table_of.copy()
    assert len(colleagues_together(seating, organisations)) > 2
    left = mixer_search.repair(25, len(people), *seating._searching())
    assert left == 0
    assert int((seating.table_of != before).sum()) == 2
    mixer_search.repair(25, 10**9, *seating._searching())
    assert colleagues_together(seating, organisations) == []


def colleagues_together(seating, organisations):
    return hard_conflicts(rotations=[seating.tables()], ties=set(), organisations=organisations)
