"""The pure metrics engine gives networkx's values, only faster (no database)."""

from __future__ import annotations

import json
import math
import random
from collections import Counter

import igraph
import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from networkmaps.graph import summary
from networkmaps.graph.metrics import (
    GraphInput,
    MergedGraph,
    MetricsResult,
    adjacency,
    build_graphs,
    compute_metrics,
)
from networkmaps.graph.metrics.paths import path_metrics

ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")
TOL = {"rel": 1e-9, "abs": 1e-9}


# --- building inputs --------------------------------------------------------------


def relabelled(g: nx.Graph) -> tuple[nx.Graph, dict]:
    """Integer member ids for graphs whose nodes are names; returns the name -> id map."""
    ids = {name: i + 1 for i, name in enumerate(sorted(g, key=str))}
    return nx.relabel_nodes(g, ids), ids


def with_groups(nodes, *, seed: int) -> dict[str, dict[int, str | None]]:
    rng = random.Random(seed)
    groups: dict[str, dict[int, str | None]] = {}
    for grouping, values in (("cohort", 4), ("sector", 3), ("region", 2), ("organisation", 6)):
        groups[grouping] = {
            v: None if rng.random() < 0.1 else f"{grouping[0]}{rng.randrange(values)}"
            for v in nodes
        }
    return groups


def undirected_input(g: nx.Graph, *, seed: int = 0, extra_isolates=()) -> GraphInput:
    """One undirected row per edge; strength from the edge weight clipped to 1-5, else
    a fixed pattern, so PageRank and weighted degree see varied strengths."""
    ties = []
    for u, v, data in g.edges(data=True):
        weight = data.get("weight")
        strength = min(5, max(1, int(weight))) if weight else (u * 7 + v * 3) % 5 + 1
        ties.append((u, v, strength, False))
    nodes = list(g) + list(extra_isolates)
    return GraphInput(nodes=nodes, ties=ties, groups=with_groups(sorted(nodes), seed=seed))


def mixed_input(n: int, *, seed: int) -> GraphInput:
    """Random rows of a directed and an undirected relationship type, with repeated pairs
    and a few self-ties."""
    rng = random.Random(seed)
    ties = []
    for _ in range(n * 3):
        a, b = rng.randrange(n), rng.randrange(n)
        ties.append((a, b, rng.randint(1, 5), rng.random() < 0.6))
    nodes = list(range(n))
    return GraphInput(nodes=nodes, ties=ties, groups=with_groups(nodes, seed=seed))


# --- an independent networkx reference ----------------------------------------------


def reference_graphs(graph: GraphInput) -> tuple[nx.Graph, nx.DiGraph, nx.DiGraph]:
    """Merged undirected graph (max strength), directed view, directed-type ties only;
    nodes inserted in ascending id order as the engine orders them."""
    g, view, directed_only = nx.Graph(), nx.DiGraph(), nx.DiGraph()
    for x in (g, view, directed_only):
        x.add_nodes_from(sorted(set(graph.nodes)))
    for source, target, strength, directed in graph.ties:
        if source == target:
            continue
        old = g.edges[source, target]["weight"] if g.has_edge(source, target) else 0
        g.add_edge(source, target, weight=max(old, strength))
        view.add_edge(source, target)
        if directed:
            directed_only.add_edge(source, target)
        else:
            view.add_edge(target, source)
    return g, view, directed_only


def reference_brokerage(view: nx.DiGraph, values: dict) -> dict:
    counts = {b: Counter() for b in view}
    for b in view:
        gb = values.get(b)
        if gb is None:
            continue
        for a in view.predecessors(b):
            for c in view.successors(b):
                if a == c or view.has_edge(a, c):
                    continue
                ga, gc = values.get(a), values.get(c)
                if ga is None or gc is None:
                    continue
                if ga == gb == gc:
                    role = "coordinator"
                elif gb == gc:
                    role = "gatekeeper"
                elif ga == gb:
                    role = "representative"
                elif ga == gc:
                    role = "consultant"
                else:
                    role = "liaison"
                counts[b][role] += 1
    result = {}
    for b, c in counts.items():
        if values.get(b) is None:
            result[b] = (None, None)
            continue
        total = sum(c.values())
        best = max(ROLES, key=lambda r: (c[r], -ROLES.index(r))) if total else None
        result[b] = (best, total)
    return result


