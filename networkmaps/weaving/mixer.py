"""The convening mixer: seat attendees so people who do not know each other meet."""

from __future__ import annotations

from dataclasses import dataclass

from members.models import Member, Program, Round
from members.round_graph import round_graph_load
from networkmaps.graph.mixer import mix_summary, mix_tables
from networkmaps.maps.names import hidden_from, names_shown
from networkmaps.models import NodeMetric


@dataclass(frozen=True)
class Seat:
    """One attendee as the seating plan prints them (a hidden name is an anonymous code)."""

    pk: int  # the member's id, for the page's own use: never printed
    name: str
    organisation: str
    sector: str


@dataclass
class Seating:
    tables: list[list[Seat]]
    summary: dict[str, int]
    round: Round | None


def convening_mix(
    *, program: Program, attendee_ids: list[int], table_size: int, viewer_role: str | None
) -> Seating:
    """Seat a convening's attendees so people who do not know each other meet, each table a
    balanced mix of cohorts and sectors (see networkmaps/graph/mixer.py). Ties are the
    current round's counted ties; names follow the visibility rule for `viewer_role`."""
    rows = (
        Member.objects.filter(program=program, pk__in=attendee_ids)
        .order_by("pk")
        .values_list("pk", "name", "visibility", "organisation__name", "sector")
    )
    rows = list(rows)
    attendees = [pk for pk, *_ in rows]
    round_ = program.current_round()
    ties: set[tuple[int, int]] = set()
    groups: dict[str, dict[int, str | None]] = {"cohort": {}, "sector": {}}
    communities: dict[int, int] = {}
    if round_ is not None:
        graph = round_graph_load(round_=round_)
        wanted = set(attendees)
        ties = {pair for pair in graph.pairs() if pair[0] in wanted and pair[1] in wanted}
        groups = {k: {m: graph.groups[k].get(m) for m in attendees} for k in groups}
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
    hidden = hidden_from(viewer_role=viewer_role, visibilities=[row[2] for row in rows])
    names = names_shown(names=[row[1] for row in rows], hidden=hidden)
    seats = {
        # A hidden person's employer would name them at a small convening: it goes too.
        pk: Seat(pk, names[i], organisation="" if hidden[i] else org or "", sector=sector or "")
        for i, (pk, _, _, org, sector) in enumerate(rows)
    }
    return Seating(
        tables=[[seats[m] for m in table] for table in tables], summary=summary, round=round_
    )
