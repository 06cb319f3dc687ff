"""Issue 11 rule 3, "One write path": every way a tie is written refuses the same bad ties
with a clear error (writing nothing), and a good write queues exactly one metric recompute
for the round it changed, once the write is committed.

The paths are driven as users drive them (the REST API, the staff and survey pages, the
management commands), so the test survives moving modules around. The one exception is
`tie_record` (was `relationship_create`), which has no page or endpoint: its import is
marked below, to be updated if it moves.
"""

from __future__ import annotations

import datetime
import html
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from members.models import Member, Program, Relationship, UnlistedPerson
from members.surveys import links, roster
from members.ties import tie_record  # the service; update here if it moves
from networkmaps.models import MetricRun
from tests.factories import (
    CohortFactory,
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OTHER_MEMBER = "other-program member"
SELF_TIE = "self-tie"
STRENGTH_0 = "strength 0"
STRENGTH_6 = "strength 6"
OTHER_ROUND = "other-program round"
BAD_INPUTS = (OTHER_MEMBER, SELF_TIE, STRENGTH_0, STRENGTH_6, OTHER_ROUND)
# A clear error names what is wrong: at least one of these (lower case) is in it.
CLEAR_WORDS = {
    OTHER_MEMBER: ("program", "not on", "no member"),
    SELF_TIE: ("themsel", "yourself"),
    STRENGTH_0: ("strength", "1–5", "1 to 5"),
    STRENGTH_6: ("strength", "1–5", "1 to 5"),
    OTHER_ROUND: ("round",),
}


@dataclass
class World:
    """Program "lakeside": Ann, Bo, Cy in one cohort, "knows", the current round Baseline
    (with the tie Ann — Bo, strength 2) and a later round; and a second program."""

    program: object
    staff: object
    ann: object
    bo: object
    cy: object
    knows: object
    round: object
    later_round: object
    tie: object
    stranger: object
    other_round: object
    api: APIClient
    staff_client: Client
    tmp_path: object
    member_client: Client = field(default_factory=Client)
    token: str = ""  # Ann's personal survey link, once a survey exists
    person: object = None  # the unlisted person Ann named, for merges


@pytest.fixture
def w(tmp_path):
    program = ProgramFactory(slug="lakeside")
    cohort = CohortFactory(program=program)
    # Visible by name to members: a survey respondent can only pick people they may see.
    ann, bo, cy = (
        MemberFactory(
            program=program, name=name, email=f"{name.lower()}@lakeside.example",
            visibility=Member.Visibility.MEMBERS,
        )
        for name in ("Ann", "Bo", "Cy")
    )  # fmt: skip
    for member in (ann, bo, cy):
        member.cohorts.add(cohort)
    knows = RelationshipTypeFactory(program=program, name="knows")
    round_ = RoundFactory(
        program=program, name="Baseline", observed_on=datetime.date(2024, 3, 1), is_current=True
    )
    later = RoundFactory(program=program, name="Year two", observed_on=datetime.date(2025, 3, 1))
    tie = RelationshipFactory(
        program=program, source=ann, target=bo, type=knows, round=round_, strength=2
    )
    other = ProgramFactory(slug="elsewhere")
    stranger = MemberFactory(program=other, name="Stranger", email="stranger@elsewhere.example")
    other_round = RoundFactory(program=other, name="Baseline")
    staff = UserFactory()
    ProgramRoleFactory(user=staff, program=program)
    api = APIClient()
    api.force_authenticate(staff)
    staff_client = Client()
    staff_client.force_login(staff)
    return World(
        program, staff, ann, bo, cy, knows, round_, later, tie, stranger, other_round, api,
        staff_client, tmp_path,
    )  # fmt: skip


def bad_tie(w: World, bad: str) -> dict:
    """Ann → Cy, knows, Baseline, strength 3, with one thing wrong."""
    tie = {"source": w.ann, "target": w.cy, "type": w.knows, "round": w.round, "strength": 3}
    changes = {
        OTHER_MEMBER: {"target": w.stranger},
        SELF_TIE: {"target": w.ann},
        STRENGTH_0: {"strength": 0},
        STRENGTH_6: {"strength": 6},
        OTHER_ROUND: {"round": w.other_round},
    }
    return tie | changes[bad]


def as_ids(tie: dict) -> dict:
    return {name: getattr(value, "pk", value) for name, value in tie.items()}


def ties() -> set[tuple]:
    return set(
        Relationship.objects.values_list(
            "pk", "program_id", "source_id", "target_id", "type_id", "round_id", "strength"
        )
    )


def runs_per_round() -> Counter:
    return Counter(MetricRun.objects.values_list("round_id", flat=True))


_ERROR = re.compile(
    r'<(li|p|div|span)\b[^>]*class="[^"]*\b(?:message-error|error)\b[^"]*"[^>]*>(.*?)</\1>', re.S
)


def page_errors(response) -> list[str]:
    """The error messages a page shows (flash messages, inline errors, problem lists)."""
    found = _ERROR.findall(response.content.decode())
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for _, text in found]


