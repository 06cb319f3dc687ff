"""A member's own view of the network: their position in plain language, their ego map, the
ties they reported and the introductions suggested for them. Reads the round through the
one round reader and the stored run; computes nothing heavy.

Names follow the one visibility rule for whoever is looking: a member sees another member's
name only if that member chose to be named to members; staff see every name. Everyone else
on the page gets their code for the round (maps/names.py `round_codes`: the code the map
and the round's posters show), the same code wherever they appear on it, and an
introduction to them is worded without naming them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from members.access import STAFF, name_visible_to
from members.models import Member, Relationship, RemovedTie, SurveyInvitation
from members.round_graph import round_graph_load
from networkmaps.graph.sentences import position_sentences
from networkmaps.maps.names import round_codes
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
    code: str = ""  # the code standing in for a hidden name on this page
    labelled: bool = False  # drawn with its label (labels that would collide are left off)
    label_x: float = 0.0
    label_y: float = 0.0
    # Whom the row is about; templates cannot read names starting with "_", so a hidden
    # person's id never reaches the page.
    _member: int = field(default=0, repr=False)

    @property
    def shown(self) -> str:
        return self.label or self.code


@dataclass
class ReportedTie:
    """One tie the member reported, as their own page lists it."""

    pk: int
    type_name: str
    target: str | None  # None: someone the viewer may not see by name
    strength: int
    counted: bool  # False: the program counts it only once the other person reports it too
    code: str = ""
    type_id: int = 0
    _member: int = field(default=0, repr=False)
    own_row: bool = True  # False: recorded from the other person's side; not changed here


@dataclass
class Connection:
    """One person the member shares a counted tie with, whichever of them reported it."""

    label: str | None  # None: someone the viewer may not see by name
    code: str
    types: list[str]
    strength: int
    direction: str  # "both" | "from_me" | "to_me" (directed types) | "mutual" (undirected)
    _member: int = field(default=0, repr=False)


@dataclass
class Introduction:
    """A suggested introduction as the member's page shows it."""

    pk: int
    other: str | None  # the other person's name; None: worded without naming them
    reason: str
    asked: bool = False  # the member asked staff to introduce them
    _member: int = field(default=0, repr=False)


@dataclass
class MemberNetwork:
    member: Member
    run: MetricRun | None
    sentences: list[str] = field(default_factory=list)
    nodes: list[EgoNode] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    introductions: list[Introduction] = field(default_factory=list)
    reported_ties: list[ReportedTie] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    # Why a list is empty, in words the member can act on (key: "connections" ...).
    empty: dict[str, str] = field(default_factory=dict)

    @property
    def suggestions(self) -> list[tuple[str, str]]:
        """(name or worded description, reason) per introduction."""
        return [(i.other or i.reason, i.reason if i.other else "") for i in self.introductions]


def introduction_suggestion(*, member: Member, suggestion_id: int) -> Suggestion | None:
    """A suggestion of the current run introducing `member` to someone, if the member may
    ask for it: both of them accept introductions (the member's page offers no other)."""
    round_ = member.program.current_round()
    if round_ is None or not member.accepts_introductions:
        return None
    found = (
        Suggestion.objects.filter(run__round=round_, run__is_current=True, pk=suggestion_id)
        .pairs()
        .involving(member)
        .filter(
            Q(member_a=member, member_b__accepts_introductions=True)
            | Q(member_b=member, member_a__accepts_introductions=True)
        )
    )
    return found.select_related("member_a", "member_b").first()


