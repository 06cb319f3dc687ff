"""What would a new tie change? Computed on demand for a pair of the current round's
network and kept with the run (WhatIf), so asking again is a read."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction

from members.models import Member, Program
from members.round_graph import round_graph_load
from networkmaps.graph.input import GraphInput, build_graphs
from networkmaps.graph.weaving.what_if import tie_effect
from networkmaps.models import MetricRun, NodeMetric, WhatIf


def what_if_load(*, program: Program, first: Member, second: Member) -> dict[str, Any] | None:
    """The effect of a tie between ``first`` and ``second`` on the current run's network,
    with the group names filled in; None when the round has no computed run."""
    round_ = program.current_round()
    run = MetricRun.objects.current().filter(round=round_).first() if round_ else None
    if run is None:
        return None
    a, b = sorted((first.pk, second.pk))
    cached = WhatIf.objects.filter(run=run, member_a_id=a, member_b_id=b).first()
    if cached is None:
        started = time.perf_counter()
        effect = _compute(round_, run, a, b)
        cached = WhatIf(
            run=run, member_a_id=a, member_b_id=b, effect=effect,
            seconds=time.perf_counter() - started,
        )  # fmt: skip
        try:
            with transaction.atomic():
                cached.save()
        except IntegrityError:
            # Someone asked the same question a moment earlier: theirs is as good.
            cached = WhatIf.objects.get(run=run, member_a_id=a, member_b_id=b)
    people = {m.pk: m for m in (first, second)}
    return {
        "first": people[a],
        "second": people[b],
        "run": run,
        "seconds": cached.seconds,
        **cached.effect,
    }


def _compute(round_, run, a: int, b: int) -> dict[str, Any]:
    graph = round_graph_load(round_=round_)
    merged = build_graphs(GraphInput(nodes=graph.members, ties=graph.rows(), groups=graph.groups))
    ids = merged.order.tolist()
    index = {m: i for i, m in enumerate(ids)}
    communities = dict(NodeMetric.objects.filter(run=run).values_list("member_id", "community"))
    clusters = np.array([communities.get(m, -1) for m in ids], dtype=np.int64)
    codes, names = {}, {}
    for dim, values in graph.groups.items():
        distinct = sorted({v for v in values.values() if v}, key=str)
        lookup = {v: k for k, v in enumerate(distinct)}
        codes[dim] = np.array([lookup.get(values.get(m), -1) for m in ids], dtype=np.int64)
        names[dim] = [values.get(a), values.get(b)]
    effect = tie_effect(
        merged.adjacency(weighted=False), index[a], index[b], groups=codes, communities=clusters
    )
    for dim, change in effect["e_i"].items():
        change["groups"] = names[dim]
    return effect
