"""The interactive map's data and printable posters, read from a round's current metric run.

Nothing here computes a metric or a layout. The metric run stored every member's position
(networkmaps/services.py), so the screen map, every poster and every round line up.

Member data leaves the server in two shapes only: `map_data` (JSON for the map page) and
posters (files). Neither ever carries an email address, and the anonymised variants carry no
names, no organisations and no database ids: people become shuffled codes.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import F, QuerySet
from django.utils import dateformat, timezone
from django.utils.text import slugify

from members.models import Member, Program, RelationshipType, Round
from members.round_graph import round_graph_load
from networkmaps.glossary import MEMBER_METRICS
from networkmaps.graph import poster as drawing
from networkmaps.models import Community, MetricRun, NodeMetric, Poster

logger = logging.getLogger(__name__)

# What the map and posters can colour by: key → (label, plural, "no value" label).
GROUPINGS: dict[str, tuple[str, str, str]] = {
    "community": ("Cluster", "clusters", "Not in a cluster (no ties)"),
    "cohort": ("Cohort", "cohorts", "No cohort"),
    "sector": ("Sector", "sectors", "No sector recorded"),
    "region": ("Region", "regions", "No region recorded"),
    "organisation": ("Organisation", "organisations", "No organisation recorded"),
}
# The palette's greys are kept for "other" and "not recorded", so that a real category is
# never mistaken for a missing value.
CATEGORY_COLOURS = tuple(c for c in drawing.PALETTE if c not in {"#595959", "#898989", "#ABABAB"})
OTHER_COLOUR = "#C3CAD3"
MISSING_COLOUR = drawing.NEUTRAL
SIZE_METRICS = tuple(m for m in MEMBER_METRICS if m.key != "community")
SIZE_METRIC_KEYS = tuple(m.key for m in SIZE_METRICS)
# Above this many members a poster is drawn by a worker; below, during the request (~2 s).
POSTER_INLINE_MAX_MEMBERS = 2000
KEEP_POSTERS = 20
_DIGITS = re.compile(r"(\d+)")


class MapUnavailable(Exception):
    """There is nothing to draw yet (no rounds, or no computed metrics for the round)."""


# --- reading a round ----------------------------------------------------------------------


@dataclass
class Snapshot:
    """One round as the map draws it: a row per member of the round's current run."""

    round: Round
    run: MetricRun
    member_ids: list[int]
    x: list[float]
    y: list[float]
    names: list[str]
    titles: list[str]
    groups: dict[str, list[str | None]]  # grouping key → value per member
    metrics: dict[str, list[float | None]]
    cohorts: list[list[str]]  # every cohort of each member, earliest first

    def __len__(self) -> int:
        return len(self.member_ids)


def round_choose(*, program: Program, round_id: int | None) -> Round | None:
    """The requested round of `program`, else its current round, else its latest one."""
    rounds = program.rounds.all()
    if round_id is not None:
        chosen = rounds.filter(pk=round_id).first()
        if chosen is not None:
            return chosen
    return program.current_round() or rounds.order_by("-observed_on", "-id").first()


def snapshot_load(*, round_: Round) -> Snapshot:
    """Members, positions, groups and metrics of the round's current run (four queries)."""
    run = MetricRun.objects.current().filter(round=round_).first()
    if run is None:
        raise MapUnavailable(
            f"No metrics for {round_.name} yet: recompute them on the dashboard first."
        )
    rows = list(
        NodeMetric.objects.filter(run=run)
        .order_by("member_id")
        .values_list(
            "member_id", "x", "y", "community", *SIZE_METRIC_KEYS,
            "member__name", "member__title", "member__sector", "member__region",
            "member__organisation__name",
        )
    )  # fmt: skip
    if rows and all(row[1] is None for row in rows):
        raise MapUnavailable(f"The metrics of {round_.name} predate maps: recompute them.")
    width = len(SIZE_METRIC_KEYS)
    member_ids = [row[0] for row in rows]
    cohorts = _cohorts_by_member(round_.program_id)
    community_names = _community_names(run)
    return Snapshot(
        round=round_,
        run=run,
        member_ids=member_ids,
        x=[row[1] or 0.0 for row in rows],
        y=[row[2] or 0.0 for row in rows],
        names=[row[4 + width] for row in rows],
        titles=[row[5 + width] for row in rows],
        groups={
            "community": [community_names.get(row[3]) for row in rows],
            "cohort": [(cohorts.get(m) or [None])[0] for m in member_ids],
            "sector": [row[6 + width] or None for row in rows],
            "region": [row[7 + width] or None for row in rows],
            "organisation": [row[8 + width] or None for row in rows],
        },
        metrics={key: [row[4 + i] for row in rows] for i, key in enumerate(SIZE_METRIC_KEYS)},
        cohorts=[cohorts.get(m, []) for m in member_ids],
    )


