"""The suggestions a metric run stores: a deep pool of every kind, each pair's chance of
becoming a tie, then one fair ranked queue (networkmaps/graph/weaving/ranking.py).

Called once per run by networkmaps/runs/compute.py, with the round's merged graph."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np

from members.models import Program
from networkmaps.graph import weaving
from networkmaps.graph.input import GraphInput, MergedGraph, build_graphs
from networkmaps.graph.weaving import likelihood
from networkmaps.graph.weaving.ranking import rank_queue
from networkmaps.graph.weaving.suggestion import Suggestion
from networkmaps.models import PairDecision

logger = logging.getLogger(__name__)

POOL_FACTOR = 3  # candidates per kind, as a multiple of what the queue keeps
MIN_HISTORY = 30  # introductions with a known outcome before the program's own rate is used
MIN_HISTORY_PER_KIND = 10


def run_suggestions(
    *,
    run,
    merged: MergedGraph,
    node_metrics: dict[int, dict],
    communities: dict[int, int],
    people: dict[int, dict],
    previous_ties: list[tuple[int, int, int, bool]] | None,
    exclude_pairs: set[tuple[int, int]],
) -> list[Suggestion]:
    """The run's queue in priority order: value, chance and priority in each one's facts."""
    program = Program.objects.get(pk=run.program_id)
    dimensions = ["organisation", "cohort", "sector", "region"]
    dimensions += sorted(set(merged.groups) - set(dimensions))
    divides = [d for d in (program.weaving_divides or dimensions) if d in dimensions]
    pool = weaving.suggest(
        graph=merged,
        node_metrics=node_metrics,
        communities=communities,
        people=people,
        exclude_pairs=exclude_pairs,
        limits={kind: POOL_FACTOR * n for kind, n in weaving.DEFAULT_LIMITS.items()},
        divides=divides,
    )
    try:
        chances, source = pair_chances(
            program=program,
            round_=run.round,
            merged=merged,
            previous_ties=previous_ties,
            pairs=[(s.members, s.kind) for s in pool if s.kind != "key_players"],
        )
    except (ValueError, IndexError, ArithmeticError):
        # The chance is a second opinion: without it the queue still ranks by value.
        logger.exception("Run %s: no chance of a tie for the queue", run.pk)
        chances, source = None, "none: the model could not be fitted on this round (logged)"
    target = sum(n for kind, n in weaving.DEFAULT_LIMITS.items() if kind != "key_players")
    ranked, _ = rank_queue(
        pool,
        chances=chances,
        target=target,
        eligible=merged.order.tolist(),
        groups=merged.groups,
        divides=divides,
        max_per_member=program.weaving_max_per_member,
        kind_caps=dict(weaving.DEFAULT_LIMITS),
    )
    return [_with_source(s, source) for s in ranked]


def _with_source(s: Suggestion, source: str) -> Suggestion:
    return replace(s, facts={**s.facts, "chance_from": source})


def pair_chances(
    *,
    program: Program,
    round_,
    merged: MergedGraph,
    previous_ties,
    pairs: list[tuple[tuple[int, int], str]],
) -> tuple[dict[tuple[int, int], float] | None, str]:
    """Chance per pair that it becomes a tie by the next round, and where it comes from.

    The program's own record of introduced → formed once 30 introductions have a known
    outcome (per kind when a kind has 10, else overall; Laplace-smoothed rates), else the
    link-prediction model fitted on the previous round → this round. None: no evidence."""
    history = _history(program=program, round_=round_)
    if history is not None:
        by_kind, overall, outcomes = history
        chances = {pair: by_kind.get(kind, overall) for pair, kind in pairs}
        return chances, f"the program's own introductions: {outcomes:,} with a known outcome"
    if not previous_ties:
        return None, "none: one round only, nothing to learn from yet"
    index = {m: i for i, m in enumerate(merged.order.tolist())}
    n = merged.n
    now_pairs = np.column_stack([merged.edge_u, merged.edge_v]).astype(np.int64)
    before = build_graphs(GraphInput(nodes=merged.order.tolist(), ties=previous_ties))
    before_pairs = np.column_stack([before.edge_u, before.edge_v]).astype(np.int64)
    codes = _codes(merged)
    model = likelihood.fit(
        likelihood.Snapshot.build(n, before_pairs, codes=codes),
        likelihood.Snapshot.build(n, now_pairs).adj,
    )
    if model is None:
        return None, "none: too few ties formed between the last two rounds to learn from"
    snapshot = likelihood.Snapshot.build(n, now_pairs, before_pairs, codes=codes)
    rows = np.array([index[a] for (a, _), _ in pairs], dtype=np.int64)
    cols = np.array([index[b] for (_, b), _ in pairs], dtype=np.int64)
    chance = model.chance(snapshot, rows, cols) if len(pairs) else np.zeros(0)
    near = model.calibration["near"]
    brier = near.get("brier")
    text = (
        f"model: logistic regression fitted on {near['pairs']:,} pairs of the last two rounds "
        f"({near['formed']:,} formed)"
        + (
            f"; held-out Brier score {brier:.4f} (always guessing the base rate: "
            f"{near['brier_base']:.4f})"
            if brier is not None
            else ""
        )
        + _bins_text(near.get("bins") or [])
    )
    return dict(zip((p for p, _ in pairs), chance.tolist(), strict=True)), text


def _bins_text(bins: list[dict[str, Any]]) -> str:
    shown = [b for b in bins if b["pairs"] >= 20][:3]
    if not shown:
        return ""
    parts = [f"predicted {b['predicted']:.0%} vs formed {b['formed']:.0%}" for b in shown]
    return "; " + ", ".join(parts)


def _codes(merged: MergedGraph) -> list[np.ndarray]:
    ids = merged.order.tolist()
    out = []
    for dim in sorted(merged.groups):
        values = merged.groups[dim]
        distinct = {v: k for k, v in enumerate(sorted({v for v in values.values() if v}, key=str))}
        out.append(np.array([distinct.get(values.get(m), -1) for m in ids], dtype=np.int64))
    return out


def _history(*, program: Program, round_) -> tuple[dict[str, float], float, int] | None:
    made = PairDecision.objects.filter(
        program=program,
        status__in=[PairDecision.Status.INTRODUCED, PairDecision.Status.FOLLOWED_UP],
        round__observed_on__lt=round_.observed_on,
    ).values_list("kind", "tie_round_id")
    rows = list(made)
    if len(rows) < MIN_HISTORY:
        return None
    total = Counter(kind for kind, _ in rows)
    formed = Counter(kind for kind, tie in rows if tie is not None)
    overall = (sum(formed.values()) + 1) / (len(rows) + 2)
    by_kind = {
        kind: (formed[kind] + 1) / (total[kind] + 2)
        for kind in total
        if total[kind] >= MIN_HISTORY_PER_KIND
    }
    return by_kind, overall, len(rows)
