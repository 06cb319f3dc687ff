"""The interactive map's data, read from a round's current metric run: the round's
snapshot, its colour categories and the map page's JSON (posters: maps/posters.py).

Nothing here computes a metric or a layout. The metric run stored every member's position
(networkmaps/runs/compute.py), so the screen map, every poster and every round line up.

Member data leaves the server in two shapes only: `map_data` (JSON for the map page) and
posters (files). Neither ever carries an email address; a name the viewer may not see
(members/access.py `name_visible_to`) is the member's code for the round (maps/names.py:
the code the round's posters print), and the anonymised variants carry no names, no
organisations and no database ids at all.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from members.missing_answers import CARRY_FORWARD
from members.models import (
    Member,
    MemberAttribute,
    Program,
    RelationshipType,
    ResponseStatus,
    Round,
)
from members.round_graph import cohort_of, member_cohorts, round_graph_load
from networkmaps.glossary import MEMBER_METRICS
from networkmaps.graph import poster as drawing
from networkmaps.maps.names import hidden_from, names_shown, round_codes
from networkmaps.models import Community, MetricRun, NodeMetric

# What the map and posters can colour by: key → (label, plural, "no value" label).
GROUPINGS: dict[str, tuple[str, str, str]] = {
    "community": ("Cluster", "clusters", "Not in a cluster (no ties)"),
    "cohort": ("Cohort", "cohorts", "No cohort"),
    "sector": ("Sector", "sectors", "No sector recorded"),
    "region": ("Region", "regions", "No region recorded"),
    "organisation": ("Organisation", "organisations", "No organisation recorded"),
}


def program_groupings(*, program_id: int) -> dict[str, tuple[str, str, str]]:
    """GROUPINGS plus the program's own category attributes ("attr:<key>"; issue 12)."""
    own = MemberAttribute.objects.filter(
        program_id=program_id, hidden=False, kind=MemberAttribute.Kind.CATEGORY
    ).values_list("key", "label")
    return GROUPINGS | {
        f"attr:{key}": (label, label.lower(), f"No {label.lower()} recorded") for key, label in own
    }


# The palette's greys are kept for "other" and "not recorded", so that a real category is
# never mistaken for a missing value.
CATEGORY_COLOURS = tuple(c for c in drawing.PALETTE if c not in {"#595959", "#898989", "#ABABAB"})
OTHER_COLOUR = "#C3CAD3"
MISSING_COLOUR = drawing.NEUTRAL
SIZE_METRICS = tuple(m for m in MEMBER_METRICS if m.key != "community")
SIZE_METRIC_KEYS = tuple(m.key for m in SIZE_METRICS)
_DIGITS = re.compile(r"(\d+)")


class MapUnavailable(Exception):
    """There is nothing to draw yet (no rounds, or no computed metrics for the round)."""


# --- reading a round ----------------------------------------------------------------------


@dataclass
class Snapshot:
    """One round as the map draws it: a row per member of the round's current run."""

    round: Round
    run: MetricRun
    member_ids: list[int]
    x: list[float]
    y: list[float]
    names: list[str]
    titles: list[str]
    visibilities: list[str]  # each member's choice of who may see their name
    groups: dict[str, list[str | None]]  # grouping key → value per member
    metrics: dict[str, list[float | None]]
    cohorts: list[list[str]]  # every cohort of each member, earliest first

    def __len__(self) -> int:
        return len(self.member_ids)


def round_choose(*, program: Program, round_id: int | None) -> Round | None:
    """The requested round of `program`, else its current round, else its latest one."""
    rounds = program.rounds.all()
    if round_id is not None:
        chosen = rounds.filter(pk=round_id).first()
        if chosen is not None:
            return chosen
    return program.current_round() or rounds.order_by("-observed_on", "-id").first()


