"""A member's own view of the network: their position in plain language, their ego map, the
ties they reported and the introductions suggested for them. Reads the round through the
one round reader and the stored run; computes nothing heavy.

Names follow the one visibility rule for whoever is looking: a member sees another member's
name only if that member chose to be named to members; staff see every name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from members.access import STAFF, name_visible_to
from members.models import Member, Relationship
from members.round_graph import round_graph_load
from networkmaps.graph.sentences import position_sentences
from networkmaps.models import MetricRun, NodeMetric, Suggestion

EGO_LIMIT = 120
BOX = 560
UNNAMED = "another member"  # stands in for a hidden name inside a suggestion's reason


@dataclass
class EgoNode:
    x: float
    y: float
    label: str | None  # None: someone the viewer may not see by name
    role: str  # "me" | "direct" | "second"


@dataclass
class ReportedTie:
    """One tie the member reported, as their own page lists it."""

    pk: int
    type_name: str
    target: str | None  # None: someone the viewer may not see by name
    strength: int
    counted: bool  # False: the program counts it only once the other person reports it too


@dataclass
class MemberNetwork:
    member: Member
    run: MetricRun | None
    sentences: list[str] = field(default_factory=list)
    nodes: list[EgoNode] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    suggestions: list[tuple[str, str]] = field(default_factory=list)  # (other's name, reason)
    reported_ties: list[ReportedTie] = field(default_factory=list)


def member_network(
    *, member: Member, viewer_role: str | None, viewer: Member | None = None, steps: int = 2
) -> MemberNetwork:
    """`member`'s page as seen by someone in `viewer_role` (`viewer`: the member looking,
    who always sees their own name)."""
    program = member.program
    round_ = program.current_round()
    run = MetricRun.objects.current().filter(round=round_).first() if round_ else None
    result = MemberNetwork(member=member, run=run)
    if round_ is None:
        return result
    graph = round_graph_load(round_=round_)
    neighbours = graph.neighbours()
    people = {
        pk: (name, visibility)
        for pk, name, visibility in Member.objects.filter(program=program).values_list(
            "pk", "name", "visibility"
        )
    }
    viewer_id = viewer.pk if viewer is not None else None

    def name_of(pk: int) -> str | None:
        name, visibility = people[pk]
        shown = pk == viewer_id or name_visible_to(viewer_role, visibility)
        return name if shown else None

    counted = {(t.source, t.target, t.type_id) for t in graph.ties if t.source == member.pk}
    reported = Relationship.objects.filter(source=member, round=round_).order_by("pk")
    result.reported_ties = [
        ReportedTie(pk, graph.type_names.get(type_id, ""), name_of(target), strength,
                    (member.pk, target, type_id) in counted)
        for pk, target, type_id, strength in reported.values_list(
            "pk", "target_id", "type_id", "strength"
        )
    ]  # fmt: skip
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
    cohort_ids = set(
        Member.objects.filter(cohorts__in=member.cohorts.all()).values_list("pk", flat=True)
    )
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
        sector_bridges=_sector_bridges(member, neighbours, graph.groups["sector"]),
        previous=previous,
    )
    _ego(result, member, rows, neighbours, steps, name_of)
    suggestions = Suggestion.objects.filter(run=run)
    if viewer_role not in STAFF:
        suggestions = suggestions.for_member(member)
    for suggestion in suggestions.involving(member).pairs():
        other = suggestion.member_b_id if suggestion.member_a_id == member.pk else (
            suggestion.member_a_id
        )  # fmt: skip
        label = name_of(other)
        if label is not None:
            result.suggestions.append((label, _reason_shown(suggestion, people, name_of)))
    return result


def _reason_shown(suggestion: Suggestion, people, name_of) -> str:
    """The suggestion's sentence with every name the viewer may not see taken out."""
    ids = {suggestion.member_a_id, suggestion.member_b_id, suggestion.subject_id}
    ids.update(suggestion.member_ids or [])
    for key, value in (suggestion.facts or {}).items():
        if key.endswith("_ids") and isinstance(value, list):
            ids.update(v for v in value if isinstance(v, int))
    reason = suggestion.reason
    # Longest first, so that "Ann Lee-Smith" goes before a shorter name inside it.
    hidden = sorted(
        (people[pk][0] for pk in ids if pk in people and name_of(pk) is None), key=len, reverse=True
    )
    for name in hidden:
        reason = reason.replace(name, UNNAMED)
    return reason


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
            if sector == mine and any(sectors.get(n) == other for n in neighbours.get(m, ()))
        )
        bridges.append((mine, other, count))
    return bridges


def _ego(result, member, rows, neighbours, steps, name_of) -> None:
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

    direct_set = set(direct)
    points = {}
    for m, p in placed.items():
        x, y = scale(p)
        points[m] = (x, y)
        role = "me" if m == member.pk else "direct" if m in direct_set else "second"
        result.nodes.append(EgoNode(x=x, y=y, label=name_of(m), role=role))
    for m in placed:
        for n in neighbours[m]:
            if m < n and n in placed:
                result.lines.append((*points[m], *points[n]))
