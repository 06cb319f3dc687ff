"""What a new tie would change, checked against networkx on small graphs."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from networkmaps.graph.weaving import what_if
from networkmaps.graph.weaving.what_if import tie_effect


def matrix(g: nx.Graph) -> sp.csr_matrix:
    return nx.to_scipy_sparse_array(g, nodelist=sorted(g), format="csr").astype(float)


def reach_two(g: nx.Graph, v: int) -> int:
    return len(nx.single_source_shortest_path_length(g, v, cutoff=2)) - 1


def mean_distance(g: nx.Graph) -> float:
    lengths = [
        d for s, row in nx.all_pairs_shortest_path_length(g) for t, d in row.items() if s != t
    ]
    return float(np.mean(lengths))


def e_i(g: nx.Graph, group: dict[int, int]) -> float:
    ext = sum(group[a] != group[b] for a, b in g.edges())
    return (ext - (g.number_of_edges() - ext)) / g.number_of_edges()


@pytest.mark.parametrize("seed", range(6))
def test_reach_distance_and_e_i_match_networkx(seed):
    rng = np.random.default_rng(seed)
    g = nx.connected_watts_strogatz_graph(40, 4, 0.2, seed=seed)
    group = {v: int(rng.integers(0, 3)) for v in g}
    codes = np.array([group[v] for v in sorted(g)])
    untied = [(a, b) for a, b in itertools.combinations(sorted(g), 2) if not g.has_edge(a, b)]
    a, b = untied[int(rng.integers(0, len(untied)))]
    effect = tie_effect(matrix(g), a, b, groups={"office": codes})
    after = g.copy()
    after.add_edge(a, b)
    assert effect["reach_two_steps"]["before"] == [reach_two(g, a), reach_two(g, b)]
    assert effect["reach_two_steps"]["after"] == [reach_two(after, a), reach_two(after, b)]
    assert effect["distance"] == nx.shortest_path_length(g, a, b)
    assert effect["average_distance"]["exact"]
    assert effect["average_distance"]["before"] == pytest.approx(mean_distance(g))
    assert effect["average_distance"]["after"] == pytest.approx(mean_distance(after))
    assert effect["e_i"]["office"]["network"]["before"] == pytest.approx(e_i(g, group))
    assert effect["e_i"]["office"]["network"]["after"] == pytest.approx(e_i(after, group))
    assert effect["joins_parts"] is False


def test_a_tie_between_two_parts_says_it_joins_them():
    g = nx.disjoint_union(nx.path_graph(4), nx.cycle_graph(5))
    communities = np.array([0] * 4 + [1] * 5)
    effect = tie_effect(matrix(g), 0, 6, communities=communities)
    assert effect["joins_parts"] and effect["newly_connected_pairs"] == 20
    assert effect["parts"] == {"before": 2, "after": 1}
    assert effect["joins_clusters"] and effect["clusters"]["ties_between"] == 0
    after = g.copy()
    after.add_edge(0, 6)
    assert effect["average_distance"]["after"] == pytest.approx(mean_distance(after))


def test_sampled_sources_estimate_the_average_on_a_large_graph(monkeypatch):
    g = nx.connected_watts_strogatz_graph(400, 6, 0.1, seed=1)
    monkeypatch.setattr(what_if, "EXACT_LIMIT", 100)
    monkeypatch.setattr(what_if, "SAMPLE_SOURCES", 200)
    effect = tie_effect(matrix(g), 0, 200)
    assert not effect["average_distance"]["exact"]
    assert effect["average_distance"]["before"] == pytest.approx(mean_distance(g), rel=0.05)


def test_a_pair_of_one_member_is_refused():
    with pytest.raises(ValueError):
        tie_effect(matrix(nx.path_graph(3)), 1, 1)
