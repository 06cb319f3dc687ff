"""Issue 11, rule 1 ("one reader"): every view of a round shows the same ties.

A program that counts confirmed survey ties only (`SurveySettings.ties_count = both`) has a
round with confirmed survey ties, one-sided survey ties (A named B, B did not name A) and
imported / staff-entered ties. The metric run, the map, the member's ego map, every export,
the round report and the weaving queue's pair sketches must all draw that round's network
from the same set of ties: the imported and staff ones plus the confirmed survey ones.

Everything is read the way a person or another tool reads it (HTTP responses, the stored
models), so the test survives the code moving between modules. Ties are compared as
unordered pairs of member names: the relationship types of a pair are merged, as the
metrics merge them.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from members.models import Member, ProgramRole, Relationship, SurveySettings
from networkmaps.models import MetricRun, NetworkMetric, NodeMetric
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    UserFactory,
)
from tests.metric_runs import compute_all_rounds

Pair = frozenset[str]
SURVEY, IMPORT, STAFF = (Relationship.Origin.SURVEY, Relationship.Origin.IMPORT,
                         Relationship.Origin.STAFF)  # fmt: skip
NAMES = ("Ada", "Ben", "Cy", "Dee", "Eve", "Fay", "Gus")
EGO = "Ada"  # the member with a login whose "My network" page is checked
# (source, target, type, origin) of the survey round.
ROUND_TIES = [
    # Confirmed: both reported the other (with the same type, or with another one).
    ("Ada", "Ben", "knows", SURVEY),
    ("Ben", "Ada", "knows", SURVEY),
    ("Ada", "Cy", "seeks advice from", SURVEY),
    ("Cy", "Ada", "knows", SURVEY),
    # One-sided: nobody reported these back, so they must not count anywhere.
    ("Ada", "Dee", "knows", SURVEY),
    ("Eve", "Ben", "knows", SURVEY),
    ("Fay", "Gus", "seeks advice from", SURVEY),
    # Imported or entered by staff: always counted, nobody asked both sides.
    ("Ben", "Cy", "knows", STAFF),
    ("Dee", "Eve", "knows", IMPORT),
    ("Cy", "Fay", "seeks advice from", IMPORT),
]
BASELINE_TIES = [
    ("Ada", "Ben", "knows", IMPORT),
    ("Ada", "Dee", "knows", IMPORT),
    ("Fay", "Gus", "knows", IMPORT),
]
ONE_SIDED: set[Pair] = {
    frozenset(("Ada", "Dee")),
    frozenset(("Ben", "Eve")),
    frozenset(("Fay", "Gus")),
}
EXPORT_TIE_FORMATS = ("gexf", "graphml", "kumu-json", "kumu-xlsx", "csv-ties")
EXPORT_MEMBER_FORMATS = ("csv-members",)


def _pairs(ties) -> set[Pair]:
    return {frozenset((source, target)) for source, target, *_ in ties}


EXPECTED: set[Pair] = _pairs(ROUND_TIES) - ONE_SIDED
EXPECTED_BASELINE: set[Pair] = _pairs(BASELINE_TIES)


def _neighbours(pairs: set[Pair]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        a, b = sorted(pair)
        out[a].add(b)
        out[b].add(a)
    return out


def _show(pairs: set[Pair]) -> list[str]:
    return sorted("–".join(sorted(pair)) for pair in pairs)


def assert_same_ties(surface: str, shown: set[Pair], expected: set[Pair] = EXPECTED) -> None:
    extra, missing = shown - expected, expected - shown
    assert not extra and not missing, (
        f"{surface} disagrees with the confirmed-ties network: shows {_show(extra)} it should "
        f"not (one-sided survey ties among them: {_show(extra & ONE_SIDED)}), "
        f"misses {_show(missing)}"
    )


@dataclass
class World:
    program: object
    survey_round: object
    baseline: object
    members: dict[str, Member]
    staff: Client
    ego: Client

    def name_of(self, member_id: int) -> str:
        return next(name for name, m in self.members.items() if m.pk == member_id)


@pytest.fixture
def world(db) -> World:
    """Seven members, two relationship types, a baseline and a survey round (the current one)
    in "confirmed ties only" mode, computed; a staff client and Ada's own client."""
    program = ProgramFactory(slug="confirmed-only")
    SurveySettings.objects.create(program=program, ties_count=SurveySettings.TiesCount.BOTH_SIDES)
    types = {
        "knows": RelationshipTypeFactory(program=program, name="knows", directed=False),
        "seeks advice from": RelationshipTypeFactory(
            program=program, name="seeks advice from", directed=True
        ),
    }
    # Visible by name, so the ego map labels everyone it draws.
    members = {
        name: MemberFactory(program=program, name=name, visibility=Member.Visibility.MEMBERS)
        for name in NAMES
    }
    baseline = RoundFactory(program=program, name="Baseline", observed_on=datetime.date(2023, 3, 1))
    survey_round = RoundFactory(
        program=program, name="Year one", observed_on=datetime.date(2024, 3, 1), is_current=True
    )
    for round_, ties in ((baseline, BASELINE_TIES), (survey_round, ROUND_TIES)):
        for source, target, type_name, origin in ties:
            RelationshipFactory(
                program=program, round=round_, source=members[source], target=members[target],
                type=types[type_name], origin=origin,
            )  # fmt: skip
    compute_all_rounds(program)

    staff_user = UserFactory(username="round-staff")
    ProgramRoleFactory(user=staff_user, program=program, role=ProgramRole.Role.STAFF)
    ego_user = UserFactory(username="ada")
    ProgramRoleFactory(user=ego_user, program=program, role=ProgramRole.Role.MEMBER)
    members[EGO].user = ego_user
    members[EGO].save()
    staff, ego = Client(), Client()
    staff.force_login(staff_user)
    ego.force_login(ego_user)
    return World(program, survey_round, baseline, members, staff, ego)


