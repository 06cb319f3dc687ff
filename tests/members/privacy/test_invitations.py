"""Invitations that go to the right person: member by default, the typed email checked
against the record, duplicates told apart, revoke and resend, statuses listed, and one link
making one account even when its form is sent four times at once (PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Invitation, ProgramRole
from members.privacy import invitations
from members.privacy.forms import InvitationForm
from tests.factories import (
    MemberFactory,
    OrganisationFactory,
    ProgramFactory,
    ProgramRoleFactory,
    UserFactory,
)

ACCEPT = {
    "username": "dee",
    "password": "a-long-pass-phrase-42",
    "consent-visibility": "members",
    "consent-accepts_introductions": "on",
}


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def staff(program):
    user = UserFactory(username="inviter")
    ProgramRoleFactory(user=user, program=program)
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _invitations_url(program):
    return reverse("members:invitations", args=[program.slug])


def test_the_role_defaults_to_member(program):
    assert InvitationForm(program=program)["role"].value() == "member"


def test_people_with_the_same_name_are_told_apart_by_organisation_and_email(program):
    for org in ("North Trust", "South Trust"):
        MemberFactory(
            program=program, name="Sam Lee", email=f"sam@{org[:5].lower()}.org",
            organisation=OrganisationFactory(program=program, name=org),
        )  # fmt: skip
    labels = [label for _, label in InvitationForm(program=program).fields["member"].choices][1:]
    assert sorted(labels) == [
        "Sam Lee — North Trust — sam@north.org",
        "Sam Lee — South Trust — sam@south.org",
    ]


def test_a_typed_email_unlike_the_record_asks_first_and_says_which_is_used(staff_client, program):
    member = MemberFactory(program=program, name="Ana Ruiz", email="ana@record.org")
    url = _invitations_url(program)
    data = {"role": "member", "member": member.pk, "email": "ana@typed.org"}
    asked = staff_client.post(url, data)
    body = asked.content.decode()
    assert asked.status_code == 200 and not mail.outbox
    assert "email on record is ana@record.org, not ana@typed.org" in body
    assert "it will go to ana@typed.org (the" in body
    assert 'name="confirmed_email" value="ana@typed.org"' in body
    confirmed = staff_client.post(url, data | {"confirmed_email": "ana@typed.org"})
    assert confirmed.status_code == 302
    assert [m.to for m in mail.outbox] == [["ana@typed.org"]]
    # A blank email uses the one on record, with no question.
    other = MemberFactory(program=program, email="ben@record.org")
    staff_client.post(url, {"role": "member", "member": other.pk, "email": ""})
    assert mail.outbox[-1].to == ["ben@record.org"]


def test_revoke_resend_and_every_status_listed(staff_client, client, program, staff):
    member = MemberFactory(program=program, email="cy@example.org")
    invitation, token = invitations.invitation_create(
        program=program, email=member.email, role="member", invited_by=staff, member=member
    )
    change = reverse("members:invitation-change", args=[program.slug])
    staff_client.post(change, {"invitation": invitation.pk, "action": "revoke"})
    refused = client.get(reverse("invitation-accept", args=[token]))
    assert refused.status_code == 410 and b"withdrawn" in refused.content
    staff_client.post(change, {"invitation": invitation.pk, "action": "resend"})
    assert mail.outbox[-1].to == ["cy@example.org"]
    assert client.get(reverse("invitation-accept", args=[token])).status_code == 200
    expired, _ = invitations.invitation_create(
        program=program, email="old@example.org", role="facilitator", invited_by=staff
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked, _ = invitations.invitation_create(
        program=program, email="gone@example.org", role="facilitator", invited_by=staff
    )
    invitations.invitation_revoke(invitation=revoked, actor=staff)
    page = staff_client.get(_invitations_url(program)).content.decode()
    assert "1 pending · 0 accepted · 1 expired · 1 revoked" in page
    assert staff_client.post(change, {"invitation": "x", "action": "revoke"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_one_link_makes_one_account_when_sent_four_times_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (set DATABASE_URL)")
    program = ProgramFactory()
    inviter = UserFactory()
    member = MemberFactory(program=program, email="dee@example.org")
    invitation, token = invitations.invitation_create(
        program=program, email=member.email, role="member", invited_by=inviter, member=member
    )
    url = reverse("invitation-accept", args=[token])
    start = threading.Barrier(4)
    statuses = []

    def click():
        client = Client()
        start.wait()
        try:
            # The consent choices a member's acceptance page asks for (issue 16) come along.
            response = client.post(url, ACCEPT)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302, 410, 410, 410]
    accounts = get_user_model().objects.filter(email="dee@example.org")
    assert accounts.count() == 1
    invitation.refresh_from_db()
    member.refresh_from_db()
    assert invitation.account_created == accounts.get() == invitation.accepted_by == member.user
    assert ProgramRole.objects.filter(program=program, user=accounts.get()).count() == 1
