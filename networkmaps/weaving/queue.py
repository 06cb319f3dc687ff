"""The weaving queue: reading stored suggestions for staff, recording what they did about
them, and measuring whether introductions turned into ties."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from members.models import Member, Program, Relationship, Round
from networkmaps.graph.sketch import pair_sketch
from networkmaps.models import MetricRun, NodeMetric, PairDecision, Suggestion

SNOOZE_DAYS = 30
# The rarer, structural suggestions first; closure ones are plentiful.
QUEUE_ORDER = ("bridge", "hub_relief", "periphery", "key_players", "closure")


@dataclass
class QueueItem:
    suggestion: Suggestion
    decision: PairDecision | None
    sketch: dict | None
    players: list[Member] = field(default_factory=list)


@dataclass
class Queue:
    run: MetricRun | None
    groups: list[tuple[str, str, list[QueueItem]]]  # (kind, label, items)
    hidden: int  # dismissed or snoozed pairs not shown


def weaving_queue(
    *, program: Program, kind: str = "", cohort: str = "", sector: str = "", member: str = ""
) -> Queue:
    """Open (and introduced) suggestions of the current round's current run, by kind."""
    round_ = program.current_round()
    run = MetricRun.objects.current().filter(round=round_).first() if round_ else None
    if run is None:
        return Queue(run=None, groups=[], hidden=0)
    suggestions = Suggestion.objects.filter(run=run).select_related(
        "member_a__organisation", "member_b__organisation", "subject"
    )
    if kind:
        suggestions = suggestions.filter(kind=kind)
    for value, lookup in ((cohort, "cohorts__pk"), (sector, "sector")):
        if value:
            suggestions = suggestions.filter(
                Q(**{f"member_a__{lookup}": value}) | Q(**{f"member_b__{lookup}": value})
            ).distinct()
    if member:
        suggestions = suggestions.filter(
            Q(member_a__name__icontains=member) | Q(member_b__name__icontains=member)
        )
    suggestions = list(suggestions.order_by("kind", "rank"))
    decisions = {
        (d.member_a_id, d.member_b_id): d
        for d in PairDecision.objects.filter(program=program).filter(
            member_a_id__in={s.member_a_id for s in suggestions if s.member_a_id}
        )
    }
    today = timezone.localdate()
    shown, hidden = [], 0
    for suggestion in suggestions:
        decision = decisions.get(suggestion.pair) if suggestion.pair else None
        if decision and (
            decision.status == PairDecision.Status.DISMISSED
            or (decision.status == PairDecision.Status.SNOOZED and decision.snoozed_until > today)
        ):
            hidden += 1
            continue
        shown.append(QueueItem(suggestion=suggestion, decision=decision, sketch=None))
    _add_sketches(run.round, shown)
    groups = []
    labels = dict(Suggestion.Kind.choices)
    for value in QUEUE_ORDER:
        label = labels[value]
        items = [i for i in shown if i.suggestion.kind == value]
        if items:
            groups.append((value, label, items))
    return Queue(run=run, groups=groups, hidden=hidden)


def _add_sketches(round_: Round, items: list[QueueItem]) -> None:
    pairs = [i for i in items if i.suggestion.pair]
    people = {m for i in pairs for m in i.suggestion.pair}
    neighbours: dict[int, set[int]] = defaultdict(set)
    ties = Relationship.objects.filter(round=round_).filter(
        Q(source_id__in=people) | Q(target_id__in=people)
    )
    for source, target in ties.values_list("source_id", "target_id"):
        neighbours[source].add(target)
        neighbours[target].add(source)
    for item in pairs:
        a, b = item.suggestion.pair
        item.sketch = pair_sketch(a, b, neighbours[a], neighbours[b])
    key_players = [i for i in items if not i.suggestion.pair]
    ids = {m for i in key_players for m in i.suggestion.member_ids}
    found = Member.objects.in_bulk(ids)
    for item in key_players:
        item.players = [found[m] for m in item.suggestion.member_ids if m in found]


