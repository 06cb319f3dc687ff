"""An evergreen re-survey on a phone: 15 ties from last round (stored both ways round) come
back, each kept with one tap and rated for trust and value, and the member is done in well
under two minutes of taps. Screenshots: /tmp/netlead-evergreen-<viewport>-<step>.png.

The taps are counted and printed (run with -s to see them)."""

import datetime
import time

import pytest
from django.utils import timezone

from members.models import Member, Relationship
from members.models.surveys import TieRating
from members.surveys import links, questions
from members.surveys import services as surveys
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ProgramFactory,
    RelationshipTypeFactory,
    RoundFactory,
)

PRIOR = 15


def evergreen_program():
    program = ProgramFactory(name="Harbour Fellows")
    cohort = CohortFactory(program=program, name="Fellows 2022", year=2022)
    org = OrganisationFactory(program=program, name="Harbour Trust")
    people = Member.objects.bulk_create(
        Member(program=program, name=name, email=f"p{i}@example.org", organisation=org,
               title="Director", visibility=Member.Visibility.MEMBERS)
        for i, name in enumerate(["Maya Respondent"] + [f"Colleague {i:02d}" for i in range(40)])
    )  # fmt: skip
    Member.cohorts.through.objects.bulk_create(
        Member.cohorts.through(member_id=p.pk, cohort_id=cohort.pk) for p in people
    )
    knows = RelationshipTypeFactory(program=program, name="knows")
    baseline = RoundFactory(program=program, name="Baseline", observed_on=datetime.date(2024, 3, 1))
    round_ = RoundFactory(program=program, name="Year two", observed_on=datetime.date(2025, 3, 1))
    maya, others = people[0], people[1 : PRIOR + 1]
    # Imported last round: stored from Maya for some, towards her for the others.
    Relationship.objects.bulk_create(
        Relationship(
            program=program, round=baseline, type=knows, strength=1 + i % 5,
            source=maya if i % 2 else other, target=other if i % 2 else maya,
            origin=Relationship.Origin.IMPORT,
        )
        for i, other in enumerate(others)
    )  # fmt: skip
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program, name="Year two survey", opens_on=today,
        closes_on=today + datetime.timedelta(days=10), relationship_types=[knows],
        cohorts=[cohort], round_=round_,
    )  # fmt: skip
    questions.ready_set_add(survey=survey, name="partner-trust")
    questions.ready_set_add(survey=survey, name="partner-value")
    return survey, survey.invitations.get(member=maya), maya, others


def shot(page, step):
    page.screenshot(path=f"/tmp/netlead-evergreen-{page.viewport_name}-{step}.png", full_page=True)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_evergreen_resurvey_of_15_ties_is_done_in_under_two_minutes_of_taps(page, live_server):
    survey, invitation, maya, others = evergreen_program()
    link = f"{live_server.url}/survey/{links.survey_link_token(invitation=invitation)}/"
    taps = 0
    started = time.monotonic()

    page.goto(link)
    page.get_by_role("heading", name="Still in touch?").wait_for()
    cards = page.locator("fieldset.still-card")
    assert cards.count() == PRIOR  # every tie, whichever way it was stored
    # The labels of every 1–5 option are on screen, not only for screen readers.
    first = cards.first
    for label in ("Barely", "Very well", "Not at all", "A great deal"):
        option = first.locator(".scale-label", has_text=label).first
        assert option.is_visible(), label
        assert option.bounding_box()["height"] > 8, label
    assert "PARTNER" in first.inner_text()  # the source, in the help text
    no_sideways_scroll(page)
    shot(page, "1-still")
    page.screenshot(path=f"/tmp/netlead-evergreen-{page.viewport_name}-1-still-top.png")

    for i in range(PRIOR):
        card = cards.nth(i)
        card.locator(".still-option", has_text="Still in touch").click()
        taps += 1
        for question, value in (
            ("How much do you trust", 1 + i % 5),
            ("How valuable", 1 + (i + 2) % 5),
        ):
            block = card.locator(".tie-question", has_text=question)
            block.locator(".scale-option").nth(value - 1).click()
            taps += 1
    shot(page, "2-kept")
    cards.nth(PRIOR - 1).scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/netlead-evergreen-{page.viewport_name}-2-kept-bottom.png")
    page.get_by_role("button", name="Next: anyone new? →").click()
    taps += 1
    page.get_by_role("heading", name="Anyone new?").wait_for()
    assert page.locator("#picked h2").first.inner_text() == f"People you know ({PRIOR})"
    no_sideways_scroll(page)
    shot(page, "3-anyone-new")
    page.get_by_role("link", name="Next: check and submit →").click()
    taps += 1
    page.get_by_role("button", name="Submit my answers").click()
    taps += 1
    page.get_by_text(f"We recorded {PRIOR} ties to {PRIOR} people").wait_for()
    elapsed = time.monotonic() - started
    shot(page, "4-done")
    print(f"\nevergreen re-survey ({page.viewport_name}): {taps} taps, {elapsed:.1f} s")
    assert taps == 3 * PRIOR + 3
    assert elapsed < 120

    ties = Relationship.objects.filter(round=survey.round, source=maya)
    assert set(ties.values_list("target_id", flat=True)) == {o.pk for o in others}
    ratings = TieRating.objects.filter(round=survey.round, source=maya)
    assert ratings.filter(key="trust").count() == ratings.filter(key="value").count() == PRIOR
    by_target = {(r.target_id, r.key): r.value for r in ratings}
    for i, other in enumerate(others):
        assert by_target[(other.pk, "trust")] == 1 + i % 5
        assert by_target[(other.pk, "value")] == 1 + (i + 2) % 5
    assert page.console_errors == []
