"""No input gets a 500: every GET parameter of every URL pattern, fuzzed with hostile strings
(Unicode digits, NUL, huge numbers, URLs, SQL, path tricks, random text) as staff, a member
and an anonymous visitor, answers below 500.

Which parameters a route reads is found from its view's own module (every `GET.get("x")`,
`query_params.get("x")`, `"x" in request.GET`, a GET form's fields, a DRF filterset's fields)
plus a few every page could be sent (`page`, `next`, `format`, `q`), so a parameter added to
a page tomorrow is fuzzed tomorrow. Each route first gets every hostile value of a fixed list
in each of its parameters, then hypothesis draws combinations of random ones.
"""

import datetime
import inspect
import itertools
import logging
import re
import sys
import time

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.demo import seed
from members.models import Member, Relationship
from members.surveys import links
from members.surveys import services as surveys
from netlead.celery import app as celery_app
from networkmaps.maps import posters as maps
from networkmaps.models import Suggestion
from tests.factories import ProgramRoleFactory, UserFactory
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db

HOSTILE = [
    "²", "٣", "１２", "𝟙", "١٢", "\x00", "a\x00b", "abc", "-1", "0", "1.5", "1e3", "NaN", "inf",
    "99999999999999999999999999", "-99999999999999999999", " 1", "", " ", "a:b", "members:x",
    "//evil.example/", "https://evil.example/", "javascript:alert(1)", "' OR 1=1--", "%", "%00",
    "[]", "{}", "<script>x</script>", "../../etc/passwd", "\u202e\u200b", "\ufeff", "x" * 5000,
    "true", "yes", "1,2", "A" * 300, "\\", "\n\r", "ß", "İ", "9999-12-31", "0001-01-01",
]  # fmt: skip
ALWAYS = ("page", "next", "format", "q")
READS = re.compile(
    r"""(?:GET|query_params|data)(?:\.get|\.getlist)?\(?\[?\s*["']([a-z_][a-z0-9_]*)["']"""
    r"""|["']([a-z_][a-z0-9_]*)["']\s+in\s+(?:request\.)?(?:GET|query_params)"""
)
THIRD_PARTY = ("admin", "accounts/")


