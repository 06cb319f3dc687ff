"""Reading stored metric runs for the dashboard, the member table and the API (computes nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F

from members.missing_answers import RULE_LABELS
from members.models import Cohort, Member, MemberAttribute, Program, Round
from members.responses import RoundResponse, round_response_summaries
from networkmaps.glossary import MEMBER_METRIC_KEYS, NETWORK_METRICS, Metric
from networkmaps.models import Community, MetricRun, NetworkMetric, NodeMetric
from networkmaps.runs import story
from networkmaps.runs.charts import Chart, indicator_charts

# Cross-group lines that mean nothing without the groups: shown as "n/a" then.
NEEDS_COHORTS = ("cross_cohort_ties", "ei_cohort")
NEEDS_SECTORS = ("cross_sector_ties", "ei_sector")


@dataclass
class Cell:
    value: float | None
    change: float | None
    not_applicable: bool = False
    band: float | None = None  # half-width of the stability band ("± …")


@dataclass
class Overview:
    rounds: list[Round]
    current_runs: dict[int, MetricRun]
    latest_runs: dict[int, MetricRun]
    rows: list[tuple[object, list[Cell]]]
    communities: list[Community]
    focus_round: Round | None
    charts: list[Chart] = field(default_factory=list)
    story: list[story.Sentence] = field(default_factory=list)
    responses: dict[int, RoundResponse] = field(default_factory=dict)
    stages: dict[int, dict] = field(default_factory=dict)
    missing_rule: str = ""

    @property
    def stage_rows(self) -> list[tuple[Round, dict]]:
        return [(r, self.stages[r.pk]) for r in self.rounds if r.pk in self.stages]

    @property
    def low_response_rounds(self) -> list[tuple[Round, RoundResponse]]:
        return [(r, self.responses[r.pk]) for r in self.rounds if self.responses[r.pk].low]

    @property
    def any_active(self) -> bool:
        return any(run.is_active for run in self.latest_runs.values())


def latest_runs(*, program: Program) -> dict[int, MetricRun]:
    """The newest run of every round (whatever its status), by round id."""
    latest: dict[int, MetricRun] = {}
    for run in MetricRun.objects.filter(program=program).order_by("-created_at", "-id"):
        latest.setdefault(run.round_id, run)
    return latest


def network_metrics_shown(*, program: Program) -> list[Metric]:
    """The glossary's network metrics plus an E-I line for each of the program's own
    divides ("ei_attr:<key>", named by the attribute's label), after the built-in E-I lines.

    Only the attributes offered as divides: a hidden one is not measured, and a line left
    from before it was hidden or removed would name nothing staff can act on."""
    own = MemberAttribute.objects.filter(
        program=program, hidden=False, kind=MemberAttribute.Kind.CATEGORY
    ).values_list("key", "label")
    lines = [
        Metric(
            f"ei_attr:{key}",
            f"E-I {label}",
            f"E-I index by {label}, the program's own attribute: −1 all ties inside the "
            "same value, +1 all across (members without a value are left out).",
            "index",
        )
        for key, label in own
    ]
    after = next(i for i, m in enumerate(NETWORK_METRICS) if m.key == "ei_organisation") + 1
    return [*NETWORK_METRICS[:after], *lines, *NETWORK_METRICS[after:]]


def network_overview(*, program: Program) -> Overview:
    """Network metrics of every round's current run, with the change since the round before,
    the indicator charts, the generated story, response rates and network stages."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    current = {run.round_id: run for run in MetricRun.objects.current().filter(program=program)}
    values: dict[int, dict[str, float | None]] = {run_id: {} for run_id in current}
    by_run = {run.pk: run.round_id for run in current.values()}
    for run_id, name, value in NetworkMetric.objects.filter(run_id__in=by_run).values_list(
        "run_id", "name", "value"
    ):
        values[by_run[run_id]][name] = value
    missing = {
        "no_cohorts": not Cohort.objects.filter(program=program).exists(),
        "no_sectors": not Member.objects.filter(program=program).exclude(sector="").exists(),
    }
    na = set(NEEDS_COHORTS if missing["no_cohorts"] else ()) | set(
        NEEDS_SECTORS if missing["no_sectors"] else ()
    )
    bands = {
        round_id: (run.params or {}).get("stability", {}).get("network", {})
        for round_id, run in current.items()
    }
    rows = []
    for metric in network_metrics_shown(program=program):
        cells, previous = [], None
        for round_ in rounds:
            value = values.get(round_.pk, {}).get(metric.key)
            change = value - previous if value is not None and previous is not None else None
            band = bands.get(round_.pk, {}).get(metric.key)
            cells.append(
                Cell(
                    value=None if metric.key in na else value,
                    change=None if metric.key in na else change,
                    not_applicable=metric.key in na,
                    band=(band[1] - band[0]) / 2 if band else None,
                )
            )
            previous = value
        if any(cell.value is not None or cell.not_applicable for cell in cells):
            rows.append((metric, cells))
    focus = program.current_round() or (rounds[-1] if rounds else None)
    communities = []
    if focus is not None and focus.pk in current:
        communities = list(current[focus.pk].communities.filter(size__gt=1).order_by("index")[:12])
    measured = [r for r in rounds if r.pk in current]
    charts = indicator_charts(
        program=program,
        names=[r.name for r in measured],
        values=[values[r.pk] | missing for r in measured],
        bands=[bands[r.pk] for r in measured],
    )
    responses = round_response_summaries(program=program, rounds=rounds)
    stages = {r.pk: (current[r.pk].params or {}).get("stage") for r in measured}
    overview = Overview(
        rounds=rounds,
        current_runs=current,
        latest_runs=latest_runs(program=program),
        rows=rows,
        communities=communities,
        focus_round=focus,
        charts=charts,
        responses=responses,
        stages={k: v for k, v in stages.items() if v},
        missing_rule=RULE_LABELS.get(program.missing_answers, ""),
    )
    overview.story = story.story_sentences(
        program=program, rounds=measured, values=values, overview=overview
    )
    return overview


@dataclass
class MemberTable:
    rounds: list[Round]
    round: Round | None
    run: MetricRun | None
    rows: object  # a NodeMetric queryset, paginated by the view
    sort: str


def member_table(*, program: Program, round_id: str | None, sort: str) -> MemberTable:
    """Every member's metrics in one round's current run, sorted by any metric or by name."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    chosen = next((r for r in rounds if str(r.pk) == str(round_id)), None)
    chosen = chosen or program.current_round() or (rounds[-1] if rounds else None)
    key = sort.removeprefix("-")
    if key not in (*MEMBER_METRIC_KEYS, "name"):
        sort, key = "-betweenness", "betweenness"
    run = MetricRun.objects.current().filter(round=chosen).first() if chosen else None
    rows = NodeMetric.objects.none()
    if run is not None:
        field = "member__name" if key == "name" else key
        order = (
            F(field).desc(nulls_last=True)
            if sort.startswith("-")
            else F(field).asc(nulls_last=True)
        )
        rows = (
            NodeMetric.objects.filter(run=run)
            .select_related("member__organisation")
            .order_by(order, "member__name", "member_id")
        )
    return MemberTable(rounds=rounds, round=chosen, run=run, rows=rows, sort=sort)


RANK_LABELS = {"degree": "ties", "betweenness": "broker", "closeness": "closeness"}


def rank_stability_mark(*, run: MetricRun | None, rows) -> None:
    """Set `row.shifts` on each NodeMetric row: the ranks (ties, broker, closeness) that move
    with missing answers in the run's stability bands, [] when all hold, None when the run
    has no bands."""
    shifting = ((run.params or {}).get("stability", {}) if run else {}).get("shifting")
    shifting = {key: set(ids) for key, ids in shifting.items()} if shifting else None
    for row in rows:
        if not shifting:
            row.shifts = None
            continue
        row.shifts = [
            RANK_LABELS[key] for key in RANK_LABELS if row.member_id in shifting.get(key, ())
        ]
