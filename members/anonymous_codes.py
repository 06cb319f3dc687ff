"""A member's anonymous code for one poster round or one event: the same code every time it
is drawn for that scope, different in every other scope, and unpredictable without the
server's secret.

Here, not in networkmaps, so the member's own data download (members/privacy/) and the
posters, mixer and member page (networkmaps) derive the same code from the same function.

A code is the member id sent through a keyed permutation (a four-round Feistel network on
20 bits, keyed by HMAC-SHA256 of SECRET_KEY and the scope), written in 32 characters that
cannot be misread (no 0/O, 1/I). Being a permutation, two members never share a code in
one scope, whoever else attends; being keyed, a code says nothing about the id, and codes
of one scope cannot be joined with another's.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, 5 bits each
_HALF_BITS = 10  # 20-bit blocks: four characters for every id below 1,048,576
_ROUNDS = 4


def poster_scope(*, round_id: int) -> str:
    """The scope of a round's anonymised posters: every anonymised poster of that round
    shows a member under the same code, so a member can be told theirs before the event."""
    return f"round:{round_id}"


def event_scope(*, program_id: int, title: str, date: str) -> str:
    """The scope of one convening (mixer seating, badges, door list): its program, title
    and date, so reloading the plan never changes anyone's code."""
    return f"event:{program_id}:{title.strip().casefold()}:{date}"


def anonymous_code(*, scope: str, member_id: int) -> str:
    """The member's code in `scope` (4 characters; longer only for ids ≥ 2²⁰)."""
    return _code(_key(scope), member_id, None)


def anonymous_codes_for(*, scope: str, member_ids) -> dict[int, str]:
    """`anonymous_code` for many members at once: the scope's key once, and its round
    function tabulated (4 x 1,024 values) instead of 4 HMACs per member, so a 10k-member
    map's codes take milliseconds."""
    key = _key(scope)
    table = [
        [_round_value(key, number, _HALF_BITS, right) for right in range(1 << _HALF_BITS)]
        for number in range(_ROUNDS)
    ]
    return {pk: _code(key, pk, table) for pk in member_ids}


def _code(key: bytes, member_id: int, table: list[list[int]] | None) -> str:
    if member_id < 0:
        raise ValueError(f"member ids are not negative, got {member_id}")
    half = _HALF_BITS
    # Ids too large for one block take a longer code, so they never meet a shorter one.
    while member_id >= 1 << (2 * half):
        half += 5
    value = _permute(key, member_id, half, table if half == _HALF_BITS else None)
    chars = []
    for _ in range(2 * half // 5):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _key(scope: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), scope.encode(), hashlib.sha256).digest()


def _permute(key: bytes, value: int, half: int, table: list[list[int]] | None = None) -> int:
    mask = (1 << half) - 1
    left, right = value >> half, value & mask
    for round_number in range(_ROUNDS):
        if table is not None:
            step = table[round_number][right]
        else:
            step = _round_value(key, round_number, half, right)
        left, right = right, left ^ step
    return (left << half) | right


def _round_value(key: bytes, round_number: int, half: int, right: int) -> int:
    """The Feistel round function: HMAC of the round, block size and right half."""
    digest = hmac.new(key, f"{round_number}:{half}:{right}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << half) - 1)


def member_round_codes(*, member) -> list[tuple[str, str]]:
    """(round name, code) for each round of the member's program, oldest first: what the
    member's data download lists as "your code on this round's anonymised posters"."""
    rounds = member.program.rounds.order_by("observed_on", "pk").values_list("pk", "name")
    return [
        (name, anonymous_code(scope=poster_scope(round_id=pk), member_id=member.pk))
        for pk, name in rounds
    ]
