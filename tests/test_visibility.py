"""One visibility rule: staff see every name; a facilitator or a member sees a member's name
only if that member chose "members"; a survey respondent (personal link, no sign-in) sees
everyone on the roster by name — so they can name them — but a "staff only" member's
title, organisation, email and member id never, and such a member is found by name only
(no cohort or organisation filter lists them). The first test walks every URL pattern a
role can reach (pages, data, posters, the mixer, the API, the survey behind a personal
link, the emails) and reports every surface that breaks the rule in one run; the second
checks that those surfaces do name people who chose "members" (and the respondent the
staff-only member), so the first cannot pass by naming nobody."""

import html
import itertools
import json
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from members.models import Member, Relationship
from networkmaps.models import MetricRun, Poster, Suggestion
from tests.factories import (
    OrganisationFactory,
    ProgramRoleFactory,
    SurveyFactory,
    SurveyInvitationFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db

HIDDEN_NAME = "Zzyzx Hidden-Person"
HIDDEN_EMAIL = "zzyzx.hidden@example.org"
# Labels may be shortened on a poster, so each part of the name counts as a leak too.
SECRETS = (HIDDEN_NAME, "Zzyzx", "Hidden-Person", HIDDEN_EMAIL)
SHOWN_NAME = "Quillon Shown-Person"
SHOWN_MARK = "Quillon"
# What a respondent must never see of the staff-only member, though they see the name.
HIDDEN_TITLE = "Keeper of Vellum Ledgers"
HIDDEN_ORG = "Ostrakon Collective"
RESPONDENT_SECRETS = (HIDDEN_EMAIL, HIDDEN_TITLE, HIDDEN_ORG)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class World:
    program: object
    hidden: Member
    shown: Member
    viewer: Member
    respondent: Member
    clients: dict
    token: str
    values: dict


@dataclass
class Surface:
    role: str
    url: str
    status: int
    text: str | None  # None: a PDF that could not be read here


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _tie(program, round_, source, target) -> Relationship:
    tie, _ = Relationship.objects.get_or_create(
        program=program,
        source=source,
        target=target,
        type=program.relationship_types.order_by("pk").first(),
        round=round_,
        defaults={"strength": 4},
    )
    return tie


@pytest.fixture
def world(demo_program):
    program = demo_program
    round_ = program.current_round()
    people = list(program.members.filter(user=None).order_by("pk")[:8])
    hidden, shown, viewer, respondent, *others = people
    Member.objects.filter(pk=hidden.pk).update(
        name=HIDDEN_NAME,
        email=HIDDEN_EMAIL,
        title=HIDDEN_TITLE,
        organisation=OrganisationFactory(program=program, name=HIDDEN_ORG),
        visibility=Member.Visibility.STAFF,
    )
    Member.objects.filter(pk=shown.pk).update(name=SHOWN_NAME, visibility=Member.Visibility.MEMBERS)
    hidden.refresh_from_db()
    shown.refresh_from_db()
    cohort = program.cohorts.order_by("pk").first()
    for person in (hidden, shown, viewer, respondent):
        if not person.cohorts.exists():
            person.cohorts.add(cohort)
    # The viewer reported both people; the hidden person sits in the middle of the network.
    reported = _tie(program, round_, viewer, hidden)
    _tie(program, round_, viewer, shown)
    _tie(program, round_, hidden, shown)
    _tie(program, round_, respondent, hidden)
    for other in others:
        _tie(program, round_, hidden, other)
        _tie(program, round_, other, shown)
    compute_all_rounds(program)

    users = {}
    for role in ("staff", "facilitator", "member"):
        users[role] = UserFactory(username=f"vis-{role}", email=f"vis-{role}@example.org")
        ProgramRoleFactory(user=users[role], program=program, role=role)
    Member.objects.filter(pk=viewer.pk).update(user=users["member"])
    clients = {role: _client(user) for role, user in users.items()}

    # A survey of the current round, its invitations emailed by staff: the respondent's
    # personal link comes out of the email, as it would in real life.
    survey = SurveyFactory(program=program, round=round_)
    survey.cohorts.set(program.cohorts.all())
    survey.relationship_types.set(program.relationship_types.all())
    for person in (hidden, shown, viewer, respondent):
        SurveyInvitationFactory(survey=survey, member=person)
    response = clients["staff"].post(
        reverse("members:survey-email", kwargs={"slug": program.slug, "survey_id": survey.pk})
    )
    assert response.status_code == 302
    (invitation,) = [m for m in mail.outbox if respondent.email in m.to]
    answer_url = reverse("members:survey-answer", kwargs={"token": "TOKEN"})
    pattern = re.escape(answer_url).replace("TOKEN", r"([^/\s]+)")
    token = re.search(pattern, invitation.body).group(1)

    # The facilitator asks for a poster the way the posters page does.
    posters_url = reverse("networkmaps:posters", kwargs={"slug": program.slug})
    response = clients["facilitator"].post(
        posters_url,
        {
            "round": round_.pk,
            "paper": "A2",
            "orientation": "landscape",
            "colour_by": "community",
            "size_by": "degree",
        },
    )
    assert response.status_code == 302
    poster = Poster.objects.filter(program=program).order_by("-pk").first()
    assert poster is not None and poster.status == Poster.Status.READY, poster

    run = MetricRun.objects.filter(program=program, round=round_, is_current=True).get()
    suggestion = Suggestion.objects.filter(run=run).order_by("pk").first()
    values = {
        "slug": [program.slug],
        "member_id": [hidden.pk, shown.pk, viewer.pk],
        "relationship_id": [reported.pk],
        "suggestion_id": [suggestion.pk] if suggestion else [1],
        "run_id": [run.pk],
        "poster_id": [poster.pk],
        "extension": ["svg", "pdf"],
        "survey_id": [survey.pk],
        "round_id": list(program.rounds.values_list("pk", flat=True)),
        "person_id": [1],
        "removed_id": [1],
        "kind": ["members", "cohorts", "organisations", "types", "rounds", "attributes"],
        "file_format": _export_formats(clients["staff"], program.slug),
        "token": [token],
        "pk": sorted(
            {
                hidden.pk,
                reported.pk,
                round_.pk,
                cohort.pk,
                program.organisations.order_by("pk").first().pk,
                program.relationship_types.order_by("pk").first().pk,
            }
        ),
    }
    return World(program, hidden, shown, viewer, respondent, clients, token, values)


def _export_formats(staff_client, slug) -> list[str]:
    page = staff_client.get(reverse("networkmaps:exports", kwargs={"slug": slug}))
    link = reverse("networkmaps:export-download", kwargs={"slug": slug, "file_format": "FMT"})
    pattern = re.escape(link).replace("FMT", r"([\w-]+)")
    return sorted(set(re.findall(pattern, page.content.decode()))) or ["gexf"]


def _url_names() -> list[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith("accounts/"):
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def _urls(name: str, values: dict) -> tuple[list[str], set[str]]:
    """Every URL of a route built from the smallest set of the world's ids it accepts
    (one URL per value where the world has several), and which ids it took."""
    keys = list(values)
    for count in range(len(keys) + 1):
        for subset in itertools.combinations(keys, count):
            urls = []
            for combo in itertools.product(*(values[k] for k in subset)):
                try:
                    urls.append(reverse(name, kwargs=dict(zip(subset, combo, strict=True))))
                except NoReverseMatch:
                    continue
            if urls:
                return urls, set(subset)
    raise AssertionError(f"cannot reverse {name}")


def _pdf_text(body: bytes, tmp_path) -> str | None:
    path = tmp_path / "surface.pdf"
    path.write_bytes(body)
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    try:
        import pypdf
    except ImportError:
        warnings.warn("PDF not checked: neither pdftotext nor pypdf is installed", stacklevel=2)
        return None
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)


def _surface(role, url, response, tmp_path) -> Surface:
    """What a response shows, less the search words the page merely echoes back."""
    # A streaming response read to the end is closed by the test client. Closing it again
    # fires request_finished unguarded, which on PostgreSQL closes the test's connection.
    streamed = response.streaming
    body = b"".join(response.streaming_content) if streamed else response.content
    if body.startswith(b"%PDF"):
        text = _pdf_text(body, tmp_path)
    else:
        text = body.decode("utf-8", "replace")
        text = f"{text}\n{html.unescape(text)}"
        for word in parse_qs(urlsplit(url).query).get("q", []):
            text = text.replace(word, "")
    return Surface(role, url, response.status_code, text)


def _extra_queries(name: str, world: World) -> list[str]:
    """Query strings that make a page show people: rounds, searches, attendee lists."""
    program = world.program
    rounds = list(program.rounds.order_by("observed_on", "pk").values_list("pk", flat=True))
    hidden_org = world.hidden.organisation_id or ""
    cohorts = list(program.cohorts.values_list("pk", flat=True))
    roster = ["?q=Zzyzx", "?q=Hidden", f"?q={SHOWN_MARK}"]
    roster += [f"?organisation={hidden_org}&offset={o}" for o in range(0, 120, 20)]
    roster += [f"?cohort={c}&offset={o}" for c in cohorts for o in range(0, 120, 20)]
    extra = {
        "networkmaps:map-data": [
            "?anonymised=1",
            *(f"?round={r}" for r in rounds),
            *(f"?round={b}&compare={a}" for a, b in itertools.pairwise(rounds)),
        ],
        "networkmaps:mixer": [
            "?" + urlencode({"cohorts": cohorts, "table_size": 8}, doseq=True),
        ],
        "networkmaps:mixer-print": [
            "?" + urlencode({"cohorts": cohorts, "table_size": 8, "print": kind}, doseq=True)
            for kind in ("sheet", "door", "cards")
        ],
        "networkmaps:mixer-badges": [
            "?" + urlencode({"cohorts": cohorts, "table_size": 8}, doseq=True),
        ],
        "members:survey-roster": roster,
        "members:survey-answer": roster,
    }
    return ["", *extra.get(name, [])]


def _walk(world: World, tmp_path) -> list[Surface]:
    """GET every URL pattern as the facilitator and the member; the survey pages (personal
    link, no sign-in) as the respondent, before and after they pick people the way the page
    does (and once by a raw member id, which must be refused)."""
    surfaces = []
    respondent = Client()
    token_urls = []
    for name in _url_names():
        urls, used = _urls(name, world.values)
        if "token" in used:
            token_urls.extend(urls)
            roles = [("respondent", respondent)]
        else:
            roles = [(r, world.clients[r]) for r in ("facilitator", "member")]
        for role, client in roles:
            for url in urls:
                for query in _extra_queries(name, world):
                    response = client.get(url + query)
                    surfaces.append(_surface(role, url + query, response, tmp_path))
    pick = reverse("members:survey-pick", kwargs={"token": world.token})
    response = respondent.post(
        pick, {"member": world.hidden.pk, "action": "know"}, headers={"HX-Request": "true"}
    )
    surfaces.append(_surface("respondent", f"POST {pick} (by raw id)", response, tmp_path))
    assert "is not on this survey" in response.content.decode()
    roster = reverse("members:survey-roster", kwargs={"token": world.token})
    for search in (SHOWN_MARK, "Zzyzx"):
        found = respondent.get(roster, {"q": search}).content.decode()
        keys = re.findall(r'name="member" value="([^"]+)"', found)
        assert len(keys) == 1, (search, keys)  # each is found by typing their name
        response = respondent.post(
            pick, {"member": keys[0], "action": "know"}, headers={"HX-Request": "true"}
        )
        surfaces.append(
            _surface("respondent", f"POST {pick} (picked {search})", response, tmp_path)
        )
    for url in token_urls:
        response = respondent.get(url)
        surfaces.append(_surface("respondent", f"{url} (after picking)", response, tmp_path))
    return surfaces


def _found(text: str | None, needles) -> list[str]:
    return [needle for needle in needles if text and needle in text]


def _member_ids_shown(text: str | None, member_id: int) -> list[str]:
    """Where a survey page would show a member id: a pick form's value that is not an
    opaque key, a rating field named by id, a data attribute."""
    if not text:
        return []
    values = re.findall(r'name="member" value="([^"]*)"', text)
    shown = [f'member value="{v}"' for v in values if not re.fullmatch(r"[0-9a-f]{20}", v)]
    shown += re.findall(rf'(?<![\w-])(?:types|strength|rate)-{member_id}"', text)
    shown += re.findall(rf'data-member="{member_id}"', text)
    return shown


def _respondent_leaks(surface: Surface, member_id: int) -> list[str]:
    """What the respondent must not see: the staff-only member's details and id anywhere,
    and their name in roster results a cohort or organisation filter chose."""
    found = _found(surface.text, RESPONDENT_SECRETS) + _member_ids_shown(surface.text, member_id)
    query = parse_qs(urlsplit(surface.url).query)
    filtered = ("cohort" in query or "organisation" in query) and "q" not in query
    if filtered and "/roster/" in surface.url:
        found += _found(surface.text, SECRETS)
    return found


def _context(text: str, needle: str, width: int = 50) -> str:
    at = text.index(needle)
    return " ".join(text[max(0, at - width) : at + len(needle) + width].split())


def _own_reports_left_out(surface: Surface) -> Surface:
    """A member's data download gives back the names they typed themselves (their own data,
    issue 16); what it must not add is anyone they did not name."""
    if surface.role != "member" or not surface.url.endswith("/me/data.json") or not surface.text:
        return surface
    data, _ = json.JSONDecoder().raw_decode(surface.text)  # the text is raw, then unescaped
    data["ties"] = [t for t in data.get("ties", []) if not t.get("reported_by_you")]
    return replace(surface, text=json.dumps(data, ensure_ascii=False))


def test_a_staff_only_member_is_named_to_no_facilitator_or_member_and_bare_to_respondents(
    world, tmp_path
):
    surfaces = [_own_reports_left_out(s) for s in _walk(world, tmp_path)]
    leaks = [
        f"{s.role} {s.url} [{s.status}]: {', '.join(found)} in …{_context(s.text, found[0])}…"
        for s in surfaces
        if (
            found := _respondent_leaks(s, world.hidden.pk)
            if s.role == "respondent"
            else _found(s.text, SECRETS)
        )
    ]
    for message in mail.outbox:
        if HIDDEN_EMAIL in message.to:
            continue  # the hidden member's own invitation may greet them by name
        text = "\n".join(
            [message.subject, message.body, *(a[0] for a in getattr(message, "alternatives", []))]
        )
        if found := _found(text, SECRETS):
            leaks.append(f"email to {', '.join(message.to)}: {', '.join(found)}")
    reached = {(s.role, s.url.split("?")[0]) for s in surfaces if s.status == 200}
    slug = world.program.slug
    must_reach = [
        ("facilitator", reverse("networkmaps:map-data", kwargs={"slug": slug})),
        ("facilitator", reverse("networkmaps:mixer", kwargs={"slug": slug})),
        ("member", reverse("networkmaps:my-network", kwargs={"slug": slug})),
        ("respondent", reverse("members:survey-roster", kwargs={"token": world.token})),
    ]
    unreached = [
        f"never reached: {role} {url}" for role, url in must_reach if (role, url) not in reached
    ]
    assert leaks + unreached == [], "\n".join(leaks + unreached)


def test_a_name_shown_to_members_is_named_there_and_staff_see_everyone(world, tmp_path):
    """The control: without it the walk above could pass by showing nobody at all."""
    slug = world.program.slug
    cohorts = list(world.program.cohorts.values_list("pk", flat=True))
    mixer = (
        reverse("networkmaps:mixer", kwargs={"slug": slug})
        + "?"
        + urlencode({"cohorts": cohorts, "table_size": 8}, doseq=True)
    )
    poster = world.values["poster_id"][0]
    checks = [
        ("facilitator", reverse("networkmaps:map-data", kwargs={"slug": slug}), SHOWN_MARK),
        ("facilitator", mixer, SHOWN_MARK),
        *(
            (
                "facilitator",
                reverse(
                    "networkmaps:poster-download",
                    kwargs={"slug": slug, "poster_id": poster, "extension": extension},
                ),
                SHOWN_MARK,
            )
            for extension in ("svg", "pdf")
        ),
        ("member", reverse("networkmaps:my-network", kwargs={"slug": slug}), SHOWN_MARK),
        ("staff", reverse("networkmaps:map-data", kwargs={"slug": slug}), HIDDEN_NAME),
        ("staff", mixer, HIDDEN_NAME),
        (
            "staff",
            reverse("networkmaps:member-page", kwargs={"slug": slug, "member_id": world.viewer.pk}),
            HIDDEN_NAME,
        ),
    ]
    respondent = Client()
    roster = reverse("members:survey-roster", kwargs={"token": world.token})
    missing = []
    for role, url, name in checks:
        surface = _surface(role, url, world.clients[role].get(url), tmp_path)
        if surface.text is not None and name not in surface.text:
            missing.append(f"{role} {url} [{surface.status}]: {name} not shown")
    surface = _surface("respondent", roster, respondent.get(f"{roster}?q={SHOWN_MARK}"), tmp_path)
    if SHOWN_NAME not in surface.text:
        missing.append(f"respondent {roster}?q={SHOWN_MARK} [{surface.status}]: not shown")
    # A staff-only member is on the survey's list by name, so others can name them. (The
    # search word differs in case from the name, so echo-stripping leaves the name whole.)
    surface = _surface("respondent", roster, respondent.get(f"{roster}?q=zzyzx"), tmp_path)
    if HIDDEN_NAME not in surface.text:
        missing.append(f"respondent {roster}?q=zzyzx [{surface.status}]: {HIDDEN_NAME} not shown")
    assert missing == [], "\n".join(missing)


def test_the_consent_screen_says_what_each_choice_shows(world):
    """The member chooses on their own page; it must say what the survey list shows."""
    url = reverse("networkmaps:my-network", kwargs={"slug": world.program.slug})
    page = html.unescape(world.clients["member"].get(url).content.decode())
    assert "Visible to program staff only" in page and "Visible by name to other members" in page
    assert (
        "Your name appears in the survey's list so other members can name you;"
        " your title and organisation do not"
    ) in page
    assert "anonymous dot or code on maps, posters, mixing tables" in page
