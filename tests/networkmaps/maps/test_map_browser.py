"""Staff use the interactive map in a real browser (Playwright on Debian's Chromium).

Screenshots go to /tmp/netlead-map-<step>.png, the printed page to /tmp/netlead-map-print.pdf.
"""

import datetime
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from members.models import Member, Relationship
from members.responses import response_status_record
from networkmaps.maps import data as maps
from networkmaps.maps import posters
from networkmaps.models import MetricRun, NodeMetric
from networkmaps.runs import compute, services
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

SHOTS = "/tmp/netlead-map"


def _signed_in(page, client, live_server, program, role="staff"):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _ego(round_, member_id, steps):
    """Members within `steps` ties of `member_id` in the round, read from the database."""
    neighbours: dict[int, set[int]] = {}
    for s, t in Relationship.objects.filter(round=round_).values_list("source_id", "target_id"):
        neighbours.setdefault(s, set()).add(t)
        neighbours.setdefault(t, set()).add(s)
    found, frontier = {member_id}, {member_id}
    for _ in range(steps):
        frontier = {n for m in frontier for n in neighbours.get(m, ())} - found
        found |= frontier
    return found


def _wait_ready(page):
    # A function, not an expression string: the page's CSP forbids eval.
    page.wait_for_function("() => window.netleadMap && window.netleadMap.ready", timeout=20000)


@pytest.mark.django_db(transaction=True)
def test_staff_search_focus_recolour_filter_export_and_print(page, live_server, client, tmp_path):
    program = services_demo()
    round_ = program.current_round()
    run = MetricRun.objects.current().get(round=round_)
    _signed_in(page, client, live_server, program)

    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    page.screenshot(path=f"{SHOTS}-1-loaded.png")
    # What is drawn is what the run holds.
    assert page.evaluate("() => netleadMap.renderer.getGraph().order") == run.node_metrics.count()
    assert page.evaluate("() => netleadMap.shownNodeCount()") == 120
    assert "showing 120 of 120 members" in page.text_content("#map-status")

    # Keyboard only: type a name, ↓ to the match, Enter focuses their network.
    member = _hub(run)
    page.focus("#map-search")
    page.keyboard.type(member.name[:-1])
    page.locator("#map-results button").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.textContent").startswith(member.name)
    page.keyboard.press("Enter")
    page.wait_for_timeout(450)  # the camera glides to the focused network
    page.screenshot(path=f"{SHOTS}-2-focused.png")
    focused = set(page.evaluate("() => netleadMap.focusedMemberIds()"))
    assert focused == _ego(round_, member.pk, 1) and len(focused) > 5
    assert page.is_visible("#map-ego")
    assert page.locator("#map-ego-rows tr").count() == len(focused)
    page.select_option("#map-steps", "2")
    assert set(page.evaluate("() => netleadMap.focusedMemberIds()")) == _ego(round_, member.pk, 2)

    # Recolour by sector: node colours and the legend follow the data.
    page.select_option("#map-colour", "sector")
    rows = run.node_metrics.order_by("member_id").values_list("member_id", "member__sector")
    found, index = maps.categories_assign(
        [sector or None for _, sector in rows], missing="No sector recorded"
    )
    colour = {m: found[i].colour for (m, _), i in zip(rows, index, strict=True)}
    assert page.evaluate(f"() => netleadMap.colourOf({member.pk})") == colour[member.pk]
    page.keyboard.press("Escape")
    assert page.evaluate("() => netleadMap.focusedMemberIds()") is None
    counts = Counter(Member.objects.filter(program=program).values_list("sector", flat=True))
    legend = page.evaluate("() => netleadMap.legendEntries()")
    assert legend == [f"{c.label} ({counts[c.label]})" for c in found]
    page.wait_for_timeout(350)
    page.screenshot(path=f"{SHOTS}-3-sector.png")

    # Filter to one cohort: exactly its members stay.
    cohort = program.cohorts.order_by("year").first()
    page.select_option("#map-filter-cohort", label=f"{cohort.name} ({cohort.members.count()})")
    assert page.evaluate("() => netleadMap.shownNodeCount()") == cohort.members.count()
    page.click("#map-reset")

    # Compare with the baseline: new ties are counted in the status line.
    page.select_option("#map-compare", label="Baseline")
    page.wait_for_function("() => netleadMap.ready && netleadMap.data.compare !== null")
    assert "new since Baseline" in page.text_content("#map-status")
    page.screenshot(path=f"{SHOTS}-4-compare.png")

    # Export the view as PNG and SVG.
    with page.expect_download() as png_download:
        page.click("#map-export-png")
    png = tmp_path / "map.png"
    png_download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as svg_download:
        page.click("#map-export-svg")
    svg = tmp_path / "map.svg"
    svg_download.value.save_as(svg)
    root = ET.parse(svg).getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any((t or "").startswith("Tie new since Baseline (") for t in texts)
    assert any((t or "").startswith("Tie in Baseline, gone now") for t in texts)
    assert "Northwind Fellows" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) >= 100

    # Print: the on-screen map and its legend on one landscape page.
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    page.evaluate("() => netleadMap.prepareForPrint()")
    page.emulate_media(media="print")
    page.pdf(path=f"{SHOTS}-print.pdf", landscape=True, format="A4")
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", f"{SHOTS}-print.pdf"], capture_output=True, text=True, check=True
        ).stdout
        assert "Pages:           1" in info
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_facilitator_sees_an_anonymised_map_without_names(page, live_server, client):
    program = services_demo()
    _signed_in(page, client, live_server, program, role="facilitator")
    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    page.check("#map-anonymised")
    page.wait_for_function("() => netleadMap.ready && netleadMap.data.anonymised")
    page.wait_for_timeout(200)
    page.screenshot(path=f"{SHOTS}-5-anonymised.png")
    labels = page.evaluate("() => netleadMap.data.nodes.label")
    names = set(program.members.values_list("name", flat=True))
    assert len(labels) == 120 and not names & set(labels)
    assert page.evaluate("() => netleadMap.focusedMemberIds()") is None
    assert page.console_errors == []


