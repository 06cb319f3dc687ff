"""The map data of each run, built once when the run completes and served from storage.

A run's map (maps/data.py `map_data`: positions, ties, groups, metrics) is the same for
every viewer except for three columns: each member's label, id and title, which the one
visibility rule (members/access.py `name_visible_to`, through maps/names.py) decides per
viewer. So the run stores the JSON once, compressed, without those three columns (they
come last) and so without any name; serving a viewer reads the members' names, titles
and choices, applies the rule and appends the three columns. The
stored part is a deflate stream that the response reuses as it is (one gzip member: the
stored stream, the viewer's columns compressed on their own, the CRC of both), so the
layout arrays are never rebuilt, parsed or compressed again on a request.

Only the plain map (no comparison round, not anonymised) is stored; the others are built
on request as before. A name changed after the run shows at once (names are read at serve
time); anything else about the map changes with the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import zlib

from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, quote_etag

from members.models import Cohort, Member, MemberAttribute, Organisation, ProgramRole
from members.round_graph import member_cohorts
from networkmaps.maps import data as maps
from networkmaps.maps.names import hidden_from, names_shown
from networkmaps.models import MapPayload, MetricRun

logger = logging.getLogger(__name__)

# The per-viewer columns of `nodes`, written last (after everything else of the map).
PER_VIEWER = ("label", "id", "title")
# Stored body: magic, CRC-32 and length of the JSON it holds, then that JSON deflated.
HEADER = struct.Struct("<4sII")
MAGIC = b"NLM1"
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


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
    nodes = data.pop("nodes")
    member_ids = list(nodes["id"])  # staff see every id: the members in node order
    for column in PER_VIEWER:
        del nodes[column]
    # Everything but the per-viewer columns, ending where they begin: `"nodes":{...,`.
    ordered = data | {"nodes": nodes}
    text = json.dumps(ordered, separators=(",", ":")).encode()
    text = text[:-2] + b","  # drop the closing "}}": the columns and "}}" come per viewer
    # A raw deflate stream ended by a sync flush (byte-aligned, not final): a request appends
    # its own compressed columns and the gzip trailer, and never compresses this part again.
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = packer.compress(text) + packer.flush(zlib.Z_SYNC_FLUSH)
    body = HEADER.pack(MAGIC, zlib.crc32(text), len(text)) + deflated
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


def _response(stored: bytes, tail: bytes, request) -> HttpResponse:
    """The stored JSON with this viewer's ``tail`` appended: as one gzip member built from
    the stored deflate stream (no recompression of the map) when the client takes gzip."""
    _, crc, length = HEADER.unpack_from(stored)
    deflated = memoryview(stored)[HEADER.size :]
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        trailer = struct.pack("<II", zlib.crc32(tail, crc), (length + len(tail)) & 0xFFFFFFFF)
        body = b"".join((GZIP_HEADER, deflated, packer.compress(tail), packer.flush(), trailer))
        response = HttpResponse(body, content_type="application/json")
        response["Content-Encoding"] = "gzip"
        response["Vary"] = "Accept-Encoding"
        return response
    text = stored_json(stored) + tail
    return HttpResponse(text, content_type="application/json")


def stored_json(stored: bytes) -> bytes:
    """The JSON a stored body holds, without the per-viewer columns (nor its last "}}")."""
    # The stream ends in a sync flush, not a final block: a decompressor object reads it all.
    return zlib.decompressobj(wbits=-15).decompress(memoryview(stored)[HEADER.size :])


def _members(program_id: int) -> tuple[dict[int, tuple], str]:
    """Each member's name, title and visibility choice, and the digest of what else of
    theirs the map shows (`groups_digest`)."""
    rows = Member.objects.filter(program_id=program_id).order_by("pk")
    people = {pk: rest for pk, *rest in rows.values_list("pk", "name", "title", "visibility")}
    return people, groups_digest(program_id)


def groups_digest(program_id: int) -> str:
    """A digest of everything of the members that the stored map shows besides names: their
    cohorts, sector, region, organisation and attribute values, and which attributes the
    map groups by. A stored map whose digest differs is not served.

    On PostgreSQL the database computes it in one statement (10k members: a few ms, where
    reading the rows into Python took most of a request); elsewhere Python does."""
    attributes = list(
        MemberAttribute.objects.filter(program_id=program_id)
        .order_by("pk")
        .values_list("key", "label", "kind", "hidden")
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_DIGEST_SQL, [program_id, program_id])
            members = cursor.fetchone()[0] or ""
    else:
        cohorts = member_cohorts(program_id=program_id)
        rows = Member.objects.filter(program_id=program_id).order_by("pk")
        members = repr(
            [
                (*row, cohorts.get(row[0], ()))
                for row in rows.values_list(
                    "pk", "sector", "region", "organisation__name", "attributes"
                )
            ]
        )
    return hashlib.sha256(repr(attributes).encode() + members.encode()).hexdigest()


def _digest_sql() -> str:
    member = Member._meta.db_table
    organisation = Organisation._meta.db_table
    cohort = Cohort._meta.db_table
    through = Member.cohorts.through._meta.db_table
    # chr(1) stands for a missing value and separates fields; cohorts in member_cohorts' order,
    # only this program's (aggregating every program's memberships took 0.58 s of 0.7).
    return f"""
        SELECT md5(string_agg(concat_ws(chr(2), m.id::text, coalesce(m.sector, chr(1)),
                                        coalesce(m.region, chr(1)), coalesce(o.name, chr(1)),
                                        coalesce(m.attributes::text, chr(1)),
                                        coalesce(c.names, chr(1))),
                              chr(3) ORDER BY m.id))
        FROM {member} m
        LEFT JOIN {organisation} o ON o.id = m.organisation_id
        LEFT JOIN (
            SELECT mc.member_id,
                   string_agg(co.name, chr(2) ORDER BY co.year NULLS LAST, co.id) AS names
            FROM {through} mc JOIN {cohort} co ON co.id = mc.cohort_id
            WHERE co.program_id = %s
            GROUP BY mc.member_id
        ) c ON c.member_id = m.id
        WHERE m.program_id = %s
    """


_DIGEST_SQL = _digest_sql()


def _matches(payload: MapPayload, people: dict, digest: str) -> bool:
    return digest == payload.members_digest and all(pk in people for pk in payload.member_ids)


def map_payload_serve(
    request,
    *,
    program,
    round_id: int | None,
    viewer_role: str | None,
    viewer_member_id: int | None = None,
):
    """The stored map of the round's current run for this viewer, as ``(response, round)``,
    or None when the round has no map to store (the caller builds the map as before).

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
    fresh = payload is not None and bytes(payload.body[: len(MAGIC)]) == MAGIC
    if fresh:
        people, digest = _members(program.pk)
        fresh = _matches(payload, people, digest)
    if not fresh:
        # None stored (a run from before), an older layout, or the members' groups changed
        # (or one was erased) since it was stored: store what this request would otherwise
        # build, the same map from today's members, so that the next request is served.
        run = MetricRun.objects.filter(round=round_, is_current=True).first()
        payload = map_payload_store(run=run) if run is not None else None
        if payload is None:
            return None  # nothing to store (no metrics yet): the caller builds the map
        people, digest = _members(program.pk)
        if not _matches(payload, people, digest):
            return None  # changed again meanwhile: build on request
    member_ids = payload.member_ids
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
        columns = {
            # A hidden member's code is theirs for the round: the one the posters print.
            "label": names_shown(
                names=[row[0] for row in rows],
                hidden=hidden,
                round_id=round_.pk,
                member_ids=member_ids,
            ),
            "id": [s[1] for s in shown],
            "title": [s[2] or "" for s in shown],
        }
        tail = json.dumps(columns, separators=(",", ":")).encode()[1:] + b"}"
        response = _response(bytes(payload.body), tail, request)
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    # Per viewer: never shared by a proxy, always revalidated.
    response["Cache-Control"] = "private, no-cache"
    return response, round_
