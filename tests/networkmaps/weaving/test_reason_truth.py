"""Every number and claim in every reason sentence, checked against the graph (hypothesis)."""

from __future__ import annotations

import re

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networkmaps.graph.input import GraphInput
from networkmaps.graph.metrics import compute_metrics
from networkmaps.graph.weaving import suggest

SECTORS = ("arts", "health", "housing")
ORGS = ("Org A", "Org B", "Org C", "Org D")
COHORTS = ("Fellows 2019", "Fellows 2020")
NOUNS = (
    "other contacts?|person|people|tie|ties|pair|pairs|contact|contacts|step|steps|"
    "other|others|member|members"
)
SINGULAR = {"other contact", "person", "tie", "pair", "contact", "step", "other", "member"}


def name(v: int) -> str:
    return f"Fellow {v:03d}"


@st.composite
def networks(draw):
    n = draw(st.integers(min_value=5, max_value=36))
    p = draw(st.floats(min_value=0.04, max_value=0.4))
    seed = draw(st.integers(min_value=0, max_value=10_000))
    g = nx.gnp_random_graph(n, p, seed=seed)
    # A hub now and then, so hub relief has something to say.
    if draw(st.booleans()):
        for v in range(1, n, 2):
            g.add_edge(0, v)
    pick = draw(st.lists(st.integers(0, 11), min_size=n, max_size=n))
    groups = {
        "sector": {v: SECTORS[pick[v] % 3] for v in g},
        "organisation": {v: ORGS[pick[v] % 4] for v in g},
        "cohort": {v: COHORTS[pick[v] % 2] if pick[v] != 11 else None for v in g},
        "region": dict.fromkeys(g),
    }
    people = {
        v: {"name": name(v), **{k: groups[k][v] for k in groups}, "issue_areas": []} for v in g
    }
    graph = GraphInput(nodes=list(g), ties=[(a, b, 3, False) for a, b in g.edges()], groups=groups)
    return graph, people, g


def check_plurals(reason: str) -> None:
    assert "these 1 " not in reason
    for number, noun in re.findall(rf"\b(\d[\d,]*) ({NOUNS})\b", reason):
        if number == "1":
            assert noun in SINGULAR, reason
        else:
            assert noun not in SINGULAR, reason


def check_closure(s, g, people):
    a, b = s.members
    assert not g.has_edge(a, b)
    common = set(g[a]) & set(g[b])
    assert s.facts["shared_contact_count"] == len(common) >= 1
    assert set(s.facts["shared_contact_ids"]) <= common
    if len(common) == 1:
        assert f"both have a tie to {name(next(iter(common)))}" in s.reason
    else:
        assert f"ties to {len(common)} of the same people" in s.reason
    shown = re.search(r"people \((.*?)\) but", s.reason)
    if shown:
        listed = re.findall(r"Fellow \d{3}", shown.group(1))
        assert {int(x.split()[1]) for x in listed} <= common
        more = re.search(r"(\d+) others?\b", shown.group(1))
        assert len(listed) + (int(more.group(1)) if more else 0) == len(common)
    if "different organisations" in s.reason:
        assert people[a]["organisation"] != people[b]["organisation"]
        assert f"({people[a]['organisation']} and {people[b]['organisation']})" in s.reason


def check_bridge(s, g, graph):
    a, b = s.members
    assert not g.has_edge(a, b)
    dim = s.facts["dimension"]
    if dim == "component":
        assert not nx.has_path(g, a, b)
        assert "has no tie at all" in s.reason
        return
    values = graph.groups.get(dim)
    if values is None:
        return  # clusters: checked through the carriers' ties below
    g1, g2 = s.facts["groups"]
    one = [v for v in g if values[v] == g1]
    two = [v for v in g if values[v] == g2]
    assert s.facts["group_sizes"] == [len(one), len(two)]
    between = sum(g.has_edge(x, y) for x in one for y in two)
    assert s.facts["ties_between"] == between
    for size in (len(one), len(two)):
        assert f"({size} {'person' if size == 1 else 'people'})" in s.reason
    ia = sum(1 for v in g[s.facts["carriers"][0]] if values[v] == g1)
    ib = sum(1 for v in g[s.facts["carriers"][1]] if values[v] == g2)
    assert s.facts["carrier_inner_ties"] == [ia, ib]
    assert f"{100 * between / (len(one) * len(two)):.0f}%" in s.reason or between * 100 < len(
        one
    ) * len(two)


def check_periphery(s, g, people):
    p, r = s.subject, s.facts["recruiter_id"]
    assert g.degree(p) == s.facts["degree"] <= 1
    assert not g.has_edge(p, r)
    if g.degree(p) == 1:
        assert f"has only one tie (to {name(next(iter(g[p])))})" in s.reason
    else:
        assert "has no ties in the network yet" in s.reason
    k = g.degree(r)
    assert f"With ties to {k} {'person' if k == 1 else 'people'}" in s.reason
    for dim, value in s.facts["shared"].items():
        assert people[p][dim] == people[r][dim] == value


def check_hub(s, g):
    h = s.subject
    a, b = s.members
    assert g.has_edge(h, a) and g.has_edge(h, b) and not g.has_edge(a, b)
    common = set(g[a]) & set(g[b])
    assert s.facts["shared_contacts"] == len(common)
    if len(common) == 1:
        assert re.search(
            rf"{name(h)} is the only contact ({name(a)} and {name(b)}|{name(b)} and {name(a)}) "
            "share",
            s.reason,
        )
    else:
        assert f"share {name(h)} and {len(common) - 1} other contact" in s.reason
    without = g.copy()
    without.remove_node(h)
    try:
        steps = nx.shortest_path_length(without, a, b)
    except nx.NetworkXNoPath:
        steps = None
    assert s.facts["other_route_steps"] == steps
    if steps is None:
        assert "there is no other route between them" in s.reason
    else:
        assert f"avoids {name(h)} is {steps} step{'s' if steps != 1 else ''}" in s.reason
    assert "alone" not in s.reason


def check_key_players(s, g):
    reach = set()
    for m in s.members:
        reach |= set(nx.single_source_shortest_path_length(g, m, cutoff=2))
    assert s.facts["reached"] == len(reach)
    assert f"({len(reach):,} of {g.number_of_nodes():,} members)" in s.reason
    assert f"{len(reach) / g.number_of_nodes():.0%}" in s.reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_every_reason_sentence_is_true_of_the_graph(network):
    graph, people, g = network
    result = compute_metrics(graph, seed=0)
    found = suggest(
        graph=graph, node_metrics=result.nodes, communities=result.communities, people=people
    )
    for s in found:
        check_plurals(s.reason)
        for m in s.members:
            assert m in g
        if s.kind == "closure":
            check_closure(s, g, people)
        elif s.kind == "bridge":
            check_bridge(s, g, graph)
        elif s.kind == "periphery":
            check_periphery(s, g, people)
        elif s.kind == "hub_relief":
            check_hub(s, g)
        else:
            check_key_players(s, g)
