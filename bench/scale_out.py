"""Scale one metric run out over real Celery workers: 1 worker, then 2, on Redis and PostgreSQL.

    SECRET_KEY=bench-only DATABASE_URL=postgres://postgres@127.0.0.1:5432/netlead_i18 \\
    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/scale_out.py \\
        [--sizes 10000,50000] [--workers 1,2] [--keep]

For each size n it
1. seeds the program ``scale-<n>`` (the demo generator, seed 0) unless ``--keep`` finds it,
   drops the runs seeding queued and purges the bench's private queue;
2. computes round "Year two" exactly in this machine's one process (the unsplit run, split
   threshold out of reach; ``--reference-threads`` threads, default 2, as a single-machine
   deployment with ``NETLEAD_PATH_THREADS`` would) as the reference: wall, CPU, path stage;
3. for each worker count k starts k real ``celery worker --pool=solo`` processes on a
   private queue (every run split, exact: ``NETLEAD_PATH_BUDGET_SECONDS`` out of reach),
   requests the same round through ``metric_run_request`` and waits for it: wall time
   of the run and of its path stage (sweep started → last block stored), CPU time of the
   workers, CPU per block, and the largest difference of any stored value (every metric
   and x, y) from the single-process run;
4. prints a table with the load average, the path-stage speed-up of k workers over one,
   and what k workers would take, from the measured CPU per block.

Other work on the machine shows in every wall time: read the load average next to them.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")
QUEUE = os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"netlead-scale-out-{os.getpid()}")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUND = "Year two"
EXACT = {"NETLEAD_PATH_BUDGET_SECONDS": "1e12"}
TARGET_SPEEDUP = 1.8


def setup() -> None:
    import django

    if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("bench/scale_out.py needs REDIS_URL and a PostgreSQL DATABASE_URL")
    os.environ.update(EXACT)
    django.setup()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(n: int, keep: bool):
    from members.demo import seed as demo
    from members.models import Member, Program
    from netlead.celery import app
    from networkmaps.models import MetricRun

    slug = f"scale-{n}"
    program = Program.objects.filter(slug=slug).first()
    if program is None or not keep or Member.objects.filter(program=program).count() != n:
        if program is not None:
            demo.program_delete(program=program)
        started = time.perf_counter()
        program = demo.demo_program_seed(slug=slug, name=f"Scale {n:,}", members=n, seed=0)
        print(f"# seeded {n:,} members in {time.perf_counter() - started:.0f} s", flush=True)
    MetricRun.objects.filter(program=program).delete()
    app.control.purge()  # the runs seeding queued: nobody computes them
    return program, program.rounds.get(name=ROUND)


def values(run) -> dict:
    from networkmaps.runs import compute

    fields = (*compute.NODE_FIELDS, "x", "y")
    return {r[0]: r[1:] for r in run.node_metrics.values_list("member_id", *fields).iterator()}


def max_difference(a: dict, b: dict) -> float:
    if a.keys() != b.keys():
        return math.inf
    worst = 0.0
    for member, row in a.items():
        for x, y in zip(row, b[member], strict=True):
            if (x is None) != (y is None):
                return math.inf
            if x is not None:
                worst = max(worst, abs(x - y))
    return worst


def single_process(program, round_, threads: int) -> dict:
    from django.test import override_settings

    from networkmaps.models import MetricRun
    from networkmaps.runs import compute

    MetricRun.objects.filter(round=round_).delete()
    run = MetricRun.objects.create(program=program, round=round_, requested_by="bench")
    cpu, started = time.process_time(), time.perf_counter()
    with override_settings(
        NETLEAD_SPLIT_MIN_MEMBERS=10**12,
        NETLEAD_PATH_BUDGET_SECONDS=1e12,
        NETLEAD_PATH_THREADS=threads,
    ):
        run = compute.metric_run_execute(run_id=run.pk)
    wall = time.perf_counter() - started
    assert run.status == MetricRun.Status.SUCCEEDED and run.params["approximate"] is False
    result = {
        "workers": 0,
        "threads": threads,
        "wall_s": wall,
        "cpu_s": time.process_time() - cpu,
        "paths_s": run.params["timings"]["paths"],
        "values": values(run),
        "load": load_average(),
    }
    run.delete()  # the next run computes afresh, from the same (empty) previous layout
    return result


class Workers:
    def __init__(self, k: int, logs: Path):
        self.processes = []
        env = (
            os.environ
            | EXACT
            | {
                "NETLEAD_SPLIT_MIN_MEMBERS": "1000",
                "NETLEAD_WORKER_PROCESSES": str(k),
                "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            }
        )
        for i in range(k):
            log = logs / f"scale-out-worker-{k}-{i}.log"
            name = f"{QUEUE}-{k}-{i}-{uuid.uuid4().hex[:4]}@%h"
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "netlead", "worker", "--pool=solo",
                 "--queues", QUEUE, "--hostname", name, "--without-gossip", "--without-mingle",
                 "--loglevel=INFO"],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            self.processes.append((process, log))
        for process, log in self.processes:
            while "ready." not in log.read_text():
                if process.poll() is not None:
                    raise SystemExit(f"worker did not start:\n{log.read_text()}")
                time.sleep(0.2)

    def cpu(self) -> float:
        return sum(process_cpu(p.pid) for p, _ in self.processes)

    def stop(self) -> None:
        for process, _ in self.processes:
            process.terminate()
        for process, _ in self.processes:
            process.wait(timeout=30)


def on_workers(program, round_, k: int, reference: dict, logs: Path) -> dict:
    from networkmaps.models import MetricRun
    from networkmaps.runs import services

    MetricRun.objects.filter(round=round_).delete()
    workers = Workers(k, logs)
    try:
        cpu, started = workers.cpu(), time.perf_counter()
        run = services.metric_run_request(program=program, round_=round_, requested_by="bench")
        while True:
            run.refresh_from_db()
            if run.status not in MetricRun.ACTIVE:
                break
            time.sleep(0.5)
        wall = time.perf_counter() - started
        cpu = workers.cpu() - cpu
    finally:
        workers.stop()
    if run.status != MetricRun.Status.SUCCEEDED:
        raise SystemExit(f"run {run.pk} {run.status}: {run.error}")
    served = map_serve(program)
    timings = run.timings
    result = {
        "workers": k,
        "wall_s": wall,
        "cpu_s": cpu,
        "paths_s": timings["paths_wall"],
        "after_last_block_s": timings["after_last_block"],
        "blocks": timings["path_blocks"],
        "block_cpu_s": timings["path_block_cpu_total"] / timings["path_blocks"],
        "path_cpu_s": timings["path_block_cpu_total"],
        "diff": max_difference(values(run), reference["values"]),
        **served,
        "load": load_average(),
    }
    run.delete()
    return result


def map_serve(program) -> dict:
    """Server time of the map data view, warm (median of 5), for staff (every name) and a
    facilitator (names hidden by members' choices filtered out), from the run's stored map."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from members.models import ProgramRole

    user, _ = get_user_model().objects.get_or_create(username="scale-out-bench")
    client = Client(HTTP_ACCEPT_ENCODING="gzip", SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("networkmaps:map-data", args=[program.slug])
    out = {}
    for role in ("staff", "facilitator"):
        ProgramRole.objects.update_or_create(user=user, program=program, defaults={"role": role})
        times = []
        for _ in range(6):
            started = time.perf_counter()
            response = client.get(url, secure=True)  # DEBUG off: HTTPS only
            times.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.has_header("ETag"), "not stored"
        out[f"map_{role}_s"] = statistics.median(times[1:])  # the first warms the caches
    ProgramRole.objects.filter(user=user, program=program).delete()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--keep", action="store_true", help="reuse seeded programs")
    parser.add_argument("--logs", default="/tmp")
    parser.add_argument("--reference-threads", type=int, default=2)
    args = parser.parse_args()
    setup()
    sizes = [int(s) for s in args.sizes.split(",")]
    counts = [int(k) for k in args.workers.split(",")]
    rows = []
    for n in sizes:
        program, round_ = seed(n, args.keep)
        reference = single_process(program, round_, args.reference_threads)
        rows.append((n, reference))
        print(f"# {n:,} single process: {reference['wall_s']:.1f} s", flush=True)
        for k in counts:
            measured = on_workers(program, round_, k, reference, Path(args.logs))
            rows.append((n, measured))
            print(f"# {n:,} on {k} worker(s): {measured['wall_s']:.1f} s", flush=True)
    report(rows)


def report(rows) -> None:
    print()
    print("| members | where | wall s | CPU s | path stage s | path speed-up | blocks | "
          "CPU/block s | last block → reduce s | max diff | load (1/5/15 min) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    one = {}
    for n, r in rows:
        if r["workers"] == 1:
            one[n] = r["paths_s"]
    for n, r in rows:
        where = (
            f"1 process x {r['threads']} thread(s), unsplit"
            if r["workers"] == 0
            else f"{r['workers']} worker(s), split"
        )
        speedup = one[n] / r["paths_s"] if r["workers"] and n in one else None
        print(
            f"| {n:,} | {where} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['paths_s']:.1f} | "
            f"{'–' if speedup is None else f'{speedup:.2f}x'} | {r.get('blocks', '–')} | "
            f"{r['block_cpu_s']:.2f} | {r['after_last_block_s']:.1f} | {r['diff']:.1e} | "
            f"{r['load']} |"
            if r["workers"]
            else f"| {n:,} | {where} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
            f"{r['paths_s']:.1f} | – | – | – | – | (reference) | {r['load']} |"
        )
    print()
    for n, r in rows:
        if r["workers"] == 2 and n in one:
            speedup = one[n] / r["paths_s"]
            verdict = "PASS" if speedup >= TARGET_SPEEDUP else "below target (machine load?)"
            print(f"- {n:,}: path stage {speedup:.2f}x with 2 workers (target ≥ 1.8x): {verdict}")
    print("\nMap data view, warm, from the run's stored map (median of 5; target 10k ≤ 0.2 s, "
          "100k ≤ 1 s):")  # fmt: skip
    for n, r in rows:
        if r["workers"] == 2 or (r["workers"] and not any(x["workers"] == 2 for _, x in rows)):
            staff, facilitator = r["map_staff_s"], r["map_facilitator_s"]
            print(f"- {n:,}: staff {staff:.3f} s, facilitator {facilitator:.3f} s")
    print("\nWhat k workers would take for the path stage (measured CPU per block, perfect split):")
    for n, r in rows:
        fewest = min(x["workers"] for m, x in rows if m == n and x["workers"])
        if r["workers"] == fewest:
            cpu = r["path_cpu_s"]
            rest = r["wall_s"] - r["paths_s"]
            estimates = ", ".join(
                f"{k}: {cpu / k:.0f} s (+{rest:.0f} s rest of the run)" for k in (1, 2, 4, 8, 16)
            )
            print(f"- {n:,}: {estimates}")


if __name__ == "__main__":
    main()
