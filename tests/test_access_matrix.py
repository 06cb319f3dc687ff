"""Every URL pattern, requested as each kind of visitor, answers exactly what that role may
see. A URL that is not classified here fails the test, so new pages must decide."""

import itertools

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from members.demo import seed as member_services
from members.models import Member, Relationship
from networkmaps.maps import posters as maps
from networkmaps.models import Suggestion
from networkmaps.runs import compute, services
from tests.factories import ProgramRoleFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page
ROLES = ("anonymous", "member", "facilitator", "staff", "other_staff")

KINDS = {
    "public": dict.fromkeys(ROLES, 200),
    "public_redirect": dict.fromkeys(ROLES, 302),  # the same elsewhere for everyone
    "signed_in": {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)},
    "any_role": {"anonymous": LOGIN, "member": 200, "facilitator": 200, "staff": 200,
                 "other_staff": 404},
    "own_member": {"anonymous": LOGIN, "member": 200, "facilitator": 404, "staff": 404,
                   "other_staff": 404},
    "staff": {"anonymous": LOGIN, "member": 404, "facilitator": 404, "staff": 200,
              "other_staff": 404},
    "staff_facilitator": {"anonymous": LOGIN, "member": 404, "facilitator": 200, "staff": 200,
                          "other_staff": 404},
    "post_only": {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 405)},
    "api_staff": {"anonymous": 403, "member": 404, "facilitator": 404, "staff": 200,
                  "other_staff": 404},
    "api_signed_in": {"anonymous": 403, **dict.fromkeys(ROLES[1:], 200)},
    "api_post_only": {"anonymous": 403, **dict.fromkeys(ROLES[1:], 405)},
    "api_public_post_only": dict.fromkeys(ROLES, 405),
    "api_any_role": {"anonymous": 403, "member": 200, "facilitator": 200, "staff": 200,
                     "other_staff": 404},
    "api_staff_post_only": {"anonymous": 403, "member": 404, "facilitator": 404, "staff": 405,
                            "other_staff": 404},
    # Creating programs needs members.add_program (or a superuser): no program role grants it.
    "program_creator": {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 403)},
    "token": dict.fromkeys(ROLES, "refused"),  # a bogus token: a clear 400/410 page
}  # fmt: skip

URLS = {
    "home": "signed_in",
    "healthz": "public",
    "favicon": "public_redirect",
    "invitation-accept": "token",
    "api-schema": "public",
    "api-docs": "public",
    "api-token": "api_public_post_only",
    "api-program-list": "api_signed_in",
    "members:program-detail": "any_role",
    "members:program-new": "program_creator",
    "members:setup": "staff",
    "members:setup-roles": "staff",
    "members:program-settings": "staff",
    "networkmaps:round-rules": "post_only",
    "networkmaps:indicator-directions": "post_only",
    "api-round-comparison": "api_staff",
    "networkmaps:my-network": "own_member",
    "members:my-data": "own_member",
    "members:my-profile": "own_member",
    "members:my-settings": "post_only",
    "members:my-tie-remove": "post_only",
    "members:my-tie-correct": "post_only",
    "networkmaps:my-introduction-ask": "post_only",
    "members:my-tie-restore": "post_only",
    "members:survey-consent": "token",
    "networkmaps:member-page": "staff",
    "members:member-erase": "post_only",
    "members:invitations": "staff",
    "members:audit-log": "staff",
    "members:import": "staff",
    "members:survey-list": "staff",
    "members:survey-new": "staff",
    "members:survey-settings": "post_only",
    "members:survey-detail": "staff",
    "members:survey-email": "post_only",
    "members:survey-close": "post_only",
    "members:survey-email-confirm": "staff",
    "members:survey-close-confirm": "staff",
    "members:survey-edit": "staff",
    "members:survey-questions-edit": "staff",
    "members:survey-reminder": "post_only",
    "members:survey-reopen": "post_only",
    "members:invitation-change": "post_only",
    "members:unlisted-merge": "post_only",
    "networkmaps:round-report": "staff",
    "members:survey-answer": "token",
    "members:survey-roster": "token",
    "members:survey-pick": "token",
    "members:survey-unlisted": "token",
    "members:survey-questions": "token",
    "members:survey-still": "token",
    "members:survey-review": "token",
    "members:survey-done": "token",
    "networkmaps:dashboard": "staff",
    "networkmaps:run-start": "post_only",
    "networkmaps:run-status": "staff",
    "networkmaps:member-table": "staff",
    "networkmaps:weaving": "staff",
    "networkmaps:suggestion-act": "post_only",
    "networkmaps:weaving-act": "post_only",
    "networkmaps:weaving-what-if": "staff",
    "networkmaps:weaving-ask": "post_only",
    "networkmaps:mixer": "staff_facilitator",
    "networkmaps:mixer-print": "staff_facilitator",
    "networkmaps:mixer-badges": "staff_facilitator",
    "networkmaps:map": "staff_facilitator",
    "networkmaps:map-data": "staff_facilitator",
    "networkmaps:posters": "staff_facilitator",
    "networkmaps:poster-status": "staff_facilitator",
    "networkmaps:poster-download": "staff_facilitator",
    "networkmaps:exports": "staff",
    "networkmaps:export-download": "staff",
    "api-program-metrics": "api_staff",
    "api-member-metrics": "api_staff",
    "api-metric-runs": "api_staff",
    "api-metric-run-detail": "api_staff",
    "api-suggestions": "api_staff",
    "api-suggestion-detail": "api_post_only",
    "api-decision-history": "api_staff",
    "api-export": "api_staff",
    "api-program-detail": "api_any_role",
    "api-cohort-list": "api_staff",
    "api-cohort-detail": "api_staff",
    "api-organisation-list": "api_staff",
    "api-organisation-detail": "api_staff",
    "api-member-list": "api_staff",
    "api-member-detail": "api_staff",
    "api-relationship-type-list": "api_staff",
    "api-relationship-type-detail": "api_staff",
    "api-round-list": "api_staff",
    "api-round-detail": "api_staff",
    "api-relationship-list": "api_staff",
    "api-relationship-bulk": "api_staff_post_only",
    "api-relationship-detail": "api_staff",
}