def test_the_round_has_one_sided_confirmed_and_imported_ties(world):
    """Guards the fixture: without one-sided ties the other tests would prove nothing."""
    recorded = Relationship.objects.filter(round=world.survey_round)
    names = {m.pk: name for name, m in world.members.items()}
    assert {frozenset((names[s], names[t])) for s, t in recorded.values_list("source", "target")} \
        == EXPECTED | ONE_SIDED  # fmt: skip
    assert ONE_SIDED and not ONE_SIDED & EXPECTED
    assert recorded.exclude(origin=SURVEY).exists()


# --- the metric run ------------------------------------------------------------------------


def test_metric_run_counts_only_confirmed_ties(world):
    run = MetricRun.objects.current().get(round=world.survey_round)
    ties = NetworkMetric.objects.get(run=run, name="ties").value
    assert ties == len(EXPECTED), f"metric run counts {ties} ties, expected {len(EXPECTED)}"
    neighbours = _neighbours(EXPECTED)
    degrees = {
        world.name_of(member_id): degree
        for member_id, degree in NodeMetric.objects.filter(run=run).values_list(
            "member_id", "degree"
        )
    }
    assert degrees == {name: len(neighbours[name]) for name in NAMES}, "metric run degrees"


# --- the staff map -------------------------------------------------------------------------


def test_map_data_draws_only_confirmed_ties(world):
    url = reverse("networkmaps:map-data", args=[world.program.slug])
    data = world.staff.get(url, {"round": world.survey_round.pk}).json()
    assert "error" not in data, data
    names = [world.name_of(member_id) for member_id in data["nodes"]["id"]]
    edges = data["edges"]
    shown = {
        frozenset((names[a], names[b]))
        for a, b in zip(edges["source"], edges["target"], strict=True)
    }
    assert_same_ties("map data (map-data JSON)", shown)
    assert data["counts"]["ties"] == len(EXPECTED), "map data counts.ties"


# --- the member's ego map ------------------------------------------------------------------

_EGO_SVG = re.compile(r'<svg class="ego-map".*?</svg>', re.S)
_CIRCLE = re.compile(r'<circle cx="([^"]+)" cy="([^"]+)"[^>]*><title>([^<]*)</title>')
_LINE = re.compile(r'<line x1="([^"]+)" y1="([^"]+)" x2="([^"]+)" y2="([^"]+)"')


