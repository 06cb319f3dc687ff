"""A real Celery worker draws a large program's poster (CI runs this on Redis and
PostgreSQL; locally it needs REDIS_URL and a PostgreSQL DATABASE_URL). The same path runs
inline in test_poster_service.py."""

import time

import pytest

from members.demo import seed as member_services
from networkmaps.maps import posters as maps
from networkmaps.models import Poster
from networkmaps.runs import compute, services

pytestmark = pytest.mark.celery_worker


def test_real_worker_draws_a_queued_poster_into_media(celery_workers, settings, monkeypatch):
    program = member_services.demo_program_seed(members=60)
    # Computed here before any worker starts; their queued messages find nothing to do.
    for round_ in program.rounds.order_by("observed_on"):
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
    media = celery_workers.tmp_path / "media"
    settings.MEDIA_ROOT = media
    celery_workers.env["MEDIA_ROOT"] = str(media)
    celery_workers.start()
    monkeypatch.setattr(maps, "POSTER_INLINE_MAX_MEMBERS", 10)

    poster = maps.poster_request(
        program=program,
        round_=program.current_round(),
        options=maps.PosterOptions(paper="A2", anonymised=True),
    )
    assert poster.status == Poster.Status.QUEUED
    deadline = time.monotonic() + 90
    while poster.is_active and time.monotonic() < deadline:
        time.sleep(0.3)
        poster.refresh_from_db()
    assert poster.status == Poster.Status.READY, f"{poster.error}\n{celery_workers.logs()}"
    assert (media / poster.pdf.name).read_bytes().startswith(b"%PDF")
    assert (media / poster.svg.name).stat().st_size > 1000
    assert "Task networkmaps.poster_render" in celery_workers.logs()
