import pytest
from django.urls import reverse

from members.models import Program
from tests.factories import ProgramFactory, ProgramRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_sign_in_page_renders(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_landing_page_lists_only_the_users_programs(client, staff_user, demo_program):
    other = ProgramFactory(name="Secret Other Fellowship")
    client.force_login(staff_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Northwind Fellows" in response.content
    assert b"120 members" in response.content
    assert other.name.encode() not in response.content


def test_landing_page_query_count_does_not_grow_with_programs(
    client, django_assert_max_num_queries
):
    user = UserFactory()
    for _ in range(5):
        ProgramRoleFactory(user=user)
    client.force_login(user)
    # One more than the programs need: may this user create programs (the New program link)?
    with django_assert_max_num_queries(5):
        client.get(reverse("home"))


def test_program_page_shows_rounds_and_cohorts(staff_client, demo_program):
    response = staff_client.get(reverse("members:program-detail", args=[demo_program.slug]))
    assert response.status_code == 200
    assert b"Year two" in response.content and b"Fellows 2019" in response.content


def test_program_of_another_tenant_is_not_found(client, staff_user):
    stranger = ProgramFactory()
    client.force_login(staff_user)
    response = client.get(reverse("members:program-detail", args=[stranger.slug]))
    assert response.status_code == 404
    assert stranger.name.encode() not in response.content


def test_sign_in_with_the_printed_demo_login_works(client, db):
    from django.core.management import call_command

    call_command("seed_demo", "--members", "30", "--login", "demo:netlead-demo")
    response = client.post(
        reverse("account_login"), {"login": "demo", "password": "netlead-demo"}, follow=True
    )
    assert response.status_code == 200
    assert b"Northwind Fellows" in response.content


def test_healthz(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize(
    "model",
    ["program", "programrole", "cohort", "organisation", "member", "relationshiptype", "round",
     "relationship"],
)  # fmt: skip
def test_admin_lists_work_with_search(admin_client, demo_program, model):
    response = admin_client.get(reverse(f"admin:members_{model}_changelist"), {"q": "a"})
    assert response.status_code == 200


def test_admin_member_filters(admin_client, demo_program):
    url = reverse("admin:members_member_changelist")
    response = admin_client.get(url, {"sector": "health", "program__id__exact": demo_program.pk})
    assert response.status_code == 200
    assert Program.objects.count() == 1


def test_favicon_ico_points_at_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")
