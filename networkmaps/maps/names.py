"""The names a page, map or poster shows: the one visibility rule applied to many people.

`name_visible_to` (members/access.py) decides each name. Whoever the rule hides is shown
under their code for the round (`round_codes`): the same code on the interactive map, on
every poster of the round and on the member pages, so a facilitator holding a poster finds
on screen the person the poster shows. Keyed by the server's secret and scoped to the
round (members/anonymous_codes.py), a code says nothing about who they are and cannot be
followed from one round to the next. Convenings have codes of their own (`event_codes`).
Anonymised export files number members afresh instead (exports/rows.py): a released file
must not join back to anything printed.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from members.access import name_visible_to
from members.anonymous_codes import (
    anonymous_code,
    anonymous_codes_for,
    event_scope,
    poster_scope,
)


def anonymous_numbers(count: int) -> list[int]:
    """1 ... `count` in a fresh shuffle from the system's secure source: how anonymised
    exports number members, so no number can be predicted or joined to another file."""
    numbers = list(range(1, count + 1))
    secrets.SystemRandom().shuffle(numbers)
    return numbers


def hidden_from(
    *,
    viewer_role: str | None,
    visibilities: Sequence[str],
    ids: Sequence[int] | None = None,
    viewer_member_id: int | None = None,
) -> list[bool]:
    """Per person: does the rule hide their name from this viewer? `ids` (parallel to
    `visibilities`) only matter with `viewer_member_id`: a member always sees their own."""
    own = viewer_member_id is not None and ids is not None
    return [
        not name_visible_to(viewer_role, visibility) and not (own and ids[i] == viewer_member_id)
        for i, visibility in enumerate(visibilities)
    ]


def round_codes(*, round_id: int, member_ids: Sequence[int]) -> list[str]:
    """Each member's code for the round, in order: what the map, the posters and the member
    pages show in place of a hidden name (`member_poster_code` for one member)."""
    codes = anonymous_codes_for(scope=poster_scope(round_id=round_id), member_ids=member_ids)
    return [codes[pk] for pk in member_ids]


def names_shown(
    *,
    names: Sequence[str],
    hidden: Sequence[bool],
    round_id: int,
    member_ids: Sequence[int],
) -> list[str]:
    """Each person's name, or their code for the round where `hidden` (from `hidden_from`)
    says so. `member_ids` (parallel to `names`) and `round_id` name whose codes they are."""
    wanted = [m for m, h in zip(member_ids, hidden, strict=True) if h]
    codes = iter(round_codes(round_id=round_id, member_ids=wanted))
    return [next(codes) if h else name for name, h in zip(names, hidden, strict=True)]


def member_poster_code(*, member, poster_or_round) -> str:
    """The code `member` has on the posters and map of a round (give the Poster or the
    Round): the same on every anonymised poster of that round, so the member page can say
    "On tonight's anonymised map you are K7M2" and the poster's index lists it. Derived in
    members/anonymous_codes.py, where the member's data download reaches it too."""
    round_id = getattr(poster_or_round, "round_id", None) or poster_or_round.pk
    return anonymous_code(scope=poster_scope(round_id=round_id), member_id=member.pk)


# The posters' name for the same codes.
poster_codes = round_codes


def event_codes(*, program_id: int, title: str, date: str, member_ids: Sequence[int]) -> dict:
    """Each attendee's code for one convening (mixer, badges, door list), stable however
    often the plan is reloaded (members/anonymous_codes.py)."""
    scope = event_scope(program_id=program_id, title=title, date=date)
    return anonymous_codes_for(scope=scope, member_ids=member_ids)
