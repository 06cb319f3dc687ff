"""Where a suggestion's chance comes from: the program's own outcomes once it has 30."""

from __future__ import annotations

import datetime

import pytest

from members.round_graph import round_graph_load
from networkmaps.graph.input import GraphInput, build_graphs
from networkmaps.models import PairDecision
from networkmaps.weaving.run_queue import pair_chances
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db


def test_thirty_outcomes_switch_the_chance_to_the_programs_own_record(demo_program):
    first, second = demo_program.rounds.order_by("observed_on")
    later = RoundFactory(
        program=demo_program, observed_on=second.observed_on + datetime.timedelta(days=365)
    )
    graph = round_graph_load(round_=second)
    merged = build_graphs(GraphInput(nodes=graph.members, ties=graph.rows(), groups=graph.groups))
    members = graph.members
    pairs = [((members[0], members[1]), "closure"), ((members[2], members[3]), "bridge")]
    before = round_graph_load(round_=first).rows()
    chances, source = pair_chances(
        program=demo_program, round_=later, merged=merged, previous_ties=before, pairs=pairs
    )
    assert source.startswith("model:") and "Brier" in source
    assert all(0 <= c <= 1 for c in chances.values())
    made = []
    for k in range(30):
        a, b = members[10 + 2 * k], members[11 + 2 * k]
        made.append(
            PairDecision(
                program=demo_program, member_a_id=a, member_b_id=b,
                kind="closure" if k < 20 else "bridge", status="introduced", round=first,
                decided_on=first.observed_on, tie_round=second if k % 4 == 0 else None,
            )
        )  # fmt: skip
    PairDecision.objects.bulk_create(made)
    chances, source = pair_chances(
        program=demo_program, round_=later, merged=merged, previous_ties=before, pairs=pairs
    )
    assert source.startswith("the program's own introductions: 30")
    # closure: 5 of 20 formed, bridge: 3 of 10 (Laplace-smoothed).
    assert chances[pairs[0][0]] == pytest.approx(6 / 22)
    assert chances[pairs[1][0]] == pytest.approx(4 / 12)


def test_one_round_has_no_chance_yet(demo_program):
    first = demo_program.rounds.order_by("observed_on").first()
    graph = round_graph_load(round_=first)
    merged = build_graphs(GraphInput(nodes=graph.members, ties=graph.rows(), groups=graph.groups))
    chances, source = pair_chances(
        program=demo_program, round_=first, merged=merged, previous_ties=None, pairs=[]
    )
    assert chances is None and source.startswith("none")
