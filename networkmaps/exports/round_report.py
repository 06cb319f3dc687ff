"""Comparing two rounds: what changed in the network, in numbers a funder can read.

Tie changes and cross-group ties are computed from each round's network as the one reader
gives it (`round_graph_load`: the program's counting rule, "earliest cohort wins") merged
per pair by the one merge (`build_graphs`), so they match the metrics and are right even
before a metric run has finished. Who moved from the periphery into the core comes from
each round's current metric run.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from members.missing_answers import AS_REPORTED, RULE_LABELS
from members.models import Member, Program, Round, Survey
from members.responses import RoundResponse, round_response_summary
from members.round_graph import RoundGraph, round_graph_load
from members.surveys.responses import ResponseSummary, survey_response_summary
from networkmaps.exports.tie_quality import SurveyAnswers, round_survey_answers
from networkmaps.glossary import NETWORK_METRICS
from networkmaps.graph import summary
from networkmaps.graph.input import GraphInput, build_graphs
from networkmaps.graph.metrics.structure import PERIPHERY_MAX_CORE
from networkmaps.models import MetricRun, NetworkMetric, NodeMetric
from networkmaps.runs.selectors import network_overview

REPORT_METRICS = (
    "members",
    "ties",
    "density",
    "isolates",
    "components",
    "largest_component_share",
    "average_path_length",
    "communities",
    "modularity",
)
# WeasyPrint logs every layout step at INFO; a report request needs none of that in the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass
class GroupChange:
    label: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass
class MetricChange:
    label: str
    help: str
    format: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class RoundComparison:
    program: Program
    before: Round
    after: Round
    ties_before: int
    ties_after: int
    ties_new: int
    ties_lost: int
    ties_strengthened: int
    ties_weakened: int
    cross_groups: list[GroupChange]
    runs_ready: bool
    moved_to_core: list[Member] = field(default_factory=list)
    left_periphery: int = 0
    metrics: list[MetricChange] = field(default_factory=list)
    # issue 13: changes only among comparable pairs, who answered, the rule, stages, charts.
    ties_unchanged: int = 0
    ties_not_comparable: int = 0
    missing_answers: str = ""
    response_before: RoundResponse | None = None
    response_after: RoundResponse | None = None
    stage_before: dict | None = None
    stage_after: dict | None = None
    charts: list = field(default_factory=list)

    @property
    def missing_rule(self) -> str:
        return RULE_LABELS.get(self.missing_answers, "")

    @property
    def as_reported(self) -> bool:
        return self.missing_answers == AS_REPORTED

    @property
    def low_response(self) -> RoundResponse | None:
        """The response of a compared round that fell below the program's threshold."""
        for response in (self.response_after, self.response_before):
            if response is not None and response.low:
                return response
        return None

    survey: ResponseSummary | None = None
    survey_name: str = ""
    generated_on: datetime.date | None = None
    survey_answers: SurveyAnswers | None = None  # issue 15: trust/value by cohort, answers

    def headlines(self) -> list[str]:
        """The changes in sentences, each stating numbers that are in the data."""
        compared = "" if self.as_reported else ", among pairs that could be compared"
        lines = [
            f"{_n(self.ties_new, 'new tie')} formed and {_n(self.ties_lost, 'tie')} ended "
            f"between {self.before.name} and {self.after.name}{compared}: "
            f"{self.ties_before:,} ties then, {self.ties_after:,} now"
            + (" (as reported: no repair for missing answers)." if self.as_reported else "."),
            f"{_n(self.ties_strengthened, 'tie')} got stronger and "
            f"{self.ties_weakened:,} got weaker.",
        ]
        for group in self.cross_groups:
            lines.append(
                f"Ties across {group.label}: {group.before:,} → {group.after:,} "
                f"({_signed(group.change)})."
            )
        if self.ties_not_comparable:
            lines.append(
                f"{_n(self.ties_not_comparable, 'tied pair')} could not be compared: neither "
                "member answered in both rounds, so they count as neither new nor ended."
            )
        if self.stage_before and self.stage_after:
            lines.append(
                f"Network stage: {self.stage_before['label']} → {self.stage_after['label']}."
            )
        if self.runs_ready:
            lines.append(
                f"{_n(len(self.moved_to_core), 'member')} moved from the edge of the network "
                f"into its core; {_n(self.left_periphery, 'member')} left the edge."
            )
        if self.survey is not None and self.survey.invited:
            lines.append(
                f"{self.survey.responded:,} of {self.survey.invited:,} members answered "
                f"“{self.survey_name}” ({self.survey.rate:.0%})."
            )
        return lines