def snapshot_load(*, round_: Round) -> Snapshot:
    """Members, positions, groups and metrics of the round's current run (four queries)."""
    run = MetricRun.objects.current().filter(round=round_).first()
    if run is None:
        raise MapUnavailable(
            f"No metrics for {round_.name} yet: recompute them on the dashboard first."
        )
    rows = list(
        NodeMetric.objects.filter(run=run)
        .order_by("member_id")
        .values_list(
            "member_id", "x", "y", "community", *SIZE_METRIC_KEYS,
            "member__name", "member__title", "member__sector", "member__region",
            "member__organisation__name", "member__visibility",
        )
    )  # fmt: skip
    if rows and all(row[1] is None for row in rows):
        raise MapUnavailable(f"The metrics of {round_.name} predate maps: recompute them.")
    width = len(SIZE_METRIC_KEYS)
    member_ids = [row[0] for row in rows]
    cohorts = member_cohorts(program_id=round_.program_id)
    community_names = _community_names(run)
    snapshot = Snapshot(
        round=round_,
        run=run,
        member_ids=member_ids,
        x=[row[1] or 0.0 for row in rows],
        y=[row[2] or 0.0 for row in rows],
        names=[row[4 + width] for row in rows],
        titles=[row[5 + width] for row in rows],
        visibilities=[row[9 + width] for row in rows],
        groups={
            "community": [community_names.get(row[3]) for row in rows],
            "cohort": [cohort_of(cohorts, m) for m in member_ids],
            "sector": [row[6 + width] or None for row in rows],
            "region": [row[7 + width] or None for row in rows],
            "organisation": [row[8 + width] or None for row in rows],
        },
        metrics={key: [row[4 + i] for row in rows] for i, key in enumerate(SIZE_METRIC_KEYS)},
        cohorts=[cohorts.get(m, []) for m in member_ids],
    )
    return _with_attributes(snapshot)


def _with_attributes(snapshot: Snapshot) -> Snapshot:
    """The program's category attributes as more groups of the snapshot (issue 12)."""
    keys = [k for k in program_groupings(program_id=snapshot.round.program_id) if k[:5] == "attr:"]
    if keys:
        values = dict(
            Member.objects.filter(program_id=snapshot.round.program_id).values_list(
                "id", "attributes"
            )
        )
        for key in keys:
            given = [(values.get(m) or {}).get(key[5:]) for m in snapshot.member_ids]
            snapshot.groups[key] = [None if v in (None, "") else str(v) for v in given]
    return snapshot


def _community_names(run: MetricRun) -> dict[int, str]:
    """Community index → "Cluster 3: Fellows 2021 · health": the run's own number (from 1,
    kept across recomputes; issue 13), the same as the dashboard, exports and API.

    A community of one is an isolated member, not a cluster: it gets no name."""
    rows = Community.objects.filter(run=run, size__gt=1).order_by("index")
    return {
        index: f"Cluster {index}: {label}" for index, label in rows.values_list("index", "label")
    }


def round_ties(*, round_: Round, member_ids: list[int]) -> dict[tuple[int, int, int], int]:
    """(row of a, row of b, relationship type id) → strongest tie of that type, a < b.

    Rows index `member_ids`; a tie in both directions, or reported twice, is drawn once."""
    return {key: strength for key, (strength, _) in round_ties_marked(
        round_=round_, member_ids=member_ids
    ).items()}  # fmt: skip


def round_ties_marked(
    *, round_: Round, member_ids: list[int]
) -> dict[tuple[int, int, int], tuple[int, bool]]:
    """`round_ties` with, per drawn tie, whether it was only carried from the previous round
    under the missing-answer rule (members/missing_answers.py): True when no row reported
    in this round stands behind it."""
    row_of = {member: i for i, member in enumerate(member_ids)}
    ties: dict[tuple[int, int, int], tuple[int, bool]] = {}
    # The ties the metric run counted (a program may count confirmed survey ties only).
    for tie in round_graph_load(round_=round_).ties:
        source, target, type_id, strength = tie.source, tie.target, tie.type_id, tie.strength
        a, b = row_of.get(source), row_of.get(target)
        if a is None or b is None or a == b:
            continue  # joined after the run was computed: not on this map yet
        key = (a, b, type_id) if a < b else (b, a, type_id)
        before, carried = ties.get(key, (0, True))
        ties[key] = (max(strength, before), carried and tie.carried)
    return ties


def carried_ties_possible(*, program: Program, round_id: int | None) -> bool:
    """Whether the round's map may hold ties carried from the previous round: the program
    carries a non-respondent's ties forward, and someone did not answer this round."""
    if program.missing_answers != CARRY_FORWARD:
        return False
    round_ = round_choose(program=program, round_id=round_id)
    if round_ is None or round_.previous() is None:
        return False
    return ResponseStatus.objects.non_respondents(round_).exists()


# --- categories and colours ---------------------------------------------------------------


