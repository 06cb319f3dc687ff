"""Stability bands (networkmaps.graph.metrics.stability): the extra time they add to a
metric run, on the clustered graphs of bench/metrics_pure.py.

    .venv/bin/python bench/stability_bench.py                 # 2k and 10k
    .venv/bin/python bench/stability_bench.py --sizes 10000 --resamples 50

Prints, per size: the metrics engine's time (compute_metrics, exact up to 20k like a run),
the bands' time, and the bands as a share of the engine's time. Target: at most 20 % at
10k (PASS/FAIL; exits 1 on FAIL). CPU seconds are printed too: compare those when the
shared machine is busy.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics_pure import clustered_graph  # noqa: E402

from networkmaps.graph.metrics import build_graphs, compute_metrics  # noqa: E402
from networkmaps.graph.metrics.stability import stability_bands  # noqa: E402

TARGET = 0.20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--resamples", type=int, default=50)
    parser.add_argument("--answered", type=float, default=0.7, help="share who answered")
    args = parser.parse_args()
    failed = False
    print("| members | ties | engine s (cpu) | bands s (cpu) | extra | target |")
    print("|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        graph = clustered_graph(n)
        merged = build_graphs(graph)
        compute_metrics(merged)  # warm the numba kernels
        wall, cpu = time.perf_counter(), time.process_time()
        compute_metrics(merged, exact_limit=20_000, pivots=4096, seed=0)
        engine = time.perf_counter() - wall, time.process_time() - cpu
        answered = set(graph.nodes[: int(args.answered * n)])
        wall, cpu = time.perf_counter(), time.process_time()
        bands = stability_bands(
            nodes=graph.nodes, ties=graph.ties, answered=answered, resamples=args.resamples
        )
        extra = time.perf_counter() - wall, time.process_time() - cpu
        share = extra[1] / engine[1]
        verdict = "PASS" if share <= TARGET or n < 10_000 else "FAIL"
        failed |= verdict == "FAIL"
        print(
            f"| {n:,} | {merged.m:,} | {engine[0]:.2f} ({engine[1]:.2f}) | "
            f"{extra[0]:.2f} ({extra[1]:.2f}) | {share:.0%} | ≤ {TARGET:.0%} {verdict} |"
        )
        shifting = {k: len(v) for k, v in bands["shifting"].items()}
        print(f"  bands: {bands['network']}  shifting ranks: {shifting}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
