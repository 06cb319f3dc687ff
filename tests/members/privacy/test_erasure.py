"""Erasure reaches every trace of a person from one service: ties, other members' drafts,
unlisted people, introduction requests, invitations, the audit trail, the login account,
stored posters and map payloads, and free text anyone typed about them (staff notes and
their history, introduction words, survey answers, labels, run errors); and a consent
change to "staff only" reaches drafts and named posters."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.imports import staging
from members.models import (
    AuditEvent,
    ImportJob,
    IntroductionRequest,
    Invitation,
    Member,
    Relationship,
    RequestedIntroduction,
    SurveyInvitation,
    UnlistedPerson,
)
from members.models.surveys import MemberAnswer, SurveyQuestion
from members.privacy import audit, consent, erasure, invitations, own_data
from members.surveys import drafts, submit
from members.surveys import services as surveys
from networkmaps.models import (
    Community,
    MapPayload,
    MetricRun,
    PairDecision,
    PairDecisionEvent,
    Poster,
    WhatIf,
)
from networkmaps.weaving.decisions import pair_decide
from tests.factories import (
    CohortFactory,
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NAME = "Verity Vanish-Quayle"
EMAIL = "verity.vq@example.org"
USERNAME = "verity-vq"
NICKNAME = "Vee from the harbour"  # what another member typed; staff merged it into her
SECRETS = (NAME, EMAIL, USERNAME, NICKNAME, "Vanish-Quayle")
# What people typed about her, one phrase per place free text is kept (see `free_text`).
PHRASES = (
    "cartographer of the quay",  # staff note on her own pair
    "harbour day",  # staff note on another pair, naming her
    "lighthouse keeper",  # another member asking to meet her
    "red bicycle",  # staff asking two others to meet, naming her
    "taught me sailing",  # another member's submitted survey answer
    "sea shanty",  # another member's draft answer
    "slipway",  # a failed run's error text
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def world():
    """A program in which another member's open draft names the victim three ways, an
    unlisted row was merged into her, she has a login, an audit history, posters and a
    staged import holding her row."""
    program = ProgramFactory(name="Quay Fellows")
    cohort = CohortFactory(program=program)
    listed = Member.Visibility.MEMBERS
    victim = MemberFactory(program=program, name=NAME, email=EMAIL, visibility=listed)
    other = MemberFactory(program=program, name="Otto Other", visibility=listed)
    third = MemberFactory(program=program, name="Thea Third", visibility=listed)
    for person in (victim, other, third):
        person.cohorts.add(cohort)
    knows = RelationshipTypeFactory(program=program)
    round_ = RoundFactory(program=program, name="Year one", observed_on=datetime.date(2025, 1, 1))
    for source, target in ((victim, other), (third, victim), (third, other)):
        RelationshipFactory(program=program, source=source, target=target, type=knows, round=round_)
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program, name="Year one survey", relationship_types=[knows], cohorts=[cohort],
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=9),
        round_=round_,
    )  # fmt: skip
    invitation = SurveyInvitation.objects.get(survey=survey, member=other)
    for target in (victim, third):
        drafts.answer_pick(invitation=invitation, member_id=target.pk)
    drafts.answer_pick(invitation=invitation, member_id=victim.pk, wants_introduction=True)
    drafts.answer_unlisted_add(invitation=invitation, name=NICKNAME)
    drafts.answer_unlisted_add(invitation=invitation, name=NAME.upper())
    drafts.answer_unlisted_add(invitation=invitation, name="Uma Unlisted")
    UnlistedPerson.objects.create(
        invitation=invitation, name=NICKNAME, type_ids=[knows.pk], merged_into=victim
    )
    UnlistedPerson.objects.create(invitation=invitation, name=EMAIL, type_ids=[knows.pk])
    IntroductionRequest.objects.create(invitation=invitation, member=victim)

    user = UserFactory(username=USERNAME, email=EMAIL)
    ProgramRoleFactory(user=user, program=program, role="member")
    Member.objects.filter(pk=victim.pk).update(user=user)
    victim.refresh_from_db()
    staff = UserFactory(username="stella-staff")
    ProgramRoleFactory(user=staff, program=program)
    invitations.invitation_create(
        program=program, email=EMAIL, role="member", invited_by=staff, member=victim
    )
    audit.audit_record(program=program, actor=user, action=AuditEvent.Action.DATA_DOWNLOAD,
                       target=f"member #{victim.pk}")  # fmt: skip
    audit.audit_record(
        program=program, actor=staff, action=AuditEvent.Action.EXPORT,
        target=f"ego map of {NAME}", details={"people": [NAME, "Thea Third"], "to": EMAIL},
    )  # fmt: skip
    audit.audit_record(program=program, actor=staff, action=AuditEvent.Action.EXPORT,
                       target="Annual report for Thea Third")  # fmt: skip
    posters = [_poster(program, round_, anonymised=flag) for flag in (False, True)]
    upload = SimpleUploadedFile("people.csv", f"name,email\n{NAME},{EMAIL}\n".encode())
    folder, names = staging.files_stage(members=upload, ties=None)
    ImportJob.objects.create(
        program=program, user=staff, token="staged-before-erasure", folder=folder,
        members_name=names["members"], report={"examples": [NAME]},
    )  # fmt: skip
    return program, victim, other, third, invitation, staff, posters


@pytest.fixture
def free_text(world):
    """Everywhere free text about her can be typed or computed, each with a phrase of
    PHRASES: staff notes (with their history) on her pair and on another pair naming her,
    introduction requests' words, another member's survey answer and draft, another
    member's title and attribute, the survey's wording, a run's error, a cluster label,
    a stored map payload and a what-if. Returns the shared rows that must stay."""
    program, victim, other, third, invitation, staff, _ = world
    round_ = program.rounds.get()
    day = datetime.date(2025, 2, 1)
    for pair, note in (
        ((victim.pk, other.pk), "Asked the cartographer of the quay first"),
        ((other.pk, third.pk), f"Met through {NAME} at the harbour day"),
    ):
        for status in ("open", "introduced"):
            pair_decide(
                program=program, pair=pair, kind="closure", round_=round_, status=status,
                decided_by="stella-staff", note=note, decided_on=day, assigned_to=staff,
            )  # fmt: skip
    RequestedIntroduction.objects.create(
        program=program, requester=other, other=victim, source="member",
        words="She is the lighthouse keeper I keep hearing about",
    )  # fmt: skip
    shared_request = RequestedIntroduction.objects.create(
        program=program, requester=other, other=third, source="staff",
        words=f"Both ride with {NAME} on the red bicycle route",
    )  # fmt: skip
    survey = invitation.survey
    SurveyQuestion.objects.create(
        survey=survey, key="inspired", kind="text", text=f"Who, like {NAME}, inspired you?"
    )
    theirs = SurveyInvitation.objects.get(survey=survey, member=third)
    MemberAnswer.objects.create(
        invitation=theirs, key="inspired", value=f"{NAME}, who taught me sailing"
    )
    MemberAnswer.objects.create(invitation=theirs, key="city", value="Porto")
    theirs.answers = {"about_me": {"inspired": f"{NICKNAME} and her sea shanty", "city": "Porto"}}
    theirs.save(update_fields=["answers"])
    Member.objects.filter(pk=other.pk).update(
        title=f"Deputy to {NAME}", attributes={"mentor": NAME, "office": "Quay"}
    )
    failed = MetricRun.objects.create(
        program=program, round=round_, status=MetricRun.Status.FAILED,
        error=f"KeyError: {NAME!r} at the slipway", requested_by=USERNAME,
    )  # fmt: skip
    Community.objects.create(run=failed, index=1, size=3, label=f"Around {NAME}")
    MapPayload.objects.create(run=failed, body=NAME.encode(), member_ids=[victim.pk], etag="x")
    a, b = sorted([other.pk, third.pk])
    WhatIf.objects.create(run=failed, member_a_id=a, member_b_id=b, effect={"who": NAME})
    return {"request": shared_request, "answered": theirs, "pair": (a, b)}


def _poster(program, round_, *, anonymised: bool) -> Poster:
    label = "M-17" if anonymised else NAME
    poster = Poster.objects.create(
        program=program, round=round_, paper="A3", colour_by="community", size_by="degree",
        status=Poster.Status.READY, anonymised=anonymised,
    )  # fmt: skip
    stem = f"posters/{program.pk}/poster-{poster.pk}"
    Poster.objects.filter(pk=poster.pk).update(
        svg=default_storage.save(f"{stem}.svg", ContentFile(f"<svg>{label}</svg>".encode())),
        pdf=default_storage.save(f"{stem}.pdf", ContentFile(f"%PDF {label}".encode())),
    )
    poster.refresh_from_db()
    return poster


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _erase(world, captured):
    program, victim, *_, staff, _posters = world
    with captured(execute=True):
        erasure.member_erase(member=victim, actor=staff)


def test_erasure_leaves_no_poster_or_staged_import(
    world, media, django_capture_on_commit_callbacks
):
    program = world[0]
    assert len(_files(media)) == 5
    _erase(world, django_capture_on_commit_callbacks)
    assert not Poster.objects.filter(program=program).exists()
    assert not ImportJob.objects.filter(program=program).exists()
    assert _files(media) == []


def test_erasure_takes_them_out_of_other_members_drafts_and_unlisted_rows(
    world, django_capture_on_commit_callbacks
):
    program, victim, other, third, invitation, *_ = world
    victim_id = victim.pk
    _erase(world, django_capture_on_commit_callbacks)
    answers = SurveyInvitation.objects.get(pk=invitation.pk).answers
    assert [k["member"] for k in answers["known"]] == [third.pk]
    assert answers["meet"] == []
    assert [u["name"] for u in answers["unlisted"]] == ["Uma Unlisted"]
    assert not UnlistedPerson.objects.filter(merged_into_id=victim_id).exists()
    assert list(UnlistedPerson.objects.values_list("name", flat=True)) == []
    assert not IntroductionRequest.objects.filter(member_id=victim_id).exists()
    assert not Invitation.objects.filter(email__iexact=EMAIL).exists()
    assert not Relationship.objects.filter(source_id=victim_id).exists()
    assert not Relationship.objects.filter(target_id=victim_id).exists()


def test_the_other_members_survey_can_still_be_submitted(world, django_capture_on_commit_callbacks):
    program, victim, other, third, invitation, *_ = world
    _erase(world, django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.select_related("survey").get(pk=invitation.pk)
    knows = program.relationship_types.get()
    drafts.answers_rate(
        invitation=invitation, known={third.pk: ([knows.pk], 4)}, unlisted={0: ([knows.pk], 2)}
    )
    submitted = submit.answers_submit(invitation=invitation)
    assert (submitted.ties, submitted.unlisted) == (1, 1)
    assert Relationship.objects.filter(source=other, target=third, round__program=program).exists()


def test_no_audit_row_names_them_and_others_keep_their_words(
    world, django_capture_on_commit_callbacks
):
    program = world[0]
    _erase(world, django_capture_on_commit_callbacks)
    rows = AuditEvent.objects.filter(program=program)
    text = json.dumps(list(rows.values("actor_label", "target", "details")), ensure_ascii=False)
    assert [s for s in SECRETS if s.casefold() in text.casefold()] == []
    assert rows.filter(target="ego map of an erased member").exists()
    assert rows.filter(target="Annual report for Thea Third").exists()  # whole words only
    assert rows.filter(action=AuditEvent.Action.ERASE, actor_label="stella-staff").exists()


def test_their_login_account_goes_when_it_is_in_no_other_program(
    world, client, django_capture_on_commit_callbacks
):
    _erase(world, django_capture_on_commit_callbacks)
    assert not get_user_model().objects.filter(username=USERNAME).exists()
    assert not get_user_model().objects.filter(email__iexact=EMAIL).exists()


def test_an_account_in_another_program_stays_but_loses_this_program(
    world, django_capture_on_commit_callbacks
):
    program, victim = world[:2]
    elsewhere = ProgramFactory(name="Elsewhere")
    ProgramRoleFactory(user=victim.user, program=elsewhere, role="member")
    _erase(world, django_capture_on_commit_callbacks)
    user = get_user_model().objects.get(username=USERNAME)
    assert list(user.program_roles.values_list("program_id", flat=True)) == [elsewhere.pk]


def test_a_full_dump_holds_nothing_of_them(world, django_capture_on_commit_callbacks):
    _erase(world, django_capture_on_commit_callbacks)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    text = dump.getvalue()
    hits = [s for s in SECRETS if s.casefold() in text.casefold()]
    assert hits == []


def test_free_text_naming_them_is_blanked_and_their_own_goes(
    world, free_text, django_capture_on_commit_callbacks
):
    program, victim, other, third, *_ = world
    _erase(world, django_capture_on_commit_callbacks)
    # Their own pair's decision and its history went with them; the other pair's stay,
    # counted the same, with no note.
    decision = PairDecision.objects.get(program=program)
    assert (decision.member_a_id, decision.member_b_id) == free_text["pair"]
    assert (decision.status, decision.note) == ("introduced", "")
    events = PairDecisionEvent.objects.filter(decision=decision)
    assert [(e.status, e.note) for e in events] == [("open", ""), ("introduced", "")]
    assert [e.decided_by for e in events] == ["stella-staff", "stella-staff"]
    # Her request went; the shared one stays, without words.
    asked = RequestedIntroduction.objects.filter(program=program)
    assert [(r.pk, r.words) for r in asked] == [(free_text["request"].pk, "")]
    # Another member's answer naming her goes, their other answers stay.
    theirs = free_text["answered"]
    assert dict(MemberAnswer.objects.filter(invitation=theirs).values_list("key", "value")) == {
        "city": "Porto"
    }
    assert SurveyInvitation.objects.get(pk=theirs.pk).answers["about_me"] == {"city": "Porto"}
    other = Member.objects.get(pk=other.pk)
    assert other.title == "Deputy to an erased member"
    assert other.attributes == {"mentor": "an erased member", "office": "Quay"}
    question = SurveyQuestion.objects.get(key="inspired")
    assert question.text == "Who, like an erased member, inspired you?"
    run = MetricRun.objects.filter(status=MetricRun.Status.FAILED).get()
    assert (run.error, run.requested_by) == ("", "an erased member")
    assert Community.objects.get(run=run).label == "Around an erased member"
    assert not MapPayload.objects.filter(run=run).exists()
    assert not WhatIf.objects.exists()
    stored = MapPayload.objects.values_list("member_ids", flat=True)
    assert all(victim.pk not in ids for ids in stored)


def test_a_dump_holds_no_phrase_typed_about_them(
    world, free_text, django_capture_on_commit_callbacks
):
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert all(p in dump.getvalue() for p in PHRASES), "the set-up should hold every phrase"
    _erase(world, django_capture_on_commit_callbacks)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    text = dump.getvalue().casefold()
    assert [s for s in SECRETS + PHRASES if s.casefold() in text] == []


def test_hiding_their_name_takes_named_posters_but_keeps_others_survey_picks(
    world, media, django_capture_on_commit_callbacks
):
    program, victim, other, third, invitation, staff, (named, anonymised) = world
    before = SurveyInvitation.objects.get(pk=invitation.pk).answers
    with django_capture_on_commit_callbacks(execute=True):
        consent.member_settings_update(
            member=victim, visibility=Member.Visibility.STAFF, accepts_introductions=True
        )
    # A survey list still names them (name only), so others' picks of them stay.
    assert SurveyInvitation.objects.get(pk=invitation.pk).answers == before
    assert list(Poster.objects.filter(program=program)) == [anonymised]
    assert sorted(p.name for p in _files(media / "posters")) == sorted(
        Path(f.name).name for f in (anonymised.pdf, anonymised.svg)
    )


def test_choosing_to_be_seen_again_keeps_drafts_and_posters(
    world, django_capture_on_commit_callbacks
):
    program, victim, other, third, invitation, *_ = world
    before = SurveyInvitation.objects.get(pk=invitation.pk).answers
    with django_capture_on_commit_callbacks(execute=True):
        consent.member_settings_update(
            member=victim, visibility=Member.Visibility.MEMBERS, accepts_introductions=False
        )
    assert SurveyInvitation.objects.get(pk=invitation.pk).answers == before
    assert Poster.objects.filter(program=program).count() == 2


def test_own_data_download_names_others_by_the_visibility_rule(world):
    program, victim, other, third, *_ = world
    Member.objects.filter(pk=third.pk).update(visibility=Member.Visibility.STAFF)
    data = own_data.member_data_export(member=Member.objects.get(pk=victim.pk))
    pairs = sorted((t["from"], t["to"]) for t in data["ties"])
    assert pairs == [(NAME, "Otto Other"), (own_data.SOMEONE, NAME)]
    assert "Thea Third" not in json.dumps(data)


def test_erasure_through_the_page_needs_staff(world, client):
    program, victim, other = world[:3]
    url = reverse("members:member-erase", args=[program.slug, victim.pk])
    client.force_login(victim.user)
    assert client.post(url, {"confirm": "erase"}).status_code == 404
    assert Member.objects.filter(pk=victim.pk).exists()