THIRD_PARTY = ("admin", "accounts/", "static", "media")


def _our_url_names():
    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith("accounts/"):
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                                pattern.namespace or namespace)  # fmt: skip
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_url_pattern_is_classified():
    unclassified = [name for name in _our_url_names() if name not in URLS]
    assert unclassified == [], "classify these URLs in tests/test_access_matrix.py"
    stale = [name for name in URLS if name not in _our_url_names()]
    assert stale == []


@pytest.fixture
def world(demo_program):
    program = demo_program
    for round_ in program.rounds.all():
        run = services.metric_run_request(program=program, round_=round_)
        compute.metric_run_execute(run_id=run.pk)
    member = program.members.order_by("pk")[4]
    users = {"anonymous": None}
    for role in ("member", "facilitator", "staff"):
        users[role] = UserFactory(username=f"as-{role}", email=f"{role}@example.org")
        ProgramRoleFactory(user=users[role], program=program, role=role)
    Member.objects.filter(pk=member.pk).update(user=users["member"])
    other = member_services.demo_program_seed(slug="other-program", members=20)
    users["other_staff"] = UserFactory(username="as-other-staff")
    ProgramRoleFactory(user=users["other_staff"], program=other)
    round_ = program.current_round()
    poster = maps.poster_request(
        program=program, round_=round_, options=maps.PosterOptions(paper="A3")
    )
    survey = SurveyFactory(program=program, round=round_)
    run = program.metric_runs.filter(is_current=True, round=round_).get()
    objects = {
        "slug": program.slug,
        "member_id": member.pk,
        "relationship_id": Relationship.objects.filter(program=program).first().pk,
        "suggestion_id": Suggestion.objects.filter(run=run).exclude(member_a=None).first().pk,
        "run_id": run.pk,
        "poster_id": poster.pk,
        "extension": "svg",
        "survey_id": survey.pk,
        "round_id": round_.pk,
        "person_id": 1,
        "removed_id": 1,  # a member's tie removal (post only: never looked up on GET)
        "file_format": "gexf",
        "kind": "cohorts",
        "token": "bogus-token",
        "pk": None,  # filled per API detail route
    }
    details = {
        "api-cohort-detail": program.cohorts.first().pk,
        "api-organisation-detail": program.organisations.first().pk,
        "api-member-detail": member.pk,
        "api-relationship-type-detail": program.relationship_types.first().pk,
        "api-round-detail": round_.pk,
        "api-relationship-detail": objects["relationship_id"],
        # Query strings some routes need to answer 200 (the round compared with).
        "?api-round-comparison": f"?against={round_.previous().pk}",
    }
    return program, users, objects, details


def _url(name, objects, details):
    """Reverse a route with the smallest set of the world's ids that it accepts."""
    values = {k: v for k, v in objects.items() if v is not None}
    if name in details:
        values["pk"] = details[name]
    keys = list(values)
    for count in range(len(keys) + 1):
        for subset in itertools.combinations(keys, count):
            try:
                return reverse(name, kwargs={k: values[k] for k in subset})
            except NoReverseMatch:
                continue
    raise AssertionError(f"cannot reverse {name}")


def test_each_role_gets_exactly_what_it_may_see(client, world):
    program, users, objects, details = world
    problems = []
    for name, kind in URLS.items():
        url = _url(name, objects, details) + details.get(f"?{name}", "")
        for role, expected in KINDS[kind].items():
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            response = client.get(url)
            got = response.status_code
            if expected == LOGIN:
                ok = got == 302 and "/accounts/login/" in response["Location"]
            elif expected == "refused":
                ok = got in (400, 404, 410)
            else:
                ok = got == expected
            if not ok:
                problems.append(f"{name} as {role}: expected {expected}, got {got} ({url})")
    assert problems == [], "\n".join(problems)


def test_api_lists_never_include_another_programs_rows(client, world):
    program, users, objects, details = world
    client.force_login(users["other_staff"])
    listing = client.get(reverse("api-program-list")).json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [p["slug"] for p in rows] == ["other-program"]
    client.force_login(users["staff"])
    members = client.get(reverse("api-member-list", kwargs={"slug": program.slug})).json()
    rows = members["results"] if isinstance(members, dict) else members
    other_ids = set(Member.objects.exclude(program=program).values_list("pk", flat=True))
    assert rows and not other_ids & {m["id"] for m in rows}