def largest_component(g: nx.Graph) -> set:
    return max(nx.connected_components(g), key=lambda c: (len(c), -min(c)))


def reference_nodes(graph: GraphInput) -> dict[int, dict]:
    g, view, _ = reference_graphs(graph)
    n = g.number_of_nodes()
    others = max(n - 1, 1)
    betweenness = nx.betweenness_centrality(g)
    closeness = nx.closeness_centrality(g)
    harmonic = nx.harmonic_centrality(g)
    eigenvector = nx.eigenvector_centrality(g, weight=None, max_iter=100_000, tol=1e-13)
    pagerank = nx.pagerank(g, alpha=0.85, weight="weight", max_iter=100_000, tol=1e-15)
    constraint = nx.constraint(g)
    effective_size = nx.effective_size(g)
    clustering = nx.clustering(g)
    core = nx.core_number(g)
    brokerage = {
        grouping: reference_brokerage(view, graph.groups[grouping])
        for grouping in ("cohort", "sector", "organisation")
        if grouping in graph.groups
    }
    nodes = {}
    for v in g:
        row = {
            "degree": g.degree(v),
            "in_degree": view.in_degree(v),
            "out_degree": view.out_degree(v),
            "weighted_degree": g.degree(v, weight="weight"),
            "betweenness": betweenness[v],
            "closeness": closeness[v],
            "harmonic": harmonic[v] / others,
            "eigenvector": eigenvector[v],
            "pagerank": pagerank[v],
            "constraint": None if math.isnan(constraint[v]) else constraint[v],
            "effective_size": None if math.isnan(effective_size[v]) else effective_size[v],
            "clustering": clustering[v],
            "core_number": core[v],
            "reach_two_steps": (len(nx.single_source_shortest_path_length(g, v, cutoff=2)) - 1)
            / others,
        }
        for grouping, roles in brokerage.items():
            row[f"brokerage_{grouping}"], row[f"brokerage_{grouping}_count"] = roles[v]
        nodes[v] = row
    return nodes


def reference_network(graph: GraphInput, result: MetricsResult) -> dict:
    g, _, directed_only = reference_graphs(graph)
    n = g.number_of_nodes()
    degree = dict(g.degree())
    betweenness = nx.betweenness_centrality(g)
    largest = largest_component(g)
    core = nx.core_number(g)
    core_k = max(
        (
            k
            for k in range(2, max(core.values()) + 1)
            if sum(c >= k for c in core.values()) >= 0.2 * n
        ),
        default=None,
    )
    communities: dict[int, set] = {}
    for v, c in result.communities.items():
        communities.setdefault(c, set()).add(v)
    network = {
        "members": n,
        "ties": g.number_of_edges(),
        "relationships": len(graph.ties),
        "density": nx.density(g),
        "components": nx.number_connected_components(g),
        "largest_component_share": len(largest) / n,
        "average_path_length": (
            nx.average_shortest_path_length(g.subgraph(largest)) if len(largest) > 1 else None
        ),
        "transitivity": nx.transitivity(g),
        "average_clustering": nx.average_clustering(g),
        "degree_centralization": sum(max(degree.values()) - d for d in degree.values())
        / ((n - 1) * (n - 2)),
        "betweenness_centralization": sum(
            max(betweenness.values()) - b for b in betweenness.values()
        )
        / (n - 1),
        "modularity": (
            nx.community.modularity(g, communities.values(), weight=None)
            if g.number_of_edges()
            else None
        ),
        "communities": len(communities),
        "reciprocity": (nx.reciprocity(directed_only) if directed_only.number_of_edges() else None),
        "isolates": nx.number_of_isolates(g),
        "core_size": sum(c >= core_k for c in core.values()) if core_k else 0,
        "periphery_size": sum(c <= 1 for c in core.values()),
    }
    for grouping, values in graph.groups.items():
        external = internal = 0
        for u, v in g.edges():
            if values.get(u) is None or values.get(v) is None:
                continue
            if values[u] == values[v]:
                internal += 1
            else:
                external += 1
        total = external + internal
        network[f"ei_{grouping}"] = (external - internal) / total if total else None
    return network


