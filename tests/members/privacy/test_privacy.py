import datetime
import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import AuditEvent, Invitation, Member, ProgramRole, Relationship
from members.privacy import audit, consent, invitations
from networkmaps.models import NodeMetric, Suggestion
from tests.factories import ProgramRoleFactory, UserFactory
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db


def _member_client(client, program, member=None):
    member = member or program.members.order_by("pk")[5]
    user = UserFactory(email=member.email)
    ProgramRoleFactory(user=user, program=program, role="member")
    Member.objects.filter(pk=member.pk).update(user=user)
    client.force_login(user)
    return member


def test_member_sees_their_position_in_plain_language(client, computed):
    member = _member_client(client, computed)
    response = client.get(reverse("networkmaps:my-network", args=[computed.slug]))
    assert response.status_code == 200
    sentences = response.context["network"].sentences
    assert any("in two steps; the median member reaches" in s for s in sentences)
    assert any(s.startswith("You have") for s in sentences)
    degree = NodeMetric.objects.get(
        member=member, run__is_current=True, run__round__name="Year two"
    ).degree
    assert any(f"You have {degree} tie" in s for s in sentences)


def test_ego_map_shows_only_names_of_people_who_opted_in(client, computed):
    member = _member_client(client, computed)
    Member.objects.filter(program=computed).exclude(pk=member.pk).update(visibility="staff")
    response = client.get(reverse("networkmaps:my-network", args=[computed.slug]))
    nodes = response.context["network"].nodes
    assert len(nodes) > 1
    assert [n.label for n in nodes if n.role != "me"] == [None] * (len(nodes) - 1)
    # Names appear only where the member named the person themselves (their reported ties).
    named = set(Relationship.objects.filter(source=member).values_list("target__name", flat=True))
    hidden = Member.objects.filter(program=computed, visibility="staff").exclude(pk=member.pk)
    content = response.content.decode()
    leaked = [m.name for m in hidden if m.name in content and m.name not in named | {member.name}]
    assert leaked == []


