"""The convening mixer on a real program: strangers at every table, rotations, guests,
prints and badges, and what a facilitator may see of "staff only" members."""

import io
import itertools
import re

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Member
from members.round_graph import round_graph_load
from networkmaps.maps.names import member_poster_code
from tests.factories import ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator_client(computed):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=computed, role="facilitator")
    client = Client()
    client.force_login(user)
    return client


def _query(program, **extra):
    cohorts = list(program.cohorts.values_list("pk", flat=True))
    return {"cohorts": cohorts, "table_size": 8, "title": "Spring convening",
            "date": "2026-04-01", **extra}  # fmt: skip


def test_three_rotations_seat_nobody_with_a_tie_a_colleague_or_twice(staff_client, computed):
    url = reverse("networkmaps:mixer", args=[computed.slug])
    # The demo's largest organisation has 18 members: 20 tables of six can part them all.
    query = _query(computed, rotations=3, table_size=6)
    seating = staff_client.get(url, query).context["seating"]
    ties = round_graph_load(round_=computed.current_round()).pairs()
    org = dict(computed.members.values_list("pk", "organisation_id"))
    assert len(seating.rotations) == 3 and seating.problems == []
    seen = set()
    for rotation in seating.rotations:
        for table in rotation.tables:
            for a, b in itertools.combinations(sorted(s.pk for s in table), 2):
                assert (a, b) not in ties and (a, b) not in seen
                assert org[a] is None or org[a] != org[b]
                seen.add((a, b))
        assert rotation.summary["same_organisation_pairs"] == 0
        assert rotation.summary["repeated_pairs"] == 0
        assert rotation.summary["new_pairs"] == rotation.summary["pairs"]


def test_a_rule_that_cannot_be_kept_is_named_on_the_page(staff_client, computed):
    # Everyone from one organisation at two tables of four: colleagues must share.
    members = list(computed.members.order_by("pk")[:8])
    Member.objects.filter(pk__in=[m.pk for m in members]).update(
        organisation=members[0].organisation
    )
    url = reverse("networkmaps:mixer", args=[computed.slug])
    lines = "\n".join(m.email for m in members)
    response = staff_client.get(url, {"attendees": lines, "table_size": 4})
    seating = response.context["seating"]
    assert seating.problems and all("work for the same organisation" in p for p in seating.problems)
    assert "could not be kept" in response.content.decode()


def test_a_facilitator_sees_hidden_members_as_codes_that_stay_put(facilitator_client, computed):
    hidden = list(computed.members.order_by("pk")[:6])
    Member.objects.filter(pk__in=[m.pk for m in hidden]).update(visibility="staff")
    url = reverse("networkmaps:mixer", args=[computed.slug])
    first = facilitator_client.get(url, _query(computed)).context["seating"]
    again = facilitator_client.get(url, _query(computed)).context["seating"]
    other_day = facilitator_client.get(url, _query(computed, date="2026-04-02")).context["seating"]

    def codes(seating):
        return {s.pk: s.name for table in seating.tables for s in table if s.pk in ids}

    ids = {m.pk for m in hidden}
    assert codes(first) == codes(again)  # the known bug: codes changed on every load
    assert codes(first) != codes(other_day)
    assert not {m.name for m in hidden} & set(codes(first).values())
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}", code) for code in codes(first).values())
    seats = [s for table in first.tables for s in table if s.pk in ids]
    assert all(s.organisation == "" and s.poster_code == "" for s in seats)
    for kind in ("sheet", "door", "cards"):
        page = facilitator_client.get(
            reverse("networkmaps:mixer-print", args=[computed.slug]), _query(computed, print=kind)
        ).content.decode()
        assert not [m.name for m in hidden if m.name in page], kind
        assert next(iter(codes(first).values())) in page


def test_a_facilitators_badges_name_no_hidden_member(facilitator_client, computed):
    pdfplumber = pytest.importorskip("pdfplumber")
    hidden = list(computed.members.order_by("pk")[:6])
    Member.objects.filter(pk__in=[m.pk for m in hidden]).update(visibility="staff")
    computed.members.exclude(pk__in=[m.pk for m in hidden]).update(visibility="members")
    url = reverse("networkmaps:mixer-badges", args=[computed.slug])
    response = facilitator_client.get(url, _query(computed))
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert not [m.name for m in hidden if m.name in text]
    shown = computed.members.exclude(pk__in=[m.pk for m in hidden]).first()
    assert shown.name in text