def assert_same(actual: dict, expected: dict, where: str) -> None:
    assert set(actual) == set(expected), where
    for key, want in expected.items():
        got = actual[key]
        if want is None or isinstance(want, str):
            assert got == want, f"{where} {key}: {got!r} != {want!r}"
        else:
            assert got is not None and got == pytest.approx(want, **TOL), (
                f"{where} {key}: {got!r} != {want!r}"
            )


def assert_matches_networkx(graph: GraphInput) -> MetricsResult:
    result = compute_metrics(graph)
    expected = reference_nodes(graph)
    assert set(result.nodes) == set(expected)
    for v, row in expected.items():
        assert set(result.nodes[v]) == {*row, "community"}
        assert_same({k: result.nodes[v][k] for k in row}, row, f"member {v}")
    assert_same(result.network, reference_network(graph, result), "network")
    return result


# --- every metric against networkx ---------------------------------------------------


def test_karate_club_matches_networkx_and_published_values():
    g = nx.karate_club_graph()
    result = assert_matches_networkx(undirected_input(g))
    assert result.nodes[0]["degree"] == 16
    assert result.nodes[33]["degree"] == 17
    assert result.nodes[0]["betweenness"] == pytest.approx(0.43763528138528146, abs=1e-12)
    assert result.nodes[33]["betweenness"] == pytest.approx(0.30407497594997596, abs=1e-12)


def test_a_merged_graph_gives_the_same_metrics_as_its_input():
    graph = undirected_input(nx.karate_club_graph())
    from_input = compute_metrics(graph)
    merged = build_graphs(graph)
    from_merged = compute_metrics(merged)
    assert from_merged.nodes == from_input.nodes
    assert from_merged.network == from_input.network
    assert from_merged.communities == from_input.communities
    timings = ("timings",)
    assert {k: v for k, v in from_merged.params.items() if k not in timings} == {
        k: v for k, v in from_input.params.items() if k not in timings
    }
    # Brokerage reads the groups the merged graph carries.
    assert "brokerage_cohort" in from_merged.nodes[0]


def test_florentine_families_medici_broker_most():
    g, ids = relabelled(nx.florentine_families_graph())
    result = assert_matches_networkx(undirected_input(g))
    betweenness = {v: row["betweenness"] for v, row in result.nodes.items()}
    assert max(betweenness, key=betweenness.get) == ids["Medici"]
    assert betweenness[ids["Medici"]] == pytest.approx(0.5219, abs=1e-4)


def test_davis_southern_women_projection_matches_networkx():
    davis = nx.davis_southern_women_graph()
    women = [v for v, side in davis.nodes(data="bipartite") if side == 0]
    g, _ = relabelled(nx.bipartite.weighted_projected_graph(davis, women))
    assert_matches_networkx(undirected_input(g, seed=1))


def test_les_miserables_matches_networkx():
    g, _ = relabelled(nx.les_miserables_graph())
    assert_matches_networkx(undirected_input(g, seed=2))


def test_sparse_random_graph_with_isolates_and_components_matches_networkx():
    g = nx.gnp_random_graph(80, 0.025, seed=3)
    assert nx.number_connected_components(g) > 5 and nx.number_of_isolates(g) > 0
    assert_matches_networkx(undirected_input(g, seed=3, extra_isolates=[500, 501]))


def test_powerlaw_cluster_graph_matches_networkx():
    g = nx.powerlaw_cluster_graph(250, 3, 0.3, seed=4)
    assert_matches_networkx(undirected_input(g, seed=4))


