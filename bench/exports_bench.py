"""Time every export format of a large program round, with peak memory.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/netlead_bench \\
        .venv/bin/python bench/exports_bench.py [--members 10000] [--keep] [--memory]

Creates the program ``bench-exports-<n>`` with ``demo_program_seed`` (or reuses it with
``--keep``), computes the metrics of round "Year two" once, then for each format (named and
anonymised) times ``export_data_load`` (the queries) and the writer (streaming every
chunk to nowhere), and reports bytes written; with ``--memory`` also the peak Python
memory (tracemalloc) of the whole export, which slows everything down several times.
Run ``manage.py migrate`` on the database first.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")

import django  # noqa: E402

django.setup()

from members.demo import seed as member_services
from members.models import Program  # noqa: E402
from networkmaps.exports import formats, rows
from networkmaps.models import MetricRun  # noqa: E402
from networkmaps.runs import compute, services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench program")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure peak memory (tracemalloc makes everything several times slower)",
    )
    args = parser.parse_args()
    slug = f"bench-exports-{args.members}"

    program = Program.objects.filter(slug=slug).first()
    if program is None or not args.keep:
        started = time.perf_counter()
        program = member_services.demo_program_seed(
            slug=slug, name=f"Bench {args.members}", members=args.members, replace=True
        )
        print(f"seeded {args.members:,} members in {time.perf_counter() - started:.1f} s")
    round_ = program.rounds.get(name="Year two")
    if not MetricRun.objects.current().filter(round=round_).exists():
        started = time.perf_counter()
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
        print(f"metrics computed in {time.perf_counter() - started:.1f} s")
    print(f"{program.members.count():,} members, {round_.ties.count():,} ties in {round_}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")

    print(f"{'format':<12} {'anon':<5} {'load s':>7} {'write s':>8} {'MB out':>8} {'peak MB':>8}")
    for key in formats.FORMATS:
        for anonymised in (False, True):
            if args.memory:
                tracemalloc.start()
            started = time.perf_counter()
            data = rows.export_data_load(program=program, round_=round_, anonymised=anonymised)
            loaded = time.perf_counter()
            size = sum(len(chunk) for chunk in formats.FORMATS[key].write(data))
            written = time.perf_counter()
            peak = tracemalloc.get_traced_memory()[1] if args.memory else float("nan")
            tracemalloc.stop()
            print(
                f"{key:<12} {'yes' if anonymised else 'no':<5} {loaded - started:7.2f} "
                f"{written - loaded:8.2f} {size / 1e6:8.1f} {peak / 1e6:8.1f}"
            )
            del data


if __name__ == "__main__":
    main()
