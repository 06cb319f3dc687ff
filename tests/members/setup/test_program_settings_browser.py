"""The program settings page in a real browser: staff reach it from the setup pages, tick
divides, see a field error where the field is, and it fits a 390 px phone."""

import pytest

from members.models import MemberAttribute, Program
from tests.factories import ProgramRoleFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_staff_change_the_settings_from_the_setup_pages(page, client, live_server):
    role = ProgramRoleFactory(role="staff")
    program = role.program
    MemberAttribute.objects.create(program=program, key="office", label="Office")
    client.force_login(role.user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/programs/{program.slug}/setup/cohorts/")
    page.get_by_role("link", name="Settings", exact=True).click()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # Every divide is ticked (nothing stored = every grouping); keep two.
    for label in ("Sector", "Region", "Organisation"):
        page.get_by_label(label, exact=True).uncheck()
    page.get_by_label("Smallest group (k)").fill("1")
    page.get_by_label("Smallest group (k)").evaluate("input => input.removeAttribute('min')")
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("Ensure this value is greater than or equal to 2.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert Program.objects.get(pk=program.pk).anonymity_k == 5

    page.get_by_label("Smallest group (k)").fill("7")
    page.get_by_label("Members may open the whole-network map").check()
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("Saved; the weaving queue is being recomputed.").is_visible()
    saved = Program.objects.get(pk=program.pk)
    assert (saved.anonymity_k, saved.members_see_map) == (7, True)
    assert saved.weaving_divides == ["cohort", "attr:office"]
    # The refused form came back as 400 (the browser logs that); nothing else went wrong.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