def member_network(
    *, member: Member, viewer_role: str | None, viewer: Member | None = None, steps: int = 2
) -> MemberNetwork:
    """`member`'s page as seen by someone in `viewer_role` (`viewer`: the member looking,
    who always sees their own name)."""
    program = member.program
    round_ = program.current_round()
    run = MetricRun.objects.current().filter(round=round_).first() if round_ else None
    result = MemberNetwork(member=member, run=run)
    own = viewer is not None and viewer.pk == member.pk
    if round_ is None:
        result.empty["connections"] = (
            "The program has no survey round yet: staff start one, then your ties show here."
        )
        return result
    graph = round_graph_load(round_=round_)
    neighbours = graph.neighbours()
    people = {
        pk: (name, visibility, sector)
        for pk, name, visibility, sector in Member.objects.filter(program=program).values_list(
            "pk", "name", "visibility", "sector"
        )
    }
    viewer_id = viewer.pk if viewer is not None else None
    codes = _Codes(round_id=round_.pk)

    def name_of(pk: int) -> str | None:
        name, visibility, _ = people[pk]
        shown = pk == viewer_id or name_visible_to(viewer_role, visibility)
        return name if shown else None

    _connections(result, member, graph, name_of, codes)
    counted = {
        (t.source, t.target, t.type_id) for t in graph.ties if member.pk in (t.source, t.target)
    }
    for pk, source, target, type_id, strength in _reported(member, round_):
        other = target if source == member.pk else source
        result.reported_ties.append(
            ReportedTie(pk, graph.type_names.get(type_id, ""), name_of(other), strength,
                        (source, target, type_id) in counted, type_id=type_id, _member=other,
                        own_row=source == member.pk)
        )  # fmt: skip
    for tie in result.reported_ties:
        if tie.target is None:
            codes.want(tie._member)
    if not result.reported_ties:
        result.empty["reported"] = (
            "You have not reported any ties in this round. The relationship survey is where"
            " you name the people you work with; staff send you its link."
        )
    if run is None:
        result.empty["introductions"] = "The network has not been measured for this round yet."
        return _codes_fill(result, codes)
    rows = {
        m: {"degree": d, "reach_two_steps": r, "community": c, "x": x, "y": y}
        for m, d, r, c, x, y in NodeMetric.objects.filter(run=run).values_list(
            "member_id", "degree", "reach_two_steps", "community", "x", "y"
        )
    }
    me = rows.get(member.pk)
    if me is None:
        result.empty["introductions"] = (
            "You joined after the network was last measured: you will show up after the next"
            " recompute."
        )
        return _codes_fill(result, codes)
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
    _ego(result, member, rows, neighbours, steps, name_of, codes)
    _introductions(result, member, run, people, neighbours, name_of, staff=viewer_role in STAFF)
    if not result.introductions:
        result.empty["introductions"] = (
            "You have said you do not want introductions: tick “Suggest introductions” under"
            " Your choices to get them."
            if own and not member.accepts_introductions
            else "No introduction involves you in this round's suggestions. They are"
            " recomputed whenever the network changes."
        )
    return _codes_fill(result, codes)


class _Codes:
    """One code per hidden person on the page, filled in when the page is complete: their
    code for the round, as on the map and the round's posters."""

    def __init__(self, *, round_id: int) -> None:
        self.round_id = round_id
        self.people: dict[int, str] = {}

    def want(self, pk: int) -> None:
        self.people.setdefault(pk, "")

    def draw(self) -> None:
        people = sorted(self.people)
        for pk, code in zip(
            people, round_codes(round_id=self.round_id, member_ids=people), strict=True
        ):
            self.people[pk] = code


def _codes_fill(result: MemberNetwork, codes: _Codes) -> MemberNetwork:
    codes.draw()
    for item in [*result.nodes, *result.connections, *result.reported_ties]:
        if item._member in codes.people:
            item.code = codes.people[item._member]
    _ego_labels(result.nodes)
    return result


# Label boxes on the 560-unit ego map: characters are about 0.56 em wide.
LABEL_SIZE = {"me": 12.0, "direct": 11.0, "second": 9.0}


