"""Posters on disk: what one shows, drawing it into PDF and SVG files, and keeping only the
files that should exist (the newest few per program; none without a Poster row).

Asking for a poster is maps/posters.py; the worker runs `poster_render` (maps/tasks.py).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import dateformat, timezone

from members.models import Program, Round
from networkmaps.graph import poster as drawing
from networkmaps.maps.data import (
    GROUPINGS,
    OTHER_COLOUR,
    SIZE_METRIC_KEYS,
    SIZE_METRICS,
    Category,
    MapUnavailable,
    grouping_categories,
    program_groupings,
    round_ties,
    snapshot_load,
)
from networkmaps.maps.names import hidden_from, poster_codes
from networkmaps.models import Poster

logger = logging.getLogger(__name__)

KEEP_POSTERS = 20
POSTER_DIR = "posters"
# A program's own category attribute (issue 12), as the map names it: "attr:<key>".
ATTRIBUTE_GROUPING = re.compile(r"attr:[-a-zA-Z0-9_]{1,40}")


@dataclass(frozen=True)
class PosterOptions:
    paper: str = "A1"
    landscape: bool = True
    anonymised: bool = False
    colour_by: str = "community"
    size_by: str = "degree"

    def __post_init__(self) -> None:
        if self.paper not in drawing.PAPER_SIZES:
            raise ValueError(f"unknown paper size {self.paper!r}")
        # Whether the program offers the attribute is poster_spec_build's question.
        if self.colour_by not in GROUPINGS and not ATTRIBUTE_GROUPING.fullmatch(self.colour_by):
            raise ValueError(f"cannot colour by {self.colour_by!r}")
        if self.size_by not in SIZE_METRIC_KEYS:
            raise ValueError(f"cannot size by {self.size_by!r}")


def poster_spec_build(
    *,
    program: Program,
    round_: Round,
    options: PosterOptions,
    viewer_role: str | None,
    today=None,
) -> drawing.PosterSpec:
    """Everything a poster shows, from the round's stored run (see graph/poster/).

    Drawn for `viewer_role`: a name the visibility rule hides from that role is a code,
    in the labels and in the "find yourself" index alike. It colours by what the map offers
    (maps/data.py `program_groupings`: never a hidden attribute)."""
    if options.colour_by not in program_groupings(program_id=program.pk):
        raise MapUnavailable(
            "That attribute is no longer offered for colouring: choose another colour."
        )
    snapshot = snapshot_load(round_=round_)
    if not len(snapshot):
        raise MapUnavailable(f"{round_.name} has no members to draw.")
    label, plural, found, index = grouping_categories(
        snapshot, options.colour_by, anonymised=options.anonymised
    )
    # A printed code is the member's code for this round, so members can be told theirs.
    codes = poster_codes(round_id=round_.pk, member_ids=snapshot.member_ids)
    hidden = [True] * len(snapshot) if options.anonymised else (
        hidden_from(viewer_role=viewer_role, visibilities=snapshot.visibilities)
    )  # fmt: skip
    names = [
        code if h else name for name, code, h in zip(snapshot.names, codes, hidden, strict=True)
    ]
    sizes = snapshot.metrics[options.size_by]
    nodes = [
        drawing.PosterNode(
            # Row numbers, not member ids: the poster has no use for database ids.
            id=i,
            x=snapshot.x[i],
            y=snapshot.y[i],
            label=names[i],
            size=float(sizes[i] or 0.0),
            colour=found[index[i]].colour,
            index_label=names[i],
        )
        for i in range(len(snapshot))
    ]
    strongest: dict[tuple[int, int], int] = {}
    for (a, b, _type), strength in round_ties(
        round_=round_, member_ids=snapshot.member_ids
    ).items():
        strongest[(a, b)] = max(strength, strongest.get((a, b), 0))
    metric = next(m for m in SIZE_METRICS if m.key == options.size_by)
    observed = dateformat.format(round_.observed_on, "F Y")
    today = today or timezone.localdate()
    return drawing.PosterSpec(
        title=f"{program.name}: the network",
        subtitle=(
            f"{round_.name} ({observed}) · {len(snapshot):,} members, {len(strongest):,} ties"
            f" · colour: {label.lower()}"
        ),
        date=dateformat.format(today, "j F Y"),
        paper=options.paper,
        landscape=options.landscape,
        nodes=nodes,
        edges=[(a, b, float(w)) for (a, b), w in sorted(strongest.items())],
        legend=_poster_legend(plural, found),
        legend_title=f"Colour: {label}",
        size_legend=f"Circle size: {metric.label.lower()}",
        anonymised=options.anonymised,
    )


def _poster_legend(plural: str, found: list[Category]) -> list[tuple[str, str]]:
    legend = [(c.colour, f"{c.label} ({c.count:,})") for c in found if not (c.other or c.missing)]
    others = [c for c in found if c.other]
    if others:
        members = sum(c.count for c in others)
        legend.append((OTHER_COLOUR, f"{len(others):,} other {plural} ({members:,})"))
    legend += [(c.colour, f"{c.label} ({c.count:,})") for c in found if c.missing]
    return legend


def poster_render(*, poster_id: int) -> Poster | None:
    """Draw a queued poster into PDF and SVG files (called inline or by the Celery task).

    Safe to call twice: a poster that is ready or failed is left alone, and of two workers
    drawing the same poster only the first to finish keeps its files."""
    claimed = Poster.objects.filter(pk=poster_id, status__in=Poster.ACTIVE).update(
        status=Poster.Status.RUNNING
    )
    if not claimed:
        return None
    poster = Poster.objects.select_related("program", "round").get(pk=poster_id)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        options = PosterOptions(
            paper=poster.paper,
            landscape=poster.landscape,
            anonymised=poster.anonymised,
            colour_by=poster.colour_by,
            size_by=poster.size_by,
        )
        spec = poster_spec_build(
            program=poster.program,
            round_=poster.round,
            options=options,
            viewer_role=poster.viewer_role or None,
        )
        timings["load"] = time.perf_counter() - started
        mark = time.perf_counter()
        pdf = drawing.render_pdf(spec)
        timings["pdf"] = time.perf_counter() - mark
        mark = time.perf_counter()
        svg = drawing.render_svg(spec).encode()
        timings["svg"] = time.perf_counter() - mark
        # A random part keeps one poster's files from ever being taken for another's.
        stem = f"{POSTER_DIR}/{poster.program_id}/poster-{poster.pk}-{secrets.token_hex(6)}"
        names = {
            "pdf": default_storage.save(f"{stem}.pdf", ContentFile(pdf)),
            "svg": default_storage.save(f"{stem}.svg", ContentFile(svg)),
        }
    except (OperationalError, InterfaceError):
        # Transient database trouble: back to the queue for the task's retry.
        Poster.objects.filter(pk=poster_id, status=Poster.Status.RUNNING).update(
            status=Poster.Status.QUEUED
        )
        raise
    except Exception as exc:
        logger.exception("Poster %s failed", poster_id)
        Poster.objects.filter(pk=poster_id, status=Poster.Status.RUNNING).update(
            status=Poster.Status.FAILED,
            error=str(exc)[:2000] if isinstance(exc, MapUnavailable) else type(exc).__name__,
            finished_at=timezone.now(),
        )
        return Poster.objects.get(pk=poster_id)
    timings["total"] = time.perf_counter() - started
    finished = Poster.objects.filter(pk=poster_id, status=Poster.Status.RUNNING).update(
        status=Poster.Status.READY,
        members=len(spec.nodes),
        timings={k: round(v, 3) for k, v in timings.items()},
        finished_at=timezone.now(),
        **names,
    )
    if not finished:  # Another worker finished this poster first: keep its files, not ours.
        for name in names.values():
            default_storage.delete(name)
    posters_prune(program_id=poster.program_id)
    return Poster.objects.get(pk=poster_id)


def posters_delete(posters: QuerySet[Poster]) -> int:
    """Delete these posters: rows in the caller's transaction, their files once it commits,
    so a rollback leaves rows and files in place together. The one way posters go.

    A worker still drawing one finds its row gone and deletes the files it wrote."""
    files = [f.name for p in posters.only("pdf", "svg") for f in (p.pdf, p.svg) if f]
    deleted, _ = posters.delete()
    transaction.on_commit(lambda: _files_delete(files))
    return deleted


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def posters_prune(*, program_id: int, keep: int | None = None) -> int:
    """Delete all but the newest `keep` finished posters of a program, files included."""
    keep = KEEP_POSTERS if keep is None else keep
    finished = Poster.objects.filter(program_id=program_id).exclude(status__in=Poster.ACTIVE)
    stale = list(finished.order_by("-created_at", "-id").values_list("pk", flat=True)[keep:])
    if not stale:
        return 0
    return posters_delete(Poster.objects.filter(pk__in=stale))


def posters_forget(*, program_id: int, named_only: bool) -> int:
    """Delete a program's posters (only those that print names, with `named_only`), for an
    erasure or a consent change: a poster drawn before it may show the person."""
    posters = Poster.objects.filter(program_id=program_id)
    if named_only:
        posters = posters.filter(anonymised=False)
    return posters_delete(posters)


def posters_sweep(*, keep: int | None = None) -> dict[str, int]:
    """Bring every program's posters back to what should exist: Poster rows beyond the keep
    limit go (files included), and so does every poster file no Poster row points at (left
    by a crash, a deleted program or an erased member). Returns what was deleted."""
    # Read before pruning: a pruned poster's files are deleted by posters_delete, not here.
    known = set()
    for pdf, svg in Poster.objects.values_list("pdf", "svg").iterator(chunk_size=2000):
        known.update(name for name in (pdf, svg) if name)
    program_ids = Poster.objects.values_list("program_id", flat=True).distinct()
    rows = sum(posters_prune(program_id=pk, keep=keep) for pk in list(program_ids))
    files = 0
    for name in _stored_files(POSTER_DIR):
        # A file saved a moment ago may belong to a poster still being finished.
        if name not in known and _older_than(name, seconds=3600):
            default_storage.delete(name)
            files += 1
    return {"posters": rows, "files": files}


def _stored_files(folder: str):
    if not default_storage.exists(folder):
        return
    directories, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _stored_files(f"{folder}/{directory}")


def _older_than(name: str, *, seconds: int) -> bool:
    try:
        modified = default_storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        return True
    return (timezone.now() - modified).total_seconds() > seconds
