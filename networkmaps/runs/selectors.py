"""Reading stored metric runs for the dashboard, the member table and the API (computes nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from members.models import Program, Round
from networkmaps.glossary import MEMBER_METRIC_KEYS, NETWORK_METRICS
from networkmaps.models import Community, MetricRun, NetworkMetric, NodeMetric


@dataclass
class Cell:
    value: float | None
    change: float | None


@dataclass
class Overview:
    rounds: list[Round]
    current_runs: dict[int, MetricRun]
    latest_runs: dict[int, MetricRun]
    rows: list[tuple[object, list[Cell]]]
    communities: list[Community]
    focus_round: Round | None

    @property
    def any_active(self) -> bool:
        return any(run.is_active for run in self.latest_runs.values())


def latest_runs(*, program: Program) -> dict[int, MetricRun]:
    """The newest run of every round (whatever its status), by round id."""
    latest: dict[int, MetricRun] = {}
    for run in MetricRun.objects.filter(program=program).order_by("-created_at", "-id"):
        latest.setdefault(run.round_id, run)
    return latest


def network_overview(*, program: Program) -> Overview:
    """Network metrics of every round's current run, with the change since the round before."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    current = {run.round_id: run for run in MetricRun.objects.current().filter(program=program)}
    values: dict[int, dict[str, float | None]] = {run_id: {} for run_id in current}
    by_run = {run.pk: run.round_id for run in current.values()}
    for run_id, name, value in NetworkMetric.objects.filter(run_id__in=by_run).values_list(
        "run_id", "name", "value"
    ):
        values[by_run[run_id]][name] = value
    rows = []
    for metric in NETWORK_METRICS:
        cells, previous = [], None
        for round_ in rounds:
            value = values.get(round_.pk, {}).get(metric.key)
            change = value - previous if value is not None and previous is not None else None
            cells.append(Cell(value=value, change=change))
            previous = value
        if any(cell.value is not None for cell in cells):
            rows.append((metric, cells))
    focus = program.current_round() or (rounds[-1] if rounds else None)
    communities = []
    if focus is not None and focus.pk in current:
        communities = list(current[focus.pk].communities.filter(size__gt=1).order_by("index")[:12])
    return Overview(
        rounds=rounds,
        current_runs=current,
        latest_runs=latest_runs(program=program),
        rows=rows,
        communities=communities,
        focus_round=focus,
    )


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
