"""Asking for posters, listing the ones a viewer may open, and naming their files.

A poster is drawn for the role of whoever asked for it, so a facilitator's poster shows a
"staff only" member as a code; only staff open a poster drawn for staff (unless it is
anonymised). Drawing is maps/poster_files.py, run inline for small programs and by the
`networkmaps.poster_render` task (maps/tasks.py) for large ones.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from members.access import role_in
from members.models import Program, Round
from networkmaps.maps import tasks
from networkmaps.maps.data import MapUnavailable
from networkmaps.maps.poster_files import (
    PosterOptions,
    poster_render,
    poster_spec_build,
    posters_prune,
    posters_sweep,
)
from networkmaps.models import MetricRun, NodeMetric, Poster

# Callers find the whole poster service here; drawing lives in poster_files.
__all__ = [
    "MapUnavailable",
    "PosterOptions",
    "poster_filename",
    "poster_render",
    "poster_request",
    "poster_spec_build",
    "posters_prune",
    "posters_recent",
    "posters_sweep",
]

# Above this many members a poster is drawn by a worker; below, during the request (~2 s).
POSTER_INLINE_MAX_MEMBERS = 2000


def poster_request(
    *, program: Program, round_: Round, options: PosterOptions, requested_by=None
) -> Poster:
    """Record a poster and draw it: now for a small program, else in a worker.

    It is drawn for `requested_by`'s role in the program; a poster nobody signed in asked
    for names only the members who chose to be named to everyone. Returns the poster,
    ready (or failed) when drawn now, queued otherwise."""
    run = MetricRun.objects.current().filter(round=round_).first()
    if run is None:
        raise MapUnavailable(
            f"No metrics for {round_.name} yet: recompute them on the dashboard first."
        )
    members = NodeMetric.objects.filter(run=run).count()
    user = requested_by if getattr(requested_by, "is_authenticated", False) else None
    poster = Poster.objects.create(
        program=program,
        round=round_,
        paper=options.paper,
        landscape=options.landscape,
        anonymised=options.anonymised,
        colour_by=options.colour_by,
        size_by=options.size_by,
        members=members,
        requested_by=user,
        viewer_role=(role_in(user, program) or "") if user else "",
    )
    if members <= POSTER_INLINE_MAX_MEMBERS:
        return poster_render(poster_id=poster.pk) or poster
    transaction.on_commit(lambda: tasks.poster_render.delay(poster.pk))
    return poster


def posters_recent(
    *, program: Program, viewer_role: str | None, limit: int = 10
) -> QuerySet[Poster]:
    """The newest posters of a program that `viewer_role` may open."""
    posters = Poster.objects.filter(program=program).for_viewer(viewer_role)
    # The program's attributes name what an attribute-coloured poster shows (one query).
    posters = posters.select_related("program", "round", "requested_by")
    return posters.prefetch_related("program__member_attributes")[:limit]


def poster_filename(*, poster: Poster, extension: str) -> str:
    """What a downloaded poster is called: program, round, paper, and whether anonymised."""
    parts = [poster.program.slug, slugify(poster.round.name) or "round", poster.paper.lower()]
    if poster.landscape:
        parts.append("landscape")
    if poster.anonymised:
        parts.append("anonymised")
    return "-".join(parts) + f".{extension}"
