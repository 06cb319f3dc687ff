"""Posters drawn from stored runs: inline for small programs, by a worker for large ones."""

import re
import shutil
import subprocess

import pytest
from django.db import InterfaceError, OperationalError, transaction
from django.urls import reverse

from members.models import AuditEvent
from netlead.celery import app as celery_app
from networkmaps.graph import poster as drawing
from networkmaps.maps import poster_files, tasks
from networkmaps.maps import posters as maps
from networkmaps.maps.names import member_poster_code
from networkmaps.models import Poster
from tests.factories import ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_small_program_poster_is_drawn_at_once_and_opens(computed, media, tmp_path):
    poster = maps.poster_request(
        program=computed, round_=computed.current_round(), options=maps.PosterOptions(paper="A1")
    )
    assert poster.status == Poster.Status.READY and poster.members == 120
    pdf, svg = media / poster.pdf.name, media / poster.svg.name
    assert pdf.read_bytes().startswith(b"%PDF") and svg.read_bytes().startswith(b"<?xml")
    assert set(poster.timings) >= {"load", "pdf", "svg", "total"}
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "15", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
            check=True,
        )
        assert (tmp_path / "p-1.png").stat().st_size > 1000
    text = _pdf_text(pdf)
    assert "Northwind Fellows: the network" in text and "Year two (March 2025)" in text
    assert "Find yourself: name → grid square" in text


def test_every_member_appears_exactly_once_in_the_index(computed):
    spec = maps.poster_spec_build(
        program=computed,
        round_=computed.current_round(),
        options=maps.PosterOptions(),
        viewer_role="staff",
    )
    index = drawing.member_index(spec)
    names = sorted(computed.members.values_list("name", flat=True))
    assert sorted(label for label, _ in index) == names
    assert all(re.fullmatch(r"[A-Z]\d{1,2}", cell) for _, cell in index)


def test_poster_legend_names_every_cohort_and_the_size_measure(computed):
    options = maps.PosterOptions(paper="A2", landscape=True, colour_by="cohort", size_by="pagerank")
    spec = maps.poster_spec_build(
        program=computed, round_=computed.current_round(), options=options, viewer_role="staff"
    )
    svg = drawing.render_svg(spec)
    for cohort in computed.cohorts.values_list("name", flat=True):
        assert re.search(rf">{cohort} \(\d+\)<", svg), cohort
    assert "more</text>" not in svg
    assert "Circle size: influence" in svg


def test_anonymised_poster_and_its_svg_name_nobody(computed, media):
    poster = maps.poster_request(
        program=computed,
        round_=computed.current_round(),
        options=maps.PosterOptions(paper="A3", anonymised=True, colour_by="organisation"),
    )
    assert poster.status == Poster.Status.READY
    pdf_bytes = (media / poster.pdf.name).read_bytes()
    svg_text = (media / poster.svg.name).read_text()
    pdf_text = _pdf_text(media / poster.pdf.name)
    secrets = [
        *computed.members.values_list("name", flat=True),
        *computed.members.exclude(email="").values_list("email", flat=True),
        *computed.organisations.values_list("name", flat=True),
    ]
    for secret in secrets:
        assert secret not in svg_text, secret
        assert secret not in pdf_text, secret
        assert secret.encode() not in pdf_bytes, secret
    assert "@" not in svg_text and "@" not in pdf_text
    assert "Find yourself: code → grid square" in pdf_text
    assert re.search(r">[2-9A-HJ-NP-Z]{4}</text>", svg_text)


def test_large_program_poster_is_queued_for_a_worker_and_the_page_polls(
    client, computed, monkeypatch, django_capture_on_commit_callbacks, media
):
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=computed, role="staff")
    client.force_login(staff)
    monkeypatch.setattr(maps, "POSTER_INLINE_MAX_MEMBERS", 50)
    url = reverse("networkmaps:posters", args=[computed.slug])
    form = {
        "round": computed.current_round().pk,
        "paper": "36x48",
        "orientation": "portrait",
        "colour_by": "region",
        "size_by": "betweenness",
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, form)
    assert response.status_code == 302
    poster = Poster.objects.get()
    assert poster.status == Poster.Status.QUEUED and len(callbacks) == 1
    status_url = reverse("networkmaps:poster-status", args=[computed.slug, poster.pk])
    page = client.get(url).content.decode()
    assert f'hx-get="{status_url}"' in page and "htmx.min.js" in page
    assert "queued…" in client.get(status_url).content.decode()

    callbacks[0]()  # the Celery task (inline here; tests/test_workers.py runs real workers)
    poster.refresh_from_db()
    assert poster.status == Poster.Status.READY and not poster.landscape
    row = client.get(status_url).content.decode()
    assert "hx-trigger" not in row
    assert reverse("networkmaps:poster-download", args=[computed.slug, poster.pk, "pdf"]) in row