def pair_decision_record(
    *,
    suggestion: Suggestion,
    status: str,
    decided_by: str,
    note: str = "",
    decided_on: datetime.date | None = None,
    snoozed_until: datetime.date | None = None,
) -> PairDecision:
    """Record that staff introduced, dismissed or snoozed the pair of a suggestion.

    The decision belongs to the pair, not to this run's suggestion row, so it survives
    recomputation; a dismissed pair is never suggested again."""
    if suggestion.pair is None:
        raise ValueError("Key-player sets are not introductions; there is nothing to record.")
    today = timezone.localdate()
    if status == PairDecision.Status.SNOOZED and snoozed_until is None:
        snoozed_until = today + datetime.timedelta(days=SNOOZE_DAYS)
    decision, _ = PairDecision.objects.update_or_create(
        program_id=suggestion.program_id,
        member_a_id=suggestion.member_a_id,
        member_b_id=suggestion.member_b_id,
        defaults={
            "kind": suggestion.kind,
            "status": status,
            "round_id": suggestion.run.round_id,
            "decided_on": decided_on or today,
            "note": note,
            "snoozed_until": snoozed_until if status == PairDecision.Status.SNOOZED else None,
            "decided_by": decided_by[:150],
        },
    )
    return decision


@dataclass
class Outcome:
    round: Round
    introduced: int
    formed: int
    by_kind: list[tuple[str, int, int]]

    @property
    def share(self) -> float | None:
        return self.formed / self.introduced if self.introduced else None


def introduction_outcomes(*, program: Program) -> list[Outcome]:
    """For each round after the first: introductions made before it, and how many of those
    pairs have a tie in it — the program's evidence that weaving works."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    introduced = PairDecision.objects.filter(program=program, status=PairDecision.Status.INTRODUCED)
    rows = introduced.values("round__observed_on", "kind", "tie_round__observed_on")
    rows = list(rows.annotate(n=Count("id")))
    outcomes = []
    for later in rounds[1:]:
        made = [r for r in rows if r["round__observed_on"] < later.observed_on]
        if not made:
            continue
        formed = [
            r for r in made
            if r["tie_round__observed_on"] and r["tie_round__observed_on"] <= later.observed_on
        ]  # fmt: skip
        by_kind = []
        for value, label in Suggestion.Kind.choices:
            k_made = sum(r["n"] for r in made if r["kind"] == value)
            if k_made:
                by_kind.append((label, k_made, sum(r["n"] for r in formed if r["kind"] == value)))
        outcomes.append(
            Outcome(
                round=later,
                introduced=sum(r["n"] for r in made),
                formed=sum(r["n"] for r in formed),
                by_kind=by_kind,
            )
        )
    return outcomes


@dataclass
class Seating:
    tables: list[list[Member]]
    summary: dict[str, int]
    round: Round | None


def convening_mix(*, program: Program, attendee_ids: list[int], table_size: int) -> Seating:
    """Seat a convening's attendees so people who do not know each other meet, each table a
    balanced mix of cohorts and sectors (see networkmaps/analysis/mixer.py)."""
    from networkmaps.graph.mixer import mix_summary, mix_tables
    from networkmaps.runs.services import round_data_load

    members = Member.objects.filter(program=program, pk__in=attendee_ids).select_related(
        "organisation"
    )
    found = {m.pk: m for m in members}
    attendees = sorted(found)
    round_ = program.current_round()
    ties: set[tuple[int, int]] = set()
    groups: dict[str, dict[int, str | None]] = {"cohort": {}, "sector": {}}
    communities: dict[int, int] = {}
    if round_ is not None:
        data = round_data_load(round_=round_)
        wanted = set(attendees)
        ties = {
            (min(s, t), max(s, t))
            for s, t, _, _ in data.graph.ties
            if s in wanted and t in wanted and s != t
        }
        groups = {k: {m: data.graph.groups[k].get(m) for m in attendees} for k in groups}
        communities = dict(
            NodeMetric.objects.filter(
                run__round=round_, run__is_current=True, member_id__in=attendees
            ).values_list("member_id", "community")
        )
    tables = mix_tables(
        attendees=attendees,
        table_size=table_size,
        ties=ties,
        groups=groups,
        communities=communities or None,
    )
    summary = mix_summary(tables=tables, ties=ties, groups=groups, communities=communities or None)
    return Seating(
        tables=[[found[m] for m in table] for table in tables], summary=summary, round=round_
    )