def api_errors(response) -> list[str]:
    assert response.status_code == 400, (response.status_code, response.content)
    body = response.json()
    if "errors" in body:  # bulk: [{index, field, message}]
        return [f"{e['field']}: {e['message']}" for e in body["errors"]]
    return [f"{name}: {message}" for name, messages in body.items() for message in messages]


def has_tie(w: World, target, strength=None) -> bool:
    found = Relationship.objects.filter(source=w.ann, target=target, type=w.knows, round=w.round)
    return found.filter(strength=strength).exists() if strength else found.exists()


# --- the paths -----------------------------------------------------------------------------
# Each path: `good(w)` writes a good tie (asserting that it did) and returns the rounds it
# changed; `bad(w, bad_input)` tries a bad one and returns the errors shown.


def api_create_good(w):
    url = reverse("api-relationship-list", args=[w.program.slug])
    tie = as_ids(bad_tie(w, STRENGTH_0) | {"strength": 4})
    response = w.api.post(url, tie, format="json")
    assert response.status_code == 201, response.content
    assert has_tie(w, w.cy, 4)
    return [w.round]


def api_create_bad(w, bad):
    url = reverse("api-relationship-list", args=[w.program.slug])
    return api_errors(w.api.post(url, as_ids(bad_tie(w, bad)), format="json"))


def api_update_good(w):
    url = reverse("api-relationship-detail", args=[w.program.slug, w.tie.pk])
    response = w.api.patch(url, {"strength": 5}, format="json")
    assert response.status_code == 200, response.content
    assert has_tie(w, w.bo, 5)
    return [w.round]


def api_update_bad(w, bad):
    """Change the one field that is wrong on the tie Ann — Bo (self-tie: target := Ann)."""
    url = reverse("api-relationship-detail", args=[w.program.slug, w.tie.pk])
    tie = bad_tie(w, bad)
    name = {OTHER_MEMBER: "target", SELF_TIE: "target", OTHER_ROUND: "round"}.get(bad, "strength")
    return api_errors(w.api.patch(url, as_ids({name: tie[name]}), format="json"))


def api_delete_good(w):
    url = reverse("api-relationship-detail", args=[w.program.slug, w.tie.pk])
    response = w.api.delete(url)
    assert response.status_code == 204, response.content
    assert not Relationship.objects.filter(pk=w.tie.pk).exists()
    return [w.round]


def bulk_good(w):
    url = reverse("api-relationship-bulk", args=[w.program.slug])
    response = w.api.post(url, [as_ids(bad_tie(w, STRENGTH_0) | {"strength": 4})], format="json")
    assert response.status_code == 200, response.content
    assert has_tie(w, w.cy, 4)
    return [w.round]


def bulk_bad(w, bad):
    url = reverse("api-relationship-bulk", args=[w.program.slug])
    return api_errors(w.api.post(url, [as_ids(bad_tie(w, bad))], format="json"))


