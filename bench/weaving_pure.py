"""Time the pure weaving engine and the convening mixer on clustered program graphs.

Run: .venv/bin/python bench/weaving_pure.py [sizes...]   (default: 1000 10000 100000)

Node metrics come from networkmaps.graph.metrics when it exists; otherwise
the bench computes what suggest() reads (betweenness with 1024 pivots,
Louvain communities) with igraph. Only suggest() and mix_tables() are timed.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from networkmaps.graph.mixer import mix_score, mix_tables  # noqa: E402
from networkmaps.graph.weaving import suggest  # noqa: E402

SECTORS = ["health", "housing", "education", "climate", "arts", "justice", "finance", "tech"]
REGIONS = ["North", "South", "East", "West", "Central"]
ISSUES = [f"issue {k}" for k in range(15)]


@dataclass(frozen=True)
class _GraphInput:
    nodes: list[int]
    ties: list[tuple[int, int, int, bool]]
    groups: dict[str, dict[int, str | None]]


def program_graph(n: int, *, avg_degree: float = 10.0, seed: int = 0):
    """A fellowship-like network: clustered ties, attributes that follow clusters, a few hubs."""
    rng = np.random.default_rng(seed)
    k = max(2, n // 80)
    community = rng.integers(0, k, n)
    members = [np.flatnonzero(community == c) for c in range(k)]
    m = int(n * avg_degree / 2)
    inside = int(m * 0.85)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    for e in range(inside):
        group = members[community[src[e]]]
        dst[e] = group[rng.integers(0, len(group))]
    # A few program staff who know people everywhere.
    hubs = rng.choice(n, size=3, replace=False)
    extra = max(5, n // 50)
    src = np.concatenate([src, np.repeat(hubs, extra)])
    dst = np.concatenate([dst, rng.integers(0, n, 3 * extra)])
    isolated = rng.choice(n, size=max(1, n // 100), replace=False)
    keep = (src != dst) & ~np.isin(src, isolated) & ~np.isin(dst, isolated)
    pairs = {(int(min(a, b)), int(max(a, b))) for a, b in zip(src[keep], dst[keep], strict=True)}
    ties = [(a, b, int(rng.integers(1, 6)), bool(rng.integers(0, 2))) for a, b in sorted(pairs)]
    cohort_of_community = rng.integers(2015, 2025, k)
    people, groups = {}, {"cohort": {}, "sector": {}, "region": {}, "organisation": {}}
    for v in range(n):
        c = int(community[v])
        cohort = (
            f"Fellows {cohort_of_community[c] if rng.random() < 0.7 else rng.integers(2015, 2025)}"
        )
        sector = SECTORS[(c + (rng.random() < 0.3) * rng.integers(1, 8)) % len(SECTORS)]
        region = REGIONS[int(rng.integers(0, len(REGIONS)))]
        org = f"Org {c * 4 + int(rng.integers(0, 4))}"
        issues = sorted({ISSUES[int(i)] for i in rng.integers(0, len(ISSUES), rng.integers(1, 4))})
        for dim, value in (("cohort", cohort), ("sector", sector), ("region", region)):
            groups[dim][v] = value
        groups["organisation"][v] = org
        people[v] = {
            "name": f"Person {v}",
            "organisation": org,
            "cohort": cohort,
            "sector": sector,
            "region": region,
            "issue_areas": issues,
        }
    return _GraphInput(list(range(n)), ties, groups), people


def metrics_for(graph, *, seed: int = 0):
    try:
        from networkmaps.graph.metrics import GraphInput, compute_metrics
    except ImportError:
        return _igraph_metrics(graph, seed=seed)
    result = compute_metrics(GraphInput(graph.nodes, graph.ties, graph.groups), seed=seed)
    return result.nodes, result.communities


def _igraph_metrics(graph, *, seed: int):
    import igraph as ig

    n = len(graph.nodes)
    g = ig.Graph(n=n, edges=[(a, b) for a, b, *_ in graph.ties])
    g.simplify()
    rng = np.random.default_rng(seed)
    pivots = sorted(rng.choice(n, size=min(1024, n), replace=False).tolist())
    raw = np.array(g.betweenness(directed=False, sources=pivots))
    betweenness = raw * (n / len(pivots)) * 2 / ((n - 1) * (n - 2))
    membership = g.community_multilevel().membership
    nodes = {v: {"betweenness": float(betweenness[v])} for v in range(n)}
    return nodes, dict(enumerate(membership))


def bench(n: int) -> dict:
    graph, people = program_graph(n)
    started = time.perf_counter()
    node_metrics, communities = metrics_for(graph)
    metrics_s = time.perf_counter() - started
    started = time.perf_counter()
    found = suggest(graph=graph, node_metrics=node_metrics, communities=communities, people=people)
    suggest_s = time.perf_counter() - started
    kinds = Counter(s.kind for s in found)
    return {
        "n": n,
        "ties": len(graph.ties),
        "metrics_s": metrics_s,
        "suggest_s": suggest_s,
        "kinds": kinds,
    }


def bench_mixer(attendees: int, table_size: int) -> dict:
    graph, _ = program_graph(max(attendees, 400), seed=1)
    chosen = list(range(attendees))
    ties = {(a, b) for a, b, *_ in graph.ties if a < attendees and b < attendees}
    _, communities = _igraph_metrics(graph, seed=0)
    started = time.perf_counter()
    tables = mix_tables(
        attendees=chosen,
        table_size=table_size,
        ties=ties,
        groups=graph.groups,
        communities=communities,
    )
    seconds = time.perf_counter() - started
    naive = [chosen[i : i + table_size] for i in range(0, attendees, table_size)]
    kwargs = {"ties": ties, "groups": graph.groups, "communities": communities}
    return {
        "attendees": attendees,
        "table_size": table_size,
        "seconds": seconds,
        "score": mix_score(tables=tables, **kwargs),
        "naive": mix_score(tables=naive, **kwargs),
    }


def main(sizes: list[int]) -> None:
    print("| n | ties | metrics (s, not timed) | suggest (s) | suggestions per kind |")
    print("|---|---|---|---|---|")
    for n in sizes:
        row = bench(n)
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(row["kinds"].items()))
        print(
            f"| {row['n']:,} | {row['ties']:,} | {row['metrics_s']:.1f} | "
            f"{row['suggest_s']:.2f} | {kinds} |",
            flush=True,
        )
    print()
    print("| attendees | table size | mix_tables (s) | mix_score | naive chunking |")
    print("|---|---|---|---|---|")
    for attendees, size in ((60, 6), (300, 8)):
        row = bench_mixer(attendees, size)
        print(
            f"| {attendees} | {size} | {row['seconds']:.2f} | {row['score']:.1f} | "
            f"{row['naive']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