def _within_two_steps(pairs: set[Pair], me: str) -> set[str]:
    neighbours = _neighbours(pairs)
    direct = neighbours[me]
    return {me} | direct | {n for d in direct for n in neighbours[d]}


def test_ego_map_draws_only_confirmed_ties(world):
    response = world.ego.get(reverse("networkmaps:my-network", args=[world.program.slug]))
    assert response.status_code == 200
    svg = _EGO_SVG.search(response.content.decode())
    assert svg, "the ego map was not drawn"
    at = {(x, y): label for x, y, label in _CIRCLE.findall(svg.group())}
    assert len(at) == len(_CIRCLE.findall(svg.group())), "two ego-map people share a point"
    shown = {frozenset((at[x1, y1], at[x2, y2])) for x1, y1, x2, y2 in _LINE.findall(svg.group())}
    near = _within_two_steps(EXPECTED, EGO)
    expected = {pair for pair in EXPECTED if pair <= near}
    assert_same_ties(f"{EGO}'s ego map (my-network)", shown, expected)
    assert set(at.values()) == near, "ego map people within two steps"


# --- exports -------------------------------------------------------------------------------


def _download(world: World, file_format: str) -> bytes:
    url = reverse("networkmaps:export-download", args=[world.program.slug, file_format])
    response = world.staff.get(url, {"round": world.survey_round.name})
    assert response.status_code == 200, f"{file_format} export: HTTP {response.status_code}"
    return b"".join(response.streaming_content)


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _gexf_pairs(world: World) -> set[tuple[str, str]]:
    root = ET.fromstring(_download(world, "gexf"))
    label = {e.get("id"): e.get("label") for e in root.iter() if _local(e.tag) == "node"}
    return {
        (label[e.get("source")], label[e.get("target")])
        for e in root.iter()
        if _local(e.tag) == "edge"
    }


def _graphml_pairs(world: World) -> set[tuple[str, str]]:
    root = ET.fromstring(_download(world, "graphml"))
    elements = list(root.iter())
    label_key = next(
        e.get("id")
        for e in elements
        if _local(e.tag) == "key" and e.get("for") == "node" and e.get("attr.name") == "label"
    )
    label = {
        node.get("id"): next(d.text for d in node if d.get("key") == label_key)
        for node in elements
        if _local(node.tag) == "node"
    }
    return {
        (label[e.get("source")], label[e.get("target")])
        for e in elements
        if _local(e.tag) == "edge"
    }


def _kumu_json_pairs(world: World) -> set[tuple[str, str]]:
    blueprint = json.loads(_download(world, "kumu-json"))
    label = {e["id"]: e["label"] for e in blueprint["elements"]}
    return {(label[c["from"]], label[c["to"]]) for c in blueprint["connections"]}