def _ego_labels(nodes: list[EgoNode]) -> None:
    """Label the member, then their direct ties, then people two steps out, leaving off a
    label that would overlap one already placed (its name stays in the dot's tooltip)."""
    placed: list[tuple[float, float, float, float]] = []
    order = {"me": 0, "direct": 1, "second": 2}
    for node in sorted(nodes, key=lambda n: (order[n.role], n.y, n.x)):
        size = LABEL_SIZE[node.role]
        width = len(node.shown) * size * 0.56
        x = min(max(node.x, 4 + width / 2), BOX - 4 - width / 2)
        y = node.y - 10 if node.y > 30 else node.y + 10 + size
        box = (x - width / 2, y - size, x + width / 2, y + 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        node.labelled, node.label_x, node.label_y = True, x, y


def _reported(member: Member, round_) -> list[tuple[int, int, int, int, int]]:
    """(pk, source, target, type, strength) of what the member reported in the round: every
    row they are the source of, of any origin (a survey writes the respondent as the
    source), and each tie their submitted survey names that was already recorded the other
    way round (an undirected tie is written once, so theirs is the other person's row)."""
    rows = list(
        Relationship.objects.filter(source=member, round=round_)
        .order_by("pk")
        .values_list("pk", "source_id", "target_id", "type_id", "strength")
    )
    invitation = SurveyInvitation.objects.filter(
        survey__round=round_, member=member, submitted_at__isnull=False
    ).first()
    if invitation is None:
        return rows
    mine = {(target, type_id) for _, _, target, type_id, _ in rows}
    named = {
        (entry.get("member"), type_id)
        for entry in (invitation.answers or {}).get("known") or []
        for type_id in entry.get("types") or []
    } - mine
    if not named:
        return rows
    other_way = Relationship.objects.filter(
        round=round_, target=member, type__directed=False,
        source_id__in={target for target, _ in named},
    ).values_list("pk", "source_id", "target_id", "type_id", "strength")  # fmt: skip
    return rows + [row for row in other_way if (row[1], row[3]) in named]


def _connections(result, member, graph, name_of, codes) -> None:
    """Every counted tie touching the member, one line per person, either direction."""
    found: dict[int, dict] = {}
    for tie in graph.ties:
        if member.pk not in (tie.source, tie.target) or tie.source == tie.target:
            continue
        other = tie.target if tie.source == member.pk else tie.source
        entry = found.setdefault(other, {"types": set(), "strength": 0, "ways": set()})
        entry["types"].add(graph.type_names.get(tie.type_id, ""))
        entry["strength"] = max(entry["strength"], tie.strength)
        entry["ways"].add("from_me" if tie.source == member.pk else "to_me")
        if not tie.directed:
            entry["ways"].add("mutual")
    for other, entry in found.items():
        ways = entry["ways"]
        direction = ("both" if {"from_me", "to_me"} <= ways else "mutual" if "mutual" in ways
                     else next(iter(ways)))  # fmt: skip
        connection = Connection(
            name_of(other), "", sorted(entry["types"], key=str.casefold), entry["strength"],
            direction, _member=other,
        )  # fmt: skip
        if connection.label is None:
            codes.want(other)
        result.connections.append(connection)
    result.connections.sort(key=lambda c: (c.label is None, (c.label or "").casefold()))
    if not found:
        result.empty["connections"] = (
            "No ties are recorded for you in this round yet. Answer the relationship survey"
            " (staff send the link), or ask staff to add the people you work with."
        )


def _introductions(result, member, run, people, neighbours, name_of, *, staff: bool) -> None:
    suggestions = Suggestion.objects.filter(run=run).pairs().involving(member)
    if not staff:
        # Whether the other person is named to members decides the wording, not whether
        # the introduction is shown; their wish not to be introduced is always kept.
        if not member.accepts_introductions:
            return
        suggestions = suggestions.filter(
            Q(member_a=member, member_b__accepts_introductions=True)
            | Q(member_b=member, member_a__accepts_introductions=True)
        )
    for suggestion in suggestions.order_by("kind", "rank"):
        other = suggestion.member_b_id if suggestion.member_a_id == member.pk else (
            suggestion.member_a_id
        )  # fmt: skip
        label = name_of(other)
        if label is not None:
            reason = _reason_shown(suggestion, people, name_of)
        else:
            shared = len(neighbours.get(member.pk, set()) & neighbours.get(other, set()))
            reason = _worded(sector=people[other][2], shared=shared, kind=suggestion.kind)
        result.introductions.append(Introduction(suggestion.pk, label, reason, _member=other))


def _worded(*, sector: str, shared: int, kind: str) -> str:
    """An introduction to someone the member may not see by name, without naming them:
    "Someone in the health sector who shares 4 of your contacts"."""
    text = f"Someone in the {sector} sector" if sector else "Someone in the program"
    if shared:
        text += f" who shares {shared} of your contacts" if shared > 1 else (
            " who shares one of your contacts"
        )  # fmt: skip
    elif kind in (Suggestion.Kind.BRIDGE, Suggestion.Kind.PERIPHERY):
        text += " who would link you to a part of the network you have no ties into"
    elif kind == Suggestion.Kind.HUB_RELIEF:
        text += " who knows some of the same well-connected people as you"
    return text + "."


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


def _ego(result, member, rows, neighbours, steps, name_of, codes) -> None:
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
        node = EgoNode(x=x, y=y, label=name_of(m), role=role, _member=m)
        if node.label is None:
            codes.want(m)
        result.nodes.append(node)
    for m in placed:
        for n in neighbours[m]:
            if m < n and n in placed:
                result.lines.append((*points[m], *points[n]))
    # Drawn in this order: people two steps out under direct ties, the member on top.
    result.nodes.sort(key=lambda node: {"second": 0, "direct": 1, "me": 2}[node.role])


@dataclass
class RemovedTieShown:
    pk: int
    type_name: str
    target: str | None  # None: someone the viewer may not see by name
    strength: int
    round_name: str
    until: object  # the last moment the removal can be undone


def removed_ties_shown(*, member: Member, viewer_role: str | None) -> list[RemovedTieShown]:
    """The member's tie removals they can still undo, newest first."""
    rows = RemovedTie.objects.undoable(member).select_related("target", "type", "round")
    return [
        RemovedTieShown(
            pk=removed.pk,
            type_name=removed.type.name,
            target=removed.target.name
            if name_visible_to(viewer_role, removed.target, viewer_member_id=member.pk)
            else None,
            strength=removed.strength,
            round_name=removed.round.name,
            until=removed.undo_until(),
        )
        for removed in rows[:50]
    ]