def test_directed_and_undirected_rows_match_networkx():
    result = assert_matches_networkx(mixed_input(70, seed=5))
    assert result.network["reciprocity"] is not None
    assert any(row["in_degree"] != row["out_degree"] for row in result.nodes.values())
    roles = {row["brokerage_cohort"] for row in result.nodes.values()}
    assert {"liaison", "gatekeeper", "representative"} <= roles


def test_two_components_with_equal_leading_eigenvalue_share_eigenvector():
    # A star K1,4 and a triangle both have leading eigenvalue 2: power iteration keeps both.
    ties = [(0, i, 1, False) for i in range(1, 5)] + [(10, 11, 1, False), (11, 12, 1, False)]
    ties.append((10, 12, 1, False))
    graph = GraphInput(nodes=[*range(5), 10, 11, 12, 20], ties=ties)
    result = assert_matches_networkx(graph)
    assert result.nodes[10]["eigenvector"] > 0 and result.nodes[0]["eigenvector"] > 0
    assert result.nodes[20]["eigenvector"] == 0


# --- large-network approximation -------------------------------------------------------


def approximation_case() -> tuple[GraphInput, nx.Graph]:
    g = nx.powerlaw_cluster_graph(500, 3, 0.2, seed=6)
    # Small components far from the pivots must stay exact.
    g.add_edges_from([(1000, 1001), (1001, 1002), (1002, 1000), (1003, 1004), (1004, 1005)])
    g.add_node(1006)
    graph = undirected_input(g, seed=6)
    return graph, reference_graphs(graph)[0]


def top(result: MetricsResult, metric: str, k: int) -> set[int]:
    ranked = sorted(result.nodes, key=lambda v: (-result.nodes[v][metric], v))
    return set(ranked[:k])


def test_large_network_estimates_path_metrics_and_says_so():
    graph, _ = approximation_case()
    approx = compute_metrics(graph, exact_limit=100, pivots=150, seed=7)
    exact = compute_metrics(graph, seed=7)
    assert approx.params["approximate"] is True and exact.params["approximate"] is False
    assert approx.params["pivots"] == 150
    assert "betweenness" in approx.params["estimated"] and exact.params["estimated"] == []

    for metric in ("betweenness", "closeness", "harmonic"):
        overlap = len(top(approx, metric, 25) & top(exact, metric, 25)) / 25
        assert overlap >= 0.8, (metric, overlap)
    apl = exact.network["average_path_length"]
    assert approx.network["average_path_length"] == pytest.approx(apl, rel=0.02)

    for v in (1000, 1001, 1003, 1004, 1006):
        for metric in ("closeness", "harmonic"):
            assert approx.nodes[v][metric] == pytest.approx(exact.nodes[v][metric], **TOL)
    for v in graph.nodes:
        for metric in ("degree", "pagerank", "eigenvector", "constraint", "community"):
            assert approx.nodes[v][metric] == exact.nodes[v][metric]


def test_betweenness_estimator_is_exact_with_every_member_a_pivot():
    graph, g = approximation_case()
    merged = build_graphs(graph)
    matrix = merged.adjacency(weighted=False)
    _, labels = connected_components(matrix, directed=False)
    paths = path_metrics(
        matrix.indptr.astype(np.int64),
        matrix.indices.astype(np.int32),
        labels,
        np.bincount(labels),
        pivots=merged.n,
        seed=0,
        report=lambda share: None,
    )
    expected = nx.betweenness_centrality(g)
    for i, v in enumerate(merged.order.tolist()):
        assert paths.betweenness[i] == pytest.approx(expected[v], **TOL)


def test_betweenness_estimator_beats_plain_source_sampling():
    graph, g = approximation_case()
    exact = nx.betweenness_centrality(g)
    ours, plain = [], []
    for seed in range(5):
        approx = compute_metrics(graph, exact_limit=100, pivots=60, seed=seed)
        sampled = nx.betweenness_centrality(g, k=60, seed=seed)
        ours.append(sum(abs(approx.nodes[v]["betweenness"] - exact[v]) for v in g))
        plain.append(sum(abs(sampled[v] - exact[v]) for v in g))
    assert sum(ours) < 0.8 * sum(plain)


