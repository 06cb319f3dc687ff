"""A member answers the roster survey in a real browser, on a phone and on a laptop.

Screenshots of every step go to /tmp/netlead-survey-<viewport>-<step>.png.
"""

import datetime
import re

import pytest
from django.utils import timezone

from members.models import Member, Relationship
from members.surveys import links
from members.surveys import services as surveys
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ProgramFactory,
    RelationshipTypeFactory,
    RoundFactory,
)

ROSTER = 1500
PICKS = {"Priya Raman": 4, "Tomás Okafor": 2, "Lena Fischer": 5}
STAFF_ONLY = "Tomás Okafor"  # kept the default: named on the roster, nothing more


def roster_program():
    """1,500 people in three cohorts, the respondent among them."""
    program = ProgramFactory(name="Harbour Fellows")
    cohorts = [
        CohortFactory(program=program, name=f"Fellows {y}", year=y) for y in (2021, 2022, 2023)
    ]
    orgs = [OrganisationFactory(program=program, name=f"Harbour Org {i}") for i in range(40)]
    names = ["Maya Respondent", *PICKS] + [f"Fellow {i:04d}" for i in range(ROSTER - 4)]
    people = Member.objects.bulk_create(
        Member(
            program=program,
            name=name,
            email=f"p{i}@example.org",
            title="Director" if i % 3 else "Organiser",
            organisation=orgs[i % len(orgs)],
            # Chose to be seen by name (title and organisation shown), but one kept the
            # default "staff only": the roster lists them by name alone.
            visibility=Member.Visibility.STAFF if name == STAFF_ONLY else Member.Visibility.MEMBERS,
        )
        for i, name in enumerate(names)
    )
    Member.cohorts.through.objects.bulk_create(
        Member.cohorts.through(member_id=p.pk, cohort_id=cohorts[i % 3].pk)
        for i, p in enumerate(people)
    )
    knows = RelationshipTypeFactory(program=program, name="knows")
    RelationshipTypeFactory(program=program, name="collaborates with")
    round_ = RoundFactory(program=program, name="Year two", observed_on=datetime.date(2025, 3, 1))
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program,
        name="Year two survey",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=10),
        relationship_types=program.relationship_types.all(),
        cohorts=cohorts,
        round_=round_,
    )
    invitation = survey.invitations.get(member=people[0])
    return survey, invitation, knows


def shot(page, step):
    page.screenshot(path=f"/tmp/netlead-survey-{page.viewport_name}-{step}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_member_answers_the_survey_saves_resumes_and_submits(page, live_server):
    survey, invitation, knows = roster_program()
    token = links.survey_link_token(invitation=invitation)
    link = f"{live_server.url}/survey/{token}/"

    page.goto(link)
    page.get_by_text("Search the list of 1500 people").wait_for()
    shot(page, "1-start")
    for name in PICKS:
        page.fill("#q", name.split()[0])
        row = page.locator(".roster-person", has_text=name)
        row.wait_for()
        row.get_by_role("button", name=f"I know {name}").click()
        page.locator("#picked li", has_text=name).wait_for()
        page.locator(".roster-person", has_text=name).get_by_text("Added ✓").wait_for()
        if name == STAFF_ONLY:
            shown = row.inner_text() + page.locator("#picked li", has_text=name).inner_text()
            assert "Harbour Org" not in shown and "Director" not in shown, shown
    assert page.locator("#picked h2").first.inner_text() == "People you know (3)"
    shot(page, "2-picked")

    page.get_by_role("link", name=re.compile("Next: how you know them")).click()
    for name, strength in PICKS.items():
        card = page.locator("fieldset.rating", has_text=name)
        card.get_by_label("knows").check()
        card.locator(".strength-option", has_text=str(strength)).click()
    shot(page, "3-rated")
    page.get_by_role("button", name="Save and finish later").click()
    page.get_by_text("Saved. Open your link again").wait_for()

    # Come back later in a fresh browser session: the answers are where they were left.
    later = page.new_page()
    later.goto(link)
    later.locator("#picked li", has_text="Lena Fischer").wait_for()
    later.get_by_role("link", name=re.compile("Next: how you know them")).click()
    for name, strength in PICKS.items():
        card = later.locator("fieldset.rating", has_text=name)
        assert card.get_by_label("knows").is_checked()
        assert card.locator(f"input[type=radio][value='{strength}']").is_checked()
    later.get_by_role("button", name="Review answers →").click()
    later.get_by_text("strength 5 of 5").wait_for()
    shot(later, "4-review")
    later.get_by_role("button", name="Submit my answers").click()
    later.get_by_text("We recorded 3 ties to 3 people for Year two").wait_for()
    shot(later, "5-done")

    ties = Relationship.objects.filter(
        round=survey.round, source=invitation.member, origin=Relationship.Origin.SURVEY
    )
    assert {(t.target.name, t.type_id, t.strength) for t in ties} == {
        (name, knows.pk, strength) for name, strength in PICKS.items()
    }
    # On a phone nothing may stick out sideways.
    width = later.evaluate("document.documentElement.scrollWidth")
    assert width <= later.viewport_size["width"]
    assert page.console_errors == [] and later.console_errors == []
