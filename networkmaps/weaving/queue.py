"""The weaving queue for staff: one ranked list across kinds, this week's few first.

Open items are the current run's suggestions (in the run's priority order: value and
chance, fairly cut — networkmaps/weaving/run_queue.py) and the introductions members or
staff asked for (members/requests.py), minus pairs staff already acted on. Every other
state (introduced, followed up, tie formed, didn't form, dismissed, snoozed) is listed
from the pairs' decisions, so an introduced pair leaves the open list and a dismissed one
can be found and restored."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone

from members.models import Member, Program, Relationship, Round
from members.requests import AskedIntroduction, introduction_requests
from members.round_graph import round_graph_load
from networkmaps.graph.sketch import pair_sketch
from networkmaps.graph.weaving.fairness import exposure_audit
from networkmaps.models import MetricRun, PairDecision, PairDecisionEvent, Suggestion

PAGE_SIZE = 25
STATES = (
    ("open", "Open"),
    ("introduced", "Introduced"),
    ("followed_up", "Followed up"),
    ("formed", "Tie formed"),
    ("not_formed", "Didn't form"),
    ("dismissed", "Dismissed"),
    ("snoozed", "Snoozed"),
)
# How a row names its kind where space is short (phones).
KIND_SHORT = {
    "closure": "Triangle", "bridge": "Bridge", "periphery": "Bring in",
    "hub_relief": "Hub relief", "key_players": "Key players", "request": "Asked for",
}  # fmt: skip
WEEK_SHARE = 0.4  # of this week's introductions, at most this share of one kind
REQUEST_VALUE = 1.0  # a member asked: as valuable as the best suggestion of any kind


@dataclass
class QueueItem:
    kind: str
    kind_label: str
    pair: tuple[int, int] | None
    reason: str
    suggestion: Suggestion | None = None
    requests: list[AskedIntroduction] = field(default_factory=list)
    decision: PairDecision | None = None
    state: str = "open"
    value: float | None = None
    chance: float | None = None
    priority: float = 0.0
    people: list[Member] = field(default_factory=list)
    history: list[PairDecisionEvent] = field(default_factory=list)
    sketch: dict | None = None
    rank: int = 0

    @property
    def kind_short(self) -> str:
        return KIND_SHORT.get(self.kind, self.kind_label)

    @property
    def key(self) -> str:
        if self.pair:
            return f"p{self.pair[0]}-{self.pair[1]}"
        return f"s{self.suggestion.pk}"


@dataclass
class Queue:
    run: MetricRun | None
    state: str
    this_week: list[QueueItem]
    page: Page | None
    counts: dict[str, int]
    audit: list[dict[str, Any]]
    chance_from: str
    groupings: dict[str, list[str]]  # grouping -> its values, for the filters
    total: int
    week_cap: int = 0  # at most this many of this week's introductions of one kind


def weaving_queue(
    *,
    program: Program,
    kind: str = "",
    member: str = "",
    state: str = "open",
    groups: dict[str, str] | None = None,
    page: int | str = 1,
) -> Queue:
    """The queue of the current round, filtered; ``groups`` maps a grouping (cohort, sector,
    region, organisation, attr:<key>) to the value both or one of the pair must have."""
    round_ = program.current_round()
    run = MetricRun.objects.current().filter(round=round_).first() if round_ else None
    graph = round_graph_load(round_=round_) if round_ else None
    member_groups = graph.groups if graph else {}
    items = _items(program, run, round_)
    counts = {value: 0 for value, _ in STATES}
    for item in items:
        counts[item.state] += 1
    open_pairs = [i.pair for i in items if i.state == "open" and i.pair]
    divides = program.weaving_divides or list(member_groups)
    audit = [
        e.as_dict()
        for e in exposure_audit(
            pairs=open_pairs,
            eligible=graph.members if graph else [],
            groups=member_groups,
            divides=[d for d in divides if d in member_groups],
        )
    ]
    shown = [i for i in items if i.state == state]
    if kind:
        shown = [i for i in shown if i.kind == kind]
    for dim, value in (groups or {}).items():
        if value and dim in member_groups:
            values = member_groups[dim]
            shown = [i for i in shown if any(values.get(m) == value for m in _members_of(i))]
    if member:
        wanted = set(
            program.members.filter(name__icontains=member).values_list("pk", flat=True)[:500]
        )
        shown = [i for i in shown if wanted & set(_members_of(i))]
    n = program.weaving_this_week if state == "open" else 0
    this_week = _this_week(shown, n)
    chosen = {id(i) for i in this_week}
    rest = [i for i in shown if id(i) not in chosen]
    for position, item in enumerate(this_week + rest, start=1):
        item.rank = position
    paged = Paginator(rest, PAGE_SIZE).get_page(page) if rest else None
    visible = this_week + (list(paged.object_list) if paged else [])
    _add_details(program, round_, visible)
    chance_from = next(
        (i.suggestion.facts.get("chance_from", "") for i in items if i.suggestion), ""
    )
    groupings = {
        dim: sorted({v for v in values.values() if v}, key=str)
        for dim, values in member_groups.items()
    }
    return Queue(
        run=run,
        state=state,
        this_week=this_week,
        page=paged,
        counts=counts,
        audit=audit,
        chance_from=chance_from,
        groupings={d: v for d, v in groupings.items() if v},
        total=len(shown),
        week_cap=week_cap(n),
    )


def week_cap(n: int) -> int:
    return max(1, math.ceil(WEEK_SHARE * n))


def _this_week(shown: list[QueueItem], n: int) -> list[QueueItem]:
    """The top ``n`` in rank order, at most WEEK_SHARE of them of one kind while other
    kinds are open: a week of only one kind of introduction is a poor week."""
    cap = week_cap(n)
    picked: list[QueueItem] = []
    per_kind: Counter[str] = Counter()
    for item in shown:
        if len(picked) == n:
            break
        if item.pair and per_kind[item.kind] < cap:
            picked.append(item)
            per_kind[item.kind] += 1
    for item in shown:  # not enough variety: fill in rank order
        if len(picked) == n:
            break
        if item.pair and item not in picked:
            picked.append(item)
    return sorted(picked, key=shown.index)


def _members_of(item: QueueItem) -> list[int]:
    if item.pair:
        return list(item.pair)
    return list(item.suggestion.member_ids) if item.suggestion else []


def _items(program: Program, run: MetricRun | None, round_: Round | None) -> list[QueueItem]:
    labels = dict(Suggestion.Kind.choices)
    decisions = {
        (d.member_a_id, d.member_b_id): d
        for d in PairDecision.objects.filter(program=program).select_related(
            "tie_round", "round", "assigned_to"
        )
    }
    later_rounds = (
        list(program.rounds.filter(metric_runs__is_current=True).distinct().values_list(
            "observed_on", flat=True
        ))
        if decisions
        else []
    )  # fmt: skip
    today = timezone.localdate()
    by_pair: dict[tuple[int, int], QueueItem] = {}
    keyed: list[QueueItem] = []
    for s in Suggestion.objects.filter(run=run) if run else []:
        facts = s.facts or {}
        item = QueueItem(
            kind=s.kind,
            kind_label=labels[s.kind],
            pair=s.pair,
            reason=s.reason,
            suggestion=s,
            value=facts.get("value"),
            chance=facts.get("chance"),
            priority=float(facts.get("priority", facts.get("value", 0.0)) or 0.0),
        )
        if s.pair:
            by_pair[s.pair] = item
        else:
            keyed.append(item)
    for asked in introduction_requests(program=program):
        pair = (asked.member_a, asked.member_b)
        item = by_pair.get(pair)
        if item is None or item.kind != "request":
            # A request outranks the run's suggestion of the same pair: a member asked.
            item = QueueItem(
                kind="request",
                kind_label=labels["request"],
                pair=pair,
                reason="",
                value=REQUEST_VALUE,
                chance=item.chance if item else None,
                priority=REQUEST_VALUE,
            )
            by_pair[pair] = item
        item.requests.append(asked)
    for pair, decision in decisions.items():
        item = by_pair.get(pair)
        if item is None:
            item = QueueItem(
                kind=decision.kind,
                kind_label=labels.get(decision.kind, decision.kind),
                pair=pair,
                reason="",
            )
            by_pair[pair] = item
        item.decision = decision
        item.state = _state(decision, later_rounds, today)
    for item in by_pair.values():
        if item.kind == "request" and not item.reason:
            item.reason = _request_reason(item.requests)
    # A pair only decided in an earlier round, and now open again (restored, or snoozed
    # until a day now past) without a suggestion, has nothing to show as open.
    items = [
        i
        for i in by_pair.values()
        if not (i.state == "open" and i.suggestion is None and not i.requests)
    ]
    items.sort(key=lambda i: (-i.priority, i.pair or ()))
    return items + keyed


def _state(decision: PairDecision, later_rounds: list, today) -> str:
    status = decision.status
    if status in (PairDecision.Status.INTRODUCED, PairDecision.Status.FOLLOWED_UP):
        if decision.tie_round_id:
            return "formed"
        if any(observed > decision.round.observed_on for observed in later_rounds):
            return "not_formed"
        return status
    if status == PairDecision.Status.SNOOZED:
        return "snoozed" if decision.snoozed_until and decision.snoozed_until > today else "open"
    return status  # open (restored) or dismissed


def _request_reason(requests: list[AskedIntroduction]) -> str:
    parts = []
    for r in requests:
        who = "{requester}"
        if r.source == "survey":
            parts.append(f"{who} asked in the survey to be introduced.")
        elif r.source == "member":
            parts.append(f"{who} asked staff for this introduction.")
        else:
            parts.append("Staff entered this introduction.")
    return " ".join(dict.fromkeys(parts))


def _add_details(program: Program, round_: Round | None, items: list[QueueItem]) -> None:
    ids = {m for i in items for m in _members_of(i)}
    ids |= {r.requester for i in items for r in i.requests}
    found = Member.objects.select_related("organisation").in_bulk(ids)
    for item in items:
        item.people = [found[m] for m in _members_of(item) if m in found]
        if item.requests:
            names = {r.requester: found[r.requester].name for r in item.requests}
            item.reason = " ".join(
                dict.fromkeys(
                    _request_reason([r]).replace("{requester}", names[r.requester])
                    for r in item.requests
                )
            )
    events = defaultdict(list)
    decided = [i.decision.pk for i in items if i.decision]
    for event in PairDecisionEvent.objects.filter(decision_id__in=decided):
        events[event.decision_id].append(event)
    for item in items:
        if item.decision:
            item.history = events[item.decision.pk]
    if round_ is not None:
        _add_sketches(round_, [i for i in items if i.pair])


def _add_sketches(round_: Round, items: list[QueueItem]) -> None:
    people = {m for i in items for m in i.pair}
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
    for item in items:
        a, b = item.pair
        item.sketch = pair_sketch(a, b, neighbours[a], neighbours[b])
