"""Creating a program without the admin: command, API and page; the creator becomes staff."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.models import AuditEvent, Program, ProgramRole
from tests.factories import ProgramFactory, ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _creator():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_program"))
    return user


def _is_staff(program: Program, user) -> bool:
    return ProgramRole.objects.filter(program=program, user=user, role="staff").exists()


def test_program_create_command_makes_the_user_staff():
    user = UserFactory(username="olu")
    out = io.StringIO()
    call_command("program_create", "River Fellows", "--slug", "river", "--staff", "olu", stdout=out)
    program = Program.objects.get(slug="river")
    assert program.name == "River Fellows" and _is_staff(program, user)
    assert "olu is its staff" in out.getvalue()
    assert AuditEvent.objects.filter(program=program).exists()
    with pytest.raises(CommandError, match="slug: “river” is taken"):
        call_command("program_create", "Again", "--slug", "river", "--staff", "olu")
    with pytest.raises(CommandError, match="No user “nobody”"):
        call_command("program_create", "X", "--slug", "x", "--staff", "nobody")


def test_api_post_creates_a_program_for_a_permitted_user(client):
    user = _creator()
    client.force_login(user)
    response = client.post(
        "/api/v1/programs/", {"name": "Delta", "slug": "delta"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "staff"
    assert _is_staff(Program.objects.get(slug="delta"), user)
    bad = client.post(
        "/api/v1/programs/", {"name": "", "slug": "Not A Slug"}, content_type="application/json"
    )
    assert bad.status_code == 400 and {"name", "slug"} <= set(bad.json())


def test_api_post_without_the_permission_is_403(client):
    client.force_login(UserFactory())
    response = client.post(
        "/api/v1/programs/", {"name": "Delta", "slug": "delta"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Program.objects.filter(slug="delta").exists()


def test_new_program_page_creates_and_opens_the_program(client):
    user = _creator()
    client.force_login(user)
    assert "New program" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("members:program-new"), {"name": "Echo", "slug": "echo"})
    assert response.status_code == 302
    program = Program.objects.get(slug="echo")
    assert _is_staff(program, user)
    assert response.url == reverse("members:program-detail", args=["echo"])
    taken = client.post(reverse("members:program-new"), {"name": "Echo 2", "slug": "echo"})
    assert taken.status_code == 400 and "is taken" in taken.content.decode()


def test_without_the_permission_there_is_no_link_and_the_page_is_403(client):
    client.force_login(UserFactory())
    assert "New program" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("members:program-new")).status_code == 403


def test_another_programs_staff_still_get_404(client):
    user = _creator()
    ProgramRoleFactory(user=user)  # staff of some other program
    client.force_login(user)
    client.post(reverse("members:program-new"), {"name": "Mine", "slug": "mine"})
    other = ProgramFactory(slug="theirs")
    assert client.get(reverse("members:program-detail", args=[other.slug])).status_code == 404
    assert client.get("/api/v1/programs/theirs/").status_code == 404


def test_import_network_help_works_with_no_environment():
    done = subprocess.run(
        [sys.executable, "manage.py", "import_network", "--help"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--round-date" in done.stdout and "--directed" in done.stdout


def test_an_empty_program_opens_on_a_checklist_that_ticks_itself_off(client):
    from tests.factories import MemberFactory, RelationshipFactory

    user = _creator()
    client.force_login(user)
    client.post(reverse("members:program-new"), {"name": "Fox", "slug": "fox"})
    page = client.get(reverse("members:program-detail", args=["fox"])).content.decode()
    assert "Get started" in page and "✓" not in page
    program = Program.objects.get(slug="fox")
    MemberFactory(program=program)
    page = client.get(reverse("members:program-detail", args=["fox"])).content.decode()
    assert page.count("✓") == 1
    RelationshipFactory(program=program)
    page = client.get(reverse("members:program-detail", args=["fox"])).content.decode()
    assert "Get started" not in page