def test_pivots_at_least_members_is_exact():
    graph, _ = approximation_case()
    result = compute_metrics(graph, exact_limit=10, pivots=10_000)
    assert result.params["approximate"] is False


# --- edge cases ---------------------------------------------------------------------


def test_empty_round():
    result = compute_metrics(GraphInput(nodes=[], ties=[], groups={"cohort": {}}))
    assert result.nodes == {} and result.communities == {}
    assert result.network["members"] == 0 and result.network["ties"] == 0
    assert result.network["components"] == 0 and result.network["communities"] == 0
    assert result.network["average_path_length"] is None
    assert result.network["ei_cohort"] is None
    json.dumps(result.params)


def test_single_member():
    result = compute_metrics(GraphInput(nodes=[5], ties=[]))
    row = result.nodes[5]
    assert row["degree"] == 0 and row["betweenness"] == 0 and row["closeness"] == 0
    assert row["eigenvector"] == 1.0 and row["pagerank"] == pytest.approx(1.0)
    assert row["constraint"] is None and row["effective_size"] is None
    assert row["community"] == 0 and row["reach_two_steps"] == 0
    network = result.network
    assert network["components"] == 1 and network["isolates"] == 1
    assert network["average_path_length"] is None and network["modularity"] is None
    assert network["degree_centralization"] is None
    assert network["periphery_size"] == 1 and network["core_size"] == 0


def test_only_isolates_match_networkx():
    graph = GraphInput(nodes=[9, 3, 7, 1], ties=[], groups={"cohort": {1: "a", 3: "a"}})
    result = assert_matches_networkx(graph)
    assert result.communities == {1: 0, 3: 1, 7: 2, 9: 3}
    assert result.nodes[1]["brokerage_cohort"] is None
    assert result.nodes[1]["brokerage_cohort_count"] == 0
    assert result.nodes[7]["brokerage_cohort_count"] is None


def test_rows_of_several_types_merge_into_one_tie_with_max_strength():
    ties = [(1, 2, 2, False), (2, 1, 5, True), (1, 2, 3, True), (2, 3, 1, True)]
    result = compute_metrics(GraphInput(nodes=[1, 2, 3], ties=ties))
    assert result.network["ties"] == 2 and result.network["relationships"] == 4
    assert result.nodes[1]["weighted_degree"] == 5
    assert result.nodes[2]["weighted_degree"] == 6
    assert (result.nodes[2]["out_degree"], result.nodes[2]["in_degree"]) == (2, 1)
    matrix, order = adjacency(GraphInput(nodes=[1, 2, 3], ties=ties))
    assert order == [1, 2, 3]
    assert matrix.toarray().tolist() == [[0, 5, 0], [5, 0, 1], [0, 1, 0]]


def test_self_ties_are_ignored():
    ties = [(1, 1, 5, False), (1, 2, 1, False), (2, 2, 3, True)]
    result = compute_metrics(GraphInput(nodes=[1, 2], ties=ties))
    assert result.network["ties"] == 1 and result.network["relationships"] == 3
    assert result.nodes[1]["degree"] == 1 and result.nodes[1]["weighted_degree"] == 1
    assert result.params["self_ties_ignored"] == 2


def test_reciprocity_counts_directed_rows_only():
    ties = [(1, 2, 1, True), (2, 1, 1, True), (2, 3, 1, True), (3, 4, 1, False)]
    result = compute_metrics(GraphInput(nodes=[1, 2, 3, 4], ties=ties))
    assert result.network["reciprocity"] == pytest.approx(2 / 3)
    undirected = compute_metrics(GraphInput(nodes=[1, 2], ties=[(1, 2, 1, False)]))
    assert undirected.network["reciprocity"] is None


