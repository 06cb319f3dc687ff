"""Consent is the member's alone: staff cannot set it through the API or the admin, a
member's own change is audited, and "chosen by them on" follows only that change."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from members.models import AuditEvent, Member
from tests.factories import MemberFactory, ProgramFactory, ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    program = ProgramFactory(slug="consent-quay")
    staff = UserFactory(username="consent-staff")
    ProgramRoleFactory(user=staff, program=program)
    person = UserFactory(username="consent-member")
    ProgramRoleFactory(user=person, program=program, role="member")
    member = MemberFactory(program=program, user=person, visibility=Member.Visibility.STAFF)
    return program, staff, member


def test_staff_cannot_back_date_or_change_consent_through_the_api(world):
    program, staff, member = world
    api = APIClient()
    api.force_authenticate(staff)
    url = reverse("api-member-detail", args=[program.slug, member.pk])
    response = api.patch(
        url,
        {
            "consent_recorded_at": "2020-01-01T00:00:00Z",
            "visibility": "members",
            "accepts_introductions": False,
            "title": "Director",
        },
        format="json",
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.title == "Director"  # the rest of the record is staff's to edit
    assert member.consent_recorded_at is None
    assert member.visibility == Member.Visibility.STAFF
    assert member.accepts_introductions is True


def test_a_member_created_through_the_api_starts_without_consent(world):
    program, staff, _ = world
    api = APIClient()
    api.force_authenticate(staff)
    url = reverse("api-member-list", args=[program.slug])
    response = api.post(
        url,
        {"name": "New Person", "consent_recorded_at": "2020-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = Member.objects.get(pk=response.json()["id"])
    assert created.consent_recorded_at is None


def test_the_admin_shows_consent_read_only(world, client):
    program, _, member = world
    admin = UserFactory(username="consent-admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert page.status_code == 200
    assert b'name="visibility"' not in page.content
    assert b'name="consent_recorded_at' not in page.content


def test_the_members_own_choice_is_dated_and_audited(world, client):
    program, _, member = world
    client.force_login(member.user)
    url = reverse("members:my-settings", args=[program.slug])
    client.post(url, {"visibility": "members", "accepts_introductions": ""})
    member.refresh_from_db()
    assert member.consent_recorded_at is not None
    event = AuditEvent.objects.get(program=program, action=AuditEvent.Action.CONSENT_CHANGE)
    assert event.actor == member.user
    assert event.details["visibility"] == ["staff", "members"]
    assert event.details["accepts_introductions"] == [True, False]
    client.force_login(world[1])
    page = client.get(reverse("networkmaps:member-page", args=[program.slug, member.pk]))
    assert b"chosen by them on" in page.content
