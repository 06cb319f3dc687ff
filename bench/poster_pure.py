"""Time the map layout and the printable poster on clustered program graphs.

Run: .venv/bin/python bench/poster_pure.py [--paper A0] [--layout] [sizes...]
     (default sizes: 500 2000 5000; edges = 5 × nodes)

It also places labels for 10,000 random nodes and checks the time limit that used to be
asserted in tests/networkmaps/graph/test_poster.py (LABELS_LIMIT_S); the script exits 1
when a limit is missed.

--layout also times compute_layout at 10k/50k and 100k/500k (fresh, then a
following round with 15% more ties and 2% newcomers); that part takes ~1 min.
The poster rows include the fresh layout that feeds them in neither column.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from networkmaps.graph.layout import BOX, compute_layout  # noqa: E402
from networkmaps.graph.poster import (  # noqa: E402
    PALETTE,
    PlacedNode,
    PosterNode,
    PosterSpec,
    overlapping_pairs,
    place_labels,
    poster_discs,
    render_pdf,
    render_svg,
    typography,
)

# Label placement for 10k nodes, once a unit-test assertion; on a busy 2-core machine.
LABELS_LIMIT_S = 10.0

FIRST = [
    "Amara",
    "Chen",
    "Dolores",
    "Eitan",
    "Fatima",
    "Giorgos",
    "Hana",
    "Ifeoma",
    "José",
    "Kwame",
    "Lena",
    "María José",
    "Nguyen",
    "Priya",
    "Siddharth",
    "Valentina",
    "Zanele",
]
LAST = [
    "Okafor",
    "Li",
    "Hernández",
    "Schmidt",
    "Nakamura",
    "Osei",
    "Papadopoulos",
    "Kowalski",
    "Fernandes",
    "Van der Berg",
    "Mbeki",
    "O'Brien",
    "Ivanova",
]


def program_graph(n: int, m: int, *, seed: int = 0):
    """Clustered ties (90% inside one of n/150 clusters) plus ~2% isolates."""
    rng = np.random.default_rng(seed)
    k = max(2, n // 150)
    cluster = rng.integers(0, k, n)
    members = [np.flatnonzero(cluster == c) for c in range(k)]
    src = rng.integers(0, n, 2 * m)
    dst = rng.integers(0, n, 2 * m)
    inside = rng.random(2 * m) < 0.9
    for e in np.flatnonzero(inside):
        group = members[cluster[src[e]]]
        dst[e] = group[rng.integers(0, len(group))]
    isolated = set(rng.choice(n, size=n // 50, replace=False).tolist())
    pairs: set[tuple[int, int]] = set()
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        if a != b and a not in isolated and b not in isolated:
            pairs.add((min(a, b), max(a, b)))
            if len(pairs) == m:
                break
    return list(range(n)), sorted(pairs), cluster


def poster_spec(n: int, paper: str) -> PosterSpec:
    nodes, edges, cluster = program_graph(n, 5 * n)
    positions = compute_layout(nodes=nodes, edges=edges)
    rng = random.Random(n)
    degree: dict[int, int] = {}
    for a, b in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    people = []
    for v in nodes:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append(
            PosterNode(
                id=v,
                x=positions[v][0],
                y=positions[v][1],
                label=name,
                size=degree.get(v, 0),
                colour=PALETTE[int(cluster[v]) % 6],
                index_label=name,
            )
        )
    return PosterSpec(
        title="Climate Leaders Fellowship",
        subtitle="Alumni network · Round 2",
        date="1 May 2026",
        paper=paper,
        landscape=False,
        nodes=people,
        edges=[(a, b, 1 + (a + b) % 5) for a, b in edges],
        legend=[(PALETTE[i], f"Cohort {2019 + i}") for i in range(6)],
        size_legend="Circle size: number of relationships",
    )


def bench_posters(sizes: list[int], paper: str) -> None:
    print(f"poster ({paper}, edges = 5 × nodes)")
    floors = typography(paper)
    print(
        f"smallest sizes allowed: names {floors.name_pt:.1f} pt, index and grid "
        f"{floors.index_pt:.1f} pt, title {floors.title_pt:.0f} pt"
    )
    print(
        f"{'nodes':>7} {'edges':>7} {'SVG s':>7} {'SVG bytes':>11} {'PDF s':>7} "
        f"{'PDF bytes':>11} {'pages':>5} {'labelled':>9} {'overlaps':>9}"
    )
    for n in sizes:
        spec = poster_spec(n, paper)
        started = time.perf_counter()
        svg = render_svg(spec)
        svg_s = time.perf_counter() - started
        started = time.perf_counter()
        pdf = render_pdf(spec)
        pdf_s = time.perf_counter() - started
        pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
        labelled = svg.count('class="label"')
        overlaps = len(overlapping_pairs(poster_discs(spec)))
        print(
            f"{n:>7} {len(spec.edges):>7} {svg_s:>7.2f} {len(svg):>11,} {pdf_s:>7.2f} "
            f"{len(pdf):>11,} {pages:>5} {labelled:>9} {overlaps:>9}"
        )


def bench_labels() -> bool:
    """place_labels on 10,000 random nodes in an 800 mm square; True if within the limit."""
    rng = random.Random(2)
    nodes = [
        PlacedNode(i, rng.uniform(0, 800), rng.uniform(0, 800), 1.2, f"Person {i}", rng.random())
        for i in range(10_000)
    ]
    started = time.perf_counter()
    labels = place_labels(nodes, font_mm=2.2, box=(0, 0, 800, 800))
    seconds = time.perf_counter() - started
    ok = seconds < LABELS_LIMIT_S
    print("label placement (10,000 random nodes, 800 mm square)")
    print(f"{'nodes':>7} {'labelled':>9} {'s':>7} {'limit s':>8} {'':>5}")
    verdict = "PASS" if ok else "FAIL"
    print(f"{len(nodes):>7} {len(labels):>9} {seconds:>7.2f} {LABELS_LIMIT_S:>8.0f} {verdict:>5}")
    return ok


def bench_layout() -> None:
    print("layout (fresh, then following round: +15% ties, +2% newcomers)")
    print(
        f"{'nodes':>7} {'edges':>7} {'fresh s':>8} {'follow s':>9} {'median move':>12} "
        f"{'max move':>9}"
    )
    for n, m in ((10_000, 50_000), (100_000, 500_000)):
        nodes, edges, _ = program_graph(n, m)
        started = time.perf_counter()
        first = compute_layout(nodes=nodes, edges=edges)
        fresh_s = time.perf_counter() - started

        rng = random.Random(1)
        more = set(edges)
        while len(more) < 1.15 * len(edges):
            a, b = rng.randrange(n), rng.randrange(n)
            if a != b:
                more.add((min(a, b), max(a, b)))
        newcomers = list(range(n, n + n // 50))
        for v in newcomers:
            more.update((rng.randrange(n), v) for _ in range(3))
        started = time.perf_counter()
        second = compute_layout(nodes=nodes + newcomers, edges=sorted(more), previous=first)
        follow_s = time.perf_counter() - started
        moves = [np.hypot(second[v][0] - first[v][0], second[v][1] - first[v][1]) for v in nodes]
        width = 2 * BOX
        print(
            f"{n:>7} {len(edges):>7} {fresh_s:>8.2f} {follow_s:>9.2f} "
            f"{statistics.median(moves) / width:>11.1%} {max(moves) / width:>8.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 2000, 5000])
    parser.add_argument("--paper", default="A0")
    parser.add_argument("--layout", action="store_true")
    args = parser.parse_args()
    bench_posters(args.sizes, args.paper)
    print()
    within_limits = bench_labels()
    if args.layout:
        print()
        bench_layout()
    if not within_limits:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
