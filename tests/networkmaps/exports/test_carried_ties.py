"""Ties carried from the previous round under the missing-answer rule (issue 13) are marked as
carried in every export format and, for staff, on the map, so nobody takes them for ties
reported in the round."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.responses import response_status_record
from networkmaps.exports.rows import export_data_load
from networkmaps.exports.writers.csv import csv_ties_write
from networkmaps.exports.writers.gexf import gexf_write
from networkmaps.exports.writers.graphml import graphml_write
from networkmaps.exports.writers.kumu import kumu_json_write, kumu_xlsx_write
from networkmaps.maps import data as maps
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried():
    """Six members a-f under "carry forward". Round one (everyone answered): a-b, b-c, c-d,
    d-e, e-f. Round two: a, b, c answered (a-b, a-c); d and e keep d→e and e→f, carried."""
    program = ProgramFactory(missing_answers="carry_forward")
    knows = RelationshipTypeFactory(program=program, name="knows")
    people = [MemberFactory(program=program, name=n) for n in "abcdef"]
    a, b, c, d, e, f = people
    one = RoundFactory(program=program, name="One", observed_on=datetime.date(2024, 1, 1))
    two = RoundFactory(program=program, name="Two", observed_on=datetime.date(2025, 1, 1))
    for x, y in [(a, b), (b, c), (c, d), (d, e), (e, f)]:
        RelationshipFactory(program=program, source=x, target=y, type=knows, round=one)
    for x, y in [(a, b), (a, c)]:
        RelationshipFactory(
            program=program, source=x, target=y, type=knows, round=two, origin="survey"
        )
    everyone = [m.pk for m in people]
    response_status_record(round_=one, answered_ids=everyone)
    response_status_record(round_=two, answered_ids=[a.pk, b.pk, c.pk], asked_ids=everyone)
    return program, two


CARRIED = {("d", "e"), ("e", "f")}
REPORTED = {("a", "b"), ("a", "c")}


def _named(data):
    """File id -> member name (a ... f)."""
    return {m.id: m.label for m in data.members}


def test_tie_list_csv_says_which_ties_were_carried(carried):
    program, two = carried
    data = export_data_load(program=program, round_=two, anonymised=False)
    names = _named(data)
    text = b"".join(csv_ties_write(data)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    marks = {(names[r["from"]], names[r["to"]]): r["carried"] for r in rows}
    assert marks == dict.fromkeys(CARRIED, "true") | dict.fromkeys(REPORTED, "false")


def test_gexf_and_graphml_ties_carry_a_carried_attribute(carried):
    program, two = carried
    data = export_data_load(program=program, round_=two, anonymised=False)
    names = _named(data)

    gexf = ET.fromstring(b"".join(gexf_write(data)))
    ns = {"g": "http://www.gexf.net/1.2draft"}
    declared = gexf.find("g:graph/g:attributes[@class='edge']/g:attribute[@id='carried']", ns)
    assert declared is not None and declared.get("type") == "boolean"
    marks = {}
    for edge in gexf.iterfind("g:graph/g:edges/g:edge", ns):
        value = edge.find("g:attvalues/g:attvalue[@for='carried']", ns).get("value")
        marks[names[edge.get("source")], names[edge.get("target")]] = value
    assert marks == dict.fromkeys(CARRIED, "true") | dict.fromkeys(REPORTED, "false")

    graphml = ET.fromstring(b"".join(graphml_write(data)))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    key = next(k for k in graphml.iterfind("g:key", ns) if k.get("attr.name") == "carried")
    assert key.get("for") == "edge" and key.get("attr.type") == "boolean"
    marks = {}
    for edge in graphml.iterfind("g:graph/g:edge", ns):
        value = edge.find(f"g:data[@key='{key.get('id')}']", ns).text
        marks[names[edge.get("source")], names[edge.get("target")]] = value
    assert marks == dict.fromkeys(CARRIED, "true") | dict.fromkeys(REPORTED, "false")


def test_kumu_connections_say_whether_they_were_carried(carried):
    program, two = carried
    data = export_data_load(program=program, round_=two, anonymised=False)
    names = _named(data)
    blueprint = json.loads(b"".join(kumu_json_write(data)))
    marks = {(names[c["from"]], names[c["to"]]): c["carried"] for c in blueprint["connections"]}
    assert marks == dict.fromkeys(CARRIED, True) | dict.fromkeys(REPORTED, False)

    sheet = load_workbook(io.BytesIO(b"".join(kumu_xlsx_write(data))))["Connections"]
    header, *rows = sheet.iter_rows(values_only=True)
    at = header.index("Carried")
    marks = {(names[r[1]], names[r[2]]): r[at] for r in rows}
    assert marks == dict.fromkeys(CARRIED, True) | dict.fromkeys(REPORTED, False)


def test_anonymised_tie_list_still_marks_carried_ties(carried):
    program, two = carried
    data = export_data_load(program=program, round_=two, anonymised=True)
    assert sorted(t.carried for t in data.ties) == [False, False, True, True]


def _map(client, program, role):
    user = UserFactory()
    ProgramRoleFactory(user=user, program=program, role=role)
    client.force_login(user)
    response = client.get(reverse("networkmaps:map-data", args=[program.slug]))
    assert response.status_code == 200
    return response.json()


def test_staffs_map_marks_carried_ties_and_nobody_elses_does(client, carried):
    program, two = carried
    compute_all_rounds(program)
    data = _map(client, program, "staff")
    labels = data["nodes"]["label"]
    edges = data["edges"]
    marks = {
        (labels[s], labels[t]): bool(c)
        for s, t, c in zip(edges["source"], edges["target"], edges["carried"], strict=True)
    }
    assert marks == dict.fromkeys(CARRIED, True) | dict.fromkeys(REPORTED, False)
    # Who did not answer is staff's to know: a facilitator's map draws the ties unmarked.
    facilitator = _map(client, program, "facilitator")
    assert "carried" not in facilitator["edges"]
    assert len(facilitator["edges"]["source"]) == len(edges["source"])


def test_a_map_without_carried_ties_has_no_carried_column(carried):
    program, two = carried
    program.missing_answers = "reconstruct"
    program.save(update_fields=["missing_answers"])
    compute_all_rounds(program)
    data = maps.map_data(program=program, viewer_role="staff", mark_carried=True)
    assert "carried" not in data["edges"]
