"""Trust and value answers travel with each tie into the CSV, GraphML, GEXF and Kumu files."""

import csv
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from members.models.surveys import MemberAnswer, SurveyQuestion, TieRating
from networkmaps.exports.rows import export_data_load
from networkmaps.exports.writers.csv import csv_members_write, csv_ties_write
from networkmaps.exports.writers.gexf import gexf_write
from networkmaps.exports.writers.graphml import graphml_write
from networkmaps.exports.writers.kumu import kumu_json_write, kumu_xlsx_write
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
    SurveyFactory,
    SurveyInvitationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated():
    program = ProgramFactory()
    round_ = RoundFactory(program=program)
    knows = RelationshipTypeFactory(program=program, name="knows")
    advice = RelationshipTypeFactory(program=program, name="seeks advice from", directed=True)
    a, b, c, d = (MemberFactory(program=program) for _ in range(4))
    for source, target, type_ in ((a, b, knows), (c, d, advice), (a, d, knows)):
        RelationshipFactory(program=program, round=round_, source=source, target=target,
                            type=type_)  # fmt: skip
    for source, target, key, value in (
        (a, b, "trust", 4), (b, a, "trust", 2), (a, b, "value", 5),  # undirected: both sides
        (c, d, "trust", 3), (d, c, "trust", 1),  # directed: only c's answer about d
    ):  # fmt: skip
        TieRating.objects.create(round=round_, source=source, target=target, key=key, value=value)
    return program, round_, (a, b, c, d)


def _text(chunks):
    return b"".join(chunks).decode("utf-8-sig")


def test_each_tie_carries_the_mean_of_its_answers(rated):
    program, round_, (a, b, c, d) = rated
    data = export_data_load(program=program, round_=round_, anonymised=False)
    by_pair = {(t.source, t.target): (t.trust, t.value) for t in data.ties}
    ids = {m.label: m.id for m in data.members}
    assert by_pair[ids[a.name], ids[b.name]] == (3.0, 5.0)
    assert by_pair[ids[c.name], ids[d.name]] == (3.0, None)
    assert by_pair[ids[a.name], ids[d.name]] == (None, None)
    rows = list(csv.DictReader(io.StringIO(_text(csv_ties_write(data)))))
    got = {(r["from"], r["to"]): (r["trust"], r["value"]) for r in rows}
    assert got[ids[a.name], ids[b.name]] == ("3.0", "5.0")
    assert got[ids[a.name], ids[d.name]] == ("", "")
    graphml = _text(graphml_write(data))
    assert 'attr.name="trust"' in graphml and ">3.0</data>" in graphml
    gexf = _text(gexf_write(data))
    assert '<attvalue for="trust" value="3.0"/>' in gexf
    assert '<attvalue for="value" value="5.0"/>' in gexf


def test_files_without_answers_keep_their_columns(rated):
    program, round_, _ = rated
    TieRating.objects.all().delete()
    data = export_data_load(program=program, round_=round_, anonymised=False)
    header = _text(csv_ties_write(data)).splitlines()[0]
    assert header == "from,to,type,direction,strength,round,round_date,carried"
    assert "trust" not in _text(gexf_write(data))
    blueprint = json.loads(b"".join(kumu_json_write(data)))
    assert not {"trust", "value"} & set(blueprint["connections"][0])


def test_kumu_connections_carry_trust_and_value(rated):
    program, round_, (a, b, c, d) = rated
    data = export_data_load(program=program, round_=round_, anonymised=False)
    ids = {m.label: m.id for m in data.members}
    blueprint = json.loads(b"".join(kumu_json_write(data)))
    got = {(c["from"], c["to"]): (c["trust"], c["value"]) for c in blueprint["connections"]}
    assert got[ids[a.name], ids[b.name]] == (3.0, 5.0)
    assert got[ids[c.name], ids[d.name]] == (3.0, None)
    assert got[ids[a.name], ids[d.name]] == (None, None)
    sheet = load_workbook(io.BytesIO(b"".join(kumu_xlsx_write(data))))["Connections"]
    header, *rows = sheet.iter_rows(values_only=True)
    trust, value = header.index("Trust"), header.index("Value")
    got = {(r[1], r[2]): (r[trust], r[value]) for r in rows}
    assert got[ids[a.name], ids[b.name]] == (3, 5)
    assert got[ids[a.name], ids[d.name]] == (None, None)


def test_answers_about_oneself_are_in_the_named_member_file_only(rated):
    program, round_, (a, b, c, d) = rated
    survey = SurveyFactory(program=program, round=round_)
    SurveyQuestion.objects.create(survey=survey, key="areas", kind=SurveyQuestion.Kind.MULTIPLE,
                                  text="Issue areas", choices=["Health", "Water"])  # fmt: skip
    done = SurveyInvitationFactory(survey=survey, member=a, submitted_at=timezone.now())
    MemberAnswer.objects.create(invitation=done, key="areas", value=["Health", "Water"])
    draft = SurveyInvitationFactory(survey=survey, member=b)  # not submitted: not exported
    MemberAnswer.objects.create(invitation=draft, key="areas", value=["Water"])
    named = export_data_load(program=program, round_=round_, anonymised=False)
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(_text(csv_members_write(named))))}
    assert rows[a.name]["answer:areas"] == "Health|Water"
    assert rows[b.name]["answer:areas"] == ""
    anonymous = export_data_load(program=program, round_=round_, anonymised=True)
    assert "answer:" not in _text(csv_members_write(anonymous))