def test_a_facilitator_cannot_probe_for_hidden_members_by_name_or_email(
    facilitator_client, staff_client, computed
):
    hidden, shown = computed.members.order_by("pk")[:2]
    Member.objects.filter(pk=hidden.pk).update(visibility="staff")
    Member.objects.filter(pk=shown.pk).update(visibility="members")
    url = reverse("networkmaps:mixer", args=[computed.slug])
    answers = {}
    for line in (hidden.name, hidden.email, "Nobody Atall"):
        response = facilitator_client.get(
            url, {"attendees": f"{shown.email}\n{line}", "table_size": 4}
        )
        assert response.context["seating"] is None
        errors = response.context["form"].non_field_errors()
        answers[line] = errors[0].replace(line, "…")
    # Hidden and non-existent read the same: the answer says nothing about who exists.
    assert len(set(answers.values())) == 1
    staff = staff_client.get(url, {"attendees": f"{shown.email}\n{hidden.email}", "table_size": 4})
    assert staff.context["seating"] is not None


def test_guests_are_seated_listed_at_the_door_and_badged(staff_client, computed):
    member_org = computed.members.exclude(organisation=None).first().organisation.name
    guests = f"Zed Visitor, {member_org}\nAda Guest, Somewhere Else\n"
    query = _query(computed, guests=guests, rotations=2, table_size=6)
    url = reverse("networkmaps:mixer", args=[computed.slug])
    seating = staff_client.get(url, query).context["seating"]
    assert seating.problems == []
    names = [seat.name for seat, _ in seating.door_list]
    assert "Zed Visitor" in names and "Ada Guest" in names
    assert names == sorted(names, key=str.casefold)
    for rotation in seating.rotations:
        zed = next(t for t in rotation.tables if any(s.name == "Zed Visitor" for s in t))
        assert member_org not in [s.organisation for s in zed if s.name != "Zed Visitor"]
    door = staff_client.get(
        reverse("networkmaps:mixer-print", args=[computed.slug]), {**query, "print": "door"}
    ).content.decode()
    assert "Spring convening" in door and "Wednesday 1 April 2026" in door
    assert "Rotation 2" in door and "Zed Visitor (guest)" in door
    sheet = staff_client.get(
        reverse("networkmaps:mixer-print", args=[computed.slug]), {**query, "print": "sheet"}
    ).content.decode()
    assert "Spring convening" in sheet and "Table 1" in sheet


def test_the_badge_sheet_prints_name_poster_code_and_tables(staff_client, computed):
    pdfplumber = pytest.importorskip("pdfplumber")
    query = _query(computed, guests="Ada Guest, Elsewhere", rotations=2)
    response = staff_client.get(reverse("networkmaps:mixer-badges", args=[computed.slug]), query)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        smallest = min(c["size"] for page in pdf.pages for c in page.chars)
    member = computed.members.order_by("name").first()
    code = member_poster_code(member=member, poster_or_round=computed.current_round())
    assert member.name in text and f"anonymised map: {code}" in text
    assert "Ada Guest" in text and re.search(r"Tables \d+ · \d+", text)
    assert smallest >= 9.9


def test_bad_mixer_input_is_a_clear_error_not_a_crash(staff_client, computed):
    url = reverse("networkmaps:mixer", args=[computed.slug])
    response = staff_client.get(url, _query(computed, guests="ok, fine\n, No Name Org"))
    assert response.status_code == 200 and response.context["seating"] is None
    assert "Guest line 2: the name is missing." in response.content.decode()
    response = staff_client.get(url, _query(computed, rotations=9, date="not a date"))
    assert response.status_code == 200 and response.context["seating"] is None
    printing = reverse("networkmaps:mixer-print", args=[computed.slug])
    printed = staff_client.get(printing, {"print": "door", "table_size": "x"})
    assert printed.status_code == 400 and b"Nothing to print" in printed.content
    assert b"table_size: Enter a whole number." in printed.content
    unknown = staff_client.get(printing, _query(computed, print="poster"))
    assert unknown.status_code == 400 and b"print must be one of" in unknown.content
    badges = reverse("networkmaps:mixer-badges", args=[computed.slug])
    assert staff_client.get(badges, {"table_size": "1"}).status_code == 400
    # Opened bare (a bookmark), both say where a plan is made.
    assert b"Nothing to print yet" in staff_client.get(printing).content
    assert b"Nothing to print yet" in staff_client.get(badges).content
