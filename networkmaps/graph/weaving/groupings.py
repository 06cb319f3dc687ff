"""Ways of splitting members into groups (components, communities, attributes) for bridge
and hub-relief suggestions, with the labels reasons use for each group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from networkmaps.graph.weaving.network import Network
from networkmaps.graph.weaving.reasons import dimension_name


@dataclass
class Grouping:
    """One way of splitting members into groups, for bridges and hub relief."""

    dimension: str
    codes: np.ndarray  # per member: group code, -1 when unknown
    values: list[Any]  # per code: what the facts call the group
    labels: list[str]  # per code: how a reason names the group
    sizes: np.ndarray
    inner: np.ndarray  # per member: ties inside their own group
    leaders: list[list[int]]  # per code: its two best-connected members
    # Per code: the label naming the runner-up, for reasons about the leader.
    runner_up_labels: list[str]

    def label(self, code: int, *, besides: int | None = None) -> str:
        """The group's label, not named after ``besides`` when it can avoid it."""
        if self.leaders[code][:1] == [besides] and self.runner_up_labels[code]:
            return self.runner_up_labels[code]
        return self.labels[code]


def grouping_by(net: Network, dim: str) -> Grouping:
    """The grouping by ``dim``, built once per network."""
    if dim not in net.groupings:
        net.groupings[dim] = _new_grouping(net, dim)
    return net.groupings[dim]


def _new_grouping(net: Network, dim: str) -> Grouping:
    if dim == "component":
        codes = net.components().astype(np.int64)
        values: list[Any] = []
    elif dim == "community":
        known = net.community >= 0
        uniques, inverse = np.unique(net.community[known], return_inverse=True)
        codes = np.full(net.n, -1, dtype=np.int64)
        codes[known] = inverse
        values = [int(c) for c in uniques]
    else:
        codes = net.codes[dim]
        values = sorted({v for v in net.values[dim] if v is not None})
    k = int(codes.max()) + 1 if net.n else 0
    sizes = np.bincount(codes[codes >= 0], minlength=k)
    inner = net.inner_degree(codes)
    known_ = np.flatnonzero(codes >= 0)
    leaders: list[list[int]] = [[] for _ in range(k)]
    for i in known_[np.lexsort((net.ids[known_], -inner[known_]))].tolist():
        if len(leaders[codes[i]]) < 2:
            leaders[codes[i]].append(i)
    names = [[net.name(i) for i in top] for top in leaders]
    runner_up = [""] * k
    if dim == "component":
        main = int(np.argmax(sizes))
        values = ["main" if c == main else "separate" for c in range(k)]
        labels = [
            "the main network" if c == main else f"the separate group around {top[0]}"
            for c, top in enumerate(names)
        ]
    elif dim == "community":
        labels = [f"the cluster around {top[0]}" for top in names]
        runner_up = [f"the cluster around {top[1]}" if len(top) > 1 else "" for top in names]
    else:
        labels = [f"the {value} {dimension_name(dim)}" for value in values]
    return Grouping(dim, codes, values, labels, sizes, inner, leaders, runner_up)