def _cohorts_by_member(program_id: int) -> dict[int, list[str]]:
    # Earliest cohort first, as the metric run groups people (services.round_data_load).
    memberships = Member.cohorts.through.objects.filter(member__program_id=program_id)
    ordered = memberships.order_by("member_id", F("cohort__year").asc(nulls_last=True), "cohort_id")
    out: dict[int, list[str]] = {}
    for member_id, name in ordered.values_list("member_id", "cohort__name"):
        out.setdefault(member_id, []).append(name)
    return out


def _community_names(run: MetricRun) -> dict[int, str]:
    """Community index → "Cluster 3: Fellows 2021 · health", numbered largest first.

    A community of one is an isolated member, not a cluster: it gets no name."""
    rows = Community.objects.filter(run=run, size__gt=1).order_by("-size", "index")
    return {
        index: f"Cluster {rank}: {label}"
        for rank, (index, label) in enumerate(rows.values_list("index", "label"), start=1)
    }


def round_ties(*, round_: Round, member_ids: list[int]) -> dict[tuple[int, int, int], int]:
    """(row of a, row of b, relationship type id) → strongest tie of that type, a < b.

    Rows index `member_ids`; a tie in both directions, or reported twice, is drawn once."""
    row_of = {member: i for i, member in enumerate(member_ids)}
    ties: dict[tuple[int, int, int], int] = {}
    # The ties the metric run counted (a program may count confirmed survey ties only).
    for tie in round_graph_load(round_=round_).ties:
        source, target, type_id, strength = tie.source, tie.target, tie.type_id, tie.strength
        a, b = row_of.get(source), row_of.get(target)
        if a is None or b is None or a == b:
            continue  # joined after the run was computed: not on this map yet
        key = (a, b, type_id) if a < b else (b, a, type_id)
        if strength > ties.get(key, 0):
            ties[key] = strength
    return ties


# --- categories and colours ---------------------------------------------------------------


@dataclass
class Category:
    label: str
    colour: str
    count: int
    other: bool = False  # beyond the palette: drawn in the "other" grey
    missing: bool = False


def categories_assign(
    values: list[str | None], *, missing: str, by_name: bool = False
) -> tuple[list[Category], list[int]]:
    """Colour categories for one grouping and each member's category index.

    The largest groups (or, with `by_name`, the first by name) get the palette's colours, in
    order; the rest share one "other" grey and members without a value another. The same
    data always gets the same colours, on screen and on paper.
    """
    counts = Counter(value for value in values if value is not None)
    if by_name:
        ordered = sorted(counts, key=_natural)
    else:
        # Ties in size are broken by name; "natural" order only where names are few.
        name = _natural if len(counts) <= 200 else str.casefold
        ordered = sorted(counts, key=lambda v: (-counts[v], name(v)))
    found = [
        Category(
            label=value,
            colour=CATEGORY_COLOURS[i] if i < len(CATEGORY_COLOURS) else OTHER_COLOUR,
            count=counts[value],
            other=i >= len(CATEGORY_COLOURS),
        )
        for i, value in enumerate(ordered)
    ]
    position = {value: i for i, value in enumerate(ordered)}
    blanks = len(values) - sum(counts.values())
    if blanks:
        found.append(Category(missing, MISSING_COLOUR, blanks, missing=True))
    return found, [position[v] if v is not None else len(ordered) for v in values]


