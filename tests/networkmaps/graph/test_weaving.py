"""The pure weaving-suggestion engine: no database, networkx as the reference."""

from __future__ import annotations

import json
import random

import networkx as nx
import numpy as np
import pytest

from networkmaps.graph.input import GraphInput, build_graphs
from networkmaps.graph.metrics import compute_metrics
from networkmaps.graph.weaving import DEFAULT_LIMITS, KINDS, closure, pair_key, suggest
from networkmaps.graph.weaving.network import Network

PAIR_KINDS = ("closure", "bridge", "periphery", "hub_relief")


def name(v: int) -> str:
    # Zero-padded so that no name is a substring of another.
    return f"Fellow {v:03d}"


def metrics(graph: GraphInput) -> tuple[dict[int, dict], dict[int, int]]:
    result = compute_metrics(graph, seed=0)
    return result.nodes, result.communities


def karate() -> tuple[GraphInput, dict[int, dict], nx.Graph]:
    g = nx.karate_club_graph()
    groups = {
        "sector": {v: g.nodes[v]["club"] for v in g},
        "cohort": {v: f"Fellows {2019 + v % 3}" for v in g},
        "region": dict.fromkeys(g),
        "organisation": {v: f"Org {v % 7}" for v in g},
    }
    people = {
        v: {
            "name": name(v),
            "organisation": groups["organisation"][v],
            "cohort": groups["cohort"][v],
            "sector": groups["sector"][v],
            "region": None,
            "issue_areas": ["housing"] if v % 4 == 0 else ["health"],
        }
        for v in g
    }
    graph = GraphInput(nodes=list(g), ties=[(u, v, 3, False) for u, v in g.edges()], groups=groups)
    return graph, people, g