@dataclass
class Category:
    label: str
    colour: str
    count: int
    other: bool = False  # beyond the palette: drawn in the "other" grey
    missing: bool = False


def categories_assign(
    values: list[str | None], *, missing: str, by_name: bool = False
) -> tuple[list[Category], list[int]]:
    """Colour categories for one grouping and each member's category index.

    The largest groups (or, with `by_name`, the first by name) get the palette's colours, in
    order; the rest share one "other" grey and members without a value another. The same
    data always gets the same colours, on screen and on paper.
    """
    counts = Counter(value for value in values if value is not None)
    if by_name:
        ordered = sorted(counts, key=_natural)
    else:
        # Ties in size are broken by name; "natural" order only where names are few.
        name = _natural if len(counts) <= 200 else str.casefold
        ordered = sorted(counts, key=lambda v: (-counts[v], name(v)))
    found = [
        Category(
            label=value,
            colour=CATEGORY_COLOURS[i] if i < len(CATEGORY_COLOURS) else OTHER_COLOUR,
            count=counts[value],
            other=i >= len(CATEGORY_COLOURS),
        )
        for i, value in enumerate(ordered)
    ]
    position = {value: i for i, value in enumerate(ordered)}
    blanks = len(values) - sum(counts.values())
    if blanks:
        found.append(Category(missing, MISSING_COLOUR, blanks, missing=True))
    return found, [position[v] if v is not None else len(ordered) for v in values]


def _natural(text: str) -> list:
    """Sort key that puts "Cluster 9" before "Cluster 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in _DIGITS.split(text)]


def grouping_categories(snapshot: Snapshot, key: str, *, anonymised: bool):
    label, plural, missing = (
        GROUPINGS.get(key) or program_groupings(program_id=snapshot.round.program_id)[key]
    )
    found, index = categories_assign(snapshot.groups[key], missing=missing, by_name=key == "cohort")
    if anonymised and key == "organisation":
        # Organisations name people's employers: numbered, in colour order, like people.
        for number, category in enumerate(found, start=1):
            if not category.missing:
                category.label = f"Organisation {number}"
    return label, plural, found, index


def member_labels(
    snapshot: Snapshot,
    *,
    viewer_role: str | None,
    anonymised: bool,
    viewer_member_id: int | None = None,
) -> tuple[list[str], list[bool]]:
    """Each member's label for this viewer, and whether it hides them: the name where the
    visibility rule allows it, else the member's code for the round, as the round's posters
    print it (all codes when anonymised)."""
    if anonymised:
        codes = round_codes(round_id=snapshot.round.pk, member_ids=snapshot.member_ids)
        return codes, [True] * len(snapshot)
    hidden = hidden_from(
        viewer_role=viewer_role,
        visibilities=snapshot.visibilities,
        ids=snapshot.member_ids,
        viewer_member_id=viewer_member_id,
    )
    labels = names_shown(
        names=snapshot.names,
        hidden=hidden,
        round_id=snapshot.round.pk,
        member_ids=snapshot.member_ids,
    )
    return labels, hidden


def _compact(values: list[float | None], *, whole: bool) -> list[float | int | None]:
    """Metric values as the page needs them: 4 significant digits keep the JSON small."""
    if whole:
        return [None if v is None else int(v) for v in values]
    return [None if v is None or not math.isfinite(v) else float(f"{v:.4g}") for v in values]


# --- the map page -------------------------------------------------------------------------


def map_page(*, program: Program) -> dict:
    """What the map page needs before its data arrives: the rounds and the choices."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    current = round_choose(program=program, round_id=None)
    return {
        "program": program.name,
        "rounds": [{"id": r.pk, "name": r.name} for r in rounds],
        "round": current.pk if current else None,
        "groupings": [
            {"key": k, "label": v[0]} for k, v in program_groupings(program_id=program.pk).items()
        ],
        "metrics": [{"key": m.key, "label": m.label, "help": m.help} for m in SIZE_METRICS],
    }


