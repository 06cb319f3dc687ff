"""A member's own view of the network: their position in plain language, their ego map and
the introductions suggested for them. Reads stored runs; computes nothing heavy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from members.models import Member, Relationship
from networkmaps.graph.sentences import position_sentences
from networkmaps.models import MetricRun, NodeMetric, Suggestion

EGO_LIMIT = 120
BOX = 560


@dataclass
class EgoNode:
    x: float
    y: float
    label: str | None  # None: someone who has not agreed to be shown by name
    role: str  # "me" | "direct" | "second"


@dataclass
class MemberNetwork:
    member: Member
    run: MetricRun | None
    sentences: list[str] = field(default_factory=list)
    nodes: list[EgoNode] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    suggestions: list[tuple[Suggestion, Member]] = field(default_factory=list)
    reported_ties: list[Relationship] = field(default_factory=list)


def member_network(
    *, member: Member, steps: int = 2, names_for_staff: bool = False
) -> MemberNetwork:
    """`names_for_staff`: staff see every name; members only see people who opted in."""
    program = member.program
    round_ = program.current_round()
    run = MetricRun.objects.current().filter(round=round_).first() if round_ else None
    result = MemberNetwork(member=member, run=run)
    result.reported_ties = list(
        Relationship.objects.filter(source=member, round=round_).select_related("target", "type")
    ) if round_ else []  # fmt: skip
    if run is None:
        return result
    rows = {
        m: {"degree": d, "reach_two_steps": r, "community": c, "x": x, "y": y}
        for m, d, r, c, x, y in NodeMetric.objects.filter(run=run).values_list(
            "member_id", "degree", "reach_two_steps", "community", "x", "y"
        )
    }
    me = rows.get(member.pk)
    if me is None:
        return result
    pairs = list(Relationship.objects.filter(round=round_).values_list("source_id", "target_id"))
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    cohort_ids = set(
        Member.objects.filter(cohorts__in=member.cohorts.all()).values_list("pk", flat=True)
    )
    sectors = dict(Member.objects.filter(program=program).values_list("pk", "sector"))
    previous_round = round_.previous()
    previous = (
        NodeMetric.objects.filter(run__round=previous_round, run__is_current=True, member=member)
        .values("degree")
        .first()
        if previous_round
        else None
    )
    result.sentences = position_sentences(
        me=me,
        everyone=list(rows.values()),
        cohort=[rows[m] for m in cohort_ids if m in rows],
        neighbour_communities={rows[n]["community"] for n in neighbours[member.pk] if n in rows},
        communities=len({r["community"] for r in rows.values()}),
        sector_bridges=_sector_bridges(member, neighbours, sectors),
        previous=previous,
    )
    _ego(result, member, rows, neighbours, steps, names_for_staff)
    others = Suggestion.objects.filter(run=run).select_related("member_a", "member_b")
    visible = others if names_for_staff else others.for_member(member)
    for suggestion in visible.involving(member).pairs():
        other = suggestion.member_b if suggestion.member_a_id == member.pk else suggestion.member_a
        result.suggestions.append((suggestion, other))
    return result


def _sector_bridges(member, neighbours, sectors) -> list[tuple[str, str, int]]:
    """For each other sector the member has ties into: how many members of the member's
    sector have a tie into that sector too (1 = only this member)."""
    mine = sectors.get(member.pk)
    if not mine:
        return []
    targets = {sectors.get(n) for n in neighbours[member.pk]} - {mine, None, ""}
    bridges = []
    for other in sorted(targets):
        count = sum(
            1
            for m, sector in sectors.items()
            if sector == mine and any(sectors.get(n) == other for n in neighbours[m])
        )
        bridges.append((mine, other, count))
    return bridges


def _ego(result, member, rows, neighbours, steps, names_for_staff) -> None:
    direct = sorted(neighbours[member.pk])
    second = sorted({n for d in direct for n in neighbours[d]} - set(direct) - {member.pk})
    chosen = [member.pk, *direct[:EGO_LIMIT]]
    if steps >= 2:
        chosen += second[: max(0, EGO_LIMIT - len(chosen))]
    placed = {m: rows[m] for m in chosen if m in rows and rows[m]["x"] is not None}
    if not placed:
        return
    xs = [p["x"] for p in placed.values()]
    ys = [p["y"] for p in placed.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)

    def scale(p):
        # Layout y grows upwards; SVG y grows downwards.
        return (
            20 + (p["x"] - min(xs)) / span * (BOX - 40),
            20 + (max(ys) - p["y"]) / span * (BOX - 40),
        )

    people = Member.objects.in_bulk(list(placed))
    direct_set = set(direct)
    points = {}
    for m, p in placed.items():
        x, y = scale(p)
        points[m] = (x, y)
        person = people[m]
        shown = m == member.pk or names_for_staff or person.visibility == Member.Visibility.MEMBERS
        role = "me" if m == member.pk else "direct" if m in direct_set else "second"
        result.nodes.append(EgoNode(x=x, y=y, label=person.name if shown else None, role=role))
    for m in placed:
        for n in neighbours[m]:
            if m < n and n in placed:
                result.lines.append((*points[m], *points[n]))
