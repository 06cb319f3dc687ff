"""Network metrics for one round of a program: plain data in, plain data out (no Django).

    from networkmaps.graph.metrics import GraphInput, compute_metrics
    result = compute_metrics(GraphInput(nodes, ties, groups))

Up to ``exact_limit`` members every value equals what networkx computes for the same
graph (tests/networkmaps/graph/test_metrics.py checks each one to 1e-9); the engine only computes it
faster. Larger networks get documented estimates of the path-based metrics (below).

How relationships become a graph
--------------------------------
- Ties of all relationship types are merged per unordered pair of members into one
  undirected tie; its weight is the highest strength among the merged rows. Ties of a
  member to themself are ignored.
- Path-based metrics (betweenness, closeness, harmonic centrality, average path length,
  two-step reach) use the undirected graph without weights: every tie is one step.
  So do eigenvector centrality, clustering, constraint, effective size, k-cores and
  communities. Strength is used as a weight only in ``weighted_degree`` (sum of a
  member's merged tie strengths) and PageRank.
- Directed view, for in/out-degree and brokerage: a tie of a directed type s -> t is an
  arc s -> t; a tie of an undirected type gives arcs both ways. In/out-degree count
  distinct neighbours.

Per member (``MetricsResult.nodes[member]``)
-------------------------------------------
degree, in_degree, out_degree, weighted_degree
betweenness      networkx ``betweenness_centrality(normalized=True)``: share of shortest
                 paths between other pairs that pass through the member.
closeness        networkx ``closeness_centrality`` (Wasserman-Faust: in a disconnected
                 network, (r-1)/(n-1) * (r-1)/sum of distances to the r-1 reachable).
harmonic         networkx ``harmonic_centrality`` / (n-1): mean of 1/distance to others.
eigenvector      the limit of networkx ``eigenvector_centrality`` (power iteration from
                 all ones, unit length). On a connected network it is the principal
                 eigenvector (= ``eigenvector_centrality_numpy``). On a disconnected one
                 only the component(s) with the largest leading eigenvalue score above 0;
                 everybody else gets 0.
pagerank         networkx ``pagerank`` (alpha 0.85, weighted by strength), solved to
                 machine precision rather than networkx's default tolerance.
constraint, effective_size
                 Burt, as networkx ``constraint``/``effective_size`` (unweighted);
                 None for members without ties.
clustering       networkx ``clustering``.
core_number      k-core number.
community        index of the member's Louvain community, 0 = largest.
reach_two_steps  share of the other n-1 members reachable in one or two steps.
brokerage_<g>, brokerage_<g>_count
                 for g in cohort, sector, organisation when that grouping is given:
                 Gould & Fernandez (1989) brokerage in the directed view. Every open
                 two-path a -> b -> c (a != c, no arc a -> c) whose three members all
                 have a value for g counts once for broker b as coordinator (a, b, c in
                 one group), gatekeeper (b, c together, a outside), representative (a, b
                 together, c outside), consultant (a, c together, b outside) or liaison
                 (three groups). ``_count`` is the total; the role is the most frequent
                 one (ties go to the earlier role in that list), None when the count is 0.
                 Both are None for a member with no value for g. An undirected tie gives
                 arcs both ways, so on undirected data gatekeeper and representative
                 counts are equal and the role reads "gatekeeper".

Network (``MetricsResult.network``)
-----------------------------------
members, ties (merged pairs), relationships (input rows), density, components,
largest_component_share, isolates.
average_path_length     mean distance between members of the largest component (ties
                        broken by smallest member id); None if it has fewer than 2 members.
transitivity, average_clustering   networkx definitions (mean over all members).
degree_centralization   Freeman: sum(max degree - degree) / ((n-1)(n-2)); 1 for a star.
betweenness_centralization  Freeman on normalised betweenness: sum(max - b) / (n-1).
                        Both None below 3 members.
modularity, communities Louvain (igraph ``community_multilevel``, unweighted, resolution
                        1, seeded so the same input gives the same communities); modularity
                        is networkx ``modularity(weight=None)`` of that partition; isolates
                        are communities of one and are counted.
reciprocity             networkx ``reciprocity`` of the graph of directed-type ties only;
                        None when there are none.
core_size               members whose core number is at least k*, the largest k >= 2 whose
                        k-core still holds at least 20% of the members (0 if none does).
periphery_size          members with core number 0 or 1: isolates and members that hang on
                        the network by a chain of single ties.
ei_<grouping>           Krackhardt's E-I index (E - I) / (E + I) over merged ties whose two
                        ends both have a value: E ties join different values, I ties equal
                        ones. -1 = all ties inside groups, +1 = all across. None if no tie
                        qualifies.

Large networks
--------------
Up to ``exact_limit`` members everything is exact. Above it, path-based metrics come
from ``pivots`` source members drawn uniformly with ``random.Random(seed).sample`` over
members in ascending id order (the draw networkx's ``betweenness_centrality(k=, seed=)``
makes):
- betweenness uses the linearly scaled estimator of Geisberger, Sanders & Schultes
  ("Better approximation of betweenness centrality", ALENEX 2008): a source credits a
  member on a shortest path with d(source, member) / d(source, target) of the pair.
  It is unbiased and has about half the error of networkx's plain k-sample estimate for
  the same work; with every member a source it is the exact value. On clustered
  test graphs the estimated top 50 shared 0.92-0.98 of the exact top 50 with 4096
  pivots at 10k members (7 graphs) and 0.92 at 30k; 1024 pivots gave 0.82-0.92 and
  networkx's plain estimator 0.84-0.92 with 4096.
- closeness and harmonic centrality scale a member's distance sums up from the sources
  in its component; average path length is the mean over sampled source-target pairs.
  A component gets extra sources up to 64 (all its members if smaller), so small
  components stay exact.
``params["approximate"]`` and ``params["estimated"]`` say what was estimated.
Everything else is always exact.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import igraph
import numpy as np
import scipy
from scipy.sparse.csgraph import connected_components

from networkmaps.graph.input import GraphInput, MergedGraph, adjacency, build_graphs
from networkmaps.graph.metrics.centrality import (
    PAGERANK_ALPHA,
    eigenvector_centrality,
    pagerank_vector,
)
from networkmaps.graph.metrics.network import network_metrics
from networkmaps.graph.metrics.paths import MIN_COMPONENT_SOURCES, PathSums, path_metrics
from networkmaps.graph.metrics.stages import Stages
from networkmaps.graph.metrics.structure import (
    BROKERAGE_ROLES,
    CORE_MIN_SHARE,
    PERIPHERY_MAX_CORE,
    brokerage_counts,
    core_threshold,
    louvain,
)

__all__ = [
    "ENGINE",
    "GraphInput",
    "MergedGraph",
    "MetricsResult",
    "adjacency",
    "build_graphs",
    "compute_metrics",
]

ENGINE = "netlead-metrics/1"
ESTIMATED_WHEN_APPROXIMATE = (
    "betweenness",
    "closeness",
    "harmonic",
    "average_path_length",
    "betweenness_centralization",
)


@dataclass
class MetricsResult:
    nodes: dict[int, dict[str, float | int | str | None]]
    network: dict[str, float | int | None]
    communities: dict[int, int]
    params: dict[str, object]


def compute_metrics(
    graph: GraphInput | MergedGraph,
    *,
    exact_limit: int = 20_000,
    pivots: int = 4096,
    seed: int = 0,
    progress: Callable[[str, float], None] | None = None,
    path_sums: PathSums | None = None,
    threads: int = 1,
) -> MetricsResult:
    """All member and network metrics of one round (see the module docstring).

    ``graph`` is the round's merged graph (used as is, groups from ``graph.groups``) or its
    ``GraphInput`` (merged here, once): a metric run merges once and hands the same
    ``MergedGraph`` to the weaving suggestions.

    ``progress(stage, done)`` is called as stages start, ``done`` in [0, 1] of the run.
    ``path_sums``: the path sweep already summed elsewhere (a split run's blocks, see
    networkmaps/runs/split.py) for the sources this call would draw; ``threads``: run the
    sweep on that many threads of this process (the kernel releases the GIL).
    Raises ValueError on ties to unknown members or strengths outside 1-5.
    """
    if pivots < 2:
        raise ValueError("pivots must be at least 2")
    # numba costs ~90 MiB and 0.4 s to import: only processes that compute pay for it.
    from networkmaps.graph import kernels

    stages = Stages(progress)

    with stages("merge"):
        merged = graph if isinstance(graph, MergedGraph) else build_graphs(graph)
        n = merged.n
        unweighted = merged.adjacency(weighted=False)
        indptr = unweighted.indptr.astype(np.int64)
        indices = unweighted.indices.astype(np.int32)
        degree = np.diff(indptr)

    with stages("components"):
        n_components, labels = connected_components(unweighted, directed=False)
        sizes = np.bincount(labels, minlength=n_components)

    approximate = n > exact_limit and pivots < n
    with stages("paths"):
        paths = path_metrics(
            indptr,
            indices,
            labels,
            sizes,
            pivots=pivots if approximate else None,
            seed=seed,
            report=stages.report_within,
            sums=path_sums,
            threads=threads,
        )

    with stages("reach"):
        reach = kernels.two_step_reach(indptr, indices) / max(n - 1, 1)

    with stages("local"):
        triangles, constraint = kernels.local_structure(indptr, indices)
        pairs = degree * (degree - 1)
        clustering = np.divide(2.0 * triangles, pairs, out=np.zeros(n), where=pairs > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            effective_size = degree - 2.0 * triangles / degree

    with stages("eigenvector"):
        eigenvector = eigenvector_centrality(unweighted, labels, sizes)

    with stages("pagerank"):
        pagerank = pagerank_vector(merged.adjacency(weighted=True))

    with stages("communities"):
        g = igraph.Graph(n=n, edges=np.column_stack([merged.edge_u, merged.edge_v]).tolist())
        community, modularity = louvain(g, seed=seed)

    with stages("core"):
        core = np.asarray(g.coreness(), dtype=np.int64)
        core_k, core_size = core_threshold(core)

    with stages("brokerage"):
        brokerage = brokerage_counts(merged, merged.groups)

    with stages("assemble"):
        columns = {
            "degree": degree,
            "in_degree": np.bincount(merged.arc_target, minlength=n),
            "out_degree": np.bincount(merged.arc_source, minlength=n),
            "weighted_degree": (
                np.bincount(merged.edge_u, merged.weight, minlength=n)
                + np.bincount(merged.edge_v, merged.weight, minlength=n)
            ).astype(np.int64),
            "betweenness": paths.betweenness,
            "closeness": paths.closeness,
            "harmonic": paths.harmonic,
            "eigenvector": eigenvector,
            "pagerank": pagerank,
            "constraint": constraint,
            "effective_size": effective_size,
            "clustering": clustering,
            "core_number": core,
            "community": community,
            "reach_two_steps": reach,
        }
        nodes = _rows(merged.order, columns, brokerage)
        network = network_metrics(
            merged,
            degree=degree,
            triangles=triangles,
            clustering=clustering,
            sizes=sizes,
            labels=labels,
            paths=paths,
            modularity=modularity,
            community=community,
            core=core,
            core_size=core_size,
            groups=merged.groups,
        )
        communities = dict(zip(merged.order.tolist(), community.tolist(), strict=True))

    params = {
        "engine": ENGINE,
        "versions": {
            "python-igraph": igraph.__version__,
            "numba": kernels.numba.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "approximate": approximate,
        "exact_limit": exact_limit,
        "pivots": paths.pivots,
        "betweenness_estimator": (
            "linear scaling (Geisberger, Sanders & Schultes 2008), uniform pivots"
            if approximate
            else "exact (Brandes)"
        ),
        "distance_sources": paths.distance_sources,
        "seed": seed,
        "estimated": list(ESTIMATED_WHEN_APPROXIMATE) if approximate else [],
        "tie_weight": "max strength over the merged relationship rows",
        "weighted": ["weighted_degree", "pagerank"],
        "unweighted": [
            "betweenness",
            "closeness",
            "harmonic",
            "average_path_length",
            "reach_two_steps",
            "eigenvector",
            "constraint",
            "effective_size",
            "clustering",
            "core_number",
            "community",
        ],
        "pagerank_alpha": PAGERANK_ALPHA,
        "community_method": "louvain (igraph community_multilevel), unweighted, resolution 1",
        "thresholds": {
            "core_min_share": CORE_MIN_SHARE,
            "core_k": core_k,
            "periphery_max_core_number": PERIPHERY_MAX_CORE,
            "min_component_sources": MIN_COMPONENT_SOURCES if approximate else None,
        },
        "brokerage_groupings": sorted(brokerage),
        "self_ties_ignored": merged.self_ties,
        "timings": {**stages.timings, "total": round(time.perf_counter() - stages.started, 4)},
    }
    if progress:
        progress("done", 1.0)
    return MetricsResult(nodes=nodes, network=network, communities=communities, params=params)


def _rows(order: np.ndarray, columns: dict[str, np.ndarray], brokerage: dict) -> dict:
    """Per-member dicts from metric columns; NaN becomes None."""
    names = list(columns)
    lists = []
    for name in names:
        values = columns[name]
        if values.dtype.kind == "f" and np.isnan(values).any():
            lists.append([None if v != v else v for v in values.tolist()])
        else:
            lists.append(values.tolist())
    for grouping, (counts, has_value) in brokerage.items():
        total = counts.sum(axis=1)
        dominant = np.argmax(counts, axis=1)
        roles, totals = [], []
        for t, d, known in zip(total.tolist(), dominant.tolist(), has_value.tolist(), strict=True):
            roles.append(BROKERAGE_ROLES[d] if known and t else None)
            totals.append(t if known else None)
        names += [f"brokerage_{grouping}", f"brokerage_{grouping}_count"]
        lists += [roles, totals]
    return {
        member: dict(zip(names, values, strict=True))
        for member, values in zip(order.tolist(), zip(*lists, strict=True), strict=True)
    }
