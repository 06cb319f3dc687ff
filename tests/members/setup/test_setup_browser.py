"""The New program and setup pages in a real browser: usable at desktop and phone width."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from members.models import MemberAttribute, Program
from tests.factories import MemberFactory, ProgramRoleFactory, RoundFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/i12-shots")


def _signed_in(page, client, live_server, user):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_new_program_then_setup_pages(page, client, live_server):
    role = ProgramRoleFactory(role="staff")
    user = role.user
    user.user_permissions.add(Permission.objects.get(codename="add_program"))
    _signed_in(page, client, live_server, user)
    SHOTS.mkdir(exist_ok=True)
    width = page.viewport_name

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="New program").click()
    page.screenshot(path=SHOTS / f"program-new-{width}.png", full_page=True)
    page.get_by_label("Name").fill("Harbour Fellows")
    page.get_by_label("Slug").fill("harbour")
    page.get_by_role("button", name="Create the program").click()
    page.wait_for_url(f"{live_server.url}/programs/harbour/")
    program = Program.objects.get(slug="harbour")
    MemberAttribute.objects.create(program=program, key="office", label="Office")
    MemberFactory(program=program, name="Ann Lee", attributes={"office": "Lisbon"})
    RoundFactory(program=program, name="Baseline", is_current=True)

    for kind in ("members", "rounds", "types", "attributes"):
        page.goto(f"{live_server.url}/programs/harbour/setup/{kind}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        page.screenshot(path=SHOTS / f"setup-{kind}-{width}.png", full_page=True)
    page.goto(f"{live_server.url}/programs/harbour/setup/members/")
    assert "office: Lisbon" in page.content()
    page.locator("#id_name").fill("Bo Chen")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved “Bo Chen”.").is_visible()
    assert page.console_errors == []
