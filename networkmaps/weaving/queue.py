"""The weaving queue: the current run's suggestions for staff, each pair with a sketch of
its two people's contacts (the round's counted ties, as the metric run counted them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from members.models import Member, Program, Relationship, Round
from networkmaps.graph.sketch import pair_sketch
from networkmaps.models import MetricRun, PairDecision, Suggestion

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
    # Only the ties touching the pairs, under the round's counting rule (the rule
    # round_graph_load applies), so each sketch shows what the metric run counted.
    counted = Relationship.objects.counted(round_).filter(
        Q(source_id__in=people) | Q(target_id__in=people)
    )
    for source, target in counted.values_list("source_id", "target_id"):
        if source != target:
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