def program_graph(n: int = 300, *, seed: int = 0, isolates: int = 3):
    """Clusters of ~30 with attributes that follow them, two staff hubs, a few isolates."""
    rng = np.random.default_rng(seed)
    k = max(2, n // 30)
    community = rng.integers(0, k, n)
    members = [np.flatnonzero(community == c) for c in range(k)]
    pairs = set()
    for _ in range(n * 4):
        a = int(rng.integers(0, n))
        b = (
            int(rng.choice(members[community[a]]))
            if rng.random() < 0.9
            else int(rng.integers(0, n))
        )
        pairs.add(pair_key(a, b)) if a != b else None
    for hub in (0, 1):
        for b in rng.choice(n, size=n // 8, replace=False).tolist():
            if b != hub:
                pairs.add(pair_key(hub, b))
    lonely = set(range(n - isolates, n))
    pairs = sorted(p for p in pairs if not lonely & set(p))
    sectors = ["health", "housing", "education", "climate", "arts"]
    groups = {"cohort": {}, "sector": {}, "region": {}, "organisation": {}}
    people = {}
    for v in range(n):
        c = int(community[v])
        groups["cohort"][v] = f"Fellows {2015 + c % 6}"
        groups["sector"][v] = sectors[c % len(sectors)] if rng.random() < 0.8 else "arts"
        groups["region"][v] = ["North", "South", "East"][v % 3]
        groups["organisation"][v] = f"Org {c * 3 + v % 3}"
        people[v] = {
            "name": name(v),
            **{dim: groups[dim][v] for dim in groups},
            "issue_areas": sorted({f"issue {int(i)}" for i in rng.integers(0, 8, 2)}),
        }
    ties = [(a, b, int(rng.integers(1, 6)), bool(rng.integers(0, 2))) for a, b in pairs]
    return GraphInput(nodes=list(range(n)), ties=ties, groups=groups), people


def run(graph, people, **kwargs):
    node_metrics, communities = metrics(graph)
    return suggest(
        graph=graph,
        node_metrics=node_metrics,
        communities=communities,
        people=people,
        **kwargs,
    )


@pytest.fixture(scope="module")
def karate_suggestions():
    graph, people, g = karate()
    return run(graph, people), g


@pytest.fixture(scope="module")
def program():
    graph, people = program_graph()
    return graph, people, run(graph, people)


def test_karate_sector_bridge_pairs_a_mr_hi_member_with_an_officer_member(karate_suggestions):
    found, g = karate_suggestions
    sector_bridges = [s for s in found if s.kind == "bridge" and s.facts["dimension"] == "sector"]
    assert sector_bridges
    a, b = sector_bridges[0].members
    assert {g.nodes[a]["club"], g.nodes[b]["club"]} == {"Mr. Hi", "Officer"}
    assert sorted(sector_bridges[0].facts["groups"]) == ["Mr. Hi", "Officer"]


def test_karate_hub_relief_is_about_nodes_0_and_33(karate_suggestions):
    found, _ = karate_suggestions
    assert {s.subject for s in found if s.kind == "hub_relief"} == {0, 33}


def test_hub_relief_pairs_are_untied_contacts_and_count_pairs_relieved_exactly(
    karate_suggestions,
):
    found, g = karate_suggestions
    for s in (s for s in found if s.kind == "hub_relief"):
        hub, (x, y) = s.subject, s.members
        contacts = set(g[hub])
        assert {x, y} <= contacts and not g.has_edge(x, y)
        assert s.facts["groups"][0] != s.facts["groups"][1]
        only_hub = {
            frozenset((u, v))
            for u in contacts
            for v in contacts
            if u != v and not g.has_edge(u, v) and set(g[u]) & set(g[v]) == {hub}
        }
        assert s.facts["only_through_hub_total"] == len(only_hub)
        circle_x = ({x} | set(g[x])) & contacts
        circle_y = ({y} | set(g[y])) & contacts
        relieved = {
            pair
            for pair in only_hub
            for u, v in [tuple(pair)]
            if (u in circle_x and v in circle_y) or (u in circle_y and v in circle_x)
        }
        assert s.facts["pairs_relieved"] == len(relieved) > 0


def test_every_kind_appears_on_a_clustered_program_graph(program):
    _, _, found = program
    assert {s.kind for s in found} == set(KINDS)


def test_each_kind_respects_its_limit_and_zero_switches_it_off(program):
    graph, people, found = program
    for kind in KINDS:
        assert sum(s.kind == kind for s in found) <= DEFAULT_LIMITS[kind]
    fewer = run(graph, people, limits={"closure": 5, "bridge": 0})
    assert sum(s.kind == "closure" for s in fewer) == 5
    assert not [s for s in fewer if s.kind == "bridge"]
    with pytest.raises(ValueError, match="introductions"):
        run(graph, people, limits={"introductions": 3})


def test_suggested_pairs_are_untied_and_appear_once_across_kinds(program):
    graph, _, found = program
    tied = {pair_key(s, t) for s, t, *_ in graph.ties}
    pairs = [s.members for s in found if s.kind in PAIR_KINDS]
    assert all(a < b for a, b in pairs)
    assert not set(pairs) & tied
    assert len(pairs) == len(set(pairs))


def test_dismissed_pairs_are_never_suggested_again(program):
    graph, people, found = program
    dismissed = {s.members for s in found if s.kind in PAIR_KINDS}
    # Staff may store a dismissed pair either way round.
    half = set(sorted(dismissed)[::2])
    either_way = (dismissed - half) | {(b, a) for a, b in half}
    for exclude_pairs in (dismissed, either_way):
        result = run(graph, people, exclude_pairs=exclude_pairs)
        new_pairs = {s.members for s in result if s.kind in PAIR_KINDS}
        assert new_pairs
        assert not new_pairs & dismissed


def test_closure_scores_are_networkx_adamic_adar_times_the_stated_boost(program):
    graph, people, found = program
    g = nx.Graph((s, t) for s, t, *_ in graph.ties)
    closures = [s for s in found if s.kind == "closure"]
    assert len(closures) == DEFAULT_LIMITS["closure"]
    # A list, not a generator: networkx consumes a generator while checking it.
    reference = {(u, v): aa for u, v, aa in nx.adamic_adar_index(g, [s.members for s in closures])}
    assert len(reference) == len(closures)
    for s in closures:
        a, b = s.members
        assert s.facts["adamic_adar"] == pytest.approx(reference[(a, b)], rel=1e-12)
        assert s.score == pytest.approx(reference[(a, b)] * s.facts["boost"], rel=1e-12)
        # Every grouping is a divide by default: +0.5 per one the two are split by.
        crossed = [
            dim
            for dim in ("organisation", "cohort", "sector", "region")
            if graph.groups[dim].get(a) is not None
            and graph.groups[dim].get(b) is not None
            and graph.groups[dim][a] != graph.groups[dim][b]
        ]
        assert s.facts["divides_crossed"] == crossed
        shared = len(set(people[a]["issue_areas"]) & set(people[b]["issue_areas"]))
        expected = (1 + 0.5 * len(crossed)) * (1 + 0.2 * min(shared, 3))
        assert s.facts["boost"] == pytest.approx(expected)
        assert s.facts["shared_contact_count"] == len(set(g[a]) & set(g[b]))


def test_closure_picks_the_best_scores_in_the_graph():
    # With no attributes every boost is 1, so the top pairs are the top Adamic–Adar pairs.
    graph, people, g = karate()
    plain = {v: {"name": name(v)} for v in people}
    bare = GraphInput(nodes=graph.nodes, ties=graph.ties, groups={})
    found = [s for s in run(bare, plain, limits={"closure": 1}) if s.kind == "closure"]
    pairs = [(u, v) for u in g for v in g if u < v and not g.has_edge(u, v)]
    best = max(aa for _, _, aa in nx.adamic_adar_index(g, pairs))
    assert found[0].score == pytest.approx(best)


def test_closure_pick_is_the_same_whatever_the_blocks_and_pool_depth(program, monkeypatch):
    graph, people, found = program
    node_metrics, communities = metrics(graph)
    net = Network(build_graphs(graph), people, communities, set())
    nothing_blocked = np.array([], dtype=np.int64)
    full = closure._closure_select(net, 50, closure._open_pairs(net, nothing_blocked, None))
    shallow = closure._open_pairs(net, nothing_blocked, 500)
    assert shallow.depth == 500 and len(shallow.lower) < len(
        closure._open_pairs(net, nothing_blocked, None).lower
    )
    # The last field is a position in the pool, which differs between pools.
    assert [p[:4] for p in closure._closure_select(net, 50, shallow)] == [p[:4] for p in full]
    monkeypatch.setattr(closure, "BLOCK_WORK", 200)
    assert run(graph, people) == found


def test_output_is_deterministic_whatever_the_input_order(program):
    graph, people, found = program
    rng = random.Random(7)
    ties, nodes = list(graph.ties), list(graph.nodes)
    rng.shuffle(ties)
    rng.shuffle(nodes)
    shuffled = GraphInput(nodes=nodes, ties=ties, groups=graph.groups)
    node_metrics, communities = metrics(graph)
    again = suggest(
        graph=shuffled, node_metrics=node_metrics, communities=communities, people=people
    )
    twice = suggest(
        graph=shuffled, node_metrics=node_metrics, communities=communities, people=people
    )
    assert again == twice
    assert run(graph, people) == found
    assert again == suggest(
        graph=graph, node_metrics=node_metrics, communities=communities, people=people
    )


def test_each_kind_is_sorted_by_score_then_members(program):
    _, _, found = program
    kinds = [s.kind for s in found]
    assert kinds == sorted(kinds, key=KINDS.index)
    for kind in KINDS:
        of_kind = [s for s in found if s.kind == kind]
        assert of_kind == sorted(of_kind, key=lambda s: (-s.score, s.members))


def test_reasons_state_the_real_names_and_counts(program):
    graph, people, found = program
    g = nx.Graph((s, t) for s, t, *_ in graph.ties)
    by_kind = {kind: [s for s in found if s.kind == kind] for kind in KINDS}
    for s in by_kind["closure"]:
        a, b = s.members
        assert name(a) in s.reason and name(b) in s.reason
        count = len(set(g[a]) & set(g[b]))
        assert (f"{count} of the same people" in s.reason) or count == 1
        for shown in s.facts["shared_contact_ids"][:3]:
            assert name(shown) in s.reason
    for s in by_kind["bridge"]:
        assert all(label in s.reason for label in s.facts["group_labels"])
        assert all(name(m) in s.reason for m in s.members)
    for s in by_kind["periphery"]:
        assert name(s.subject) in s.reason
        assert f"{s.facts['recruiter_degree']} people" in s.reason
        for dim, value in s.facts["shared"].items():
            assert people[s.subject][dim] == value and f"{dim} ({value})" in s.reason
    for s in by_kind["hub_relief"]:
        assert name(s.subject) in s.reason
        assert f"{s.facts['pairs_relieved']} pair" in s.reason
    (key,) = by_kind["key_players"]
    reach = set()
    for m in key.members:
        reach |= set(nx.single_source_shortest_path_length(g, m, cutoff=2))
    assert key.facts["reached"] == len(reach)
    assert f"{len(reach) / len(graph.nodes):.0%}" in key.reason
    assert all(name(m) in key.reason for m in key.members)


def test_facts_survive_a_json_round_trip(program, karate_suggestions):
    _, _, found = program
    for s in found + karate_suggestions[0]:
        assert json.loads(json.dumps(s.facts)) == s.facts


def test_isolates_get_periphery_suggestions(program):
    graph, _, found = program
    connected = {m for s, t, *_ in graph.ties for m in (s, t)}
    isolates = set(graph.nodes) - connected
    assert isolates
    about = {s.subject for s in found if s.kind == "periphery"}
    assert isolates <= about
    for s in found:
        if s.kind == "periphery" and s.subject in isolates:
            assert "no ties" in s.reason
            assert s.facts["recruiter_degree"] >= 2


def test_separate_components_are_bridged_before_anything_else():
    cliques = [range(0, 6), range(6, 12), range(12, 15)]
    ties = [(a, b, 3, False) for group in cliques for a in group for b in group if a < b]
    graph = GraphInput(
        nodes=list(range(15)),
        ties=ties,
        groups={"sector": {v: "health" if v % 2 else "housing" for v in range(15)}},
    )
    people = {v: {"name": name(v), "issue_areas": []} for v in range(15)}
    bridges = [s for s in run(graph, people) if s.kind == "bridge"]
    assert [s.facts["dimension"] for s in bridges[:2]] == ["component", "component"]
    for s in bridges[:2]:
        a, b = s.members
        assert (a < 6) != (b < 6)
        assert "has no tie at all to the main network" in s.reason


@pytest.mark.parametrize(
    "nodes, ties",
    [
        ([], []),
        ([1], []),
        ([1, 2], []),
        ([1, 2], [(1, 2, 5, True)]),
        ([1, 2, 3], [(1, 2, 3, False), (2, 3, 3, False)]),
        ([1, 2, 3], [(1, 2, 3, False), (2, 3, 3, False), (1, 3, 1, True), (3, 3, 2, False)]),
        ([1, 2, 3, 4], [(1, 2, 3, False), (2, 1, 4, True)]),
    ],
)
def test_empty_and_tiny_graphs_do_not_crash(nodes, ties):
    graph = GraphInput(nodes=nodes, ties=ties, groups={})
    people = {v: {"name": name(v)} for v in nodes}
    found = run(graph, people)
    assert all(s.kind in KINDS for s in found)


def test_missing_metrics_and_attributes_still_give_suggestions():
    graph, _, _ = karate()
    found = suggest(graph=graph, node_metrics={}, communities={}, people={})
    kinds = {s.kind for s in found}
    assert "closure" in kinds and "key_players" in kinds and "hub_relief" not in kinds
    assert "Member 0" in " ".join(s.reason for s in found)


def test_a_merged_graph_gives_the_same_suggestions_as_its_input(program, karate_suggestions):
    graph, people, found = program
    node_metrics, communities = metrics(graph)
    merged = build_graphs(graph)
    assert merged.groups is graph.groups
    again = suggest(graph=merged, node_metrics=node_metrics, communities=communities, people=people)
    assert again == found
    karate_graph, karate_people, _ = karate()
    assert run(build_graphs(karate_graph), karate_people) == karate_suggestions[0]


def test_a_lone_key_player_is_named_in_the_singular():
    star = GraphInput(nodes=list(range(6)), ties=[(0, v, 3, False) for v in range(1, 6)])
    people = {v: {"name": name(v)} for v in range(6)}
    (key,) = [s for s in run(star, people) if s.kind == "key_players"]
    assert key.members == (0,)
    assert key.reason == (
        f"{name(0)} alone reaches 100% of the network (6 of 6 members) within two steps."
    )


def test_pair_key_orders_the_pair():
    assert pair_key(9, 3) == (3, 9) == pair_key(3, 9)
    with pytest.raises(ValueError):
        pair_key(4, 4)