def round_comparison(*, program: Program, before: Round, after: Round) -> RoundComparison:
    """Compare two rounds of one program (usually a round and the one before it)."""
    graph_before, graph_after = round_graph_load(round_=before), round_graph_load(round_=after)
    pairs_before, pairs_after = round_pairs(graph=graph_before), round_pairs(graph=graph_after)
    # Groups belong to the program, not the round: both rounds' readers give the same ones.
    groups = {key: graph_after.groups[key] for key in ("cohort", "sector")}
    found = summary.round_changes(pairs_before, pairs_after, groups)
    cross_before, cross_after = found["cross_before"], found["cross_after"]
    changes = summary.comparable_changes(
        pairs_before,
        pairs_after,
        answered_before=_answered(graph_before),
        answered_after=_answered(graph_after),
    )
    comparison = RoundComparison(
        program=program,
        before=before,
        after=after,
        ties_before=len(pairs_before),
        ties_after=len(pairs_after),
        ties_new=changes["ties_new"],
        ties_lost=changes["ties_lost"],
        ties_strengthened=changes["ties_strengthened"],
        ties_weakened=changes["ties_weakened"],
        cross_groups=[
            GroupChange(label, cross_before[f"cross_{key}_ties"], cross_after[f"cross_{key}_ties"])
            for key, label in (("cohort", "cohorts"), ("sector", "sectors"))
        ],
        runs_ready=False,
        generated_on=timezone.localdate(),
        ties_unchanged=changes["ties_unchanged"],
        ties_not_comparable=changes["ties_not_comparable"],
        missing_answers=program.missing_answers,
        response_before=round_response_summary(round_=before),
        response_after=round_response_summary(round_=after),
    )
    runs = {
        run.round_id: run for run in MetricRun.objects.current().filter(round__in=[before, after])
    }
    if before.pk in runs and after.pk in runs:
        _add_core_moves(comparison, runs[before.pk], runs[after.pk])
        comparison.runs_ready = True
    comparison.metrics = _metric_changes(runs.get(before.pk), runs.get(after.pk))
    comparison.stage_before = (
        (runs[before.pk].params or {}).get("stage") if before.pk in runs else None
    )
    comparison.stage_after = (
        (runs[after.pk].params or {}).get("stage") if after.pk in runs else None
    )
    comparison.charts = network_overview(program=program).charts
    survey = Survey.objects.filter(round=after).first()
    if survey is not None:
        comparison.survey = survey_response_summary(survey=survey)
        comparison.survey_name = survey.name
    comparison.survey_answers = round_survey_answers(round_=after, before=before)
    return comparison


def _answered(graph: RoundGraph) -> frozenset[int] | None:
    """Who answered, for the comparison: None (everybody) under "as reported"."""
    return None if graph.missing_answers == AS_REPORTED else graph.answered


def round_pairs(*, graph: RoundGraph) -> dict[tuple[int, int], int]:
    """{(low id, high id): merged strength} of the round's counted ties, merged as the
    metric run merges them."""
    merged = build_graphs(GraphInput(nodes=graph.members, ties=graph.rows()))
    return merged.pair_strengths()


def core_threshold(run: MetricRun) -> int | None:
    """k*: the core level a member needs to be "in the core" in this run (see metrics.py)."""
    return (run.params or {}).get("thresholds", {}).get("core_k")


def periphery_max_core(run: MetricRun) -> int:
    """The highest core number still "on the edge" in this run, as the run recorded it
    (runs from before it was recorded used the metrics' rule of today)."""
    thresholds = (run.params or {}).get("thresholds", {})
    return thresholds.get("periphery_max_core_number", PERIPHERY_MAX_CORE)


def _add_core_moves(comparison: RoundComparison, before: MetricRun, after: MetricRun) -> None:
    core_k = core_threshold(after)
    edge_before, edge_after = periphery_max_core(before), periphery_max_core(after)
    was = dict(NodeMetric.objects.filter(run=before).values_list("member_id", "core_number"))
    now = dict(NodeMetric.objects.filter(run=after).values_list("member_id", "core_number"))
    on_edge = {m for m, level in was.items() if level <= edge_before}
    moved = [m for m in on_edge if core_k is not None and now.get(m, 0) >= core_k]
    comparison.left_periphery = sum(now.get(m, 0) > edge_after for m in on_edge)
    comparison.moved_to_core = list(Member.objects.filter(pk__in=moved).order_by("name"))


def _metric_changes(before: MetricRun | None, after: MetricRun | None) -> list[MetricChange]:
    values: dict[int, dict[str, float | None]] = {}
    runs = [run.pk for run in (before, after) if run is not None]
    for run_id, name, value in NetworkMetric.objects.filter(
        run_id__in=runs, name__in=REPORT_METRICS
    ).values_list("run_id", "name", "value"):
        values.setdefault(run_id, {})[name] = value
    rows = []
    for metric in NETWORK_METRICS:
        if metric.key not in REPORT_METRICS:
            continue
        a = values.get(before.pk, {}).get(metric.key) if before else None
        b = values.get(after.pk, {}).get(metric.key) if after else None
        if a is not None or b is not None:
            rows.append(MetricChange(metric.label, metric.help, metric.format, a, b))
    return rows


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _signed(change: int) -> str:
    if change == 0:
        return "no change"
    return f"{'+' if change > 0 else '−'}{abs(change):,}"


def round_report_pdf(*, html: str, base_url: str) -> bytes:
    """The report page as a PDF (WeasyPrint: HTML and CSS in, vector PDF out)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
