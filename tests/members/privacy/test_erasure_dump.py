"""Erasure, checked the way an auditor would: after erasing a member of a program with
posters, an export, another member's draft naming them, an unlisted row, a login, staff
notes (and their history), introduction requests' words, survey answers, labels, a run's
error, a stored map and an audit history, neither a full `pg_dump` of the database nor any
file under MEDIA_ROOT holds their name, email, username or any phrase typed about them;
they cannot sign in; and the other member's survey still submits. PostgreSQL only
(pg_dump needs committed rows: transactional test)."""

import shutil
import subprocess

import pytest
from django.db import connection
from django.urls import reverse

from members.models import SurveyInvitation
from members.privacy import erasure
from members.surveys import drafts, submit
from networkmaps.models import PairDecision
from tests.factories import MemberFactory
from tests.members.privacy.test_erasure import (
    NAME,
    PHRASES,
    SECRETS,
    USERNAME,
    _files,
    free_text,
    media,
    world,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not shutil.which("pg_dump"),
        reason="the dump is PostgreSQL's pg_dump",
    ),
]
__all__ = ["free_text", "media", "world"]  # fixtures


def _pg_dump() -> str:
    settings = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--data-only", "-h", settings["HOST"] or "127.0.0.1"]
    if settings.get("PORT"):
        command += ["-p", str(settings["PORT"])]
    command += ["-U", settings["USER"] or "postgres", settings["NAME"]]
    env = {"PGPASSWORD": settings.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout


def _hits(text: str) -> list[str]:
    folded = text.casefold()
    return [s for s in SECRETS + PHRASES if s.casefold() in folded]


def test_a_pg_dump_and_media_root_hold_nothing_of_them(world, free_text, media, client):
    program, victim, other, third, invitation, staff, posters = world
    client.force_login(staff)
    export = client.get(reverse("networkmaps:export-download", args=[program.slug, "csv-members"]))
    assert export.status_code == 200 and NAME.encode() in b"".join(export.streaming_content)
    client.logout()
    before = _pg_dump()
    assert set(_hits(before)) >= set(PHRASES), "the set-up should hold every typed phrase"
    assert any(_hits(p.read_text(errors="ignore")) for p in _files(media))

    erasure.member_erase(member=victim, actor=staff)

    assert _hits(_pg_dump()) == []
    assert [p for p in _files(media) if _hits(p.read_bytes().decode("latin-1"))] == []
    # The other pair's decision stays, counted, without the note that named them.
    decision = PairDecision.objects.get(program=program)
    assert (decision.status, decision.note) == ("introduced", "")
    # The login is gone: the right password signs nobody in.
    client.post(reverse("account_login"), {"login": USERNAME, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session
    # The other member's draft named them three ways and still submits.
    invitation = SurveyInvitation.objects.select_related("survey").get(pk=invitation.pk)
    knows = program.relationship_types.get()
    drafts.answers_rate(
        invitation=invitation, known={third.pk: ([knows.pk], 4)}, unlisted={0: ([knows.pk], 2)}
    )
    submitted = submit.answers_submit(invitation=invitation)
    assert submitted.ties == 1


def test_erasing_someone_else_keeps_the_program_named(world, media):
    program, victim, other, *_, staff, _ = world
    bystander = MemberFactory(program=program, name="Bea Bystander")
    erasure.member_erase(member=bystander, actor=staff)
    dump = _pg_dump()
    assert NAME in dump and "Bea Bystander" not in dump
