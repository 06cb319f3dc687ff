"""The map data of each run, built once when the run completes and served from storage.

A run's map (maps/data.py `map_data`: positions, ties, groups, metrics) is the same for
every viewer except for three columns: each member's label, id and title, which the one
visibility rule (members/access.py `name_visible_to`, through maps/names.py) decides per
viewer. So the run stores the JSON once, gzip-compressed, with those three columns left as
placeholders and no name in it at all; serving a viewer reads the members' names, titles
and choices (one query), applies the rule and splices the three columns in. The layout
arrays are never rebuilt and never parsed on a request.

Only the plain map (no comparison round, not anonymised) is stored; the others are built
on request as before. A name changed after the run shows at once (names are read at serve
time); anything else about the map changes with the next run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import zlib

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, quote_etag

from members.models import Member, ProgramRole
from members.round_graph import member_cohorts
from networkmaps.maps import data as maps
from networkmaps.maps.names import hidden_from, names_shown
from networkmaps.models import MapPayload, MetricRun

logger = logging.getLogger(__name__)

# Per-viewer columns, as JSON strings in the stored body: replaced whole at serve time.
SLOTS = {
    "label": b'"@@netlead-labels@@"',
    "id": b'"@@netlead-ids@@"',
    "title": b'"@@netlead-titles@@"',
}


def map_payload_store(*, run: MetricRun) -> MapPayload | None:
    """Build and store the map data of a run that has just become current (a failure is
    logged, never raised: the map page then builds the data on request)."""
    # Read before the map: a member changed in between makes the digest disagree, so the
    # stored map is never served with groups older than the digest says.
    digest = _members(run.program_id)[1]
    try:
        data = maps.map_data(
            program=run.program,
            round_id=run.round_id,
            anonymised=False,
            viewer_role=ProgramRole.Role.STAFF,
        )
    except maps.MapUnavailable:
        return None
    except Exception:
        logger.exception("Map payload of run %s was not stored", run.pk)
        return None
    if data["round"]["id"] != run.round_id:
        return None
    nodes = data["nodes"]
    member_ids = list(nodes["id"])  # staff see every id: the members in node order
    for column, slot in SLOTS.items():
        nodes[column] = slot.decode().strip('"')
    text = json.dumps(data, separators=(",", ":")).encode()
    if any(text.count(slot) != 1 for slot in SLOTS.values()):
        return None  # some text of the program spells a placeholder: build on request
    body = gzip.compress(text, compresslevel=6, mtime=0)
    payload, _ = MapPayload.objects.update_or_create(
        run=run,
        defaults={
            "body": body,
            "member_ids": member_ids,
            "etag": hashlib.sha256(body).hexdigest()[:32],
            "members_digest": digest,
        },
    )
    return payload


def _members(program_id: int) -> tuple[dict[int, tuple], str]:
    """Each member's name, title and visibility choice, and a digest of what else of
    theirs the map shows (cohorts, sector, region, organisation). Two queries."""
    cohorts = member_cohorts(program_id=program_id)
    rows = Member.objects.filter(program_id=program_id).order_by("pk")
    people, groups = {}, []
    for pk, name, title, visibility, *rest in rows.values_list(
        "pk", "name", "title", "visibility", "sector", "region", "organisation__name"
    ).iterator(chunk_size=10_000):
        people[pk] = (name, title, visibility)
        groups.append((pk, *rest, cohorts.get(pk, ())))
    return people, hashlib.sha256(repr(groups).encode()).hexdigest()


def map_payload_serve(
    request,
    *,
    program,
    round_id: int | None,
    viewer_role: str | None,
    viewer_member_id: int | None = None,
):
    """The stored map of the round's current run for this viewer, as ``(response, round)``,
    or None when there is none (the caller builds the map as before).

    The response carries an ETag (the stored body and this viewer's names) and
    Last-Modified (when the run finished), and is 304 when the browser's copy matches.
    """
    round_ = maps.round_choose(program=program, round_id=round_id)
    if round_ is None:
        return None
    payload = (
        MapPayload.objects.filter(run__round=round_, run__is_current=True)
        .select_related("run")
        .only("body", "member_ids", "etag", "run__finished_at", "run__id")
        .first()
    )
    if payload is None:
        return None
    member_ids = payload.member_ids
    people, digest = _members(program.pk)
    if digest != payload.members_digest or any(pk not in people for pk in member_ids):
        return None  # groups changed or a member was erased since the run: build afresh
    rows = [people[pk] for pk in member_ids]
    hidden = hidden_from(
        viewer_role=viewer_role,
        visibilities=[row[2] for row in rows],
        ids=member_ids,
        viewer_member_id=viewer_member_id,
    )
    shown = [
        (row[0], m, row[1]) if not h else (None, None, "")
        for row, m, h in zip(rows, member_ids, hidden, strict=True)
    ]
    # The viewer's names decide the ETag, not the codes drawn for hidden members.
    tag = hashlib.sha256(payload.etag.encode() + repr(shown).encode()).hexdigest()[:32]
    etag = quote_etag(tag)
    last_modified = http_date(payload.run.finished_at.timestamp())
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        labels = names_shown(names=[row[0] for row in rows], hidden=hidden)
        columns = {
            "label": labels,
            "id": [s[1] for s in shown],
            "title": [s[2] or "" for s in shown],
        }
        body = zlib.decompress(bytes(payload.body), wbits=31)
        for column, slot in SLOTS.items():
            body = body.replace(slot, json.dumps(columns[column], separators=(",", ":")).encode())
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    # Per viewer: never shared by a proxy, always revalidated.
    response["Cache-Control"] = "private, no-cache"
    return response, round_