def _kumu_xlsx_pairs(world: World) -> set[tuple[str, str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(_download(world, "kumu-xlsx")), read_only=True)

    def rows(sheet: str) -> list[dict]:
        header, *body = workbook[sheet].iter_rows(values_only=True)
        return [dict(zip(header, row, strict=False)) for row in body]

    label = {row["ID"]: row["Label"] for row in rows("Elements")}
    return {(label[row["From"]], label[row["To"]]) for row in rows("Connections")}


def _csv_ties_pairs(world: World) -> set[tuple[str, str]]:
    # The tie list refers to the ids of the member list.
    label = {row["id"]: row["name"] for row in _csv(_download(world, "csv-members"))}
    return {(label[row["from"]], label[row["to"]]) for row in _csv(_download(world, "csv-ties"))}


EXPORT_READERS = {
    "gexf": _gexf_pairs,
    "graphml": _graphml_pairs,
    "kumu-json": _kumu_json_pairs,
    "kumu-xlsx": _kumu_xlsx_pairs,
    "csv-ties": _csv_ties_pairs,
}


def test_every_offered_export_format_is_checked(world):
    page = world.staff.get(reverse("networkmaps:exports", args=[world.program.slug]))
    prefix = reverse("networkmaps:export-download", args=[world.program.slug, "FORMAT"])
    prefix = re.escape(prefix.split("FORMAT")[0])
    offered = set(re.findall(prefix + r"([\w-]+)/", page.content.decode()))
    assert offered == set(EXPORT_TIE_FORMATS) | set(EXPORT_MEMBER_FORMATS)


@pytest.mark.parametrize("file_format", EXPORT_TIE_FORMATS)
def test_export_holds_only_confirmed_ties(world, file_format):
    shown = {frozenset(pair) for pair in EXPORT_READERS[file_format](world)}
    assert_same_ties(f"the {file_format} export", shown)


@pytest.mark.parametrize("file_format", EXPORT_MEMBER_FORMATS)
def test_member_list_export_degrees_count_only_confirmed_ties(world, file_format):
    neighbours = _neighbours(EXPECTED)
    rows = _csv(_download(world, file_format))
    degrees = {row["name"]: int(float(row["degree"])) for row in rows}
    assert degrees == {name: len(neighbours[name]) for name in NAMES}, (
        f"the {file_format} export's degree column"
    )


# --- the round report ----------------------------------------------------------------------

_REPORT_STATS = re.compile(
    r'stat-value">(\d+)</span><span class="stat-label">ties now \((\d+) before\)</span>.*?'
    r'stat-value">\+(\d+)</span><span class="stat-label">new ties</span>.*?'
    r'stat-value">−(\d+)</span><span class="stat-label">ties ended</span>',
    re.S,
)


def test_round_report_counts_only_confirmed_ties(world):
    url = reverse("networkmaps:round-report", args=[world.program.slug, world.survey_round.pk])
    response = world.staff.get(url, {"before": world.baseline.pk})
    assert response.status_code == 200
    stats = _REPORT_STATS.search(response.content.decode())
    assert stats, "the round report shows no tie counts"
    now, before, new, ended = map(int, stats.groups())
    assert {"now": now, "before": before, "new": new, "ended": ended} == {
        "now": len(EXPECTED),
        "before": len(EXPECTED_BASELINE),
        "new": len(EXPECTED - EXPECTED_BASELINE),
        "ended": len(EXPECTED_BASELINE - EXPECTED),
    }, "the round report's tie counts"


# --- the weaving queue ---------------------------------------------------------------------

_SUGGESTION = re.compile(r'<article class="q-item.*?</article>', re.S)
_SKETCH_LABEL = re.compile(r'aria-label="([^"]+) and ([^"]+) with their contacts; (\d+) shared"')
_SKETCH_LINE = re.compile(r'<line x1="([^"]+)"[^>]*class="sk-(shared|own)"')
PAIR_X, OTHER_X = "60.0", "160.0"  # where the sketch draws the pair's two people


def _sketch_expected(a: str, b: str, pairs: set[Pair]) -> dict[str, int]:
    neighbours = _neighbours(pairs)
    na, nb = neighbours[a], neighbours[b]
    return {
        "shared": len(na & nb),
        f"{a}'s other contacts": len(na - nb - {b}),
        f"{b}'s other contacts": len(nb - na - {a}),
    }


def test_weaving_sketches_draw_only_confirmed_ties(world):
    response = world.staff.get(reverse("networkmaps:weaving", args=[world.program.slug]))
    assert response.status_code == 200
    sketches = {}
    for article in _SUGGESTION.findall(response.content.decode()):
        label = _SKETCH_LABEL.search(article)
        if label is None:
            continue  # key players: no pair, no sketch
        a, b, shared = label.group(1), label.group(2), int(label.group(3))
        lines = _SKETCH_LINE.findall(article)
        sketches[a, b] = {
            "shared": shared,
            f"{a}'s other contacts": sum(x == PAIR_X for x, role in lines if role == "own"),
            f"{b}'s other contacts": sum(x == OTHER_X for x, role in lines if role == "own"),
        }
    one_sided_people = set().union(*ONE_SIDED)
    assert any({a, b} & one_sided_people for a, b in sketches), (
        f"no pair sketch touches a member with a one-sided tie: {sorted(sketches)}"
    )
    wrong = {
        f"{a} & {b}": {"shown": shown, "confirmed": _sketch_expected(a, b, EXPECTED)}
        for (a, b), shown in sketches.items()
        if shown != _sketch_expected(a, b, EXPECTED)
    }
    assert not wrong, f"weaving queue pair sketches disagree with the confirmed ties: {wrong}"
