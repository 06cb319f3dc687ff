"""No page scrolls sideways on a 390 px phone, whoever opens it (issue 16).

Every HTML page of the access matrix (tests/test_access_matrix.py), opened in Chromium at
390 × 844 as staff, a facilitator, a member and an anonymous visitor, must have
`document.documentElement.scrollWidth <= innerWidth`. Survey and invitation pages are opened
with real links. A page that is too wide is saved to /tmp/netlead-phone-<role>-<page>.png.
"""

from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Program, SurveyInvitation
from members.privacy import invitations
from members.surveys import links
from tests.test_access_matrix import URLS, _url, world  # noqa: F401 (world is a fixture)

# Pages whose answer is a file, JSON or a fragment of a page, not a page of its own.
NOT_PAGES = {
    "healthz", "favicon", "api-schema", "api-docs", "networkmaps:map-data",
    "networkmaps:export-download", "networkmaps:poster-download", "members:my-data",
    "networkmaps:poster-status", "networkmaps:run-status", "members:survey-roster",
}  # fmt: skip
PAGE_KINDS = {"public", "signed_in", "any_role", "own_member", "staff", "staff_facilitator",
              "token"}  # fmt: skip
ROLES = ("staff", "facilitator", "member", "anonymous")


def _pages(program, objects, details):
    """(name, url) of every page, with working survey and invitation links."""
    invitation = SurveyInvitation.objects.filter(survey__program=program).first()
    token = links.survey_link_token(invitation=invitation)
    _, invite_token = invitations.invitation_create(
        program=program, invited_by=None, email="new.person@example.org", role="facilitator"
    )
    pages = []
    for name, kind in URLS.items():
        if kind not in PAGE_KINDS or name in NOT_PAGES:
            continue
        if name == "invitation-accept":
            url = reverse(name, args=[invite_token])
        elif name.startswith("members:survey-") and kind == "token":
            url = reverse(name, args=[token])
        else:
            url = _url(name, objects, details)
        if Client().get(url).status_code == 405:
            continue  # a form's target (POST only): not a page
        pages.append((name, url))
    return pages


def _sign_in(page, client, live_server, user):
    client.logout()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["phone"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_390_px(page, live_server, client, world, role):  # noqa: F811
    program, users, objects, details = world
    # Members may open the whole-network map in this program, so theirs is checked too.
    Program.objects.filter(pk=program.pk).update(members_see_map=True)
    SurveyInvitation.objects.get_or_create(
        survey=program.surveys.get(), member=program.members.order_by("pk")[4]
    )
    if users[role] is not None:
        _sign_in(page, client, live_server, users[role])
    too_wide = []
    opened = 0
    for name, url in _pages(program, objects, details):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status < 500, f"{name} as {role}: {response.status}"
        if name == "networkmaps:map" and urlparse(page.url).path.endswith("/map/"):
            page.wait_for_function(
                "() => window.netleadMap && (netleadMap.ready || netleadMap.error)"
            )
        opened += 1
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide.append(f"{name} ({url}): {width[0]} px wide in {width[1]}")
            page.screenshot(path=f"/tmp/netlead-phone-{role}-{name.replace(':', '-')}.png")
    assert opened > 20
    assert too_wide == [], "\n".join(too_wide)
    # Pages a role may not open answer 404 (or 400/410 for a link): that is not an error.
    refused = ("status of 404", "status of 400", "status of 410")
    assert [e for e in page.console_errors if not any(r in e for r in refused)] == []
