"""A member's anonymous code: fixed within a scope, unique, and unrelated across scopes."""

import pytest

from members.anonymous_codes import (
    ALPHABET,
    anonymous_code,
    anonymous_codes_for,
    event_scope,
    member_round_codes,
)


def test_codes_are_unique_in_a_scope_and_never_use_misreadable_characters():
    codes = anonymous_codes_for(scope="round:7", member_ids=range(20_000))
    assert len(set(codes.values())) == 20_000
    assert all(len(code) == 4 and set(code) <= set(ALPHABET) for code in codes.values())
    assert not set("01OI") & set(ALPHABET)


def test_a_code_is_the_same_every_time_and_differs_between_scopes():
    assert anonymous_code(scope="round:7", member_id=42) == anonymous_code(
        scope="round:7", member_id=42
    )
    first = anonymous_codes_for(scope="round:7", member_ids=range(500))
    second = anonymous_codes_for(scope="round:8", member_ids=range(500))
    assert sum(first[pk] == second[pk] for pk in range(500)) < 5


def test_an_events_scope_ignores_case_and_spacing_of_its_title_but_not_its_date():
    assert event_scope(program_id=1, title=" Spring Convening ", date="2026-04-01") == (
        event_scope(program_id=1, title="spring convening", date="2026-04-01")
    )
    assert event_scope(program_id=1, title="x", date="2026-04-01") != event_scope(
        program_id=1, title="x", date="2026-04-02"
    )


def test_very_large_ids_get_longer_codes_that_never_meet_short_ones():
    assert len(anonymous_code(scope="s", member_id=2**20)) == 6


@pytest.mark.django_db
def test_a_members_round_codes_are_the_codes_their_posters_print(demo_program):
    from networkmaps.maps.names import member_poster_code

    member = demo_program.members.order_by("pk").first()
    listed = member_round_codes(member=member)
    rounds = list(demo_program.rounds.order_by("observed_on", "pk"))
    assert [name for name, _ in listed] == [r.name for r in rounds]
    assert [code for _, code in listed] == [
        member_poster_code(member=member, poster_or_round=r) for r in rounds
    ]


def test_many_codes_at_once_are_each_members_own_code():
    """anonymous_codes_for tabulates the round function; every code is still the one
    anonymous_code derives, on both sides of the 2^20 block boundary."""
    from members.anonymous_codes import anonymous_code, anonymous_codes_for

    ids = [0, 1, 2, 1023, 1024, 4321, 99_999, 2**20 - 1, 2**20, 5_000_000]
    many = anonymous_codes_for(scope="round:7", member_ids=ids)
    assert many == {pk: anonymous_code(scope="round:7", member_id=pk) for pk in ids}
    assert len(set(many.values())) == len(ids)
