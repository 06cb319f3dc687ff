"""The convening mixer against random seating: time, and how good the plan is.

Run: .venv/bin/python bench/mixer_bench.py

Three events, each three rotations, from the demo generator (its organisations, cohorts,
sectors and second-round ties): 100 members at tables of 8, 500 and 1,000 at tables of
10. Quality per plan, over all rotations: the share of pairs at a table that are new (no
tie), same-organisation and repeated pairs, for the familiar-face mode the share of
people who know anyone attending seated with someone they know, and the hard rules left
unmet (``hard_conflicts``). "Random" deals a fresh shuffle into the same table sizes each
rotation (median of 5 seeds). Times are wall seconds for all three rotations, after the
compiled search is loaded (its first load, or compile, is printed apart). Both modes must
plan 500 people within LIMIT_S (the script exits 1 if not).

Measured on the 2-core machine, quiet, before the search was compiled (commit 7364b86):
500 people 5.8 s without and 26.9 s with the familiar face; 1,000 with the familiar face
about 140 s on a busy machine. The compiled search makes the same plans (same seed, same
tables), so the quality columns did not move.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from members.demo.generate import generate  # noqa: E402
from networkmaps.graph.mixer import hard_conflicts, mix_rotations, table_sizes  # noqa: E402

LIMIT_S = 10.0
ROTATIONS = 3
EVENTS = ((100, 8), (500, 10), (1000, 10))  # members, table size


def event(members: int):
    demo = generate(members=members, seed=0)
    people = list(range(len(demo.members)))
    ties = {(min(t.source, t.target), max(t.source, t.target)) for t in demo.ties[-1]}
    organisations = {i: str(m.organisation) for i, m in enumerate(demo.members)}
    groups = {
        "cohort": {i: str(m.cohort) for i, m in enumerate(demo.members)},
        "sector": {i: m.sector for i, m in enumerate(demo.members)},
    }
    return people, ties, organisations, groups


def unavoidable_same_org(organisations, tables: int) -> int:
    """Same-organisation pairs no seating avoids: an organisation with more people than
    there are tables must put some of them together (spread evenly), every rotation."""
    sizes: dict[str, int] = {}
    for org in organisations.values():
        sizes[org] = sizes.get(org, 0) + 1
    pairs = 0
    for size in sizes.values():
        q, r = divmod(size, tables)
        pairs += r * (q + 1) * q // 2 + (tables - r) * q * (q - 1) // 2
    return pairs * ROTATIONS


def random_rotations(people, table_size: int, seed: int):
    rng = random.Random(seed)
    out = []
    for _ in range(ROTATIONS):
        order = list(people)
        rng.shuffle(order)
        tables, start = [], 0
        for size in table_sizes(len(order), table_size):
            tables.append(order[start : start + size])
            start += size
        out.append(tables)
    return out


def measure(rotations, ties, organisations) -> dict[str, float]:
    pairs = new = same_org = repeated = 0
    sociable = {p for pair in ties for p in pair}
    familiar = lonely_or_not = 0
    met: set[tuple[int, int]] = set()
    for tables in rotations:
        now = set()
        for table in tables:
            knows = set()
            for k, a in enumerate(table):
                for b in table[k + 1 :]:
                    pair = (min(a, b), max(a, b))
                    pairs += 1
                    new += pair not in ties
                    knows.update(pair if pair in ties else ())
                    same_org += organisations[a] == organisations[b]
                    repeated += pair in met
                    now.add(pair)
            here = sociable.intersection(table)
            lonely_or_not += len(here)
            familiar += len(here & knows)
        met |= now
    return {
        "new": new / pairs,
        "same_org": same_org,
        "repeated": repeated,
        "familiar": familiar / max(lonely_or_not, 1),
    }


def warm() -> float:
    """Load (or, in a fresh environment, compile) the search once: seconds taken."""
    started = time.perf_counter()
    people = list(range(40))
    mix_rotations(
        attendees=people, table_size=6, ties={(0, 1), (2, 3)}, groups={},
        organisations={p: str(p % 9) for p in people}, familiar_face=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> int:
    loading = warm()
    rows, floors, gated = [], [], []
    for members, table_size in EVENTS:
        label = f"{members:,} at tables of {table_size}"
        people, ties, organisations, groups = event(members)
        baseline = [
            measure(random_rotations(people, table_size, seed), ties, organisations)
            for seed in range(5)
        ]
        floor = unavoidable_same_org(organisations, len(table_sizes(len(people), table_size)))
        floors.append(f"{members:,}: {floor}")
        median = {k: statistics.median(r[k] for r in baseline) for k in baseline[0]}
        rows.append((label, "random", median, None, None))
        for familiar in (False, True):
            started = time.perf_counter()
            plan = mix_rotations(
                attendees=people, table_size=table_size, ties=ties, groups=groups,
                organisations=organisations, rotations=ROTATIONS, familiar_face=familiar,
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            unmet = len(
                hard_conflicts(
                    rotations=plan, ties=ties, organisations=organisations, familiar_face=familiar
                )
            )
            name = "mixer, familiar face" if familiar else "mixer"
            rows.append((label, name, measure(plan, ties, organisations), unmet, elapsed))
            if members == 500:
                gated.append((name, elapsed))
    print(f"{ROTATIONS} rotations each; random = median of 5 shuffles; "
          f"search loaded in {loading:.1f} s\n")  # fmt: skip
    print("| event | seating | new pairs | same-org pairs | repeated pairs | familiar face "
          "| rules unmet | time |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, name, found, unmet, elapsed in rows:
        unmet_text = "" if unmet is None else f"{unmet}"
        time_text = "" if elapsed is None else f"{elapsed:.2f} s"
        print(f"| {label} | {name} | {found['new']:.1%} | {found['same_org']:.0f} | "
              f"{found['repeated']:.0f} | {found['familiar']:.1%} | {unmet_text} | "
              f"{time_text} |")  # fmt: skip
    print("\nSame-organisation pairs no seating avoids (an organisation larger than the number"
          " of tables): " + "; ".join(floors) + ".")  # fmt: skip
    worst = max(elapsed for _, elapsed in gated)
    verdict = "PASS" if worst <= LIMIT_S else "FAIL"
    times = ", ".join(f"{name} {elapsed:.2f} s" for name, elapsed in gated)
    print(f"\n500 attendees, 3 rotations: {times} (limit {LIMIT_S:.0f} s) {verdict}")
    return 0 if worst <= LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
