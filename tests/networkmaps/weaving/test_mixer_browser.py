"""The mixer page and its prints as a facilitator sees them: nothing sideways at phone width
(screenshots in /tmp/netlead-mixer-*.png)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from networkmaps.runs import compute, services
from tests.factories import ProgramRoleFactory, UserFactory

SCREENS = {"desktop": (1400, 900), "phone": (390, 844)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_plan_and_its_prints_fit_the_screen(screen, browser, live_server, client, demo_program):
    run = services.metric_run_request(program=demo_program, round_=demo_program.current_round())
    compute.metric_run_execute(run_id=run.pk)
    facilitator = UserFactory()
    ProgramRoleFactory(user=facilitator, program=demo_program, role="facilitator")
    client.force_login(facilitator)
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
    query = urlencode(
        {
            "cohorts": list(demo_program.cohorts.values_list("pk", flat=True)),
            "guests": "Ada Guest, A Very Long Organisation Name Foundation For Everyone\n",
            "table_size": 6, "rotations": 2, "title": "Spring convening", "date": "2026-04-01",
        },
        doseq=True,
    )  # fmt: skip
    base = f"{live_server.url}/programs/{demo_program.slug}/mixer/"
    pages = {
        "plan": f"{base}?{query}",
        "empty": base,
        "door": f"{base}print/?print=door&{query}",
        "cards": f"{base}print/?print=cards&{query}",
    }
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"/tmp/netlead-mixer-{name}-{screen}.png", full_page=False)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} scrolls sideways: {scroll}px at {width}px"
    page.goto(pages["plan"])
    assert page.locator(".seat-table").count() >= 2 * 20
    assert page.locator(".seat-table", has_text="Ada Guest").count() == 2  # one per rotation
    assert not errors
    context.close()