def _routes(resolver=None, prefix=""):
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or str(entry.pattern).startswith(THIRD_PARTY):
                continue
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found += _routes(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append(prefix + entry.name)
    return sorted(set(found))


def _reverse(name, values, details):
    values = {k: v for k, v in values.items() if v is not None}
    if name in details:
        values["pk"] = details[name]
    keys = list(values)
    for count in range(len(keys) + 1):
        for subset in itertools.combinations(keys, count):
            try:
                return reverse(name, kwargs={k: values[k] for k in subset})
            except NoReverseMatch:
                continue
    return None


def _parameters(url: str) -> list[str]:
    """The GET parameters the view behind `url` reads (see the module docstring)."""
    func = resolve(url).func
    view = getattr(func, "cls", None) or getattr(func, "view_class", None) or func
    module = sys.modules.get(getattr(view, "__module__", ""), None)
    names = set(ALWAYS)
    try:
        source = inspect.getsource(module) if module else ""
    except (OSError, TypeError):
        source = ""
    names |= {a or b for a, b in READS.findall(source)}
    for form in re.findall(r"(\w+Form)\(request\.GET", source):
        form_class = getattr(module, form, None)
        names |= set(getattr(form_class, "base_fields", {}))
    filterset = getattr(view, "filterset_class", None)
    names |= set(getattr(filterset, "base_filters", {}))
    names |= set(getattr(view, "filterset_fields", None) or ())
    return sorted(names)


@pytest.fixture(scope="module")
def fuzzed(django_db_setup, django_db_blocker):
    """The demo program, computed, with a member, staff, a poster and a survey: built once for
    the module (seeding and computing it is most of a test's set-up) inside a transaction
    rolled back at the end. Each test runs in a savepoint of it (pytest-django's django_db),
    so what one test writes is gone before the next."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield _world()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def world(fuzzed):
    program, users, urls = fuzzed
    return users, urls


def _world():
    program = seed.demo_program_seed()
    compute_all_rounds(program)
    member = program.members.order_by("pk")[4]
    users = {"anonymous": None}
    for role in ("member", "staff"):
        users[role] = UserFactory(username=f"fuzz-{role}", email=f"fuzz-{role}@example.org")
        ProgramRoleFactory(user=users[role], program=program, role=role)
    Member.objects.filter(pk=member.pk).update(user=users["member"])
    round_ = program.current_round()
    poster = maps.poster_request(
        program=program, round_=round_, options=maps.PosterOptions(paper="A3")
    )
    today = timezone.localdate()
    survey = surveys.survey_create(
        program=program, name="Fuzz survey", round_=round_,
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=9),
        relationship_types=program.relationship_types.all(), cohorts=program.cohorts.all(),
    )  # fmt: skip
    invitation = survey.invitations.select_related("survey").get(member=member)
    run = program.metric_runs.filter(is_current=True, round=round_).get()
    values = {
        "slug": program.slug,
        "member_id": program.members.order_by("pk")[7].pk,
        "relationship_id": Relationship.objects.filter(program=program, source=member)
        .values_list("pk", flat=True)
        .first(),
        "suggestion_id": Suggestion.objects.filter(run=run).exclude(member_a=None).first().pk,
        "run_id": run.pk,
        "poster_id": poster.pk,
        "extension": "svg",
        "survey_id": survey.pk,
        "round_id": round_.pk,
        "person_id": 1,
        "removed_id": 1,
        "kind": "cohorts",
        "file_format": "csv-members",
        "token": links.survey_link_token(invitation=invitation),
    }
    details = {
        "api-program-detail": program.slug,
        "api-cohort-detail": program.cohorts.first().pk,
        "api-organisation-detail": program.organisations.first().pk,
        "api-member-detail": member.pk,
        "api-relationship-type-detail": program.relationship_types.first().pk,
        "api-round-detail": round_.pk,
        "api-relationship-detail": Relationship.objects.filter(program=program).first().pk,
    }
    urls = {}
    for name in _routes():
        url = _reverse(name, values, details)
        if url is not None:
            urls[name] = url
    return program, users, urls


def _get(client, url, params):
    try:
        return client.get(url, params).status_code
    except Exception as exc:  # noqa: BLE001 — an exception the test client raises is a 500
        return f"{type(exc).__name__}: {str(exc)[:120]}"


def _bad(status) -> bool:
    return not isinstance(status, int) or status >= 500


def test_every_route_is_fuzzed(world):
    users, urls = world
    # A route the fixture could not fill would escape the fuzzing: fill it above.
    assert sorted(set(_routes()) - set(urls)) == []


# Each in every parameter of every route, one parameter at a time.
KILLERS = ["²", "\x00", "abc", "99999999999999999999999999"]


@pytest.fixture(autouse=True)
def _quiet(caplog):
    # Each 500 would log its traceback; the failure list says enough.
    logging.getLogger("django.request").disabled = True
    yield
    logging.getLogger("django.request").disabled = False


@pytest.mark.slow
@pytest.mark.parametrize("role", ["staff", "member", "anonymous"])
def test_no_get_parameter_makes_a_5xx(client, world, role):
    users, urls = world
    if users[role] is not None:
        client.force_login(users[role])
    failures, timings = [], {}
    for name, url in urls.items():
        started = time.monotonic()
        parameters = _parameters(url)
        tries = [{p: v} for p, v in itertools.product(parameters, KILLERS)]
        # The rest of the list in every parameter at once.
        tries += [dict.fromkeys(parameters, v) for v in HOSTILE if v not in KILLERS]
        for params in tries:
            status = _get(client, url, params)
            if _bad(status):
                failures.append(f"{status} {url}?{_shown(params)}")
                break  # one per route is enough to fix it
        timings[name] = time.monotonic() - started
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:5]
    print("slowest routes:", ", ".join(f"{n} {t:.1f}s" for n, t in slowest))
    assert failures == [], "\n".join(failures)


def _shown(params: dict) -> str:
    return "&".join(f"{k}={v[:30]!r}" for k, v in params.items())[:200]


@pytest.mark.slow
@pytest.mark.parametrize("role", ["staff", "member", "anonymous"])
def test_random_parameter_combinations_make_no_5xx(client, world, role):
    users, urls = world
    if users[role] is not None:
        client.force_login(users[role])
    failures = []
    texts = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
        st.integers().map(str),
    )
    for url in urls.values():
        try:
            _fuzz_route(client, url, _parameters(url), texts)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0][:300])
    assert failures == [], "\n".join(failures)


def _fuzz_route(client, url, parameters, texts):
    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(params=st.dictionaries(st.sampled_from(parameters), texts, max_size=4))
    def fuzz(params):
        status = _get(client, url, params)
        assert not _bad(status), f"{status} {url}?{_shown(params)}"

    fuzz()


OFF_SITE = [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "a:b", "javascript:alert(1)", "members:survey-list", "http:/evil.example", "/\x00x",
]  # fmt: skip


def test_next_on_staff_posts_stays_on_site(client, world):
    users, urls = world
    client.force_login(users["staff"])
    posts = [
        (urls["members:survey-settings"], {"counted_ties": "all"}),
        (urls["networkmaps:suggestion-act"], {"status": "dismissed"}),
        (urls["networkmaps:weaving-act"], {"status": "dismissed"}),
    ]
    for (url, data), next_ in itertools.product(posts, OFF_SITE):
        response = client.post(url, {**data, "next": next_})
        assert response.status_code < 500, url
        if response.status_code in (301, 302, 303):
            location = response["Location"]
            assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_a_nul_in_an_imported_name_is_no_500_and_leaves_no_upload(
    client, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    users, urls = world
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["staff"])
    data = b"name,email\nNul\x00Person,nul.person@example.org\n"
    preview = client.post(
        urls["members:import"], {"members_file": SimpleUploadedFile("people.csv", data)}
    )
    assert preview.status_code == 200
    token = re.search(rb'name="token" value="([^"]+)"', preview.content).group(1).decode()
    done = client.post(urls["members:import"], {"token": token, "action": "confirm"})
    assert done.status_code < 500
    assert Member.objects.filter(name="NulPerson").exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_nul_in_a_form_field_is_refused_with_400(client, world):
    users, urls = world
    client.force_login(users["staff"])
    # A browser's form post (urlencoded): refused before the view, naming the field.
    body = urlencode({"name": "Survey\x00one"})
    kind = "application/x-www-form-urlencoded"
    response = client.post(urls["members:survey-new"], body, content_type=kind)
    assert response.status_code == 400 and "“name”" in response.content.decode()
    # A multipart post reaches the form, whose fields refuse NUL: a form error, not a 500.
    response = client.post(urls["members:survey-new"], {"name": "Survey\x00one"})
    assert response.status_code == 200 and response.context["form"].errors


def test_an_import_the_database_refuses_shows_no_sql(
    client, world, settings, tmp_path, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import IntegrityError

    from members.imports import services as imports

    def refuse(**kwargs):
        raise IntegrityError(
            'duplicate key value violates unique constraint "member_email"\n'
            "DETAIL:  Key (program_id, lower(email))=(1, secret@example.org) already exists."
        )

    monkeypatch.setattr(imports, "plan_write", refuse)
    users, urls = world
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["staff"])
    data = b"name,email\nNew Person,new.person@example.org\n"
    page = client.post(
        urls["members:import"], {"members_file": SimpleUploadedFile("people.csv", data)}
    )
    token = re.search(rb'name="token" value="([^"]+)"', page.content)
    if token:
        page = client.post(
            urls["members:import"], {"token": token.group(1).decode(), "action": "confirm"},
            follow=True,
        )  # fmt: skip
    text = page.content.decode()
    assert page.status_code < 500
    assert "refused the import" in text
    assert "DETAIL" not in text and "secret@example.org" not in text and "constraint" not in text


def test_model_choices_refuse_ids_the_database_cannot_hold(client, fuzzed):
    program, users, urls = fuzzed
    staff_client = client
    staff_client.force_login(users["staff"])
    # SQLite raises OverflowError on a 23-digit id; "²" is no id at all.
    url = reverse("members:survey-new", args=[program.slug])
    kinds = program.relationship_types.first().pk
    cohort = program.cohorts.first().pk
    base = {"name": "S", "opens_on": "2026-01-01", "closes_on": "2026-02-01", "cohorts": [cohort]}
    huge = "99999999999999999999999"
    page = staff_client.post(url, {**base, "relationship_types": [huge], "round": huge})
    assert page.status_code == 200 and {"relationship_types", "round"} <= set(
        page.context["form"].errors
    )
    page = staff_client.post(url, {**base, "relationship_types": [kinds], "round": "²"})
    assert page.status_code == 200 and "round" in page.context["form"].errors
    assert staff_client.post(url, {**base, "relationship_types": [kinds]}).status_code == 302
