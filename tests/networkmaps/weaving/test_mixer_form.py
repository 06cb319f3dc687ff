"""Whatever is typed into the mixer's form, the page names what is wrong (never a 500,
never a plan made from a misread number), and its prints and badges answer 400."""

import pytest
from django.urls import reverse

from tests.factories import CohortFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _query(program, **extra):
    cohorts = list(program.cohorts.values_list("pk", flat=True)[:1])
    return {"cohorts": cohorts, "table_size": 8, **extra}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("table_size", "١٢", "Enter a whole number."),  # Arabic-Indic twelve: int() reads it
        ("table_size", "８", "Enter a whole number."),  # full-width eight
        ("table_size", "1_0", "Enter a whole number."),  # int() reads ten
        ("table_size", "²", "Enter a whole number."),
        ("table_size", "8.5", "Enter a whole number."),
        ("table_size", "0", "greater than or equal to 2."),
        ("table_size", "-4", "greater than or equal to 2."),
        ("table_size", "1", "greater than or equal to 2."),
        ("table_size", "31", "less than or equal to 30."),
        ("table_size", "9" * 30, "less than or equal to 30."),
        ("table_size", "9" * 5000, "Enter a whole number."),  # past int()'s digit limit
        ("table_size", "", "This field is required."),
        ("rotations", "٣", "Enter a whole number."),
        ("rotations", "0", "greater than or equal to 1."),
        ("rotations", "6", "less than or equal to 5."),
        ("rotations", "1" * 25, "less than or equal to 5."),
        ("date", "2026-02-30", "Enter a valid date."),
        ("date", "99999-01-01", "Enter a valid date."),
        ("title", "x" * 121, "at most 120 characters"),
    ],
)
def test_a_bad_number_or_date_is_named_on_the_page_and_refused_by_the_prints(
    staff_client, demo_program, field, value, message
):
    query = _query(demo_program, **{field: value})
    page = staff_client.get(reverse("networkmaps:mixer", args=[demo_program.slug]), query)
    assert page.status_code == 200 and page.context["seating"] is None
    assert message in page.content.decode()
    for name in ("mixer-print", "mixer-badges"):
        printed = staff_client.get(reverse(f"networkmaps:{name}", args=[demo_program.slug]), query)
        assert printed.status_code == 400, name
        assert message in printed.content.decode()


def test_unicode_digits_are_not_read_as_a_table_size(staff_client, demo_program):
    # "١٢" would have seated tables of twelve; "12" does, and is the same query otherwise.
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    good = staff_client.get(url, _query(demo_program, table_size="12")).context["seating"]
    assert good is not None and max(len(t) for t in good.tables) <= 12
    assert staff_client.get(url, _query(demo_program, table_size="١٢")).context["seating"] is None


@pytest.mark.parametrize("kind", ["other program", "no such cohort", "unicode", "huge"])
def test_a_cohort_that_is_not_this_programs_is_a_form_error(staff_client, demo_program, kind):
    other = CohortFactory()  # another program's cohort
    MemberFactory(program=other.program).cohorts.add(other)
    value = {"other program": other.pk, "no such cohort": 10**9, "unicode": "١",
             "huge": "9" * 30}[kind]  # fmt: skip
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    response = staff_client.get(url, {"cohorts": [value], "table_size": 4})
    assert response.status_code == 200 and response.context["seating"] is None
    assert response.context["form"].errors["cohorts"]
    assert "is not one of the available choices" in response.content.decode() or (
        "is not a valid value" in response.content.decode()
    )
    badges = reverse("networkmaps:mixer-badges", args=[demo_program.slug])
    assert staff_client.get(badges, {"cohorts": [value], "table_size": 4}).status_code == 400


def test_another_programs_member_cannot_be_named_as_an_attendee(staff_client, demo_program):
    stranger = MemberFactory(name="Outside Person")
    mine = demo_program.members.order_by("pk").first()
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    response = staff_client.get(
        url, {"attendees": f"{mine.email}\n{stranger.email}", "table_size": 4}
    )
    assert response.context["seating"] is None
    assert f"No single member matches: {stranger.email}" in response.content.decode()


def test_too_many_guests_or_a_long_guest_line_is_a_form_error(staff_client, demo_program):
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    many = "\n".join(f"Guest {i}" for i in range(501))
    page = staff_client.get(url, {"guests": many, "table_size": 4})
    assert page.context["seating"] is None and "At most 500 guests." in page.content.decode()
    page = staff_client.get(url, {"guests": "A" * 121, "table_size": 4})
    assert "Guest line 1: at most 120 characters each." in page.content.decode()


def test_one_table_for_everyone_is_planned_not_refused(staff_client, demo_program):
    # Fewer attendees than seats: one table, no swap possible, still a plan.
    members = list(demo_program.members.order_by("pk")[:5])
    url = reverse("networkmaps:mixer", args=[demo_program.slug])
    lines = "\n".join(m.email for m in members)
    seating = staff_client.get(url, {"attendees": lines, "table_size": 30}).context["seating"]
    assert [len(t) for t in seating.tables] == [5]
