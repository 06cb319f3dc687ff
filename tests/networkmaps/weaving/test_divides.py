"""Bridges find the real divides: a planted weak pair of groups, and nothing in a uniform graph."""

from __future__ import annotations

import numpy as np
import pytest

from networkmaps.graph.input import GraphInput
from networkmaps.graph.weaving import suggest

OFFICES = ("Leeds", "London", "Paris", "Zurich")


def planted(p_in: float, p_out: float, p_weak: float, *, size: int = 40, seed: int = 0):
    """A stochastic block model: four offices, Leeds–London the weak pair."""
    rng = np.random.default_rng(seed)
    office = np.repeat(np.arange(len(OFFICES)), size)
    n = len(office)
    ties = []
    for a in range(n):
        for b in range(a + 1, n):
            ga, gb = office[a], office[b]
            p = p_in if ga == gb else (p_weak if {ga, gb} == {0, 1} else p_out)
            if rng.random() < p:
                ties.append((a, b, 3, False))
    groups = {"attr:office": {v: OFFICES[office[v]] for v in range(n)}}
    people = {v: {"name": f"Fellow {v:03d}"} for v in range(n)}
    return GraphInput(nodes=list(range(n)), ties=ties, groups=groups), people


def bridges(graph, people):
    found = suggest(graph=graph, node_metrics={}, communities={}, people=people)
    return [s for s in found if s.kind == "bridge"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_planted_weak_pair_of_offices_gets_bridges_and_only_that_pair(seed):
    graph, people = planted(0.3, 0.25, 0.03, seed=seed)
    found = bridges(graph, people)
    assert found
    for s in found:
        assert s.facts["dimension"] == "attr:office"
        assert sorted(s.facts["groups"]) == ["Leeds", "London"]
        a, b = s.members
        sides = {graph.groups["attr:office"][a], graph.groups["attr:office"][b]}
        assert sides == {"Leeds", "London"}
        assert "the Leeds office" in s.reason and "the London office" in s.reason


def test_the_office_pair_of_the_real_firm_is_a_divide():
    # Issue 14's firm: 0.19 between two offices against 0.49 and 0.68 inside them.
    graph, people = planted(0.58, 0.55, 0.19, size=60, seed=3)
    assert {tuple(sorted(s.facts["groups"])) for s in bridges(graph, people)} == {
        ("Leeds", "London")
    }


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_uniform_graph_gets_no_bridges(seed):
    graph, people = planted(0.2, 0.2, 0.2, seed=seed)
    assert bridges(graph, people) == []


def test_bridge_reasons_state_the_densities_that_make_the_divide():
    graph, people = planted(0.3, 0.25, 0.03, seed=0)
    office = graph.groups["attr:office"]
    tied = {(min(a, b), max(a, b)) for a, b, *_ in graph.ties}
    for s in bridges(graph, people):
        g1, g2 = s.facts["groups"]
        one = [v for v in graph.nodes if office[v] == g1]
        two = [v for v in graph.nodes if office[v] == g2]
        between = sum((min(a, b), max(a, b)) in tied for a in one for b in two)
        inside = [
            sum((a, b) in tied for a in side for b in side if a < b)
            / (len(side) * (len(side) - 1) / 2)
            for side in (one, two)
        ]
        assert s.facts["ties_between"] == between
        assert s.facts["possible_between"] == len(one) * len(two)
        assert s.facts["density_inside"] == pytest.approx(inside)
        assert s.facts["density_between"] < 0.5 * min(inside)
        assert f"{100 * between / (len(one) * len(two)):.0f}%" in s.reason