MEMBERS_CSV = (
    "name,email\nAnn,ann@lakeside.example\nBo,bo@lakeside.example\nCy,cy@lakeside.example\n"
)


def ties_csv(w: World, tie: dict) -> str:
    return (
        "from,to,type,strength,round\n"
        f"{tie['source'].email},{tie['target'].email},{tie['type'].name},{tie['strength']},"
        f"{tie['round'].name}\n"
    )


def import_command(w, tie) -> list[str]:
    folder = w.tmp_path
    (folder / "members.csv").write_text(MEMBERS_CSV)
    (folder / "ties.csv").write_text(ties_csv(w, tie))
    err = io.StringIO()
    try:
        call_command(
            "import_network",
            program=w.program.slug,
            members=folder / "members.csv",
            ties=folder / "ties.csv",
            stdout=io.StringIO(),
            stderr=err,
        )
    except CommandError as exc:
        return [*err.getvalue().splitlines(), str(exc)]
    return err.getvalue().splitlines()


def import_command_good(w):
    assert import_command(w, bad_tie(w, STRENGTH_0) | {"strength": 4}) == []
    assert has_tie(w, w.cy, 4)
    return [w.round]


def import_command_bad(w, bad):
    return import_command(w, bad_tie(w, bad))


def import_page(w, tie, *, confirm: bool):
    url = reverse("members:import", args=[w.program.slug])
    files = {
        "members_file": SimpleUploadedFile("members.csv", MEMBERS_CSV.encode()),
        "ties_file": SimpleUploadedFile("ties.csv", ties_csv(w, tie).encode()),
        "round_name": "",
    }
    preview = w.staff_client.post(url, files)
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    if not confirm or token is None:
        return preview, page_errors(preview)
    response = w.staff_client.post(url, {"token": token[1], "action": "confirm"}, follow=True)
    return response, page_errors(response)


def import_page_good(w):
    response, errors = import_page(w, bad_tie(w, STRENGTH_0) | {"strength": 4}, confirm=True)
    assert errors == [] and response.status_code == 200, errors
    assert has_tie(w, w.cy, 4)
    return [w.round]


def import_page_bad(w, bad):
    # Confirm too, had the preview offered it: the import must not happen either way.
    return import_page(w, bad_tie(w, bad), confirm=True)[1]


def survey_prepare(w):
    """Staff create a survey of Baseline through the page; Ann's link is read off it."""
    today = timezone.localdate()
    response = w.staff_client.post(
        reverse("members:survey-new", args=[w.program.slug]),
        {
            "name": "Baseline survey",
            "round": w.round.pk,
            "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
            "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
            "relationship_types": [w.knows.pk],
            "cohorts": [w.ann.cohorts.get().pk],
        },
        follow=True,
    )
    link = re.search(
        r'value="[^"]*/survey/([^/"]+)/" aria-label="Personal link of Ann"',
        response.content.decode(),
    )
    assert link, "no personal link for Ann on the survey page"
    w.token = link[1]


def survey_answer(w, *, pick=None, unlisted: str = "", strength=3) -> list[str]:
    """Ann picks someone (or names someone unlisted), rates them and submits."""
    client, token, errors = w.member_client, w.token, []
    client.get(reverse("members:survey-answer", args=[token]))
    ratings = {"action": "review"}
    if pick is not None:
        # The pages name people by an opaque key per invitation, never by member id.
        invitation = links.invitation_from_token(token=token)
        key = roster.person_key(invitation_id=invitation.pk, member_id=pick.pk)
        response = client.post(
            reverse("members:survey-pick", args=[token]),
            {"member": key, "action": "know"},
            HTTP_HX_REQUEST="true",
        )
        errors += page_errors(response)
        ratings |= {f"types-{key}": [w.knows.pk], f"strength-{key}": str(strength)}
    if unlisted:
        response = client.post(
            reverse("members:survey-unlisted", args=[token]),
            {"name": unlisted, "organisation": ""},
            HTTP_HX_REQUEST="true",
        )
        errors += page_errors(response)
        ratings |= {"utypes-0": [w.knows.pk], "ustrength-0": str(strength)}
    response = client.post(reverse("members:survey-questions", args=[token]), ratings, follow=True)
    errors += page_errors(response)
    response = client.post(reverse("members:survey-review", args=[token]), follow=True)
    errors += page_errors(response)
    return errors


