"""A member's own record: what the program holds about them, its own attributes included."""

import json

import pytest
from django.urls import reverse

from members.models import MemberAttribute
from tests.factories import MemberFactory, ProgramFactory, ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    program = ProgramFactory()
    MemberAttribute.objects.create(program=program, key="office", label="Office", position=1)
    MemberAttribute.objects.create(program=program, key="years", label="Years", kind="number")
    MemberAttribute.objects.create(
        program=program, key="track", label="Staff track", hidden=True, position=2
    )
    MemberAttribute.objects.create(program=program, key="unused", label="Unused label")
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role="member")
    person = MemberFactory(
        program=program,
        user=user,
        attributes={
            "office": "<b>Oslo</b>",
            "years": 4.5,
            "track": "high potential",
            "unused": "",
            "gone": "kept from an old import",
        },
    )
    client.force_login(user)
    return person


def test_member_sees_every_attribute_held_about_them_with_its_label(client, member):
    response = client.get(reverse("members:my-profile", args=[member.program.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    rows = [(a.label, a.value) for a in response.context["attributes"]]
    # Definition order (position), then a value whose attribute no longer exists, by key.
    assert rows == [
        ("Years", 4.5),
        ("Office", "<b>Oslo</b>"),
        ("Staff track", "high potential"),
        ("gone", "kept from an old import"),
    ]
    assert "<dt>Staff track</dt><dd>high potential</dd>" in content
    assert "&lt;b&gt;Oslo&lt;/b&gt;" in content and "<b>Oslo</b>" not in content
    assert "Unused label" not in content  # nothing held: not listed
    assert "including those staff keep for their records" in content


def test_member_page_shows_another_members_attributes_never(client, member):
    other = MemberFactory(program=member.program, attributes={"office": "Lima"})
    response = client.get(reverse("members:my-profile", args=[member.program.slug]))
    assert "Lima" not in response.content.decode()
    assert other.name not in response.content.decode()


def test_member_without_attributes_is_told_so(client, member):
    type(member).objects.filter(pk=member.pk).update(attributes={})
    response = client.get(reverse("members:my-profile", args=[member.program.slug]))
    assert response.context["attributes"] == []
    assert "records nothing about you beyond your record" in response.content.decode()


def test_the_note_on_staff_kept_attributes_shows_only_when_there_are_some(client, member):
    MemberAttribute.objects.filter(program=member.program).update(hidden=False)
    response = client.get(reverse("members:my-profile", args=[member.program.slug]))
    assert "including those staff keep" not in response.content.decode()


def test_download_holds_the_attributes_with_labels(client, member):
    response = client.get(reverse("members:my-data", args=[member.program.slug]))
    held = json.loads(response.content)["member"]["attributes"]
    assert {"key": "track", "label": "Staff track", "value": "high potential"} in held
    assert {"key": "gone", "label": "gone", "value": "kept from an old import"} in held
    assert [a["key"] for a in held] == ["years", "office", "track", "gone"]


def test_own_pages_link_to_the_record(client, member):
    response = client.get(reverse("networkmaps:my-network", args=[member.program.slug]))
    assert reverse("members:my-profile", args=[member.program.slug]) in response.content.decode()