def _natural(text: str) -> list:
    """Sort key that puts "Cluster 9" before "Cluster 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in _DIGITS.split(text)]


def _grouping(snapshot: Snapshot, key: str, *, anonymised: bool):
    label, plural, missing = GROUPINGS[key]
    found, index = categories_assign(snapshot.groups[key], missing=missing, by_name=key == "cohort")
    if anonymised and key == "organisation":
        # Organisations name people's employers: numbered, in colour order, like people.
        for number, category in enumerate(found, start=1):
            if not category.missing:
                category.label = f"Organisation {number}"
    return label, plural, found, index


def _codes(count: int) -> list[str]:
    """Shuffled codes for an anonymised map: nothing about a person predicts theirs."""
    numbers = list(range(1, count + 1))
    secrets.SystemRandom().shuffle(numbers)
    width = max(3, len(str(count)))
    return [f"M{number:0{width}d}" for number in numbers]


def _compact(values: list[float | None], *, whole: bool) -> list[float | int | None]:
    """Metric values as the page needs them: 4 significant digits keep the JSON small."""
    if whole:
        return [None if v is None else int(v) for v in values]
    return [None if v is None or not math.isfinite(v) else float(f"{v:.4g}") for v in values]


# --- the map page -------------------------------------------------------------------------


def map_page(*, program: Program) -> dict:
    """What the map page needs before its data arrives: the rounds and the choices."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    current = round_choose(program=program, round_id=None)
    return {
        "program": program.name,
        "rounds": [{"id": r.pk, "name": r.name} for r in rounds],
        "round": current.pk if current else None,
        "groupings": [{"key": k, "label": v[0]} for k, v in GROUPINGS.items()],
        "metrics": [{"key": m.key, "label": m.label, "help": m.help} for m in SIZE_METRICS],
    }


def map_data(
    *,
    program: Program,
    round_id: int | None = None,
    compare_round_id: int | None = None,
    anonymised: bool = False,
) -> dict:
    """The whole network of one round for the map page, as compact column lists.

    `nodes` are rows (row i of every list is one member); `edges` refer to rows and carry
    one entry per pair and relationship type. With `compare_round_id` (an earlier round),
    `edges.new` marks the pairs that were not tied in that round. Never holds an email;
    anonymised, it holds no name, organisation or member id either.
    """
    round_ = round_choose(program=program, round_id=round_id)
    if round_ is None:
        raise MapUnavailable("This program has no rounds yet.")
    snapshot = snapshot_load(round_=round_)
    compare = None
    if compare_round_id is not None:
        compare = program.rounds.filter(
            pk=compare_round_id, observed_on__lt=round_.observed_on
        ).first()

    ties = round_ties(round_=round_, member_ids=snapshot.member_ids)
    type_ids = sorted({type_id for _, _, type_id in ties})
    type_names = dict(RelationshipType.objects.filter(program=program).values_list("id", "name"))
    all_types = sorted(type_names, key=lambda t: type_names[t].casefold())
    type_row = {type_id: i for i, type_id in enumerate(all_types)}
    pairs = sorted(ties)
    edges: dict[str, list] = {
        "source": [a for a, _, _ in pairs],
        "target": [b for _, b, _ in pairs],
        "type": [type_row[t] for _, _, t in pairs],
        "strength": [ties[key] for key in pairs],
    }
    if compare is not None:
        before = {(a, b) for a, b, _ in round_ties(round_=compare, member_ids=snapshot.member_ids)}
        edges["new"] = [int((a, b) not in before) for a, b, _ in pairs]

    groups = {}
    for key in GROUPINGS:
        label, plural, found, index = _grouping(snapshot, key, anonymised=anonymised)
        groups[key] = {
            "label": label,
            "plural": plural,
            "values": [vars(c).copy() for c in found],
            "of": index,
        }
    # A member in several cohorts matches a filter on any of them.
    cohort_row = {c["label"]: i for i, c in enumerate(groups["cohort"]["values"])}
    extra_cohorts = {
        str(i): [cohort_row[name] for name in names[1:]]
        for i, names in enumerate(snapshot.cohorts)
        if len(names) > 1
    }
    nodes: dict[str, object] = {
        "label": _codes(len(snapshot)) if anonymised else snapshot.names,
        "x": [round(v, 1) for v in snapshot.x],
        "y": [round(v, 1) for v in snapshot.y],
        "extra_cohorts": extra_cohorts,
    }
    if not anonymised:
        nodes["id"] = snapshot.member_ids
        nodes["title"] = snapshot.titles
    return {
        "round": {"id": round_.pk, "name": round_.name, "observed_on": str(round_.observed_on)},
        "compare": {"id": compare.pk, "name": compare.name} if compare else None,
        "computed_at": snapshot.run.finished_at.isoformat() if snapshot.run.finished_at else None,
        "anonymised": anonymised,
        "counts": {"members": len(snapshot), "ties": len({(a, b) for a, b, _ in pairs})},
        "types": [{"name": type_names[t], "present": t in type_ids} for t in all_types],
        "groups": groups,
        "metrics": [
            {
                "key": m.key,
                "label": m.label,
                "format": m.format,
                "values": _compact(snapshot.metrics[m.key], whole=m.format == "count"),
            }
            for m in SIZE_METRICS
        ],
        "nodes": nodes,
        "edges": edges,
    }


