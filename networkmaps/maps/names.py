"""The names a page, map or poster shows: the one visibility rule applied to many people.

`name_visible_to` (members/access.py) decides each name. Whoever the rule hides gets a
code drawn fresh for every render, so nothing about a person (not their id, not their
place in a list) predicts their code, and two renders cannot be joined on it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from members.access import name_visible_to


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