def map_data(
    *,
    program: Program,
    round_id: int | None = None,
    compare_round_id: int | None = None,
    anonymised: bool = False,
    viewer_role: str | None,
    viewer_member_id: int | None = None,
    mark_carried: bool = False,
) -> dict:
    """The whole network of one round for the map page, as compact column lists.

    `nodes` are rows (row i of every list is one member); `edges` refer to rows and carry
    one entry per pair and relationship type. With `compare_round_id` (an earlier round),
    `edges.new` marks the pairs that were not tied in that round and `lost` lists the pairs
    (rows) tied then but not now. With `mark_carried` (staff only: it tells who did not
    answer), `edges.carried` marks the ties carried from the previous round under the
    missing-answer rule, when there are any. Never holds an email, nor
    a name, title or member id `viewer_role` may not see (`nodes.id` is None on those rows);
    anonymised, it holds no name, organisation or member id at all.
    """
    round_ = round_choose(program=program, round_id=round_id)
    if round_ is None:
        raise MapUnavailable("This program has no rounds yet.")
    snapshot = snapshot_load(round_=round_)
    compare = None
    if compare_round_id is not None:
        compare = program.rounds.filter(
            pk=compare_round_id, observed_on__lt=round_.observed_on
        ).first()

    marked = round_ties_marked(round_=round_, member_ids=snapshot.member_ids)
    ties = {key: strength for key, (strength, _) in marked.items()}
    type_ids = sorted({type_id for _, _, type_id in ties})
    type_names = dict(RelationshipType.objects.filter(program=program).values_list("id", "name"))
    all_types = sorted(type_names, key=lambda t: type_names[t].casefold())
    type_row = {type_id: i for i, type_id in enumerate(all_types)}
    pairs = sorted(ties)
    edges: dict[str, list] = {
        "source": [a for a, _, _ in pairs],
        "target": [b for _, b, _ in pairs],
        "type": [type_row[t] for _, _, t in pairs],
        "strength": [ties[key] for key in pairs],
    }
    if mark_carried and any(marked[key][1] for key in pairs):
        edges["carried"] = [int(marked[key][1]) for key in pairs]
    lost: list[tuple[int, int]] = []
    if compare is not None:
        before = {(a, b) for a, b, _ in round_ties(round_=compare, member_ids=snapshot.member_ids)}
        edges["new"] = [int((a, b) not in before) for a, b, _ in pairs]
        # Pairs tied then and not now, between members on this map (issue 16).
        lost = sorted(before - {(a, b) for a, b, _ in pairs})

    groups = {}
    for key in program_groupings(program_id=program.pk):
        label, plural, found, index = grouping_categories(snapshot, key, anonymised=anonymised)
        groups[key] = {
            "label": label,
            "plural": plural,
            "values": [vars(c).copy() for c in found],
            "of": index,
        }
    # A member in several cohorts matches a filter on any of them.
    cohort_row = {c["label"]: i for i, c in enumerate(groups["cohort"]["values"])}
    extra_cohorts = {
        str(i): [cohort_row[name] for name in names[1:]]
        for i, names in enumerate(snapshot.cohorts)
        if len(names) > 1
    }
    labels, hidden = member_labels(
        snapshot, viewer_role=viewer_role, anonymised=anonymised, viewer_member_id=viewer_member_id
    )
    nodes: dict[str, object] = {
        "label": labels,
        "x": [round(v, 1) for v in snapshot.x],
        "y": [round(v, 1) for v in snapshot.y],
        "extra_cohorts": extra_cohorts,
    }
    if not anonymised:
        # A database id names a person as surely as their name: only where the name shows.
        nodes["id"] = [None if h else m for m, h in zip(snapshot.member_ids, hidden, strict=True)]
        # A job title can name a person as surely as their name does.
        nodes["title"] = ["" if h else t for t, h in zip(snapshot.titles, hidden, strict=True)]
    return {
        "round": {"id": round_.pk, "name": round_.name, "observed_on": str(round_.observed_on)},
        "compare": {"id": compare.pk, "name": compare.name} if compare else None,
        "computed_at": snapshot.run.finished_at.isoformat() if snapshot.run.finished_at else None,
        "anonymised": anonymised,
        "counts": {"members": len(snapshot), "ties": len({(a, b) for a, b, _ in pairs})},
        "types": [{"name": type_names[t], "present": t in type_ids} for t in all_types],
        "groups": groups,
        "metrics": [
            {
                "key": m.key,
                "label": m.label,
                "format": m.format,
                "values": _compact(snapshot.metrics[m.key], whole=m.format == "count"),
            }
            for m in SIZE_METRICS
        ],
        "nodes": nodes,
        "edges": edges,
        "lost": {"source": [a for a, _ in lost], "target": [b for _, b in lost]},
    }