def test_bad_rows_are_named():
    with pytest.raises(ValueError, match=r"ties\[1\]: target member 9 is not in nodes"):
        compute_metrics(GraphInput(nodes=[1, 2], ties=[(1, 2, 1, False), (1, 9, 1, False)]))
    with pytest.raises(ValueError, match=r"ties\[0\]: strength 0"):
        compute_metrics(GraphInput(nodes=[1, 2], ties=[(1, 2, 0, False)]))


# --- determinism, interface ------------------------------------------------------------


def test_same_round_gives_same_communities_whatever_the_row_order():
    graph = undirected_input(nx.powerlaw_cluster_graph(300, 2, 0.4, seed=8), seed=8)
    first = compute_metrics(graph)
    again = compute_metrics(graph)
    shuffled_ties = list(graph.ties)
    random.Random(1).shuffle(shuffled_ties)
    shuffled = compute_metrics(GraphInput(list(reversed(graph.nodes)), shuffled_ties, graph.groups))
    assert first.communities == again.communities == shuffled.communities
    sizes = Counter(first.communities.values())
    assert [sizes[c] for c in sorted(sizes)] == sorted(sizes.values(), reverse=True)
    assert first.network["communities"] == len(sizes) > 1


def test_params_are_json_and_progress_reaches_the_end():
    seen: list[tuple[str, float]] = []
    result = compute_metrics(
        mixed_input(40, seed=9), progress=lambda stage, done: seen.append((stage, done))
    )
    params = json.loads(json.dumps(result.params))
    assert params["weighted"] == ["weighted_degree", "pagerank"]
    assert params["approximate"] is False and params["seed"] == 0
    assert {"paths", "communities", "total"} <= set(params["timings"])
    fractions = [done for _, done in seen]
    assert fractions == sorted(fractions) and seen[-1] == ("done", 1.0)


def merged_as_networkx(merged: MergedGraph) -> nx.Graph:
    """The merged graph's arrays as a networkx graph keyed by member id (oracle only)."""
    g = nx.Graph()
    ids = merged.order.tolist()
    g.add_nodes_from(ids)
    for u, v, weight in zip(
        merged.edge_u.tolist(), merged.edge_v.tolist(), merged.weight.tolist(), strict=True
    ):
        g.add_edge(ids[u], ids[v], weight=weight)
    return g


def merged_as_igraph(merged: MergedGraph) -> igraph.Graph:
    """The merged graph's arrays as an undirected igraph graph; vertex i is ``order[i]``."""
    edges = np.column_stack([merged.edge_u, merged.edge_v]).tolist()
    return igraph.Graph(n=merged.n, edges=edges, directed=False)


def test_build_graphs_views_agree():
    graph = mixed_input(30, seed=10)
    merged = build_graphs(graph)
    g, _, _ = reference_graphs(graph)
    as_networkx = merged_as_networkx(merged)
    assert sorted(as_networkx.edges(data="weight")) == sorted(g.edges(data="weight"))
    as_igraph = merged_as_igraph(merged)
    assert as_igraph.vcount() == g.number_of_nodes() and as_igraph.ecount() == g.number_of_edges()
    matrix = merged.adjacency()
    assert (matrix != matrix.T).nnz == 0
    assert np.array_equal(merged.order, np.array(sorted(graph.nodes)))


def test_round_changes_count_ties_gained_lost_and_across_groups_in_both_rounds():
    before = {(1, 2): 2, (2, 3): 1, (3, 4): 3}
    after = {(1, 2): 3, (3, 4): 1, (1, 4): 1}
    groups = {"cohort": {1: "A", 2: "A", 3: "B", 4: "B"}}
    found = summary.round_changes(before, after, groups)
    assert found["changes"] == {
        "ties_new": 1,
        "ties_lost": 1,
        "ties_strengthened": 1,
        "ties_weakened": 1,
    }
    assert found["cross_before"] == {"cross_cohort_ties": 1}
    assert found["cross_after"] == {"cross_cohort_ties": 1}
    first = summary.round_changes(None, after, groups)
    assert first["changes"] == {} and first["cross_before"] == {}
