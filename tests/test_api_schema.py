"""The OpenAPI schema generates cleanly, and the API keeps its promises under schemathesis.

schemathesis sends generated requests for every operation of /api/schema/ to the WSGI app
(in this process, on the test database), once as staff of the demo program and once as one
of its members, and checks that no response is a server error and that every documented
response matches its schema and content type. Ten generated cases per operation keep the
whole run within a couple of minutes.
"""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from members.demo import seed as member_services
from members.models import ProgramRole
from netlead.celery import app as celery_app
from netlead.wsgi import application
from networkmaps.runs import services

SLUG = "schema-demo"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
ROLES = ("staff", "member")
# Generated sign-ins to /api/v1/auth/token/ would each spend ~0.5 s on the real hasher.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

User = get_user_model()
config = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 10},
        # The coverage phase adds hundreds of boundary cases per operation: too slow for
        # every CI run; generated examples and fuzzing stay.
        "phases": {"coverage": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/programs/{slug}/relationships/bulk/" in out.read_text()


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """A small demo program with metrics, a staff token and a member token.

    Built once for the module (seeding and computing per operation would take minutes);
    every test still runs in its own rolled-back transaction, so what one operation's
    generated requests change is gone before the next.
    """
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with django_db_blocker.unblock():
        program = member_services.demo_program_seed(slug=SLUG, members=30)
        for round_ in program.rounds.all():
            services.metric_run_request(program=program, round_=round_)
        users = {role: User.objects.create(username=f"schema-{role}") for role in ROLES}
        for role, user in users.items():
            ProgramRole.objects.create(user=user, program=program, role=role)
        tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    celery_app.conf.task_always_eager = eager
    yield {"tokens": tokens}
    with django_db_blocker.unblock():
        member_services.program_delete(program=program)
        User.objects.filter(pk__in=[u.pk for u in users.values()]).delete()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests reach the app through WSGI, not Django's test client, so do what the test
    client does: don't let the end of a request close the connection holding the test's
    transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _call(case, token):
    # Random slugs would only ever meet 404s: aim at the demo program. Ids stay generated,
    # so rows that exist and rows that do not are both tried.
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = SLUG
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


common = hypothesis_settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@pytest.mark.slow
@common
@schema.parametrize()
def test_api_as_staff(case, api_world, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    _call(case, api_world["tokens"]["staff"])


@pytest.mark.slow
@common
@schema.parametrize()
def test_api_as_member(case, api_world, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    _call(case, api_world["tokens"]["member"])