def test_member_cannot_see_another_members_page_or_metrics(client, computed):
    _member_client(client, computed)
    other = computed.members.order_by("pk")[9]
    for url in (
        reverse("networkmaps:member-page", args=[computed.slug, other.pk]),
        reverse("api-member-metrics", args=[computed.slug, other.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert other.name.encode() not in response.content
        assert other.email.encode() not in response.content


def test_member_choices_and_own_tie_removal(client, computed):
    year_two = computed.current_round()
    reporters = Relationship.objects.filter(round=year_two).values_list("source_id", flat=True)
    reported = Relationship.objects.filter(round=year_two).values_list("target_id", flat=True)
    chosen = computed.members.filter(pk__in=reporters).filter(pk__in=reported).first()
    member = _member_client(client, computed, chosen)
    client.post(
        reverse("members:my-settings", args=[computed.slug]),
        {"visibility": "members", "accepts_introductions": ""},
    )
    member.refresh_from_db()
    assert member.visibility == "members" and not member.accepts_introductions
    assert member.consent_recorded_at is not None
    mine = Relationship.objects.filter(source=member, round=year_two).first()
    theirs = Relationship.objects.filter(target=member, round=year_two).first()
    url = reverse("members:my-tie-remove", args=[computed.slug, theirs.pk])
    client.post(url)
    assert Relationship.objects.filter(pk=theirs.pk).exists()  # not theirs to remove
    client.post(reverse("members:my-tie-remove", args=[computed.slug, mine.pk]))
    assert not Relationship.objects.filter(pk=mine.pk).exists()


def test_member_downloads_their_own_data(client, computed):
    member = _member_client(client, computed)
    response = client.get(reverse("members:my-data", args=[computed.slug]))
    data = json.loads(response.content)
    assert data["member"]["email"] == member.email
    assert len(data["ties"]) == Relationship.objects.touching(member).count()
    assert AuditEvent.objects.filter(action="data_download").count() == 1


def test_erasure_removes_the_member_everywhere(staff_client, computed):
    victim = computed.members.order_by("pk")[3]
    name, email = victim.name, victim.email
    assert Relationship.objects.touching(victim).exists()
    response = staff_client.post(
        reverse("members:member-erase", args=[computed.slug, victim.pk]), {"confirm": "erase"}
    )
    assert response.status_code == 302
    assert not Member.objects.filter(pk=victim.pk).exists()
    assert not Relationship.objects.filter(source_id=victim.pk).exists()
    assert not Relationship.objects.filter(target_id=victim.pk).exists()
    assert not NodeMetric.objects.filter(member_id=victim.pk).exists()
    assert not Suggestion.objects.filter(reason__contains=name).exists()
    event = AuditEvent.objects.get(action="erase")
    assert name not in event.target and email not in json.dumps(event.details)
    compute_all_rounds(computed)  # what the queued recompute does
    for url in (
        reverse("networkmaps:member-table", args=[computed.slug]),
        reverse("networkmaps:weaving", args=[computed.slug]),
        reverse("api-suggestions", args=[computed.slug]),
        reverse("api-program-metrics", args=[computed.slug]),
        reverse("networkmaps:export-download", args=[computed.slug, "gexf"]),
        reverse("networkmaps:export-download", args=[computed.slug, "kumu-json"]),
        reverse("members:program-detail", args=[computed.slug]),
    ):
        response = staff_client.get(url, {"page": 1})
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode()
        assert name not in body and email not in body, url
    assert NodeMetric.objects.filter(run__is_current=True).count() == 2 * 119


def test_erasure_needs_confirmation(staff_client, computed):
    victim = computed.members.first()
    staff_client.post(reverse("members:member-erase", args=[computed.slug, victim.pk]))
    assert Member.objects.filter(pk=victim.pk).exists()


def test_invitation_works_once_for_the_invited_email_only(client, staff_client, demo_program):
    member = demo_program.members.first()
    response = staff_client.post(
        reverse("members:invitations", args=[demo_program.slug]),
        {"email": member.email, "role": "member", "member": member.pk},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/invitations/" in word)
    path = link.split("testserver", 1)[1]
    stranger = UserFactory(email="someone.else@example.org")
    client.force_login(stranger)
    refused = client.post(path)
    assert refused.status_code == 410 and b"different email" in refused.content
    client.logout()
    accepted = client.post(path, {"username": "new-fellow", "password": "a-long-pass-phrase-42"})
    assert accepted.status_code == 302
    member.refresh_from_db()
    assert member.user.username == "new-fellow"
    assert ProgramRole.objects.get(user=member.user).role == "member"
    again = client.post(path, {"username": "other", "password": "a-long-pass-phrase-42"})
    assert again.status_code == 410 and b"already been used" in again.content


def test_expired_and_tampered_invitations_are_refused(client, demo_program, staff_user):
    invitation, token = invitations.invitation_create(
        program=demo_program, email="late@example.org", role="facilitator", invited_by=staff_user
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get(reverse("invitation-accept", args=[token]))
    assert response.status_code == 410 and b"expired" in response.content
    response = client.get(reverse("invitation-accept", args=[token[:-2] + "xx"]))
    assert response.status_code == 410 and b"not valid" in response.content


def test_post_without_csrf_token_is_forbidden(demo_program, staff_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(reverse("networkmaps:run-start", args=[demo_program.slug]))
    assert response.status_code == 403


def test_repeated_failed_sign_ins_are_rate_limited(client, staff_user):
    url = reverse("account_login")
    codes = [
        client.post(url, {"login": "staffer", "password": "wrong-password"}).status_code
        for _ in range(12)
    ]
    assert codes[0] == 200 and codes[-1] == 429


def test_sign_in_does_not_reveal_whether_an_account_exists(client, staff_user):
    url = reverse("account_login")
    known = client.post(url, {"login": "staffer", "password": "wrong-password"}).content
    unknown = client.post(url, {"login": "nobody-here", "password": "wrong-password"}).content

    def error(page: bytes) -> bytes:
        return re.search(rb'<ul class="errorlist nonfield">.*?</ul>', page, re.S).group(0)

    assert b"are not correct" in error(known)
    assert error(known) == error(unknown)


def test_staff_read_the_audit_log(staff_client, demo_program, staff_user):
    audit.audit_record(program=demo_program, actor=staff_user, action="export", target="GEXF")
    response = staff_client.get(reverse("members:audit-log", args=[demo_program.slug]))
    assert b"Exported data" in response.content and b"GEXF" in response.content


def test_staff_see_who_has_consented(staff_client, computed):
    member = computed.members.first()
    consent.member_settings_update(member=member, visibility="members", accepts_introductions=False)
    page = staff_client.get(reverse("networkmaps:member-page", args=[computed.slug, member.pk]))
    assert b"Visible by name to other members" in page.content
    assert b"does not want introductions" in page.content
    overview = staff_client.get(reverse("members:program-detail", args=[computed.slug]))
    assert overview.context["counts"]["consented"] == 1
