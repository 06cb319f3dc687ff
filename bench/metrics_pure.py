"""Benchmark the pure metrics engine (networkmaps.graph.metrics) on clustered graphs.

    .venv/bin/python bench/metrics_pure.py                      # 1k, 10k, 100k
    .venv/bin/python bench/metrics_pure.py --sizes 10k --overlap --overlap-pivots 1024,2048
    .venv/bin/python bench/metrics_pure.py --sizes 2k --reference   # vs plain networkx

Each size runs in its own child process so peak memory (ru_maxrss) is that size's
alone. Graphs come from a small cohort/sector/organisation-clustered generator here
(average merged degree ~10, 30% directed rows, some pairs with several relationship
types); the Django-side bench uses the seed_demo generator instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# Threaded BLAS/OpenMP slows to a crawl on a busy 2-core machine; workers scale by process.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from networkmaps.graph.metrics import (  # noqa: E402
    GraphInput,
    MergedGraph,
    build_graphs,
    compute_metrics,
)


def clustered_graph(n: int, *, seed: int = 0, ties_per_member: float = 5.6) -> GraphInput:
    """Members in cohorts of ~30, 12 sectors, 8 regions and organisations of ~6; most ties
    inside a cohort, some inside an organisation or sector, the rest random. Activity is
    lognormal (a few very connected members) and 2% of members add no ties themselves."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1, dtype=np.int64)
    cohort = rng.integers(0, max(1, n // 30), n)
    sector = rng.integers(0, 12, n)
    region = rng.integers(0, 8, n)
    organisation = rng.integers(0, max(1, n // 6), n)
    activity = rng.lognormal(0.0, 0.8, n)
    activity[rng.random(n) < 0.02] = 0.0
    rows = int(n * ties_per_member)
    source = rng.choice(n, rows, p=activity / activity.sum())

    def same_group(keys: np.ndarray) -> np.ndarray:
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        lo = np.searchsorted(ordered, keys[source], "left")
        hi = np.searchsorted(ordered, keys[source], "right")
        return order[lo + (rng.random(rows) * (hi - lo)).astype(np.int64)]

    kind = rng.random(rows)
    target = np.where(
        kind < 0.55,
        same_group(cohort),
        np.where(
            kind < 0.70,
            same_group(organisation),
            np.where(kind < 0.85, same_group(sector), rng.integers(0, n, rows)),
        ),
    )
    strength = rng.integers(1, 6, rows)
    directed = rng.random(rows) < 0.3
    # A tenth of the pairs are also reported under a second relationship type.
    again = rng.random(rows) < 0.1
    source, target = (
        np.concatenate([source, target[again]]),
        np.concatenate([target, source[again]]),
    )
    strength = np.concatenate([strength, rng.integers(1, 6, int(again.sum()))])
    directed = np.concatenate([directed, np.ones(int(again.sum()), bool)])
    keep = source != target
    ties = list(
        zip(
            ids[source[keep]].tolist(),
            ids[target[keep]].tolist(),
            strength[keep].tolist(),
            directed[keep].tolist(),
            strict=True,
        )
    )

    def labelled(prefix: str, values: np.ndarray) -> dict[int, str | None]:
        out: dict[int, str | None] = {
            i: f"{prefix}{v}" for i, v in zip(ids.tolist(), values.tolist(), strict=True)
        }
        for i in ids[rng.random(n) < 0.03].tolist():  # some members left it blank
            out[i] = None
        return out

    groups = {
        "cohort": labelled("c", cohort),
        "sector": labelled("s", sector),
        "region": labelled("r", region),
        "organisation": labelled("o", organisation),
    }
    return GraphInput(nodes=ids.tolist(), ties=ties, groups=groups)


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


# --- child processes: one measurement each, JSON on the last stdout line -------------


def child_run(n: int, *, exact_limit: int, pivots: int, seed: int) -> dict:
    warm_started = time.perf_counter()
    compute_metrics(clustered_graph(60, seed=1))  # loads (or compiles) the numba kernels
    warm = time.perf_counter() - warm_started
    generated = time.perf_counter()
    graph = clustered_graph(n, seed=seed)
    generate = time.perf_counter() - generated
    cpu = time.process_time()
    started = time.perf_counter()
    result = compute_metrics(graph, exact_limit=exact_limit, pivots=pivots, seed=seed)
    wall = time.perf_counter() - started
    return {
        "members": n,
        "ties": result.network["ties"],
        "relationships": result.network["relationships"],
        "approximate": result.params["approximate"],
        "pivots": result.params["pivots"],
        "wall_s": wall,
        "cpu_s": time.process_time() - cpu,
        "generate_s": generate,
        "warm_s": warm,
        "timings": result.params["timings"],
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def top(values: dict[int, float], k: int) -> set[int]:
    return {m for m, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:k]}


def child_overlap(n: int, *, pivot_counts: list[int], seed: int, k: int = 50) -> dict:
    graph = clustered_graph(n, seed=seed)
    exact = compute_metrics(graph, exact_limit=n, seed=seed)
    rows = []
    for pivots in pivot_counts:
        started = time.perf_counter()
        approx = compute_metrics(graph, exact_limit=0, pivots=pivots, seed=seed)
        seconds = time.perf_counter() - started
        row = {"pivots": pivots, "seconds": seconds}
        for metric in ("betweenness", "closeness", "harmonic"):
            a = top({m: v[metric] for m, v in exact.nodes.items()}, k)
            b = top({m: v[metric] for m, v in approx.nodes.items()}, k)
            row[metric] = len(a & b) / k
        apl_exact = exact.network["average_path_length"]
        row["apl_error"] = abs(approx.network["average_path_length"] - apl_exact) / apl_exact
        rows.append(row)
    return {"members": n, "exact_s": exact.params["timings"]["total"], "rows": rows}


def as_networkx(merged: MergedGraph):
    """The merged graph's arrays as a networkx graph keyed by member id (the reference only:
    ~5 s per million ties, PERFORMANCE-NOTES.md)."""
    import networkx as nx

    g = nx.Graph()
    ids = merged.order
    g.add_nodes_from(ids.tolist())
    g.add_weighted_edges_from(
        zip(
            ids[merged.edge_u].tolist(),
            ids[merged.edge_v].tolist(),
            merged.weight.tolist(),
            strict=True,
        )
    )
    return g


def child_reference(n: int, *, seed: int) -> dict:
    """Plain networkx for the same metrics, stage by stage, against compute_metrics."""
    import networkx as nx

    graph = clustered_graph(n, seed=seed)
    ours_started = time.perf_counter()
    compute_metrics(graph, exact_limit=n, seed=seed)
    ours = time.perf_counter() - ours_started

    g = as_networkx(build_graphs(graph))
    largest = g.subgraph(max(nx.connected_components(g), key=len))
    stages = {
        "betweenness": lambda: nx.betweenness_centrality(g),
        "closeness": lambda: nx.closeness_centrality(g),
        "harmonic": lambda: nx.harmonic_centrality(g),
        "average_path_length": lambda: nx.average_shortest_path_length(largest),
        "reach_two_steps": lambda: [
            len(nx.single_source_shortest_path_length(g, v, cutoff=2)) for v in g
        ],
        "eigenvector": lambda: nx.eigenvector_centrality(g, weight=None, max_iter=1000),
        "pagerank": lambda: nx.pagerank(g),
        "constraint": lambda: nx.constraint(g),
        "effective_size": lambda: nx.effective_size(g),
        "clustering": lambda: (nx.clustering(g), nx.transitivity(g)),
        "core_number": lambda: nx.core_number(g),
        "louvain": lambda: nx.community.louvain_communities(g, weight=None, seed=seed),
    }
    timings = {}
    for name, run in stages.items():
        started = time.perf_counter()
        run()
        timings[name] = time.perf_counter() - started
    return {"members": n, "ours_s": ours, "networkx_s": sum(timings.values()), "stages": timings}


# --- parent: spawn children, print tables ---------------------------------------------


def spawn(args: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child {' '.join(args)} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_runs(runs: list[dict]) -> None:
    stage_names = [s for s in runs[0]["timings"] if s != "total"]
    header = ["members", "ties", "mode", "wall s", "cpu s", "peak MiB", *stage_names]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in runs:
        mode = f"pivots {r['pivots']}" if r["approximate"] else "exact"
        cells = [
            f"{r['members']:,}",
            f"{r['ties']:,}",
            mode,
            f"{r['wall_s']:.1f}",
            f"{r['cpu_s']:.1f}",
            f"{r['max_rss_mib']:.0f}",
            *(f"{r['timings'][s]:.2f}" for s in stage_names),
        ]
        print(" | ".join(cells))
    for r in runs:
        print(
            f"# {r['members']:,}: generator {r['generate_s']:.1f} s, "
            f"kernel load/compile {r['warm_s']:.1f} s (not in wall), "
            f"{r['relationships']:,} relationship rows"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma list, e.g. 1k,10k")
    parser.add_argument("--exact-limit", type=int, default=20_000)
    parser.add_argument("--pivots", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overlap", action="store_true", help="top-50 approx vs exact")
    parser.add_argument("--overlap-size", default="10k")
    parser.add_argument("--overlap-pivots", default="1024,4096")
    parser.add_argument("--reference", action="store_true", help="time plain networkx")
    parser.add_argument("--reference-sizes", default="2k", help="add 10k only if you must")
    parser.add_argument("--child", choices=["run", "overlap", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "run":
        out = child_run(args.n, exact_limit=args.exact_limit, pivots=args.pivots, seed=args.seed)
    elif args.child == "overlap":
        counts = [int(p) for p in args.overlap_pivots.split(",")]
        out = child_overlap(args.n, pivot_counts=counts, seed=args.seed)
    elif args.child == "reference":
        out = child_reference(args.n, seed=args.seed)
    if args.child:
        print(json.dumps(out))
        return

    common = ["--seed", str(args.seed)]
    runs = []
    for size in filter(None, args.sizes.split(",")):
        n = parse_size(size)
        limits = ["--exact-limit", str(args.exact_limit), "--pivots", str(args.pivots)]
        runs.append(spawn(["--child", "run", "--n", str(n), *limits, *common]))
        print(f"# {n:,} done in {runs[-1]['wall_s']:.1f} s", file=sys.stderr)
    if runs:
        print_runs(runs)

    if args.overlap:
        n = parse_size(args.overlap_size)
        pivots = ["--overlap-pivots", args.overlap_pivots]
        result = spawn(["--child", "overlap", "--n", str(n), *pivots, *common])
        print(f"\ntop-50 overlap with exact at {n:,} (exact run {result['exact_s']:.1f} s)")
        print("pivots | seconds | betweenness | closeness | harmonic | APL rel. error")
        for row in result["rows"]:
            print(
                f"{row['pivots']} | {row['seconds']:.1f} | {row['betweenness']:.2f} | "
                f"{row['closeness']:.2f} | {row['harmonic']:.2f} | {row['apl_error']:.4f}"
            )

    if args.reference:
        print("\nmembers | netlead s | networkx s | speed-up | slowest networkx stages")
        for size in filter(None, args.reference_sizes.split(",")):
            n = parse_size(size)
            r = spawn(["--child", "reference", "--n", str(n), *common])
            slowest = sorted(r["stages"].items(), key=lambda kv: -kv[1])[:3]
            detail = ", ".join(f"{name} {s:.1f}" for name, s in slowest)
            speedup = r["networkx_s"] / r["ours_s"]
            print(f"{n:,} | {r['ours_s']:.2f} | {r['networkx_s']:.1f} | {speedup:.0f}x | {detail}")


if __name__ == "__main__":
    main()