def test_downloads_are_audited_and_named_for_the_poster(client, computed):
    facilitator = UserFactory()
    ProgramRoleFactory(user=facilitator, program=computed, role="facilitator")
    client.force_login(facilitator)
    client.post(
        reverse("networkmaps:posters", args=[computed.slug]),
        {
            "round": computed.current_round().pk,
            "paper": "letter",
            "orientation": "landscape",
            "colour_by": "cohort",
            "size_by": "degree",
            "anonymised": "on",
        },
    )
    poster = Poster.objects.get()
    assert poster.requested_by == facilitator and poster.anonymised
    for extension, kind in (("pdf", "application/pdf"), ("svg", "image/svg+xml")):
        response = client.get(
            reverse("networkmaps:poster-download", args=[computed.slug, poster.pk, extension])
        )
        assert response.status_code == 200 and response["Content-Type"] == kind
        assert response["Content-Disposition"] == (
            f'attachment; filename="northwind-fellows-year-two-letter-landscape-anonymised'
            f'.{extension}"'
        )
        b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(program=computed, action="export")
    assert [e.details["format"] for e in events.order_by("id")] == ["pdf", "svg"]
    assert all(e.actor == facilitator for e in events)
    wrong = reverse("networkmaps:poster-download", args=[computed.slug, poster.pk, "png"])
    assert client.get(wrong).status_code == 404


def test_a_poster_is_drawn_once_even_if_the_task_runs_twice(computed, media):
    poster = maps.poster_request(
        program=computed, round_=computed.current_round(), options=maps.PosterOptions()
    )
    assert maps.poster_render(poster_id=poster.pk) is None
    assert len(list((media / "posters" / str(computed.pk)).iterdir())) == 2


def test_a_failed_drawing_is_reported_and_keeps_no_files(computed, media, monkeypatch):
    def broken(spec):
        raise RuntimeError("cairo fell over")

    monkeypatch.setattr(drawing, "render_pdf", broken)
    poster = maps.poster_request(
        program=computed, round_=computed.current_round(), options=maps.PosterOptions()
    )
    assert poster.status == Poster.Status.FAILED and poster.error == "RuntimeError"
    assert not (media / "posters").exists()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_puts_the_poster_back_for_the_tasks_retry(
    computed, media, monkeypatch, error
):
    monkeypatch.setattr(maps, "POSTER_INLINE_MAX_MEMBERS", 0)
    poster = maps.poster_request(
        program=computed, round_=computed.current_round(), options=maps.PosterOptions()
    )

    def lost(spec):
        raise error("connection already closed")

    monkeypatch.setattr(drawing, "render_pdf", lost)
    with pytest.raises(error):
        maps.poster_render(poster_id=poster.pk)
    poster.refresh_from_db()
    assert poster.status == Poster.Status.QUEUED


def test_no_poster_before_metrics(demo_program):
    with pytest.raises(maps.MapUnavailable, match="recompute"):
        maps.poster_request(
            program=demo_program,
            round_=demo_program.current_round(),
            options=maps.PosterOptions(),
        )
    assert not Poster.objects.exists()


def test_posters_page_refuses_unknown_choices(staff_client, computed):
    response = staff_client.post(
        reverse("networkmaps:posters", args=[computed.slug]),
        {"round": computed.current_round().pk, "paper": "B5", "orientation": "portrait",
         "colour_by": "shoe size", "size_by": "degree"},
    )  # fmt: skip
    assert response.status_code == 200 and not Poster.objects.exists()
    assert set(response.context["form"].errors) == {"paper", "colour_by"}


