"""Benchmark the whole metrics pipeline on PostgreSQL: seed → load → metrics → store → pages.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/netlead_bench \\
        .venv/bin/python bench/metrics.py [--sizes 1000,10000,100000] [--keep]
        [--reference-up-to 2000] [--overlap-size 10000] [--json out.json]

For each size n it
1. creates the program ``bench-<n>`` with ``members.demo.seed.demo_program_seed`` (the
   ``seed_demo`` generator, seed 0; ~4.7 relationship rows per member in round "Year
   two", i.e. an average degree of ~9), or reuses it with ``--keep``;
2. times the real service on round "Year two" (``metric_run_request`` +
   ``metric_run_execute``, in-process, in a child process of its own so its peak memory
   is that size's alone); stage times are ``MetricRun.timings`` and the engine's
   ``params["timings"]``. Earlier runs of the round are deleted first, so the data
   fingerprint never short-cuts the computation;
3. times a plain-networkx pipeline on the same rows (values_list → nx.Graph → the same
   metric set → NodeMetric rows stored in a transaction that is rolled back), only up to
   ``--reference-up-to`` members: above that it would run for longer than 10 minutes;
4. at ``--overlap-size`` compares the service's betweenness estimate (its pivots, its
   seed) with exact betweenness: share of the exact top 50 found in the estimated top 50;
5. times the staff dashboard and the member table (page 1, sorted by -betweenness) with
   Django's test Client: one warm-up, then the median of 5 GETs, and counts queries.

Numbers depend on how busy the machine is: the load average is printed with the table.
Refuses to run on SQLite. Run ``manage.py migrate`` on the database first.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Threaded BLAS/OpenMP slows to a crawl on a busy 2-core machine; workers scale by process.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUND = "Year two"
TOP_K = 50
# networkx's effective_size(G) allocates a dense n x n float64 matrix (1.6 GB at 10k).
EFFECTIVE_SIZE_DENSE_LIMIT = 15_000
SERVICE_STAGES = ("load", "metrics", "store", "total")
TARGETS = {
    "exact_10k_s": 20.0,
    "speedup_10k": 30.0,
    "total_100k_s": 600.0,
    "rss_100k_mib": 4096.0,
    "overlap": 0.9,
    "page_ms": 300.0,
}


def setup_django(*, check_migrations: bool = True) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if connection.vendor != "postgresql":
        raise SystemExit(
            f"bench/metrics.py measures PostgreSQL, not {connection.vendor}: set DATABASE_URL="
            "postgres://postgres@127.0.0.1:5432/netlead_bench (and run manage.py migrate)."
        )
    if check_migrations:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan)
            print(
                f"WARNING: unapplied migrations ({names}): run manage.py migrate", file=sys.stderr
            )


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> tuple[float, float | None]:
    """CPU seconds used so far by this process and by its PostgreSQL backend (None when
    the server's /proc is not ours to read): wall time alone swings with the machine's load.
    """
    from django.db import connection

    own = time.process_time()
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return own, None
    return own, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_since(before: tuple[float, float | None]) -> dict[str, float | None]:
    own, db = cpu_seconds()
    return {"cpu_s": own - before[0], "db_cpu_s": None if db is None else db - before[1]}


def bench_round(slug: str):
    from members.models import Program

    program = Program.objects.get(slug=slug)
    return program, program.rounds.get(name=ROUND)


# --- child processes: one measurement each, JSON on the last stdout line -------------


def child_seed(n: int, slug: str, keep: bool) -> dict:
    from members.demo import seed as services
    from members.models import Member, Program, Relationship

    existing = Program.objects.filter(slug=slug).first()
    if existing and keep and Member.objects.filter(program=existing).count() == n:
        rows = Relationship.objects.filter(program=existing, round__name=ROUND).count()
        return {"members": n, "seed_s": None, "delete_s": None, "rows": rows, "reused": True}
    delete_s = None
    if existing:
        started = time.perf_counter()
        services.program_delete(program=existing)
        delete_s = time.perf_counter() - started
    started = time.perf_counter()
    program = services.demo_program_seed(slug=slug, name=f"Bench {n:,}", members=n, seed=0)
    seed_s = time.perf_counter() - started
    rows = Relationship.objects.filter(program=program, round__name=ROUND).count()
    all_rows = Relationship.objects.filter(program=program).count()
    return {
        "members": n,
        "seed_s": seed_s,
        "delete_s": delete_s,
        "rows": rows,
        "all_rows": all_rows,
        "reused": False,
    }


def child_pipeline(slug: str) -> dict:
    from unittest import mock

    from networkmaps.graph.metrics import GraphInput, compute_metrics
    from networkmaps.models import MetricRun
    from networkmaps.runs import compute, services

    program, round_ = bench_round(slug)
    # A worker has the numba kernels loaded already: load (or compile) them outside the
    # timed run, and say how long it took.
    warm_started = time.perf_counter()
    compute_metrics(GraphInput(nodes=list(range(1, 9)), ties=[(1, 2, 3, False), (2, 3, 3, True)]))
    warm_s = time.perf_counter() - warm_started
    # Same data → same fingerprint → the service would reuse the old run: drop old runs.
    MetricRun.objects.filter(round=round_).delete()
    rss_before = peak_rss_mib()

    cpu = cpu_seconds()
    started = time.perf_counter()
    # metric_run_request queues the Celery task on commit; run it here, in this process.
    with mock.patch("networkmaps.runs.tasks.metric_run_execute") as task:
        run = services.metric_run_request(program=program, round_=round_, requested_by="bench")
    assert task.delay.called, "metric_run_request did not queue the task"
    run = compute.metric_run_execute(run_id=run.pk)
    wall_s = time.perf_counter() - started
    cpu = cpu_since(cpu)
    if run is None or run.status != MetricRun.Status.SUCCEEDED:
        raise SystemExit(f"run did not succeed: {run and run.status} {run and run.error}")
    network = dict(run.network_metrics.values_list("name", "value"))
    return {
        "run_id": run.pk,
        "timings": run.timings,
        "engine": run.params.get("timings", {}),
        "approximate": run.approximate,
        "pivots": run.params.get("pivots"),
        "ties": int(network.get("ties") or 0),
        "relationships": int(network.get("relationships") or 0),
        "members": int(network.get("members") or 0),
        "wall_s": wall_s,
        **cpu,
        "warm_s": warm_s,
        "rss_before_mib": rss_before,
        "peak_rss_mib": peak_rss_mib(),
    }


def child_reference(slug: str) -> dict:
    """The same pipeline in plain networkx: values_list → nx.Graph → metrics → store."""
    import networkx as nx
    from django.db import transaction

    from members.models import Member, Relationship
    from networkmaps.models import MetricRun, NodeMetric
    from networkmaps.runs import split

    program, round_ = bench_round(slug)
    timings: dict[str, float | str] = {}
    cpu = cpu_seconds()
    started = time.perf_counter()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = now - since
        return now

    t = started
    nodes = list(Member.objects.filter(program=program).values_list("id", flat=True))
    rows = list(
        Relationship.objects.filter(round=round_).values_list(
            "source_id", "target_id", "strength", "type__directed"
        )
    )
    t = lap("load", t)

    g = nx.Graph()
    g.add_nodes_from(nodes)
    d = nx.DiGraph()
    d.add_nodes_from(nodes)
    for s, v, strength, directed in rows:
        if s == v:
            continue
        if g.has_edge(s, v):
            g[s][v]["weight"] = max(g[s][v]["weight"], strength)
        else:
            g.add_edge(s, v, weight=strength)
        d.add_edge(s, v)
        if not directed:
            d.add_edge(v, s)
    t = lap("build", t)

    n = g.number_of_nodes()
    # The same exact/estimated choice the service makes for this graph (runs/split.py).
    k = split.path_plan(n=n, pairs=g.number_of_edges()).pivots
    largest = g.subgraph(max(nx.connected_components(g), key=len))
    values: dict[str, dict] = {}
    stages = {
        "degree": lambda: dict(g.degree()),
        "in_degree": lambda: dict(d.in_degree()),
        "out_degree": lambda: dict(d.out_degree()),
        "weighted_degree": lambda: dict(g.degree(weight="weight")),
        "betweenness": lambda: nx.betweenness_centrality(g, k=k, seed=0),
        "closeness": lambda: nx.closeness_centrality(g),
        "harmonic": lambda: {v: h / max(n - 1, 1) for v, h in nx.harmonic_centrality(g).items()},
        "average_path_length": lambda: nx.average_shortest_path_length(largest),
        "reach_two_steps": lambda: {
            v: (len(nx.single_source_shortest_path_length(g, v, cutoff=2)) - 1) / (n - 1) for v in g
        },
        "eigenvector": lambda: nx.eigenvector_centrality(g, weight=None, max_iter=1000),
        "pagerank": lambda: nx.pagerank(g, weight="weight"),
        "constraint": lambda: nx.constraint(g),
        "effective_size": lambda: nx.effective_size(g),
        "clustering": lambda: nx.clustering(g),
        "transitivity": lambda: nx.transitivity(g),
        "core_number": lambda: nx.core_number(g),
        "community": lambda: nx.community.louvain_communities(g, weight=None, seed=0),
        "components": lambda: nx.number_connected_components(g),
    }
    for name, stage in stages.items():
        if name == "effective_size" and n > EFFECTIVE_SIZE_DENSE_LIMIT:
            timings[name] = "infeasible (dense n x n)"
            continue
        t0 = time.perf_counter()
        values[name] = stage()
        timings[name] = time.perf_counter() - t0
    modularity_started = time.perf_counter()
    values["modularity"] = nx.community.modularity(g, values["community"], weight=None)
    timings["community"] += time.perf_counter() - modularity_started
    t = time.perf_counter()
    metrics_s = t - started - timings["load"] - timings["build"]

    community_of = {
        v: i
        for i, block in enumerate(sorted(values["community"], key=len, reverse=True))
        for v in block
    }
    per_member = ("betweenness", "closeness", "harmonic", "eigenvector", "pagerank")
    per_member += ("clustering", "reach_two_steps")
    with transaction.atomic():
        run = MetricRun.objects.create(
            program=program, round=round_, status=MetricRun.Status.FAILED, stage="bench"
        )
        effective = values.get("effective_size", {})
        NodeMetric.objects.bulk_create(
            (
                NodeMetric(
                    run=run,
                    member_id=v,
                    degree=values["degree"][v],
                    in_degree=values["in_degree"][v],
                    out_degree=values["out_degree"][v],
                    weighted_degree=values["weighted_degree"][v],
                    constraint=_finite(values["constraint"].get(v)),
                    effective_size=_finite(effective.get(v)),
                    core_number=values["core_number"][v],
                    community=community_of[v],
                    **{name: values[name][v] for name in per_member},
                )
                for v in nodes
            ),
            batch_size=5000,
        )
        transaction.set_rollback(True)  # timed like the service's store, never kept
    lap("store", t)
    total = time.perf_counter() - started
    return {
        **cpu_since(cpu),
        "members": n,
        "ties": g.number_of_edges(),
        "approximate": k is not None,
        "pivots": k,
        "metrics_s": metrics_s,
        "total_s": total,
        "stages": timings,
        "peak_rss_mib": peak_rss_mib(),
        "networkx": nx.__version__,
    }


def _finite(value):
    return None if value is None or value != value else value


def child_overlap(slug: str) -> dict:
    from networkmaps.graph.metrics import compute_metrics
    from networkmaps.runs import compute

    _, round_ = bench_round(slug)
    graph = compute.round_data_load(round_=round_).graph
    n = len(graph.nodes)
    started = time.perf_counter()
    exact = compute_metrics(graph, exact_limit=n, seed=0)
    exact_s = time.perf_counter() - started
    best = _top({m: v["betweenness"] for m, v in exact.nodes.items()})
    rows = []
    # The service's pivots first; the engine's default next to it for comparison.
    for pivots in dict.fromkeys((compute.PIVOTS, 4096)):
        if pivots >= n:
            continue  # every member a source: that is the exact computation
        started = time.perf_counter()
        approx = compute_metrics(graph, exact_limit=n - 1, pivots=pivots, seed=0)
        seconds = time.perf_counter() - started
        assert approx.params["approximate"]
        found = _top({m: v["betweenness"] for m, v in approx.nodes.items()})
        rows.append(
            {
                "pivots": pivots,
                "seconds": seconds,
                "overlap": len(best & found) / TOP_K,
                "service": pivots == compute.PIVOTS,
            }
        )
    return {"members": n, "exact_s": exact_s, "rows": rows}


def _top(values: dict[int, float]) -> set[int]:
    return {m for m, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_K]}


def child_pages(slug: str) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from members.demo.seed import staff_login_ensure

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    program, _ = bench_round(slug)
    user = staff_login_ensure(
        program=program, username="bench-staff", password=os.urandom(16).hex()
    )
    client = Client()
    client.force_login(user)
    pages = {
        "dashboard": reverse("networkmaps:dashboard", kwargs={"slug": slug}),
        "member_table": reverse("networkmaps:member-table", kwargs={"slug": slug})
        + "?sort=-betweenness&page=1",
    }
    out = {}
    for name, url in pages.items():
        response = client.get(url)  # warm-up (template compilation, caches)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Read the count now: the next request resets connection.queries (DEBUG=true).
        query_count = len(queries)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        out[name] = {
            "median_ms": statistics.median(times),
            "times_ms": times,
            "queries": query_count,
            "bytes": len(response.content),
        }
    return out


CHILDREN = {
    "seed": lambda a: child_seed(a.n, a.slug, a.keep),
    "pipeline": lambda a: child_pipeline(a.slug),
    "reference": lambda a: child_reference(a.slug),
    "overlap": lambda a: child_overlap(a.slug),
    "pages": lambda a: child_pages(a.slug),
}


# --- parent: spawn children, print the table --------------------------------------------


def spawn(kind: str, n: int, slug: str, *extra: str) -> dict | None:
    """Run one measurement in a child process; None (after printing why) if it failed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--n", str(n), "--slug", slug, *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-6000:])
        print(f"# {n:,} {kind}: FAILED after {seconds:.1f} s", file=sys.stderr, flush=True)
        return None
    print(f"# {n:,} {kind}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt(value, spec: str = ".1f", empty: str = "–") -> str:
    return empty if value is None else format(value, spec)


def print_table(results: list[dict]) -> None:
    header = (
        "size | members | ties | seed s | load s | metrics s | store s | total s | "
        "peak RSS MiB | networkx ref s | speed-up | dashboard ms | member table ms"
    )
    print(header)
    print(" | ".join("---" for _ in header.split(" | ")))
    for r in results:
        seed, p, ref, pages = r["seed"], r.get("pipeline"), r.get("reference"), r.get("pages")
        t = p["timings"] if p else {}
        if seed is None:
            seed_cell = "FAILED"
        else:
            seed_cell = "reused" if seed["reused"] else fmt(seed["seed_s"])
        if ref is None:
            ref_cell = speed = r.get("reference_note", "skipped")
        else:
            ref_cell = f"{ref['total_s']:.1f}"
            speed = f"{ref['total_s'] / t['total']:.0f}×" if t else "–"
        mode = ""
        if p is not None:
            mode = f" (pivots {p['pivots']})" if p["approximate"] else " (exact)"
        page_cells = [("FAILED" if p else "–")] * 2
        if pages is not None:
            page_cells = [
                f"{pages[name]['median_ms']:.0f} ({pages[name]['queries']} q)"
                for name in ("dashboard", "member_table")
            ]
        cells = [
            f"{r['n']:,}{mode}",
            f"{p['members']:,}" if p else f"{r['n']:,}",
            f"{p['ties']:,}" if p else "–",
            seed_cell,
            fmt(t.get("load"), ".2f"),
            fmt(t.get("metrics"), ".2f"),
            fmt(t.get("store"), ".2f"),
            fmt(t.get("total"), ".2f") if p or seed is None else "FAILED",
            f"{p['peak_rss_mib']:.0f}" if p else "–",
            ref_cell,
            speed,
            *page_cells,
        ]
        print(" | ".join(cells))


def print_details(results: list[dict]) -> None:
    print("\nservice stages (MetricRun.timings) and engine stages (params['timings']), s:")
    for r in results:
        p = r.get("pipeline")
        if p is None:
            continue
        order = ["load", "metrics", *sorted(set(p["timings"]) - set(SERVICE_STAGES))]
        order += ["store", "total"]
        service = ", ".join(f"{k} {p['timings'][k]:.2f}" for k in order if k in p["timings"])
        stages = ", ".join(f"{k} {v:.2f}" for k, v in p["engine"].items() if k != "total")
        print(
            f"  {r['n']:,}: service [{service}]; engine [{stages}]; "
            f"{p['relationships']:,} relationship rows; numba warm-up {p['warm_s']:.1f} s "
            f"(not timed); RSS before the run {p['rss_before_mib']:.0f} MiB; "
            f"CPU {_cpu(p)}"
        )
    for r in results:
        ref = r.get("reference")
        if ref:
            slowest = sorted(
                ((k, v) for k, v in ref["stages"].items() if isinstance(v, float)),
                key=lambda kv: -kv[1],
            )[:5]
            detail = ", ".join(f"{k} {v:.1f}" for k, v in slowest)
            skipped = [k for k, v in ref["stages"].items() if isinstance(v, str)]
            note = f"; skipped: {', '.join(skipped)}" if skipped else ""
            print(
                f"networkx {ref['networkx']} at {r['n']:,}: total {ref['total_s']:.1f} s "
                f"(metrics {ref['metrics_s']:.1f} s, peak {ref['peak_rss_mib']:.0f} MiB); "
                f"slowest: {detail}{note}; CPU {_cpu(ref)}"
            )
            p = r.get("pipeline")
            if p and p.get("cpu_s") and ref.get("cpu_s"):
                ours = p["cpu_s"] + (p["db_cpu_s"] or 0)
                theirs = ref["cpu_s"] + (ref["db_cpu_s"] or 0)
                print(
                    f"  speed-up in CPU seconds (less sensitive to load) at {r['n']:,}: "
                    f"{theirs / ours:.0f}× ({theirs:.1f} s vs {ours:.1f} s)"
                )


def _cpu(m: dict) -> str:
    if m.get("cpu_s") is None:
        return "not measured"
    db = m.get("db_cpu_s")
    return f"{m['cpu_s']:.1f} s + PostgreSQL backend {fmt(db)} s"


def check_targets(results: list[dict], overlap: dict | None) -> list[tuple[str, str, str]]:
    by_n = {r["n"]: r for r in results}
    checks: list[tuple[str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    ten = by_n.get(10_000) or {}
    p = ten.get("pipeline")
    if p:
        total = p["timings"]["total"]
        exact = not p["approximate"]
        checks.append(
            (
                "10k exact pipeline ≤ 20 s",
                verdict(exact and total <= TARGETS["exact_10k_s"]),
                f"{total:.1f} s, {'exact' if exact else 'APPROXIMATE'}",
            )
        )
        ref = ten.get("reference")
        if ref:
            ratio = ref["total_s"] / total
            checks.append(
                (
                    "10k ≥ 30× faster than networkx",
                    verdict(ratio >= TARGETS["speedup_10k"]),
                    f"{ratio:.0f}× ({ref['total_s']:.0f} s vs {total:.1f} s)",
                )
            )
        else:
            checks.append(("10k ≥ 30× faster than networkx", "n/a ", "reference not run"))
    for page in ("dashboard", "member_table"):
        if ten.get("pages"):
            ms = ten["pages"][page]["median_ms"]
            ok = verdict(ms <= TARGETS["page_ms"])
            checks.append((f"10k {page} ≤ 300 ms", ok, f"{ms:.0f} ms"))
    p = (by_n.get(100_000) or {}).get("pipeline")
    if p:
        total, rss = p["timings"]["total"], p["peak_rss_mib"]
        mode = f"pivots {p['pivots']}" if p["approximate"] else "exact"
        ok = verdict(total <= TARGETS["total_100k_s"])
        checks.append(("100k pipeline ≤ 10 min", ok, f"{total:.0f} s ({mode})"))
        ok = verdict(rss <= TARGETS["rss_100k_mib"])
        checks.append(("100k peak memory ≤ 4 GiB", ok, f"{rss:.0f} MiB"))
    row = next((r for r in overlap["rows"] if r["service"]), None) if overlap else None
    if row:
        checks.append(
            (
                f"top-50 betweenness overlap ≥ 0.9 at {overlap['members']:,}",
                verdict(row["overlap"] >= TARGETS["overlap"]),
                f"{row['overlap']:.2f} with the service's {row['pivots']} pivots",
            )
        )
    for r in results:
        for kind in ("seed", "pipeline", "reference", "pages"):
            if kind in r and r[kind] is None:
                checks.append((f"{r['n']:,} {kind}", "FAIL", "the child process failed"))
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma list of members")
    parser.add_argument(
        "--reference-up-to",
        type=int,
        default=2000,
        help="run the networkx reference up to this many members (10000: ~45 min of CPU)",
    )
    parser.add_argument(
        "--reference-from",
        metavar="JSON",
        help="reuse networkx reference results from an earlier --json file",
    )
    parser.add_argument("--overlap-size", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="reuse existing bench programs")
    parser.add_argument("--json", metavar="PATH", help="also write all results as JSON")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--slug", help=argparse.SUPPRESS)
    args = parser.parse_args()

    setup_django(check_migrations=not args.child)  # checked once, by the parent
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return

    earlier = {}
    if args.reference_from:
        for r in json.loads(Path(args.reference_from).read_text())["results"]:
            if r.get("reference"):
                earlier[r["n"]] = r["reference"]
    keep = ["--keep"] if args.keep else []
    results, overlap = [], None
    loads = [load_average()]
    for n in (int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()):
        slug = f"bench-{n}"
        r = {"n": n, "slug": slug}
        results.append(r)
        r["seed"] = spawn("seed", n, slug, *keep)
        if r["seed"] is not None:
            r["pipeline"] = spawn("pipeline", n, slug)
            if n <= args.reference_up_to:
                r["reference"] = spawn("reference", n, slug)
                if r["reference"] is None:
                    r["reference_note"] = "FAILED"
            elif n in earlier:
                r["reference"] = earlier[n]
                r["reference_note"] = "from --reference-from"
            else:
                r["reference_note"] = "skipped (would exceed 10 min)"
            if n == args.overlap_size:
                overlap = spawn("overlap", n, slug)
            if r["pipeline"] is not None:  # the pages show the run it made current
                r["pages"] = spawn("pages", n, slug)
        loads.append(load_average())
        if args.json:  # after every size, so a failure later keeps what was measured
            Path(args.json).write_text(
                json.dumps({"loads": loads, "results": results, "overlap": overlap}, indent=1)
            )

    print(
        f"\n{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
        f"{os.cpu_count()} cores; load average (1/5/15 min) at start and after each size: "
        + " → ".join(loads)
    )
    print_table(results)
    print_details(results)
    if overlap:
        print(
            f"\nbetweenness top-{TOP_K} overlap with exact at {overlap['members']:,} "
            f"(exact {overlap['exact_s']:.1f} s): "
            + "; ".join(
                f"{row['pivots']} pivots{' (service)' if row['service'] else ''} "
                f"{row['overlap']:.2f} in {row['seconds']:.1f} s"
                for row in overlap["rows"]
            )
        )
    checks = check_targets(results, overlap)
    if checks:
        print("\ntargets:")
        for name, verdict, detail in checks:
            print(f"  {verdict:4}  {name}: {detail}")


if __name__ == "__main__":
    main()
