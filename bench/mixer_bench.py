"""The convening mixer against random seating: how many pairs at a table are new, and how
many share an organisation or sat together in an earlier rotation.

Run: .venv/bin/python bench/mixer_bench.py

Two events, each three rotations: the demo program (120 members, tables of 8) and a demo
program of 500 members at 50 tables of 10. Ties are the second round's (the denser one);
organisations, cohorts and sectors are the generator's. "Random" deals a fresh shuffle into
the same table sizes each rotation (median of 5 seeds). Times are wall seconds for all
three rotations; the 500-person plan must take at most LIMIT_S (the script exits 1 if not).
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
    met: set[tuple[int, int]] = set()
    for tables in rotations:
        now = set()
        for table in tables:
            for k, a in enumerate(table):
                for b in table[k + 1 :]:
                    pair = (min(a, b), max(a, b))
                    pairs += 1
                    new += pair not in ties
                    same_org += organisations[a] == organisations[b]
                    repeated += pair in met
                    now.add(pair)
        met |= now
    return {
        "new": new / pairs,
        "same_org": same_org,
        "repeated": repeated,
    }


def main() -> int:
    rows, floors = [], []
    worst = 0.0
    for label, members, table_size in (("demo, 120", 120, 8), ("500 at 50 tables", 500, 10)):
        people, ties, organisations, groups = event(members)
        baseline = [
            measure(random_rotations(people, table_size, seed), ties, organisations)
            for seed in range(5)
        ]
        floor = unavoidable_same_org(organisations, len(table_sizes(len(people), table_size)))
        floors.append(f"{label}: {floor} same-organisation pairs are unavoidable")
        rows.append(
            (label, "random", *(statistics.median(r[k] for r in baseline) for k in baseline[0]),
             None, 0.0)
        )  # fmt: skip
        for familiar in (False, True):
            started = time.perf_counter()
            plan = mix_rotations(
                attendees=people, table_size=table_size, ties=ties, groups=groups,
                organisations=organisations, rotations=ROTATIONS, familiar_face=familiar,
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            found = measure(plan, ties, organisations)
            unmet = len(
                hard_conflicts(
                    rotations=plan, ties=ties, organisations=organisations, familiar_face=familiar
                )
            )
            name = "mixer, familiar face" if familiar else "mixer"
            rows.append((label, name, found["new"], found["same_org"], found["repeated"], unmet,
                         elapsed))  # fmt: skip
            if not familiar and members == 500:
                worst = elapsed
    print(f"{ROTATIONS} rotations each; random = median of 5 shuffles\n")
    print("| event | seating | new pairs | same-org pairs | repeated pairs | rules unmet | time |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, name, new, same, repeated, unmet, elapsed in rows:
        unmet_text = "" if unmet is None else f"{unmet}"
        time_text = "" if name == "random" else f"{elapsed:.1f} s"
        print(f"| {label} | {name} | {new:.1%} | {same:.0f} | {repeated:.0f} | {unmet_text} | "
              f"{time_text} |")  # fmt: skip
    print("\n" + "; ".join(floors) + " (an organisation larger than the number of tables).")
    verdict = "PASS" if worst <= LIMIT_S else "FAIL"
    print(f"\n500 attendees, 3 rotations: {worst:.1f} s (limit {LIMIT_S:.0f} s) {verdict}")
    return 0 if worst <= LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
