"""Time the pure weaving engine and the convening mixer on clustered program graphs.

Run: .venv/bin/python bench/weaving_pure.py [sizes...]   (default: 1000 10000 100000)

As in a metric run, the round is merged once (build_graphs) and the same MergedGraph
feeds compute_metrics and suggest(). Only suggest() and mix_tables() are timed (wall
and CPU seconds: on the shared 2-core machine wall time swings with the load). The
mixer's last row is the case tests/networkmaps/graph/test_mixer.py seats; its time limit
(MIXER_LIMIT_S) lives here, and the script exits 1 when it is missed.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from networkmaps.graph.input import GraphInput, MergedGraph, build_graphs  # noqa: E402
from networkmaps.graph.metrics import compute_metrics  # noqa: E402
from networkmaps.graph.mixer import mix_score, mix_tables  # noqa: E402
from networkmaps.graph.weaving import suggest  # noqa: E402
from networkmaps.graph.weaving.what_if import tie_effect  # noqa: E402

SECTORS = ["health", "housing", "education", "climate", "arts", "justice", "finance", "tech"]
REGIONS = ["North", "South", "East", "West", "Central"]
ISSUES = [f"issue {k}" for k in range(15)]

# Seating 300 attendees at tables of 8 (random ties), once a unit-test assertion.
MIXER_LIMIT_S = 5.0
# Issue 14: the effect of one new tie, on demand, at 10k members.
WHAT_IF_LIMIT_S = 2.0
WHAT_IF_PAIRS = 5


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
    return GraphInput(list(range(n)), ties, groups), people


def metrics_for(merged: MergedGraph, *, seed: int = 0):
    result = compute_metrics(merged, seed=seed)
    return result.nodes, result.communities


def bench(n: int) -> dict:
    graph, people = program_graph(n)
    started = time.perf_counter()
    merged = build_graphs(graph)
    node_metrics, communities = metrics_for(merged)
    metrics_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    found = suggest(graph=merged, node_metrics=node_metrics, communities=communities, people=people)
    suggest_s, suggest_cpu = time.perf_counter() - started, time.process_time() - cpu
    kinds = Counter(s.kind for s in found)
    return {
        "n": n,
        "ties": len(graph.ties),
        "metrics_s": metrics_s,
        "suggest_s": suggest_s,
        "suggest_cpu": suggest_cpu,
        "kinds": kinds,
    }


def bench_what_if(n: int) -> dict:
    """Seconds for tie_effect on WHAT_IF_PAIRS random untied pairs (the slowest is kept)."""
    graph, _ = program_graph(n)
    merged = build_graphs(graph)
    _, communities = metrics_for(merged)
    adj = merged.adjacency(weighted=False)
    ids = merged.order.tolist()
    cluster = np.array([communities.get(m, -1) for m in ids])
    groups = {}
    for dim, values in merged.groups.items():
        distinct = {v: k for k, v in enumerate(sorted({v for v in values.values() if v}))}
        groups[dim] = np.array([distinct.get(values.get(m), -1) for m in ids])
    rng = np.random.default_rng(0)
    slowest = 0.0
    for _ in range(WHAT_IF_PAIRS):
        i, j = (int(x) for x in rng.choice(n, 2, replace=False))
        started = time.perf_counter()
        tie_effect(adj, i, j, groups=groups, communities=cluster)
        slowest = max(slowest, time.perf_counter() - started)
    return {"n": n, "ties": merged.m, "seconds": slowest}


def clustered_mixer_case(attendees: int) -> dict:
    """The first ``attendees`` members of a clustered program graph, with its communities."""
    graph, _ = program_graph(max(attendees, 400), seed=1)
    ties = {(a, b) for a, b, *_ in graph.ties if a < attendees and b < attendees}
    _, communities = metrics_for(build_graphs(graph))
    return {
        "attendees": list(range(attendees)),
        "ties": ties,
        "groups": graph.groups,
        "communities": communities,
    }


def random_mixer_case() -> dict:
    """300 attendees with 1,500 random ties: the case test_mixer.py seats."""
    rng = np.random.default_rng(3)
    attendees = list(range(1000, 1300))
    ties = {(int(a), int(b)) for a, b in rng.integers(1000, 1300, (1500, 2)) if a != b}
    groups = {
        "cohort": {p: f"Fellows {2015 + p % 9}" for p in attendees},
        "sector": {p: f"sector {p % 7}" for p in attendees},
    }
    communities = {p: (p * 7) % 23 for p in attendees}
    return {"attendees": attendees, "ties": ties, "groups": groups, "communities": communities}


def bench_mixer(case: dict, table_size: int) -> dict:
    chosen = case["attendees"]
    kwargs = {k: case[k] for k in ("ties", "groups", "communities")}
    started, cpu = time.perf_counter(), time.process_time()
    tables = mix_tables(attendees=chosen, table_size=table_size, **kwargs)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    naive = [chosen[i : i + table_size] for i in range(0, len(chosen), table_size)]
    return {
        "seconds": seconds,
        "cpu": cpu_seconds,
        "score": mix_score(tables=tables, **kwargs),
        "naive": mix_score(tables=naive, **kwargs),
    }


def main(sizes: list[int]) -> None:
    print("| n | ties | metrics (s, not timed) | suggest (s) | suggest CPU (s) | per kind |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        row = bench(n)
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(row["kinds"].items()))
        print(
            f"| {row['n']:,} | {row['ties']:,} | {row['metrics_s']:.1f} | "
            f"{row['suggest_s']:.2f} | {row['suggest_cpu']:.2f} | {kinds} |",
            flush=True,
        )
    print()
    print("| attendees | ties | table | mix_tables (s) | CPU (s) | limit (s) | score | naive |")
    print("|---|---|---|---|---|---|---|---|")
    cases = [
        ("60 clustered", clustered_mixer_case(60), 6, None),
        ("300 clustered", clustered_mixer_case(300), 8, None),
        ("300 random", random_mixer_case(), 8, MIXER_LIMIT_S),
    ]
    missed = []
    for label, case, size, limit in cases:
        row = bench_mixer(case, size)
        verdict = "–"
        if limit is not None:
            verdict = f"{limit:.0f} {'PASS' if row['seconds'] < limit else 'FAIL'}"
            if row["seconds"] >= limit:
                missed.append(label)
        print(
            f"| {label} | {len(case['ties']):,} | {size} | {row['seconds']:.2f} | "
            f"{row['cpu']:.2f} | {verdict} | {row['score']:.1f} | {row['naive']:.1f} |",
            flush=True,
        )
    print()
    print("| n | ties | what-if, slowest of 5 pairs (s) | limit (s) |")
    print("|---|---|---|---|")
    for n in sorted({min(n, 10000) for n in sizes}):
        row = bench_what_if(n)
        verdict = "–"
        if n == 10000:
            verdict = (
                f"{WHAT_IF_LIMIT_S:.0f} {'PASS' if row['seconds'] < WHAT_IF_LIMIT_S else 'FAIL'}"
            )
            if row["seconds"] >= WHAT_IF_LIMIT_S:
                missed.append(f"what-if at {n:,}")
        print(f"| {n:,} | {row['ties']:,} | {row['seconds']:.2f} | {verdict} |", flush=True)
    if missed:
        raise SystemExit(f"over the time limit: {', '.join(missed)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
