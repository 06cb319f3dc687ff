"""A member's own page on a phone and a desktop, in a real browser (issue 16).

Screenshots: /tmp/netlead-me-390.png, /tmp/netlead-me-1400.png.
"""

import pytest
from django.db.models import Count

from members.models import Member, Relationship
from tests.factories import ProgramRoleFactory, UserFactory
from tests.networkmaps.maps.test_map_browser import services_demo


def _member_with_reports(program):
    round_ = program.current_round()
    return (
        Member.objects.filter(program=program, ties_out__round=round_)
        .annotate(n=Count("ties_out"))
        .order_by("-n", "pk")
        .first()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_member_page_on_a_phone_lists_connections_previews_consent_and_undoes(
    page, live_server, client
):
    program = services_demo()
    member = _member_with_reports(program)
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role="member")
    Member.objects.filter(pk=member.pk).update(user=user, visibility="staff")
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    url = f"{live_server.url}/programs/{program.slug}/me/"
    page.goto(url)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path="/tmp/netlead-me-390.png", full_page=True)

    round_ = program.current_round()
    ties = Relationship.objects.filter(round=round_).filter(source=member) | (
        Relationship.objects.filter(round=round_, target=member)
    )
    others = {t.target_id if t.source_id == member.pk else t.source_id for t in ties}
    assert page.locator(".connection-list li").count() == len(others) > 0
    assert page.locator(".ego-map text").count() >= 2

    # The preview follows the choice: named, or a code.
    page.locator("input[name=visibility][value=members]").check()
    assert page.is_visible(".consent-preview-members")
    assert not page.is_visible(".consent-preview-staff")
    page.locator("input[name=visibility][value=staff]").check()
    assert page.is_visible(".consent-preview-staff")

    # Remove a reported tie, then take it back.
    before = Relationship.objects.filter(source=member, round=round_).count()
    page.locator(".tie-row").first.get_by_role("button", name="Remove").tap()
    page.get_by_text("Removed recently").wait_for()
    assert Relationship.objects.filter(source=member, round=round_).count() == before - 1
    page.get_by_role("button", name="Undo").first.tap()
    page.get_by_text("The tie is back.").wait_for()
    assert Relationship.objects.filter(source=member, round=round_).count() == before
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    desktop = page.new_page()
    desktop.set_viewport_size({"width": 1400, "height": 900})
    desktop.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    desktop.goto(url)
    desktop.screenshot(path="/tmp/netlead-me-1400.png", full_page=True)
    assert page.console_errors == [] and desktop.console_errors == []
