"""The convening mixer: seat an event's attendees, over one or more rotations, so people who
do not know each other meet (the maths is networkmaps/graph/mixer.py).

What a viewer sees follows the one visibility rule (members/access.py): a person it hides
from them is their code for this event (members/anonymous_codes.py: the same code however
often the plan is reloaded), without their organisation. Guests are not members: they are
printed as the facilitator typed them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from members.models import Member, Program, Round
from members.round_graph import round_graph_load
from networkmaps.graph.mixer import hard_conflicts, mix_rotations, mix_summary
from networkmaps.maps.names import event_codes, hidden_from, poster_codes
from networkmaps.models import NodeMetric

REASONS = {
    "tie": "already know each other",
    "organisation": "work for the same organisation",
    "seated together before": "sat together in an earlier rotation",
    "no familiar face": "has nobody they know at the table",
}


@dataclass(frozen=True)
class Guest:
    """Someone attending who is not a member: a name and, if given, an organisation."""

    name: str
    organisation: str = ""


@dataclass(frozen=True)
class Seat:
    """One attendee as the plan prints them (a hidden member is their event code)."""

    key: int  # member id, or a negative number for a guest: for the page, never printed
    name: str
    organisation: str
    sector: str
    guest: bool = False
    coded: bool = False  # `name` is their event code: the rule hides their name
    poster_code: str = ""  # their code on this round's anonymised posters, for badges

    @property
    def pk(self) -> int | None:
        """The member's id (None for a guest)."""
        return None if self.guest else self.key


@dataclass
class Rotation:
    number: int  # 1-based
    tables: list[list[Seat]]
    summary: dict[str, int]


@dataclass
class Seating:
    title: str
    date: datetime.date
    rotations: list[Rotation]
    round: Round | None
    door_list: list[tuple[Seat, list[int]]]  # (person, table number per rotation) by name
    problems: list[str] = field(default_factory=list)  # hard constraints not met, in words

    @property
    def tables(self) -> list[list[Seat]]:
        """The first rotation's tables."""
        return self.rotations[0].tables if self.rotations else []

    @property
    def summary(self) -> dict[str, int]:
        return self.rotations[0].summary if self.rotations else {}


def convening_mix(
    *,
    program: Program,
    attendee_ids: list[int],
    table_size: int,
    viewer_role: str | None,
    guests: list[Guest] | None = None,
    rotations: int = 1,
    familiar_face: bool = False,
    title: str = "Convening",
    date: datetime.date | None = None,
) -> Seating:
    """Seat a convening: nobody at a table with someone they have a tie with or who works
    for the same organisation, no pair together twice across `rotations`, each table a
    balanced mix of cohorts and sectors (or, with `familiar_face`, everyone with one person
    they know). Ties are the current round's counted ties; what cannot be met is listed in
    `problems`. Names follow the visibility rule for `viewer_role`."""
    date = date or datetime.date.today()
    guests = guests or []
    rows = list(
        Member.objects.filter(program=program, pk__in=attendee_ids)
        .order_by("pk")
        .values_list("pk", "name", "visibility", "organisation__name", "sector")
    )
    members = [pk for pk, *_ in rows]
    guest_keys = [-(i + 1) for i in range(len(guests))]
    round_ = program.current_round()
    ties: set[tuple[int, int]] = set()
    groups: dict[str, dict[int, str | None]] = {"cohort": {}, "sector": {}}
    communities: dict[int, int] = {}
    if round_ is not None:
        graph = round_graph_load(round_=round_)
        wanted = set(members)
        ties = {pair for pair in graph.pairs() if pair[0] in wanted and pair[1] in wanted}
        groups = {k: {m: graph.groups[k].get(m) for m in members} for k in groups}
        communities = dict(
            NodeMetric.objects.filter(
                run__round=round_, run__is_current=True, member_id__in=members
            ).values_list("member_id", "community")
        )
    # Organisations match by name, so a guest from a member's organisation counts too.
    organisations = {pk: _org_key(org) for pk, _, _, org, _ in rows}
    organisations |= {
        key: _org_key(g.organisation) for key, g in zip(guest_keys, guests, strict=True)
    }
    seatings = mix_rotations(
        attendees=members + guest_keys,
        table_size=table_size,
        ties=ties,
        groups=groups,
        organisations=organisations,
        communities=communities or None,
        rotations=rotations,
        familiar_face=familiar_face,
    )
    seats = _seats(
        rows, guests, guest_keys, viewer_role=viewer_role, program=program, round_=round_,
        title=title, date=date,
    )  # fmt: skip
    out, met = [], set()
    for number, tables in enumerate(seatings, start=1):
        summary = mix_summary(
            tables=tables, ties=ties, groups=groups, communities=communities or None,
            organisations=organisations, met=met,
        )  # fmt: skip
        out.append(Rotation(number, [[seats[k] for k in table] for table in tables], summary))
        met |= {(min(a, b), max(a, b)) for t in tables for a in t for b in t if a != b}
    conflicts = hard_conflicts(
        rotations=seatings, ties=ties, organisations=organisations, familiar_face=familiar_face
    )
    problems = [
        f"Rotation {c.rotation + 1}, table {c.table + 1}: "
        + (
            f"{seats[c.a].name} {REASONS[c.reason]}."
            if c.a == c.b
            else f"{seats[c.a].name} and {seats[c.b].name} {REASONS[c.reason]}."
        )
        for c in conflicts
    ]
    return Seating(
        title=title,
        date=date,
        rotations=out,
        round=round_,
        door_list=_door_list(seats, seatings),
        problems=problems,
    )


def _org_key(name: str | None) -> str | None:
    key = " ".join((name or "").split()).casefold()
    return key or None


def _seats(rows, guests, guest_keys, *, viewer_role, program, round_, title, date):
    hidden = hidden_from(viewer_role=viewer_role, visibilities=[row[2] for row in rows])
    members = [row[0] for row in rows]
    codes = event_codes(
        program_id=program.pk, title=title, date=date.isoformat(), member_ids=members
    )
    posters = poster_codes(round_id=round_.pk, member_ids=members) if round_ else [""] * len(rows)
    seats = {}
    for i, (pk, name, _, org, sector) in enumerate(rows):
        if hidden[i]:
            # A hidden person's employer would name them at a small convening: it goes too,
            # and so does their poster code, which would join this plan to the posters.
            seats[pk] = Seat(pk, codes[pk], organisation="", sector=sector or "", coded=True)
        else:
            seats[pk] = Seat(pk, name, org or "", sector or "", poster_code=posters[i])
    for key, guest in zip(guest_keys, guests, strict=True):
        seats[key] = Seat(key, guest.name, guest.organisation, "", guest=True)
    return seats


def _door_list(seats: dict[int, Seat], seatings) -> list[tuple[Seat, list[int]]]:
    where: dict[int, list[int]] = {key: [] for key in seats}
    for tables in seatings:
        for number, table in enumerate(tables, start=1):
            for key in table:
                where[key].append(number)
    # Names first, then codes: a door keeper looks a name up where names are.
    people = sorted(seats.values(), key=lambda s: (s.coded, s.name.casefold(), s.name, s.key))
    return [(seat, where[seat.key]) for seat in people]