# --- posters ------------------------------------------------------------------------------


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
        if self.colour_by not in GROUPINGS:
            raise ValueError(f"cannot colour by {self.colour_by!r}")
        if self.size_by not in SIZE_METRIC_KEYS:
            raise ValueError(f"cannot size by {self.size_by!r}")


def poster_spec_build(
    *, program: Program, round_: Round, options: PosterOptions, today=None
) -> drawing.PosterSpec:
    """Everything a poster shows, from the round's stored run (see analysis/poster.py)."""
    snapshot = snapshot_load(round_=round_)
    if not len(snapshot):
        raise MapUnavailable(f"{round_.name} has no members to draw.")
    label, _plural, found, index = _grouping(
        snapshot, options.colour_by, anonymised=options.anonymised
    )
    names = _codes(len(snapshot)) if options.anonymised else snapshot.names
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
        legend=_poster_legend(options.colour_by, found),
        size_legend=f"Circle size: {metric.label.lower()}",
        anonymised=options.anonymised,
    )


def _poster_legend(key: str, found: list[Category]) -> list[tuple[str, str]]:
    legend = [(c.colour, f"{c.label} ({c.count:,})") for c in found if not (c.other or c.missing)]
    others = [c for c in found if c.other]
    if others:
        plural = GROUPINGS[key][1]
        members = sum(c.count for c in others)
        legend.append((OTHER_COLOUR, f"{len(others):,} other {plural} ({members:,})"))
    legend += [(c.colour, f"{c.label} ({c.count:,})") for c in found if c.missing]
    return legend


def poster_request(
    *, program: Program, round_: Round, options: PosterOptions, requested_by=None
) -> Poster:
    """Record a poster and draw it: now for a small program, else in a worker.

    Returns the poster, ready (or failed) when drawn now, queued otherwise."""
    from networkmaps.runs.tasks import poster_render as poster_render_task

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
    )
    if members <= POSTER_INLINE_MAX_MEMBERS:
        return poster_render(poster_id=poster.pk) or poster
    transaction.on_commit(lambda: poster_render_task.delay(poster.pk))
    return poster


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
        spec = poster_spec_build(program=poster.program, round_=poster.round, options=options)
        timings["load"] = time.perf_counter() - started
        mark = time.perf_counter()
        pdf = drawing.render_pdf(spec)
        timings["pdf"] = time.perf_counter() - mark
        mark = time.perf_counter()
        svg = drawing.render_svg(spec).encode()
        timings["svg"] = time.perf_counter() - mark
        # A random part keeps one poster's files from ever being taken for another's.
        stem = f"posters/{poster.program_id}/poster-{poster.pk}-{secrets.token_hex(6)}"
        names = {
            "pdf": default_storage.save(f"{stem}.pdf", ContentFile(pdf)),
            "svg": default_storage.save(f"{stem}.svg", ContentFile(svg)),
        }
    except OperationalError:
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


def posters_recent(*, program: Program, limit: int = 10) -> QuerySet[Poster]:
    return Poster.objects.filter(program=program).select_related("round", "requested_by")[:limit]


def posters_prune(*, program_id: int, keep: int | None = None) -> int:
    """Delete all but the newest `keep` finished posters of a program, files included."""
    keep = KEEP_POSTERS if keep is None else keep
    finished = Poster.objects.filter(program_id=program_id).exclude(status__in=Poster.ACTIVE)
    stale = list(finished.order_by("-created_at", "-id")[keep:])
    for poster in stale:
        for file in (poster.pdf, poster.svg):
            if file:
                default_storage.delete(file.name)
    Poster.objects.filter(pk__in=[p.pk for p in stale]).delete()
    return len(stale)


def poster_filename(*, poster: Poster, extension: str) -> str:
    """What a downloaded poster is called: program, round, paper, and whether anonymised."""
    parts = [poster.program.slug, slugify(poster.round.name) or "round", poster.paper.lower()]
    if poster.landscape:
        parts.append("landscape")
    if poster.anonymised:
        parts.append("anonymised")
    return "-".join(parts) + f".{extension}"
