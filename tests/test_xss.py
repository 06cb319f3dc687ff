"""A member named like an attack is shown as text everywhere: pages, map JSON, exports,
posters, and a real browser never runs it."""

import pytest
from django.urls import reverse

from members.models import Member, Organisation
from networkmaps.maps import posters as maps
from networkmaps.runs import compute, services
from tests.factories import ProgramRoleFactory, UserFactory

EVIL = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _evil_program(program):
    victim = program.members.order_by("pk")[2]
    Member.objects.filter(pk=victim.pk).update(name=EVIL, visibility="members")
    Organisation.objects.filter(pk=victim.organisation_id).update(name=f"Org {EVIL}")
    for round_ in program.rounds.all():
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
    return Member.objects.get(pk=victim.pk)


@pytest.mark.django_db
def test_hostile_names_are_escaped_in_every_page_and_file(client, demo_program):
    victim = _evil_program(demo_program)
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=demo_program)
    client.force_login(staff)
    slug = demo_program.slug
    pages = [
        reverse("networkmaps:member-page", args=[slug, victim.pk]),
        reverse("networkmaps:member-table", args=[slug]) + "?sort=name",
        reverse("networkmaps:weaving", args=[slug]),
        reverse("networkmaps:map", args=[slug]),
        reverse("networkmaps:mixer", args=[slug])
        + f"?attendees={victim.email}%0A"
        + demo_program.members.exclude(pk=victim.pk).first().email
        + "&table_size=2",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert EVIL not in body, url
    member_page = client.get(pages[0]).content.decode()
    assert ESCAPED in member_page
    data = client.get(reverse("networkmaps:map-data", args=[slug]))
    assert data.status_code == 200
    raw = data.content.decode()
    assert EVIL not in raw or data["Content-Type"].startswith("application/json")
    for fmt in ("gexf", "graphml"):
        body = _bytes(client.get(reverse("networkmaps:export-download", args=[slug, fmt])))
        assert EVIL.encode() not in body and b"&lt;img" in body
    poster = maps.poster_request(
        program=demo_program, round_=demo_program.current_round(),
        options=maps.PosterOptions(paper="A3"),
    )  # fmt: skip
    svg = client.get(reverse("networkmaps:poster-download", args=[slug, poster.pk, "svg"]))
    assert EVIL.encode() not in _bytes(svg)


def _bytes(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _watched(context):
    """A page of `context` whose dialogs (alert, confirm, prompt) are recorded and dismissed."""
    opened = context.new_page()
    opened.dialogs = []
    opened.console_errors = []
    opened.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    opened.on("console", lambda m: m.type == "error" and opened.console_errors.append(m.text))
    opened.on("pageerror", lambda error: opened.console_errors.append(str(error)))
    return opened


@pytest.mark.django_db(transaction=True)
def test_a_browser_never_runs_a_hostile_name(browser, live_server, client, demo_program):
    """The name would open an alert if any page put it into the DOM as markup.

    The browser ignores the site's Content-Security-Policy here: with it, inline handlers
    never run, so no dialog could appear even if escaping failed and the check would pass
    whatever the pages did. A control on the same page proves a dialog is caught."""
    victim = _evil_program(demo_program)
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=demo_program)
    member_user = UserFactory(email=victim.email)
    ProgramRoleFactory(user=member_user, program=demo_program, role="member")
    Member.objects.filter(pk=victim.pk).update(user=member_user)
    slug = demo_program.slug
    # Pages that write the name as text into their HTML; the map draws it on a canvas.
    as_text = {f"/programs/{slug}/people/{victim.pk}/", f"/programs/{slug}/me/"}
    shown, dialogs, errors = [], [], []
    for user, urls in (
        (staff, [f"/programs/{slug}/people/{victim.pk}/", f"/programs/{slug}/metrics/members/",
                 f"/programs/{slug}/weaving/", f"/programs/{slug}/map/"]),
        (member_user, [f"/programs/{slug}/me/"]),
    ):  # fmt: skip
        client.force_login(user)
        context = browser.new_context(bypass_csp=True)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value,
              "url": live_server.url}]
        )  # fmt: skip
        page = _watched(context)
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            if url in as_text and EVIL in page.inner_text("body"):
                shown.append(url)
        dialogs += page.dialogs
        errors += page.console_errors
        if user is member_user:
            page.screenshot(path="/tmp/netlead-xss-me.png", full_page=False)
            # The control: the same markup, inserted unescaped into this very page, does
            # open a dialog, so an empty `dialogs` above means none was opened.
            control = len(page.dialogs)
            page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", EVIL)
            page.wait_for_function("() => document.querySelector('img[src=x]').complete")
            page.wait_for_timeout(200)
            assert page.dialogs[control:] == ["1"]
        context.close()
    assert dialogs == []
    assert sorted(shown) == sorted(as_text)  # the hostile name is on the page, as text
    assert errors == []
