"""One program round as plain export rows, read through the one round reader.

`export_data_load` reads the round into plain rows, with any anonymising already done, so
nothing a writer (networkmaps.exports.writers) sees can leak a name. The ties are the ones
`round_graph_load` counts (the program's "confirmed ties only" rule applied), one row per
relationship with its type, direction and strength, so a file imports back into netlead;
each member's cohorts are listed earliest first, as the metrics group them. A tie the
missing-answer rule carried from the previous round (members/missing_answers.py) says so
(`carried`), in every format, so a reader can tell it from one reported in the round.

Spreadsheet and CSV text cells that start with `= + - @`, a tab or a carriage return get a
leading `'`, so Excel and LibreOffice show them as text instead of running a formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import IntegerField
from django.utils import timezone

from members.models import Member, MemberAttribute, Program, Round
from members.round_graph import round_graph_load
from networkmaps.exports.anonymise import members_anonymise
from networkmaps.exports.tie_quality import (
    member_answers_by_member,
    tie_quality_by_pair,
    tie_quality_of,
)
from networkmaps.glossary import MEMBER_METRICS
from networkmaps.maps.names import anonymous_numbers
from networkmaps.models import MetricRun, NodeMetric

# Rows per chunk a writer yields: big enough to stream fast, small enough to stay flat.
CHUNK_ROWS = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANONYMOUS_LABEL = "Member {}"
ANONYMOUS_ID = "member-{}"


@dataclass(frozen=True)
class ExportMember:
    id: str  # what ties refer to; stable across exports unless anonymised
    label: str
    email: str
    organisation: str
    title: str
    cohorts: tuple[str, ...]  # earliest first
    sector: str
    region: str
    tags: tuple[str, ...]
    metrics: dict[str, float | int | str | None]
    position: tuple[float, float] | None
    answers: dict[str, str] = field(default_factory=dict)  # issue 15: named exports only
    attributes: dict[str, object] = field(default_factory=dict)  # issue 12: named only


@dataclass(frozen=True)
class ExportTie:
    source: str
    target: str
    type: str
    directed: bool
    strength: int
    round: str
    round_date: str = ""  # issue 12: ISO date of the round, so an import dates it again
    trust: float | None = None  # issue 15: mean trust / value answers about this tie
    value: float | None = None
    carried: bool = False  # carried from the previous round, not reported in this one

    @property
    def direction(self) -> str:
        return "directed" if self.directed else "undirected"


@dataclass
class ExportData:
    program: str
    round: str
    anonymised: bool
    members: list[ExportMember]
    ties: list[ExportTie]
    metric_columns: list[str] = field(default_factory=list)
    answer_columns: list[str] = field(default_factory=list)  # survey questions about oneself
    # issue 12: the program's own member attributes, (key, "string" or "double").
    attribute_columns: list[tuple[str, str]] = field(default_factory=list)
    integer_metrics: frozenset[str] = frozenset()
    exported_on: date = field(default_factory=date.today)

    @property
    def any_directed(self) -> bool:
        return any(tie.directed for tie in self.ties)

    @property
    def tie_quality(self) -> bool:
        """Whether any tie carries trust or value answers (files add those columns then)."""
        return any(tie.trust is not None or tie.value is not None for tie in self.ties)

    @property
    def title(self) -> str:
        anonymised = " (anonymised)" if self.anonymised else ""
        return f"{self.program} — {self.round}{anonymised}"

    def metric_type(self, column: str) -> str:
        """'integer', 'double' or 'string' (brokerage roles)."""
        if column in self.integer_metrics or column.endswith("_count"):
            return "integer"
        if column.startswith("brokerage_"):
            return "string"
        return "double"


def _attributes(program: Program) -> tuple[list[tuple[str, str]], dict[int, dict]]:
    """The program's attribute columns (key, type) and each member's values (issue 12)."""
    columns = [
        (key, "double" if kind == MemberAttribute.Kind.NUMBER else "string")
        for key, kind in program.member_attributes.values_list("key", "kind")
    ]
    if not columns:
        return [], {}
    values = Member.objects.filter(program=program).values_list("pk", "attributes")
    return columns, {pk: found for pk, found in values if found}


def member_file_id(pk: int, external_id: str) -> str:
    """A member's id in exported files: their external id if they have one, else one made from
    the database id. Both stay the same from export to export, so Kumu (which matches on ID)
    updates the elements it has instead of adding copies, and our importer matches them too.
    """
    return external_id or f"netlead-{pk}"


def export_data_load(*, program: Program, round_: Round, anonymised: bool) -> ExportData:
    """Every member of the program and the round's counted ties, with the metrics and
    positions of the round's current metric run (none before a run has finished).

    Anonymised: no names, emails, external ids, organisations or titles; each member becomes
    "Member N" where N comes from a fresh shuffle, so ids differ from export to export and
    cannot be joined back to a named file. Rows are written in that shuffled order too.
    """
    graph = round_graph_load(round_=round_)
    members = list(
        Member.objects.filter(program=program)
        .order_by("pk")
        .values_list(
            "pk", "name", "email", "external_id", "title", "sector", "region", "issue_areas",
            "organisation__name",
        )
    )  # fmt: skip
    metrics, positions, metric_columns = _run_metrics(round_)
    # Answers about oneself are a person's own words: never in an anonymised file.
    answer_columns, answers = ([], {}) if anonymised else member_answers_by_member(round_=round_)
    # issue 12: program attributes go in named files only (anonymise.py releases no others).
    attribute_columns, attributes = ([], {}) if anonymised else _attributes(program)

    if anonymised:
        numbers = anonymous_numbers(len(members))
        number_of = {row[0]: n for row, n in zip(members, numbers, strict=True)}
        ids = {pk: ANONYMOUS_ID.format(n) for pk, n in number_of.items()}
        labels = {pk: ANONYMOUS_LABEL.format(n) for pk, n in number_of.items()}
        members.sort(key=lambda row: number_of[row[0]])
    else:
        ids, labels, used = {}, {}, set()
        for pk, name, _, external_id, *_ in members:
            file_id = member_file_id(pk, external_id)
            # Someone gave a member an external id that looks like one of ours: keep both apart.
            ids[pk] = file_id if file_id not in used else f"{file_id}~{pk}"
            used.add(ids[pk])
            labels[pk] = name

    rows = [
        ExportMember(
            id=ids[pk],
            label=labels[pk],
            email="" if anonymised else email,
            organisation="" if anonymised else (organisation or ""),
            title="" if anonymised else title,
            cohorts=tuple(graph.cohorts.get(pk, ())),
            sector=sector,
            region=region,
            tags=tuple(tags or ()),
            metrics=metrics.get(pk, {}),
            position=positions.get(pk),
            answers=answers.get(pk, {}),
            attributes=attributes.get(pk, {}),
        )
        for pk, _, email, _, title, sector, region, tags, organisation in members
    ]
    quality = tie_quality_by_pair(round_=round_)
    ties = [
        ExportTie(
            ids[tie.source], ids[tie.target], graph.type_names[tie.type_id], tie.directed,
            tie.strength, round_.name, round_.observed_on.isoformat(),
            *tie_quality_of(quality, tie.source, tie.target, tie.directed),
            carried=tie.carried,
        )
        for tie in graph.ties
    ]  # fmt: skip
    integer_metrics = frozenset(
        f.name for f in NodeMetric._meta.get_fields() if isinstance(f, IntegerField)
    )
    if anonymised:
        # Tie order follows entry order, which could hint at who was entered first.
        ties.sort(key=lambda t: (t.type, _number_in(t.source), _number_in(t.target)))
        # issue 17: k-anonymous attributes, binned metrics, a re-laid map (anonymise.py).
        rows = members_anonymise(
            rows, ties, k=program.anonymity_k, metric_columns=metric_columns,
            integer_metrics=integer_metrics,
        )  # fmt: skip
    return ExportData(
        program=program.name,
        round=round_.name,
        anonymised=anonymised,
        members=rows,
        ties=ties,
        metric_columns=metric_columns,
        answer_columns=answer_columns,
        attribute_columns=attribute_columns,
        integer_metrics=integer_metrics,
        exported_on=timezone.localdate(),
    )


def _run_metrics(round_: Round) -> tuple[dict[int, dict], dict[int, tuple[float, float]], list]:
    """(member -> metrics, member -> map position, metric columns) of the current run."""
    run = MetricRun.objects.current().filter(round=round_).first()
    if run is None:
        return {}, {}, []
    metrics: dict[int, dict] = {}
    positions: dict[int, tuple[float, float]] = {}
    brokerage_columns: set[str] = set()
    fields = [m.key for m in MEMBER_METRICS]
    rows = NodeMetric.objects.filter(run=run).values_list(
        "member_id", "x", "y", "brokerage", *fields
    )
    for member_id, x, y, brokerage, *values in rows.iterator(chunk_size=5000):
        metrics[member_id] = dict(zip(fields, values, strict=True)) | (brokerage or {})
        brokerage_columns.update(brokerage or {})
        if x is not None and y is not None:
            positions[member_id] = (x, y)
    return metrics, positions, fields + sorted(brokerage_columns)


def _number_in(anonymous_id: str) -> int:
    return int(anonymous_id.rsplit("-", 1)[1])


# --- what every writer shares -------------------------------------------------------------


def spreadsheet_text(value: str) -> str:
    """Text that a spreadsheet shows as text: a would-be formula gets a leading `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell_value(value):
    """A value as a spreadsheet cell: text made safe, no value (or NaN, ∞) left empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def joined(values: Iterable[str]) -> str:
    """Several cohorts or tags in one cell, `|`-separated as Kumu and our importer read them."""
    return "|".join(values)


def batched(rows: list, size: int = CHUNK_ROWS) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