def survey_good(w):
    assert survey_answer(w, pick=w.cy, strength=4) == []
    assert has_tie(w, w.cy, 4)
    return [w.round]


def survey_bad(w, bad):
    tie = bad_tie(w, bad)
    return survey_answer(w, pick=tie["target"], strength=tie["strength"])


def merge_prepare(w):
    """Ann submits her survey naming someone not on the roster, strength 4."""
    survey_prepare(w)
    assert survey_answer(w, unlisted="Nadia Newcomer", strength=4) == []
    w.person = UnlistedPerson.objects.get(invitation__member=w.ann, name="Nadia Newcomer")


def merge(w, member) -> list[str]:
    url = reverse("members:unlisted-merge", args=[w.program.slug, w.person.pk])
    response = w.staff_client.post(url, {"member": f"{member.name} (#{member.pk})"}, follow=True)
    assert response.status_code == 200
    return page_errors(response)


def merge_good(w):
    assert merge(w, w.cy) == []
    assert has_tie(w, w.cy, 4)
    return [w.round]


def merge_bad(w, bad):
    return merge(w, bad_tie(w, bad)["target"])


def seed_good(w):
    call_command("seed_demo", members=8, slug="seeded", stdout=io.StringIO())
    program = Program.objects.get(slug="seeded")
    assert program.relationships.exists()
    return list(program.rounds.all())


