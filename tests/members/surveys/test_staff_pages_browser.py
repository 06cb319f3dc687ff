"""Staff survey and invitation pages in a real browser at 1400 and 390 px: nothing scrolls
sideways, and the mass-email path goes through its confirmation. Screenshots go to
/tmp/netlead-survey-staff-<screen>-<page>.png."""

import pytest
from django.core import mail
from django.urls import reverse

from members.surveys import questions
from tests.members.surveys.test_survey import make_world

SCREENS = {"laptop": (1400, 900), "phone": (390, 844)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_staff_pages_fit_the_screen_and_email_only_after_confirming(
    screen, browser, live_server, client
):
    world = make_world()
    questions.ready_set_add(survey=world.survey, name="partner-trust")
    client.force_login(world.staff)
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
    slug, pk = world.program.slug, world.survey.pk

    def visit(name, url):
        page.goto(f"{live_server.url}{url}")
        page.screenshot(path=f"/tmp/netlead-survey-staff-{screen}-{name}.png", full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (name, scroll)

    visit("detail", reverse("members:survey-detail", args=[slug, pk]))
    page.get_by_role("link", name="Send invitations to 10 members…").click()
    page.get_by_text("An invitation with a personal link goes to").wait_for()
    page.screenshot(path=f"/tmp/netlead-survey-staff-{screen}-email-confirm.png", full_page=True)
    assert mail.outbox == []
    page.get_by_role("button", name="Send invitations to 10 members").click()
    page.get_by_text("Sent 10 invitations.").wait_for()
    assert len(mail.outbox) == 10
    visit("detail-after", reverse("members:survey-detail", args=[slug, pk]))
    assert page.get_by_role("link", name="Send a reminder to 10 members…").is_visible()
    visit("close-confirm", reverse("members:survey-close-confirm", args=[slug, pk]))
    visit("questions", reverse("members:survey-questions-edit", args=[slug, pk]))
    visit("invitations", reverse("members:invitations", args=[slug]))
    assert errors == []
    context.close()
