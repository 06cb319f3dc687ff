"""The ONE reader of a round's network: which ties count, and each member's groups.

Every consumer of a round's network (metric run, map, ego map, weaving sketches, mixer,
exports, round report, member page) reads it through `round_graph_load`, so they all show
the same ties under the program's counting rule (`Relationship.objects.counted`) and the
same groups ("earliest cohort wins"). It returns plain data: members ids, relationship
rows and attribute dicts, read with `values_list` (about a million rows a second).

Groups hold the four built-in groupings and every non-hidden category attribute the program
defined (members.models.attributes), under "attr:<key>"; `grouping_labels` names each one.
Number attributes are in `numbers` instead. Code that loops over `groups` sees them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import F

from members.missing_answers import missing_answers_repair
from members.models import Member, MemberAttribute, Relationship, RelationshipType, Round

# The groupings every round carries; a member without a value has None.
GROUPINGS = ("cohort", "sector", "region", "organisation")
GROUPING_LABELS = {
    "cohort": "Cohort",
    "sector": "Sector",
    "region": "Region",
    "organisation": "Organisation",
}


@dataclass(frozen=True)
class Tie:
    """One counted relationship row of the round."""

    source: int
    target: int
    type_id: int
    strength: int
    directed: bool
    carried: bool = False  # issue 13: carried forward from the previous round


@dataclass
class RoundGraph:
    """One round's network as plain data (no model instances)."""

    round_id: int
    program_id: int
    members: list[int]  # every member of the program, ascending id, isolates included
    ties: list[Tie]  # the counted relationship rows, in entry order
    type_names: dict[int, str]
    groups: dict[str, dict[int, str | None]]  # grouping -> member -> value
    cohorts: dict[int, list[str]]  # every cohort of each member, earliest first
    people: dict[int, dict] = field(default_factory=dict)  # names and interests, when asked
    grouping_labels: dict[str, str] = field(default_factory=dict)  # groups key -> label
    numbers: dict[str, dict[int, float | None]] = field(default_factory=dict)  # "attr:<key>"
    # issue 13: who answered (None: everybody) and the missing-answer rule applied.
    answered: frozenset[int] | None = None
    missing_answers: str = ""

    def rows(self) -> list[tuple[int, int, int, bool]]:
        """(source, target, strength, directed) per counted row: the graph maths' input."""
        return [(t.source, t.target, t.strength, t.directed) for t in self.ties]

    def pairs(self) -> set[tuple[int, int]]:
        """The unordered member pairs with at least one counted tie (low id first)."""
        return {
            (min(t.source, t.target), max(t.source, t.target))
            for t in self.ties
            if t.source != t.target
        }

    def neighbours(self) -> dict[int, set[int]]:
        """Member -> the members they share a counted tie with (either direction)."""
        out: dict[int, set[int]] = {m: set() for m in self.members}
        for a, b in self.pairs():
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
        return out


def round_graph_load(*, round_: Round, people: bool = False) -> RoundGraph:
    """Read one round's network: members, counted ties, groups (and, with `people`, the
    names, organisations and interests that suggestions quote)."""
    program_id = round_.program_id
    types = RelationshipType.objects.filter(program_id=program_id)
    directed = dict(types.values_list("id", "directed"))
    members = Member.objects.filter(program_id=program_id).order_by("id")
    rows = list(members.values_list("id", "sector", "region", "organisation__name"))
    cohorts = member_cohorts(program_id=program_id)
    groups = {
        "cohort": {m: cohort_of(cohorts, m) for m, *_ in rows},
        "sector": {m: sector or None for m, sector, _, _ in rows},
        "region": {m: region or None for m, _, region, _ in rows},
        "organisation": {m: org or None for m, _, _, org in rows},
    }
    # The program's own attributes: categories are groupings, numbers a table of their own.
    labels, numbers, shown = dict(GROUPING_LABELS), {}, {}
    attributes = MemberAttribute.objects.filter(program_id=program_id, hidden=False)
    if attributes:
        values = dict(members.values_list("id", "attributes"))
        for attribute in attributes:
            key, get = attribute.grouping, attribute.key
            if attribute.kind == MemberAttribute.Kind.NUMBER:
                table = numbers[key] = {m: _number((values[m] or {}).get(get)) for m in values}
            else:
                table = groups[key] = {m: _category((values[m] or {}).get(get)) for m in values}
                labels[key] = attribute.label
            shown[key] = table
    counted = Relationship.objects.counted(round_).order_by("pk")
    ties = [
        Tie(source, target, type_id, strength, directed[type_id])
        for source, target, type_id, strength in counted.values_list(
            "source_id", "target_id", "type_id", "strength"
        ).iterator(chunk_size=10000)
    ]
    repair = missing_answers_repair(round_=round_, counted=ties, directed=directed)
    ties += [
        Tie(s, t, k, strength, directed[k], carried) for s, t, k, strength, carried in repair.added
    ]
    graph = RoundGraph(
        round_id=round_.pk,
        program_id=program_id,
        members=[m for m, *_ in rows],
        ties=ties,
        type_names=dict(types.values_list("id", "name")),
        groups=groups,
        cohorts=cohorts,
        grouping_labels=labels,
        numbers=numbers,
        answered=repair.answered,
        missing_answers=repair.rule,
    )
    if people:
        details = members.values_list("id", "name", "issue_areas")
        graph.people = {
            m: {
                "name": name,
                "organisation": groups["organisation"][m],
                "cohort": groups["cohort"][m],
                "sector": groups["sector"][m],
                "region": groups["region"][m],
                "issue_areas": sorted(issues or []),
                "attributes": {key: table[m] for key, table in shown.items()},
            }
            for m, name, issues in details.iterator(chunk_size=10000)
        }
    return graph


def _category(value) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def cohort_of(cohorts: dict[int, list[str]], member_id: int) -> str | None:
    """The cohort a member is grouped with: the earliest of `member_cohorts`' list."""
    found = cohorts.get(member_id)
    return found[0] if found else None


def member_cohorts(*, program_id: int) -> dict[int, list[str]]:
    """Member -> every cohort they are in, earliest first. A member in several cohorts is
    grouped with the earliest one (by year, then creation): `cohorts[m][0]`."""
    memberships = Member.cohorts.through.objects.filter(member__program_id=program_id)
    ordered = memberships.order_by("member_id", F("cohort__year").asc(nulls_last=True), "cohort_id")
    out: dict[int, list[str]] = {}
    for member_id, name in ordered.values_list("member_id", "cohort__name"):
        out.setdefault(member_id, []).append(name)
    return out
