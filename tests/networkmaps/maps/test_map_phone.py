"""The map on a phone and for colleagues (issue 16), in a real browser: the map comes first,
the controls are a drawer, a tap picks the person tapped, the view lives in the URL, lost
ties are drawn dashed, labels never overlap, and the keyboard pans and zooms.

Screenshots: /tmp/netlead-map-phone-*.png and /tmp/netlead-map-desktop-*.png.
"""

import math
import random
from urllib.parse import parse_qs, urlparse

import pytest

from members.models import Relationship
from networkmaps.models import MetricRun
from tests.networkmaps.maps.test_map_browser import _hub, _signed_in, _wait_ready, services_demo

SHOTS = "/tmp/netlead-map"


def _settled(page):
    page.wait_for_function("() => !netleadMap.cameraMoving()", timeout=5000)
    page.wait_for_timeout(80)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_on_a_phone_the_map_comes_first_and_a_tap_picks_the_person_tapped(
    page, live_server, client
):
    program = services_demo()
    _signed_in(page, client, live_server, program)
    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    _settled(page)
    page.screenshot(path=f"{SHOTS}-phone-1-first.png")

    # The map is the first thing: it starts near the top and fills most of the screen;
    # the legend is under it, not over it; nothing scrolls sideways.
    view = page.locator(".map-view").bounding_box()
    assert view["y"] < 160 and view["height"] > 0.55 * 844 and view["width"] > 360
    legend = page.locator("#map-legend").bounding_box()
    assert legend["y"] >= view["y"] + view["height"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # The controls are a drawer: closed at first, opened by one button, every control in
    # it a 44 px target; choosing a search result closes it and shows that person.
    assert not page.is_visible("#map-search")
    page.tap("#map-drawer-toggle")
    page.wait_for_selector("#map-search", state="visible")
    page.wait_for_timeout(250)
    page.screenshot(path=f"{SHOTS}-phone-2-drawer.png")
    # A checkbox counts by its label, which is the target a finger hits.
    targets = "button, select, input:not([type=checkbox]), .check"
    small = page.evaluate(
        """(targets) => [...document.getElementById('map-controls').querySelectorAll(targets)]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.id || el.textContent.trim(), el.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)""",
        targets,
    )
    assert small == []
    hub = _hub(MetricRun.objects.current().get(round=program.current_round()))
    page.fill("#map-search", hub.name)
    page.press("#map-search", "Enter")
    page.wait_for_selector("#map-search", state="hidden")
    assert hub.pk in page.evaluate("() => netleadMap.focusedMemberIds()")
    _settled(page)
    page.screenshot(path=f"{SHOTS}-phone-3-focused.png")
    page.evaluate("() => netleadMap.clearFocus()")
    _settled(page)

    # Ten taps on ten people, each a few pixels off their centre: each picks that person.
    points = page.evaluate(
        "() => Array.from({length: netleadMap.nodeCount()}, (_, i) => netleadMap.pagePointOf(i))"
    )
    chosen = []
    order = list(range(len(points)))
    random.Random(16).shuffle(order)
    for row in order:
        p = points[row]
        if not p["inView"] or p["y"] < view["y"] + 20 or p["y"] > view["y"] + view["height"] - 20:
            continue
        nearest = min(
            math.dist((p["x"], p["y"]), (q["x"], q["y"])) for i, q in enumerate(points) if i != row
        )
        if nearest >= 12:  # a tap 4 px off centre is still nearest to this person
            chosen.append(row)
        if len(chosen) == 10:
            break
    assert len(chosen) == 10
    for row in chosen:
        page.evaluate("() => netleadMap.clearFocus()")
        _settled(page)
        p = page.evaluate(f"() => netleadMap.pagePointOf({row})")
        # Two taps within sigma's 300 ms are a double tap (zoom), as on any phone map.
        page.wait_for_timeout(350)
        page.touchscreen.tap(p["x"] + 3, p["y"] - 2)
        page.wait_for_function(f"() => netleadMap.picked() === {row}", timeout=3000)
        assert page.evaluate("() => netleadMap.focusedRows()")[0] == row
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_whole_view_lives_in_the_url_and_opens_the_same_for_a_colleague(
    page, live_server, client
):
    program = services_demo()
    baseline = program.rounds.get(name="Baseline")
    _signed_in(page, client, live_server, program)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    page.select_option("#map-compare", str(baseline.pk))
    page.wait_for_function("() => netleadMap.ready && netleadMap.data.compare !== null")
    page.select_option("#map-colour", "sector")
    page.select_option("#map-size", "betweenness")
    cohort = program.cohorts.order_by("year").first()
    page.select_option("#map-filter-cohort", label=f"{cohort.name} ({cohort.members.count()})")
    member = cohort.members.order_by("pk").first()
    page.evaluate(f"() => netleadMap.focusMember({member.pk})")
    page.select_option("#map-steps", "2")
    _settled(page)
    page.screenshot(path=f"{SHOTS}-desktop-1-view.png")
    url = page.evaluate("() => netleadMap.viewUrl()")
    query = parse_qs(urlparse(url).query)
    assert query["compare"] == [str(baseline.pk)] and query["colour"] == ["sector"]
    assert query["cohort"] == [cohort.name] and query["focus"] == [str(member.pk)]
    assert query["size"] == ["betweenness"] and query["reach"] == ["2"]
    focused = sorted(page.evaluate("() => netleadMap.focusedMemberIds()"))

    colleague = page.new_page()
    _signed_in(colleague, client, live_server, program)
    colleague.set_viewport_size({"width": 1400, "height": 900})
    colleague.goto(url)
    _wait_ready(colleague)
    colleague.wait_for_function("() => netleadMap.focusedMemberIds() !== null")
    assert colleague.input_value("#map-compare") == str(baseline.pk)
    assert colleague.input_value("#map-colour") == "sector"
    assert colleague.input_value("#map-size") == "betweenness"
    assert colleague.input_value("#map-steps") == "2"
    assert sorted(colleague.evaluate("() => netleadMap.focusedMemberIds()")) == focused
    assert colleague.evaluate("() => netleadMap.shownNodeCount()") == len(focused)
    assert page.console_errors == [] and colleague.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_lost_ties_are_drawn_dashed_and_counted_and_labels_never_overlap(page, live_server, client):
    program = services_demo()
    baseline = program.rounds.get(name="Baseline")
    _signed_in(page, client, live_server, program)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/programs/{program.slug}/map/?compare={baseline.pk}")
    _wait_ready(page)
    _settled(page)
    lost = page.evaluate("() => netleadMap.lostCount()")
    data_lost = page.evaluate("() => netleadMap.data.lost.source.length")
    assert lost == data_lost > 0
    legend = page.evaluate("() => netleadMap.legendEntries()")
    assert f"Tie in Baseline, gone now — dashed ({lost})" in legend
    assert f"{lost} ties of Baseline gone (dashed)" in page.text_content("#map-status")
    # The dashed overlay has ink on it.
    inked = page.evaluate(
        """() => { const c = document.getElementById('map-lost');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert inked > 500
    page.screenshot(path=f"{SHOTS}-desktop-2-lost.png")

    def overlaps(boxes):
        return [
            (a, b)
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        ]

    # Zoomed out: some labels, none overlapping; zoomed in: more of them, still none.
    out = page.evaluate("() => netleadMap.labelBoxes()")
    assert out and overlaps(out) == []
    assert len(out) < 120
    page.focus("#map-canvas")
    for _ in range(4):
        page.keyboard.press("+")
        page.wait_for_timeout(200)
    _settled(page)
    page.screenshot(path=f"{SHOTS}-desktop-3-zoomed.png")
    close = page.evaluate("() => netleadMap.labelBoxes()")
    assert overlaps(close) == []
    in_view = page.evaluate(
        "() => Array.from({length: netleadMap.nodeCount()}, (_, i) => netleadMap.pagePointOf(i))"
        ".filter((p) => p.inView).length"
    )
    assert len(close) >= 0.8 * in_view  # nearly everyone on screen is named up close
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_keyboard_pans_and_zooms_the_map_and_filters_zoom_to_fit(page, live_server, client):
    program = services_demo()
    _signed_in(page, client, live_server, program)
    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    camera = "() => netleadMap.renderer.getCamera().getState()"
    start = page.evaluate(camera)
    page.focus("#map-canvas")
    page.keyboard.press("+")
    _settled(page)
    assert page.evaluate(camera)["ratio"] < start["ratio"]
    page.keyboard.press("ArrowRight")
    _settled(page)
    assert page.evaluate(camera)["x"] > start["x"]
    page.keyboard.press("0")
    _settled(page)
    assert page.evaluate(camera)["ratio"] == pytest.approx(1)

    # Filtering to one small cohort zooms to the members it keeps.
    cohort = min(program.cohorts.all(), key=lambda c: c.members.count())
    page.select_option("#map-filter-cohort", label=f"{cohort.name} ({cohort.members.count()})")
    _settled(page)
    assert page.evaluate(camera)["ratio"] < 1
    ids = set(cohort.members.values_list("pk", flat=True))
    rows = page.evaluate("() => netleadMap.data.nodes.id")
    for row, member_id in enumerate(rows):
        if member_id in ids:
            assert page.evaluate(f"() => netleadMap.pagePointOf({row}).inView")
    assert Relationship.objects.exists()
    assert page.console_errors == []
