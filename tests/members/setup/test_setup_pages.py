"""Staff set up their program without the admin: forms with clear errors, audited."""

import pytest
from django.urls import reverse

from members.models import (
    AuditEvent,
    Cohort,
    Member,
    MemberAttribute,
    ProgramRole,
    RelationshipType,
    Round,
)
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    role = ProgramRoleFactory(role="staff")
    client.force_login(role.user)
    return role.program, role.user


def _url(program, kind, pk=None):
    args = [program.slug, kind] + ([pk] if pk else [])
    return reverse("members:setup", args=args)


@pytest.mark.parametrize(
    "kind, data, model",
    [
        ("cohorts", {"name": "Fellows 2025", "year": 2025}, Cohort),
        ("types", {"name": "mentors", "directed": "on", "description": "Who guides whom"},
         RelationshipType),
        ("rounds", {"name": "Year two", "observed_on": "2025-06-01"}, Round),
        ("members", {"name": "Ann Lee", "email": "ann@example.org"}, Member),
    ],
)  # fmt: skip
def test_staff_add_rows_and_each_change_is_audited(client, staff, kind, data, model):
    program, _ = staff
    response = client.post(_url(program, kind), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert model.objects.filter(program=program, name=data["name"]).exists()
    assert AuditEvent.objects.filter(program=program, action="setup_change").exists()
    assert data["name"] in client.get(_url(program, kind)).content.decode()


def test_a_duplicate_name_is_a_clear_field_error(client, staff):
    program, _ = staff
    client.post(_url(program, "cohorts"), {"name": "Fellows 2025"})
    response = client.post(_url(program, "cohorts"), {"name": "fellows 2025"})
    assert response.status_code == 400
    assert "This program already has “fellows 2025”." in response.content.decode()


def test_choosing_the_current_round_is_kept_by_imports(client, staff):
    program, _ = staff
    old = RoundFactory(program=program, name="Old", is_current=False)
    RoundFactory(program=program, name="New", is_current=True)
    data = {"name": "Old", "observed_on": str(old.observed_on), "current": "on"}
    assert client.post(_url(program, "rounds", old.pk), data).status_code == 302
    old.refresh_from_db()
    program.refresh_from_db()
    assert old.is_current and program.current_round_chosen
    assert Round.objects.filter(program=program, is_current=True).count() == 1


def test_attributes_rename_hide_and_delete(client, staff):
    program, _ = staff
    office = MemberAttribute.objects.create(program=program, key="office", label="Office")
    member = MemberFactory(program=program, attributes={"office": "Oslo", "x": 1})
    response = client.post(
        _url(program, "attributes", office.pk), {"label": "Base", "hidden": "on"}
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.label, office.hidden, office.key) == ("Base", True, "office")
    client.post(_url(program, "attributes", office.pk), {"delete": "1"})
    assert not MemberAttribute.objects.filter(pk=office.pk).exists()
    member.refresh_from_db()
    assert member.attributes == {"x": 1}


def test_a_type_with_ties_is_not_deleted(client, staff):
    program, _ = staff
    tie = RelationshipFactory(program=program)
    response = client.post(_url(program, "types", tie.type_id), {"delete": "1"}, follow=True)
    assert "has ties" in response.content.decode()
    assert RelationshipType.objects.filter(pk=tie.type_id).exists()


def test_pasting_members_adds_all_or_none(client, staff):
    program, _ = staff
    bad = client.post(
        _url(program, "members"),
        {"paste": "1", "lines": "Ann Lee, ann@example.org\nBo, not-an-email"},
    )
    assert bad.status_code == 400
    assert "Line 2, email" in bad.content.decode()
    assert not Member.objects.filter(program=program).exists()
    good = client.post(
        _url(program, "members"), {"paste": "1", "lines": "Ann Lee, ann@example.org\nBo Chen"}
    )
    assert good.status_code == 302
    assert sorted(Member.objects.filter(program=program).values_list("name", flat=True)) == [
        "Ann Lee", "Bo Chen",
    ]  # fmt: skip


def test_removing_a_member_erases_them(client, staff):
    program, _ = staff
    member = MemberFactory(program=program)
    client.post(_url(program, "members", member.pk), {"delete": "1"})
    assert not Member.objects.filter(pk=member.pk).exists()


def test_roles_are_given_and_removed(client, staff):
    program, me = staff
    other = UserFactory(username="fac")
    url = reverse("members:setup-roles", args=[program.slug])
    assert client.post(url, {"username": "fac", "role": "facilitator"}).status_code == 302
    role = ProgramRole.objects.get(program=program, user=other)
    assert role.role == "facilitator"
    assert client.post(url, {"username": "ghost", "role": "staff"}).status_code == 400
    client.post(url, {"remove": role.pk})
    assert not ProgramRole.objects.filter(pk=role.pk).exists()


def test_setup_pages_are_for_this_programs_staff_only(client):
    program = ProgramFactory()
    client.force_login(ProgramRoleFactory(role="member", program=program).user)
    assert client.get(_url(program, "cohorts")).status_code in (403, 404)
    client.force_login(ProgramRoleFactory(role="staff").user)
    assert client.get(_url(program, "cohorts")).status_code == 404