def services_demo():
    from members.demo import seed as member_services

    program = member_services.demo_program_seed()
    for round_ in program.rounds.order_by("observed_on"):
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
    return program


def _hub(run) -> Member:
    """A well-connected member whose name no one else's contains."""
    names = list(Member.objects.filter(program=run.program).values_list("name", flat=True))
    for metric in NodeMetric.objects.filter(run=run).select_related("member").order_by("-degree"):
        stem = metric.member.name[:-1]
        if sum(stem in name for name in names) == 1:
            return metric.member
    raise AssertionError("every name is a prefix of another")


@pytest.mark.django_db(transaction=True)
def test_poster_page_shows_a_large_poster_when_the_worker_is_done(
    page, live_server, client, monkeypatch, settings, tmp_path
):
    from networkmaps.maps import tasks
    from networkmaps.models import Poster

    settings.MEDIA_ROOT = tmp_path
    program = services_demo()
    _signed_in(page, client, live_server, program, role="facilitator")
    # Pretend the program is large and the worker busy: the task is queued, not run.
    monkeypatch.setattr(posters, "POSTER_INLINE_MAX_MEMBERS", 10)
    monkeypatch.setattr(tasks.poster_render, "delay", lambda poster_id: None)

    page.goto(f"{live_server.url}/programs/{program.slug}/posters/")
    page.select_option("#id_paper", "A0")
    page.select_option("#id_colour_by", "cohort")
    page.click("button.primary")
    page.get_by_text("queued…").wait_for()
    page.screenshot(path=f"{SHOTS}-6-poster-queued.png", full_page=True)

    posters.poster_render(poster_id=Poster.objects.get().pk)  # what the worker does
    page.get_by_role("link", name="PDF").wait_for(timeout=10000)  # htmx polls every 2 s
    page.screenshot(path=f"{SHOTS}-7-poster-ready.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == "northwind-fellows-year-two-a0-landscape.pdf"
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_staff_see_ties_carried_from_the_previous_round_dashed(page, live_server, client):
    """Two ties carried forward for members who did not answer (test_carried_ties.py's
    program): staff's map draws them as grey dashes and says so; a facilitator's does not."""
    program = ProgramFactory(missing_answers="carry_forward")
    knows = RelationshipTypeFactory(program=program, name="knows")
    a, b, c, d, e, f = people = [MemberFactory(program=program, name=n) for n in "abcdef"]
    one = RoundFactory(program=program, observed_on=datetime.date(2024, 1, 1))
    two = RoundFactory(program=program, observed_on=datetime.date(2025, 1, 1), is_current=True)
    for x, y in [(a, b), (b, c), (c, d), (d, e), (e, f)]:
        RelationshipFactory(program=program, source=x, target=y, type=knows, round=one)
    for x, y in [(a, b), (a, c)]:
        RelationshipFactory(program=program, source=x, target=y, type=knows, round=two)
    everyone = [m.pk for m in people]
    response_status_record(round_=one, answered_ids=everyone)
    response_status_record(round_=two, answered_ids=[a.pk, b.pk, c.pk], asked_ids=everyone)
    compute_all_rounds(program)

    _signed_in(page, client, live_server, program)
    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    page.screenshot(path=f"{SHOTS}-carried.png")
    assert page.evaluate("() => netleadMap.carriedCount()") == 2
    assert page.evaluate("() => netleadMap.shownEdgeCount()") == 4
    assert "2 carried from the previous round" in page.text_content("#map-status")
    assert any("carried from the previous round" in e for e in page.evaluate(
        "() => netleadMap.legendEntries()"
    ))  # fmt: skip
    # Sigma draws no dashes: the two carried ties are on the overlay canvas, dashed.
    svg = page.evaluate("() => netleadMap.buildSvg()")
    assert svg.count('stroke-dasharray="4 3"') == 1 and svg.count("<line") >= 4

    page.context.clear_cookies()
    _signed_in(page, client, live_server, program, role="facilitator")
    page.goto(f"{live_server.url}/programs/{program.slug}/map/")
    _wait_ready(page)
    assert page.evaluate("() => netleadMap.carriedCount()") == 0
    assert "carried" not in page.text_content("#map-status")
