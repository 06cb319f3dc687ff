"""Anonymised exports that survive a join with the named export (k-anonymity).

`export_data_load(anonymised=True)` (rows.py) has already dropped names, emails, external
ids, organisations and titles, drawn fresh member codes and shuffled the rows. What is left
could still single people out: a 71-person firm has few "2019 cohort, Legal, North, tags
a|b" people, the map positions equal the named file's, and exact metrics join back. So
`members_anonymise`:

- **re-lays the map** from the released ties alone with a fresh random seed, then turns and
  mirrors it at random: the positions say nothing the tie list does not, and match no
  position in a named export;
- **bins every metric** into thirds of the program (low, middle, high), each released as the
  median of its third rounded to two significant figures;
- **generalises attributes until every combination is shared by at least k members**
  (`Program.anonymity_k`, default 5). Released quasi-identifiers are cohort, sector, region,
  tags, community, brokerage roles and the metric thirds. Values held by fewer than k members
  become "other"; then, while any combination is rarer than k, the column with the most
  distinct values among those people is generalised one step (its rarest value merged into
  "other", a metric's thirds dropped), Datafly-style (Sweeney 1998), so each column means
  the same for every row.

Not covered, and said in the file's docs: the tie list itself is released, and someone who
holds the named export's ties can match the two graphs' shapes (a network's structure is
identifying on its own). Share the tie list only where that is acceptable.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from dataclasses import replace
from statistics import median
from typing import TYPE_CHECKING

from networkmaps.graph.layout import compute_layout

if TYPE_CHECKING:  # rows.py calls in here; the types are only named
    from networkmaps.exports.rows import ExportMember, ExportTie

OTHER = "other"
BINS = 3
# Released as attributes (categorical) besides the metric thirds.
CATEGORICAL_METRICS = ("community",)


def members_anonymise(
    members: list[ExportMember],
    ties: list[ExportTie],
    *,
    k: int,
    metric_columns: list[str],
    integer_metrics: frozenset[str] = frozenset(),
) -> list[ExportMember]:
    """The rows, generalised to k-anonymity with re-laid positions and binned metrics."""
    if not members:
        return members
    columns = _columns(members, metric_columns, integer_metrics)
    _generalise(columns, k=k)
    positions = _relaid(members, ties)
    rows = []
    for index, member in enumerate(members):
        values = {c.name: c.values[index] for c in columns}
        metrics = {key: values.get(f"metric:{key}") for key in metric_columns}
        rows.append(
            replace(
                member,
                cohorts=_split(values["cohort"]),
                sector=values["sector"],
                region=values["region"],
                tags=_split(values["tags"]),
                metrics=metrics,
                position=positions.get(member.id),
            )
        )
    return rows


class _Column:
    """One released quasi-identifier: a value per member, and how to coarsen it."""

    def __init__(self, name: str, values: list, *, binned: bool = False, other=OTHER):
        # A number column (community) cannot hold "other": its merged values are left out.
        self.name, self.values, self.binned, self.other = name, values, binned, other

    def can_generalise(self) -> bool:
        if self.binned:
            return any(v is not None for v in self.values)
        return any(v != self.other for v in self.values)

    def generalise(self) -> None:
        """One step coarser: a metric loses its thirds; otherwise the rarest values merge."""
        if self.binned:
            self.values = [None] * len(self.values)
            return
        counts = Counter(v for v in self.values if v != self.other)
        rarest = min(counts.values())
        merged = {v for v, n in counts.items() if n == rarest}
        self.values = [self.other if v in merged else v for v in self.values]

    def merge_rare(self, k: int) -> None:
        if self.binned:
            return
        counts = Counter(self.values)
        self.values = [v if counts[v] >= k else self.other for v in self.values]


def _columns(members, metric_columns, integer_metrics) -> list[_Column]:
    def text(values) -> str:
        return "|".join(values) if values else ""

    columns = [
        _Column("cohort", [text(m.cohorts) for m in members]),
        _Column("sector", [m.sector or "" for m in members]),
        _Column("region", [m.region or "" for m in members]),
        _Column("tags", [text(sorted(m.tags)) for m in members]),
    ]
    for key in metric_columns:
        values = [m.metrics.get(key) for m in members]
        if key in CATEGORICAL_METRICS:
            columns.append(_Column(f"metric:{key}", values, other=None))
        elif any(isinstance(v, str) for v in values):
            columns.append(_Column(f"metric:{key}", values))
        else:
            binned = metric_thirds(values, integer=key in integer_metrics)
            columns.append(_Column(f"metric:{key}", binned, binned=True))
    return columns


def metric_thirds(values: list, *, integer: bool = False) -> list:
    """Each value replaced by the median of its third of the program (by rank; equal values
    stay in one third), rounded to two significant figures; None stays None."""
    present = sorted(
        (v, i) for i, v in enumerate(values) if isinstance(v, (int, float)) and math.isfinite(v)
    )
    out: list = [None] * len(values)
    if not present:
        return out
    size = len(present)
    bins: list[list[tuple[float, int]]] = [[] for _ in range(BINS)]
    for rank, (value, index) in enumerate(present):
        bins[min(rank * BINS // size, BINS - 1)].append((value, index))
    # Equal values must not straddle two thirds, or the third would tell them apart.
    for b in range(1, BINS):
        while bins[b] and bins[b - 1] and bins[b][0][0] == bins[b - 1][-1][0]:
            bins[b - 1].append(bins[b].pop(0))
    for group in bins:
        if not group:
            continue
        middle = _two_figures(median(v for v, _ in group))
        for _, index in group:
            out[index] = int(round(middle)) if integer else middle
    return out


def _two_figures(value: float) -> float:
    if value == 0:
        return 0.0
    return round(value, 1 - int(math.floor(math.log10(abs(value)))))


def _generalise(columns: list[_Column], *, k: int) -> None:
    for column in columns:
        column.merge_rare(k)
    while True:
        rows = list(zip(*(c.values for c in columns), strict=True))
        counts = Counter(rows)
        rare = [i for i, row in enumerate(rows) if counts[row] < k]
        if not rare:
            return
        open_ = [c for c in columns if c.can_generalise()]
        if not open_:
            return  # everything is "other": one group of everyone
        widest = max(open_, key=lambda c: len({c.values[i] for i in rare}))
        widest.generalise()


def _relaid(members: list[ExportMember], ties: list[ExportTie]) -> dict[str, tuple]:
    """A fresh layout of the released ties (random seed), turned and mirrored at random,
    for the members who had a position; nothing of the named map's coordinates is used."""
    placed = [m.id for m in members if m.position is not None]
    if not placed:
        return {}
    index = {member_id: i for i, member_id in enumerate(placed)}
    edges = [
        (index[t.source], index[t.target]) for t in ties if t.source in index and t.target in index
    ]
    layout = compute_layout(nodes=list(range(len(placed))), edges=edges, seed=secrets.randbits(31))
    angle = secrets.SystemRandom().uniform(0, 2 * math.pi)
    mirror = -1 if secrets.randbits(1) else 1
    # Scaled so the turned square still fits the layout's box.
    cos, sin = math.cos(angle) / math.sqrt(2), math.sin(angle) / math.sqrt(2)
    positions = {}
    for member_id, i in index.items():
        x, y = layout[i]
        x *= mirror
        positions[member_id] = (round(x * cos - y * sin, 1), round(x * sin + y * cos, 1))
    return positions


def _split(value: str) -> tuple[str, ...]:
    return tuple(value.split("|")) if value else ()
