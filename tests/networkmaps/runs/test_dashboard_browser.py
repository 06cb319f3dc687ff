"""The dashboard as staff see it at phone and desk width (issue 13): the story first, the
charts readable, nothing sideways at 390 px (screenshots in /tmp/netlead-dashboard-*.png)."""

from __future__ import annotations

import pytest

from tests.factories import ProgramRoleFactory, UserFactory
from tests.metric_runs import compute_all_rounds

SCREENS = {"desktop": (1400, 900), "phone": (390, 844)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_dashboard_tells_the_story_at_phone_and_desk_width(
    screen, browser, live_server, client, demo_program
):
    compute_all_rounds(demo_program)
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=demo_program)
    client.force_login(staff)
    width, height = SCREENS[screen]
    options = {"viewport": {"width": width, "height": height}}
    if screen == "phone":
        options |= {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/programs/{demo_program.slug}/dashboard/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=f"/tmp/netlead-dashboard-{screen}.png", full_page=False)
    page.screenshot(path=f"/tmp/netlead-dashboard-{screen}-full.png", full_page=True)
    sentences = page.locator(".story-list li")
    assert 3 <= sentences.count() <= 5
    assert sentences.first.locator("a").count() == 1
    story = page.locator("#story-head").bounding_box()
    assert story["y"] < height, "the story is below the first screen"
    charts = page.locator(".chart svg")
    assert charts.count() >= 6
    box = charts.first.bounding_box()
    assert box["width"] >= 200 and box["x"] + box["width"] <= width  # readable, not cut off
    assert page.locator(".verdict").count() >= 1  # each change toward or away from the goal
    assert page.locator("#stage li").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not errors
    context.close()