def test_old_posters_and_their_files_are_pruned(
    computed, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(poster_files, "KEEP_POSTERS", 2)
    # Files go once the rows' deletion commits (the test's transaction never does).
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            maps.poster_request(
                program=computed, round_=computed.current_round(), options=maps.PosterOptions()
            )
    assert Poster.objects.count() == 2
    assert len(list((media / "posters" / str(computed.pk)).iterdir())) == 4


def test_a_poster_is_drawn_for_the_role_that_asked_and_only_staff_open_a_staff_poster(
    client, computed, media
):
    hidden = computed.members.order_by("pk").first()
    hidden.visibility = "staff"
    hidden.save(update_fields=["visibility"])
    users = {}
    for role in ("staff", "facilitator"):
        users[role] = UserFactory()
        ProgramRoleFactory(user=users[role], program=computed, role=role)
    drawn = {
        role: maps.poster_request(
            program=computed,
            round_=computed.current_round(),
            options=maps.PosterOptions(paper="A3"),
            requested_by=user,
        )
        for role, user in users.items()
    }
    assert {role: p.viewer_role for role, p in drawn.items()} == {
        "staff": "staff",
        "facilitator": "facilitator",
    }
    assert hidden.name in (media / drawn["staff"].svg.name).read_text()
    assert hidden.name not in (media / drawn["facilitator"].svg.name).read_text()

    client.force_login(users["facilitator"])
    slug = computed.slug
    page = client.get(reverse("networkmaps:posters", args=[slug]))
    assert [p.pk for p in page.context["posters"]] == [drawn["facilitator"].pk]
    for extension in ("svg", "pdf"):
        staff_file = reverse(
            "networkmaps:poster-download", args=[slug, drawn["staff"].pk, extension]
        )
        own_file = reverse(
            "networkmaps:poster-download", args=[slug, drawn["facilitator"].pk, extension]
        )
        assert client.get(staff_file).status_code == 404
        assert client.get(own_file).status_code == 200
    client.force_login(users["staff"])
    staff_file = reverse("networkmaps:poster-download", args=[slug, drawn["facilitator"].pk, "svg"])
    assert client.get(staff_file).status_code == 200


def test_a_facilitator_poster_gives_hidden_members_codes_in_labels_and_index(computed):
    hidden = set(computed.members.order_by("pk")[:5].values_list("name", flat=True))
    computed.members.filter(name__in=hidden).update(visibility="staff")
    computed.members.exclude(name__in=hidden).update(visibility="members")
    spec = maps.poster_spec_build(
        program=computed,
        round_=computed.current_round(),
        options=maps.PosterOptions(),
        viewer_role="facilitator",
    )
    labels = [node.label for node in spec.nodes]
    index = [label for label, _ in drawing.member_index(spec)]
    assert not hidden & set(labels) and not hidden & set(index)
    codes = [label for label in labels if re.fullmatch(r"[2-9A-HJ-NP-Z]{4}", label)]
    assert len(codes) == len(hidden) == len(set(codes))


def test_a_members_poster_code_is_the_one_printed_and_stays_for_the_round(computed):
    round_ = computed.current_round()
    options = maps.PosterOptions(anonymised=True)
    first, again = (
        maps.poster_spec_build(program=computed, round_=round_, options=options, viewer_role=None)
        for _ in range(2)
    )
    assert [n.label for n in first.nodes] == [n.label for n in again.nodes]
    member = computed.members.order_by("pk").first()
    code = member_poster_code(member=member, poster_or_round=round_)
    # Nodes are in member-id order: the first is this member.
    assert first.nodes[0].label == first.nodes[0].index_label == code
    assert code not in member.name and str(member.pk) not in code
    other = computed.rounds.exclude(pk=round_.pk).first()
    if other is not None:
        assert member_poster_code(member=member, poster_or_round=other) != code


def test_the_sweep_deletes_posters_beyond_the_limit_and_files_without_a_poster(
    computed, media, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(3):
        maps.poster_request(
            program=computed, round_=computed.current_round(), options=maps.PosterOptions()
        )
    folder = media / "posters" / str(computed.pk)
    orphans = [folder / "poster-999-left-by-a-crash.svg", media / "posters" / "0" / "old.pdf"]
    for orphan in orphans:
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"names")
    # Files just written may belong to a poster being finished: the sweep waits an hour.
    assert poster_files.posters_sweep() == {"posters": 0, "files": 0}
    monkeypatch.setattr(poster_files, "_older_than", lambda name, *, seconds: True)
    # A pruned poster's files go once the deletion commits (the test's transaction never does).
    with django_capture_on_commit_callbacks(execute=True):
        assert poster_files.posters_sweep(keep=1) == {"posters": 2, "files": 2}
    (kept,) = Poster.objects.all()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        name.rsplit("/", 1)[1] for name in (kept.pdf.name, kept.svg.name)
    )
    assert not any(orphan.exists() for orphan in orphans)


def test_a_rolled_back_poster_deletion_leaves_rows_and_files_in_place(computed, media):
    poster = maps.poster_request(
        program=computed, round_=computed.current_round(), options=maps.PosterOptions()
    )
    poster.refresh_from_db()
    files = [media / poster.pdf.name, media / poster.svg.name]
    assert all(f.exists() for f in files)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert poster_files.posters_prune(program_id=computed.pk, keep=0) == 1
        raise RuntimeError("the caller fails after deleting")
    assert Poster.objects.filter(pk=poster.pk).exists() and all(f.exists() for f in files)


def test_poster_and_run_tasks_are_registered_under_their_names():
    # Beat and other processes send them by these names.
    names = {
        "networkmaps.poster_render",
        "networkmaps.posters_sweep",
        "networkmaps.metric_run_execute",
    }
    assert names <= set(celery_app.tasks)
    assert tasks.posters_sweep.name == "networkmaps.posters_sweep"