def admin_post(w, tie: dict):
    """A superuser adds a tie in the Django admin (staff edits outside the API)."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    data = {"program": w.program.pk, "origin": "staff"} | as_ids(tie)
    return client.post(reverse("admin:members_relationship_add"), data)


def admin_good(w):
    response = admin_post(w, bad_tie(w, STRENGTH_0) | {"strength": 4})
    assert response.status_code == 302, response.content
    assert has_tie(w, w.cy, 4)
    return [w.round]


def admin_bad(w, bad):
    response = admin_post(w, bad_tie(w, bad))
    assert response.status_code == 200  # the form again, with its errors
    return [str(error) for error in response.context["adminform"].form.errors.values()]


def service_good(w):
    tie_record(program=w.program, **(bad_tie(w, STRENGTH_0) | {"strength": 4}))
    assert has_tie(w, w.cy, 4)
    return [w.round]


def service_bad(w, bad):
    try:
        tie_record(program=w.program, **bad_tie(w, bad))
    except ValidationError as exc:
        return [str(exc.message_dict)]
    return []


@dataclass
class WritePath:
    name: str
    good: Callable
    bad: Callable | None = None
    prepare: Callable | None = None
    # bad input → why this path cannot even express it
    cannot: dict[str, str] = field(default_factory=dict)


_ROUND_BY_NAME = "ties name their round, looked up (or created) in the importing program only"
_SURVEY_ROUND = "survey ties always go into the survey's own round; nobody names a round"
# Issue 12: a file's numbers are weights in whatever range the file uses; the import keeps them
# and maps them to strength 1-5 by the rule its preview states, so 0 and 6 are not bad input.
_IMPORT_WEIGHT = "imports keep any numeric weight and map it onto strength 1-5"
_MERGE_TIE = "a merge only picks the member; type, strength and round come from the answer"
PATHS = [
    WritePath("api-create", api_create_good, api_create_bad),
    WritePath("api-update", api_update_good, api_update_bad),
    WritePath(
        "api-delete",
        api_delete_good,
        cannot=dict.fromkeys(BAD_INPUTS, "a delete names only the tie, nothing of its contents"),
    ),
    WritePath("api-bulk", bulk_good, bulk_bad),
    WritePath("import-command", import_command_good, import_command_bad,
              cannot={OTHER_ROUND: _ROUND_BY_NAME, STRENGTH_0: _IMPORT_WEIGHT,
                      STRENGTH_6: _IMPORT_WEIGHT}),
    WritePath("import-page", import_page_good, import_page_bad,
              cannot={OTHER_ROUND: _ROUND_BY_NAME, STRENGTH_0: _IMPORT_WEIGHT,
                      STRENGTH_6: _IMPORT_WEIGHT}),
    WritePath("survey-submit", survey_good, survey_bad, prepare=survey_prepare,
              cannot={OTHER_ROUND: _SURVEY_ROUND}),
    WritePath("unlisted-merge", merge_good, merge_bad, prepare=merge_prepare,
              cannot={STRENGTH_0: _MERGE_TIE, STRENGTH_6: _MERGE_TIE, OTHER_ROUND: _MERGE_TIE}),
    WritePath(
        "demo-seed",
        seed_good,
        cannot=dict.fromkeys(BAD_INPUTS, "the seed generates its own ties; it takes no tie input"),
    ),
    WritePath("staff-admin", admin_good, admin_bad),
    WritePath("tie_record", service_good, service_bad),
]  # fmt: skip


def _bad_params():
    # A path that cannot even express a bad input (its reason is in `cannot`) is not asked.
    for path in PATHS:
        for bad in BAD_INPUTS:
            if bad not in path.cannot:
                yield pytest.param(path, bad, id=f"{path.name}-{bad}")


def test_every_path_is_asked_every_bad_input_it_can_express():
    asked = {(p.values[0].name, p.values[1]) for p in _bad_params()}
    for path in PATHS:
        for bad in BAD_INPUTS:
            assert ((path.name, bad) in asked) != (bad in path.cannot), (path.name, bad)
    assert len(asked) >= 30


@pytest.mark.parametrize(("path", "bad"), list(_bad_params()))
def test_a_bad_tie_is_refused_with_a_clear_error_and_nothing_written(
    w, path, bad, django_capture_on_commit_callbacks
):
    if path.prepare:
        path.prepare(w)
    before, runs_before = ties(), runs_per_round()

    with django_capture_on_commit_callbacks(execute=True):
        errors = path.bad(w, bad)

    assert ties() == before, f"{path.name} wrote ties for a {bad}"
    assert runs_per_round() == runs_before, f"{path.name} queued a recompute for a refused tie"
    assert errors, f"{path.name} refused a {bad} without saying why"
    said = " ".join(errors).lower()
    assert any(word in said for word in CLEAR_WORDS[bad]), (
        f"{path.name}'s error for a {bad} does not say what is wrong: {errors}"
    )


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_a_good_write_queues_one_recompute_of_its_round_after_commit(
    w, path, django_capture_on_commit_callbacks
):
    if path.prepare:
        path.prepare(w)
    runs_before = runs_per_round()

    with django_capture_on_commit_callbacks(execute=True):
        rounds = path.good(w)
        assert runs_per_round() == runs_before, f"{path.name} queued a recompute before commit"

    queued = runs_per_round() - runs_before
    assert {r.name: queued[r.pk] for r in rounds} == {r.name: 1 for r in rounds}, (
        f"{path.name} should queue exactly one recompute per changed round, after commit"
    )


def test_the_admin_changes_a_ties_ends_and_strength_but_never_its_program_or_origin(w):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:members_relationship_change", args=[w.tie.pk])
    origin = w.tie.origin
    other = ProgramFactory(slug="third")
    edit = {"program": other.pk, "origin": "api" if origin != "api" else "import"} | as_ids(
        {"source": w.ann, "target": w.cy, "type": w.knows, "round": w.round}
    )
    assert client.post(url, edit | {"strength": 6}).status_code == 200  # still validated
    assert client.post(url, edit | {"strength": 4}).status_code == 302
    w.tie.refresh_from_db()
    assert (w.tie.program, w.tie.origin) == (w.program, origin)
    assert (w.tie.target, w.tie.strength) == (w.cy, 4)
