"""Exports of a program round: GEXF, GraphML, Kumu (JSON and workbook), CSV member/tie lists.

The GEXF 1.2 XSD ships in no PyPI, npm or Debian package this project can install, so the
GEXF test reads the file back with networkx and checks it against the rules of the GEXF 1.2
schema that our writer touches (`_assert_gexf_12`), not against the XSD itself.
"""

import csv
import io
import json
import logging
import xml.etree.ElementTree as ET

import networkx as nx
import openpyxl
import pytest
from django.urls import reverse

from members.models import Member, Organisation
from networkmaps.exports import formats as exports
from networkmaps.exports.writers.graph_xml import cluster_colour
from networkmaps.models import NodeMetric
from tests.factories import (
    CohortFactory,
    MemberFactory,
    ProgramFactory,
    ProgramRoleFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _gexf_boolean(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"not a GEXF boolean: {text!r}")
    return text == "true"


GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"


def _export(program, fmt, *, anonymised=False, round_name=None, user=None) -> bytes:
    round_ = exports.export_round(program=program, name=round_name)
    file = exports.export_build(
        program=program, round_=round_, fmt=fmt, anonymised=anonymised, user=user
    )
    return b"".join(file.chunks)


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _assert_gexf_12(root: ET.Element) -> None:
    """The GEXF 1.2 schema's rules for what our writer emits (see the module docstring)."""
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.2"
    children = [child.tag for child in root]
    assert children == [f"{GEXF}meta", f"{GEXF}graph"]
    graph = root.find(f"{GEXF}graph")
    assert graph.get("defaultedgetype") in {"directed", "undirected", "mutual"}
    assert graph.get("mode") in {"static", "dynamic"}
    declared = {"node": {}, "edge": {}}
    for attributes in graph.findall(f"{GEXF}attributes"):
        assert attributes.get("class") in declared
        for attribute in attributes:
            assert attribute.tag == f"{GEXF}attribute"
            assert attribute.get("id") and attribute.get("title")
            assert attribute.get("type") in {
                "integer", "long", "double", "float", "boolean", "liststring", "string",
                "anyURI",
            }  # fmt: skip
            declared[attributes.get("class")][attribute.get("id")] = attribute.get("type")
    parse = {"integer": int, "double": float, "string": str, "boolean": _gexf_boolean}

    def check_values(element, kind):
        for attvalues in element.findall(f"{GEXF}attvalues"):
            for value in attvalues:
                assert value.tag == f"{GEXF}attvalue"
                type_ = declared[kind][value.get("for")]  # refers to a declared attribute
                parse[type_](value.get("value"))  # and its value has that type

    node_ids = set()
    for node in graph.find(f"{GEXF}nodes"):
        assert node.tag == f"{GEXF}node" and node.get("id") not in node_ids
        node_ids.add(node.get("id"))
        check_values(node, "node")
        color = node.find(f"{VIZ}color")
        if color is not None:
            assert all(0 <= int(color.get(c)) <= 255 for c in "rgb")
        position = node.find(f"{VIZ}position")
        if position is not None:
            [float(position.get(axis)) for axis in "xyz"]
        size = node.find(f"{VIZ}size")
        if size is not None:
            assert float(size.get("value")) >= 0
    edge_ids = set()
    for edge in graph.find(f"{GEXF}edges"):
        assert edge.tag == f"{GEXF}edge" and edge.get("id") not in edge_ids
        edge_ids.add(edge.get("id"))
        assert {edge.get("source"), edge.get("target")} <= node_ids
        assert edge.get("type") in {"directed", "undirected", "mutual"}
        float(edge.get("weight"))
        check_values(edge, "edge")


def test_gexf_reads_back_with_positions_colours_sizes_and_metrics(computed):
    content = _export(computed, "gexf")
    _assert_gexf_12(ET.fromstring(content))
    graph = nx.read_gexf(io.BytesIO(content))
    round_ = computed.current_round()
    member = Member.objects.filter(program=computed).order_by("pk").first()
    metric = NodeMetric.objects.get(member=member, run__round=round_, run__is_current=True)
    assert graph.number_of_nodes() == computed.members.count()
    assert graph.number_of_edges() == round_.ties.filter(type__directed=True).count() + (
        2 * round_.ties.filter(type__directed=False).count()  # "mutual" reads as both ways
    )
    node = graph.nodes[member.external_id]
    assert node["label"] == member.name
    assert node["organisation"] == member.organisation.name
    assert node["degree"] == metric.degree
    assert node["betweenness"] == pytest.approx(metric.betweenness)
    assert node["viz"]["position"]["x"] == pytest.approx(metric.x)
    assert node["viz"]["position"]["y"] == pytest.approx(-metric.y)
    assert node["viz"]["size"] >= 5
    colour = cluster_colour(metric.community).lstrip("#")
    assert "{r:02X}{g:02X}{b:02X}".format(**node["viz"]["color"]) == colour
    _, _, edge = next(iter(graph.edges(data=True)))
    assert edge["round"] == round_.name and 1 <= edge["weight"] <= 5
    assert edge["relationship type"] in {"knows", "collaborates with", "seeks advice from"}


def test_gexf_before_any_metric_run_still_has_every_member_and_tie(demo_program):
    content = _export(demo_program, "gexf", round_name="Baseline")
    _assert_gexf_12(ET.fromstring(content))
    graph = nx.read_gexf(io.BytesIO(content))
    assert graph.number_of_nodes() == demo_program.members.count()


def test_graphml_reads_back(computed):
    graph = nx.read_graphml(io.BytesIO(_export(computed, "graphml", round_name="Baseline")))
    round_ = computed.rounds.get(name="Baseline")
    assert graph.number_of_nodes() == computed.members.count()
    assert graph.number_of_edges() == round_.ties.count()
    member = computed.members.order_by("pk").first()
    node = graph.nodes[member.external_id]
    assert node["label"] == member.name and isinstance(node["degree"], int)
    assert node["color"].startswith("#") and "x" in node and "closeness" in node
    types = {d["relationship_type"]: d["directed"] for _, _, d in graph.edges(data=True)}
    assert types["seeks advice from"] is True and types["knows"] is False
    assert {d["round"] for _, _, d in graph.edges(data=True)} == {"Baseline"}


def test_kumu_blueprint_ids_are_stable_from_export_to_export(computed):
    first = json.loads(_export(computed, "kumu-json"))
    second = json.loads(_export(computed, "kumu-json"))
    assert set(first) == {"elements", "connections"}
    ids = [e["id"] for e in first["elements"]]
    assert ids == [e["id"] for e in second["elements"]]
    assert len(set(ids)) == computed.members.count()
    connection_ids = [c["id"] for c in first["connections"]]
    assert connection_ids == [c["id"] for c in second["connections"]]
    assert len(set(connection_ids) | set(ids)) == len(connection_ids) + len(ids)
    assert {c["from"] for c in first["connections"]} <= set(ids)
    element = first["elements"][0]
    assert {"label", "type", "tags", "cohort", "betweenness"} <= set(element)


def test_member_without_external_id_gets_an_id_from_the_database_id(demo_program):
    member = demo_program.members.order_by("pk").first()
    Member.objects.filter(pk=member.pk).update(external_id="")
    elements = json.loads(_export(demo_program, "kumu-json"))["elements"]
    assert f"netlead-{member.pk}" in {e["id"] for e in elements}


def test_kumu_workbook_has_elements_and_connections(computed):
    workbook = openpyxl.load_workbook(io.BytesIO(_export(computed, "kumu-xlsx")))
    assert workbook.sheetnames == ["Elements", "Connections"]
    elements = list(workbook["Elements"].values)
    assert elements[0][:4] == ("ID", "Label", "Type", "Tags")
    assert len(elements) - 1 == computed.members.count()
    connections = list(workbook["Connections"].values)
    assert connections[0][:7] == ("ID", "From", "To", "Type", "Direction", "Strength", "Round")
    assert len(connections) - 1 == computed.current_round().ties.count()
    tagged = next(row for row in elements[1:] if row[3] and "|" in row[3])
    assert len(tagged[3].split("|")) >= 2


def test_csv_member_and_tie_lists(computed):
    members = _csv(_export(computed, "csv-members"))
    ties = _csv(_export(computed, "csv-ties"))
    assert len(members) == computed.members.count()
    assert {"id", "name", "email", "cohort", "betweenness", "reach_two_steps"} <= set(members[0])
    assert len(ties) == computed.current_round().ties.count()
    assert set(ties[0]) == {
        "from", "to", "type", "direction", "strength", "round", "round_date", "carried",
    }  # fmt: skip
    assert {t["carried"] for t in ties} == {"false"}  # the demo carries nothing forward
    assert {t["from"] for t in ties} <= {m["id"] for m in members}


def test_spreadsheet_cells_that_look_like_formulas_are_escaped(demo_program):
    organisation = Organisation.objects.create(program=demo_program, name="+SUM(1,1)")
    member = demo_program.members.order_by("pk").first()
    member.name = '=HYPERLINK("http://evil.example","click")'
    member.title = "-2+3"
    member.email = "@evil@example.org"
    member.organisation = organisation
    member.sector = "\tcmd"
    member.save()
    members = _csv(_export(demo_program, "csv-members"))
    row = next(r for r in members if r["id"] == member.external_id)
    assert row["name"] == "'" + member.name
    assert row["organisation"] == "'+SUM(1,1)"
    assert row["title"] == "'-2+3" and row["email"] == "'@evil@example.org"
    assert row["sector"] == "'\tcmd"
    workbook = openpyxl.load_workbook(io.BytesIO(_export(demo_program, "kumu-xlsx")))
    cells = next(r for r in workbook["Elements"].iter_rows() if r[0].value == member.external_id)
    assert cells[1].value == "'" + member.name and cells[1].data_type == "s"
    assert all(c.data_type != "f" for row in workbook["Elements"].iter_rows() for c in row)


def test_metric_numbers_are_not_escaped(computed):
    members = _csv(_export(computed, "csv-members"))
    assert all(not r["betweenness"].startswith("'") for r in members)


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_anonymised_export_names_nobody(computed, fmt):
    Member.objects.filter(pk=computed.members.order_by("pk").first().pk).update(external_id="")
    content = _export(computed, fmt, anonymised=True)
    if fmt == "kumu-xlsx":  # the text is in compressed XML parts: look at the cells instead
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        content = "\n".join(
            str(v) for sheet in workbook for row in sheet.values for v in row if v is not None
        ).encode()
    text = content.decode("utf-8")
    secrets = set()
    for member in computed.members.select_related("organisation"):
        secrets |= {member.name, member.email, member.title, member.organisation.name}
        secrets |= {member.external_id} if member.external_id else {f"netlead-{member.pk}"}
    leaked = sorted(s for s in secrets if s and s in text)
    assert not leaked
    assert "Member 1" in text or "member-1" in text


def test_anonymised_ids_are_shuffled_afresh_for_each_export(computed):
    def ids_by_degree(content):
        members = _csv(content)
        return [m["id"] for m in members]

    first = ids_by_degree(_export(computed, "csv-members", anonymised=True))
    second = ids_by_degree(_export(computed, "csv-members", anonymised=True))
    assert sorted(first) == sorted(second)
    members_first = _csv(_export(computed, "csv-members", anonymised=True))
    assert [m["id"] for m in members_first] == sorted(first, key=lambda i: int(i.rsplit("-", 1)[1]))
    named = _csv(_export(computed, "csv-members"))
    # Same people, unrelated numbering: the shuffled order is not the database order.
    assert [m["betweenness"] for m in members_first] != [m["betweenness"] for m in named]


def test_each_export_is_audit_logged_once(computed, caplog):
    user = UserFactory()
    with caplog.at_level(logging.INFO, logger="netlead.exports"):
        _export(computed, "gexf", anonymised=True, user=user)
    [record] = [r for r in caplog.records if r.getMessage() == "export"]
    assert (record.user, record.program, record.format, record.anonymised) == (
        user.username, computed.slug, "gexf", True,
    )  # fmt: skip


# --- pages and API ------------------------------------------------------------------------


def test_staff_export_page_lists_every_format_and_round(staff_client, demo_program):
    response = staff_client.get(reverse("networkmaps:exports", args=[demo_program.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    for file_format in exports.FORMATS.values():
        assert file_format.label in page
    assert "Baseline" in page and "Year two" in page


def test_staff_page_download_streams_a_named_file(staff_client, demo_program):
    url = reverse("networkmaps:export-download", args=[demo_program.slug, "csv-ties"])
    response = staff_client.get(url, {"round": "Baseline", "anonymised": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert "northwind-fellows-baseline-anonymised-ties.csv" in disposition
    ties = _csv(b"".join(response.streaming_content))
    assert len(ties) == demo_program.rounds.get(name="Baseline").ties.count()


def test_api_export_of_a_round(staff_client, demo_program):
    url = reverse("api-export", args=[demo_program.slug, "kumu-json"])
    response = staff_client.get(url, {"round": "Baseline"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    blueprint = json.loads(b"".join(response.streaming_content))
    assert {c["round"] for c in blueprint["connections"]} == {"Baseline"}


def test_api_export_of_an_unknown_round_or_format(staff_client, demo_program):
    url = reverse("api-export", args=[demo_program.slug, "gexf"])
    response = staff_client.get(url, {"round": "Nope"})
    assert response.status_code == 400 and "Nope" in response.json()["round"][0]
    url = reverse("api-export", args=[demo_program.slug, "pdf"])
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["member", "facilitator", None])
def test_exports_are_not_found_for_non_staff(client, demo_program, role):
    user = UserFactory()
    if role:
        ProgramRoleFactory(user=user, program=demo_program, role=role)
    client.force_login(user)
    assert client.get(reverse("api-export", args=[demo_program.slug, "gexf"])).status_code == 404
    page = reverse("networkmaps:exports", args=[demo_program.slug])
    assert client.get(page).status_code == 404
    download = reverse("networkmaps:export-download", args=[demo_program.slug, "gexf"])
    assert client.get(download).status_code == 404


def test_member_cohorts_are_listed_earliest_first_as_the_metrics_group_them():
    """The export lists a member's cohorts in the metric run's order (by year, then the
    order they were created; a cohort without a year last), so the first cohort in the file
    is the one the member is grouped with on the map and in E-I."""
    program = ProgramFactory()
    RoundFactory(program=program, name="Baseline", is_current=True)
    later = CohortFactory(program=program, name="Zeta 2019", year=2019)
    same_year = CohortFactory(program=program, name="Alpha 2019", year=2019)
    undated = CohortFactory(program=program, name="Associates", year=None)
    earliest = CohortFactory(program=program, name="Pioneers", year=2015)
    member = MemberFactory(program=program)
    member.cohorts.set([undated, same_year, later, earliest])
    rows = _csv(_export(program, "csv-members"))
    assert rows[0]["cohort"] == "Pioneers|Zeta 2019|Alpha 2019|Associates"
