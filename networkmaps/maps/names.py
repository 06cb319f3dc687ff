"""The names a page, map or poster shows: the one visibility rule applied to many people.

`name_visible_to` (members/access.py) decides each name. On the interactive map and in
exports, whoever the rule hides gets a code drawn fresh for every render, so two renders
cannot be joined on it. Posters and convenings are printed and carried about, so there a
member's code is fixed for the round or the event (`member_poster_code`, `event_codes`):
keyed by the server's secret, it still says nothing about who they are.
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
    """1 ... `count` in a fresh shuffle from the system's secure source: the one place
    anonymous codes are drawn (maps, posters, exports), so none can be predicted."""
    numbers = list(range(1, count + 1))
    secrets.SystemRandom().shuffle(numbers)
    return numbers


def anonymous_codes(count: int) -> list[str]:
    """`count` shuffled codes "M001", "M002" ...: nothing about a person predicts theirs."""
    width = max(3, len(str(count)))
    return [f"M{number:0{width}d}" for number in anonymous_numbers(count)]


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


def names_shown(*, names: Sequence[str], hidden: Sequence[bool]) -> list[str]:
    """Each person's name, or an anonymous code where `hidden` (from `hidden_from`) says so."""
    codes = iter(anonymous_codes(sum(hidden)))
    return [next(codes) if h else name for name, h in zip(names, hidden, strict=True)]


def member_poster_code(*, member, poster_or_round) -> str:
    """The code `member` has on the anonymised posters of a round (give the Poster or the
    Round): the same on every anonymised poster of that round, so the member page can say
    "On tonight's anonymised map you are K7M2" and the poster's index lists it. Derived in
    members/anonymous_codes.py, where the member's data download reaches it too."""
    round_id = getattr(poster_or_round, "round_id", None) or poster_or_round.pk
    return anonymous_code(scope=poster_scope(round_id=round_id), member_id=member.pk)


def poster_codes(*, round_id: int, member_ids: Sequence[int]) -> list[str]:
    """`member_poster_code` for each of `member_ids`, in order."""
    codes = anonymous_codes_for(scope=poster_scope(round_id=round_id), member_ids=member_ids)
    return [codes[pk] for pk in member_ids]


def event_codes(*, program_id: int, title: str, date: str, member_ids: Sequence[int]) -> dict:
    """Each attendee's code for one convening (mixer, badges, door list), stable however
    often the plan is reloaded (members/anonymous_codes.py)."""
    scope = event_scope(program_id=program_id, title=title, date=date)
    return anonymous_codes_for(scope=scope, member_ids=member_ids)
