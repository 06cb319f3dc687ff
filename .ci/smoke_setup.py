"""Smoke test set-up: accounts for each role on the seeded demo program, and one URL per route.

Run after `seed_demo` and `compute_metrics` on the smoke database:
    python .ci/smoke_setup.py PROGRAM_SLUG OUT.json
Writes the accounts (random passwords) and every named route with its parameters filled from
the demo's rows, for .ci/smoke.py to request over HTTP. Routes whose parameters it cannot fill
are listed as skipped, so a new one shows up in the log instead of going unnoticed.
"""

import datetime
import json
import os
import re
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from members.models import Member, Program, ProgramRole, Relationship  # noqa: E402
from members.surveys import links  # noqa: E402
from members.surveys import services as surveys  # noqa: E402


def account(username: str, *, superuser: bool = False) -> dict:
    password = secrets.token_urlsafe(18)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.email = f"{username}@example.org"
    user.is_staff = user.is_superuser = superuser
    user.set_password(password)
    user.save()
    return {"username": username, "password": password, "user": user}


def routes(resolver=None, prefix: str = "") -> list[tuple[str, list[str]]]:
    """Every named route as (name with namespaces, parameter names)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found += routes(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = entry.pattern
            params = list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
            found.append((prefix + entry.name, params))
    return found


def main(slug: str, out: Path) -> None:
    program = Program.objects.get(slug=slug)
    current = program.rounds.order_by("-observed_on").first()
    people = list(program.members.order_by("pk")[:2])
    me, other = people

    accounts = {
        "superuser": account("smoke-superuser", superuser=True),
        "staff": account("smoke-staff"),
        "facilitator": account("smoke-facilitator"),
        "member": account("smoke-member"),
    }
    for role in ("staff", "facilitator", "member"):
        ProgramRole.objects.update_or_create(
            user=accounts[role]["user"], program=program, defaults={"role": role}
        )
    ProgramRole.objects.update_or_create(
        user=accounts["superuser"]["user"], program=program, defaults={"role": "staff"}
    )
    Member.objects.filter(pk=me.pk).update(user=accounts["member"]["user"])

    # An open survey, so the staff survey pages and the member's personal link have content.
    today = timezone.localdate()
    survey = program.surveys.first() or surveys.survey_create(
        program=program,
        name="Smoke survey",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=14),
        relationship_types=program.relationship_types.all(),
        cohorts=program.cohorts.all(),
        round_=current,
    )
    invitation = survey.invitations.select_related("survey").get(member=me)
    token = links.survey_link_token(invitation=invitation)

    def first_pk(model: str, **filters):
        row = apps.get_model(*model.split(".")).objects.filter(**filters).order_by("pk").first()
        return row.pk if row else None

    values = {
        "slug": slug,
        "member_id": other.pk,
        "survey_id": survey.pk,
        "round_id": current.pk,
        "token": token,
        "relationship_id": first_pk("members.Relationship", program=program, source=me),
        "person_id": first_pk("members.UnlistedPerson", invitation__survey=survey),
        "suggestion_id": first_pk("networkmaps.Suggestion", program=program),
        "run_id": first_pk("networkmaps.MetricRun", program=program),
        "poster_id": first_pk("networkmaps.Poster", program=program),
        "extension": "svg",
        "file_format": "csv-members",
        "kind": "members",  # a setup section (issue 12)
        "object_id": other.pk,
        "app_label": "members",
    }
    # Router detail routes are all `<pk>`: pick the row kind from the route's name.
    detail_pks = {
        "api-program-detail": slug,
        "api-cohort-detail": first_pk("members.Cohort", program=program),
        "api-organisation-detail": first_pk("members.Organisation", program=program),
        "api-member-detail": other.pk,
        "api-relationship-type-detail": first_pk("members.RelationshipType", program=program),
        "api-round-detail": current.pk,
        "api-relationship-detail": first_pk("members.Relationship", program=program),
    }

    urls, skipped = [], []
    for name, params in routes():
        kwargs = {p: detail_pks.get(name) if p == "pk" else values.get(p) for p in params}
        if any(v is None for v in kwargs.values()):
            skipped.append(name)
            continue
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            skipped.append(name)
    # The program's own pages first; the admin's many changelists after.
    urls.sort(key=lambda u: (u.startswith("/admin/"), u))
    survey_link = reverse("members:survey-answer", args=[token])
    assert re.fullmatch(r"/survey/[^/]+/", survey_link)
    out.write_text(
        json.dumps(
            {
                "accounts": {
                    role: {"username": a["username"], "password": a["password"]}
                    for role, a in accounts.items()
                },
                "urls": urls,
                "skipped": skipped,
                "survey_link": survey_link,
                "ties": Relationship.objects.filter(program=program).count(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
