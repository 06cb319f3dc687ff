"""Program-defined member attributes reach every reader of a round as groupings."""

import pytest

from members.models import Member, MemberAttribute
from members.round_graph import round_graph_load
from networkmaps.models import MetricRun
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
)
from tests.metric_runs import compute_all_rounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    program = ProgramFactory()
    MemberAttribute.objects.create(program=program, key="office", label="Office")
    MemberAttribute.objects.create(program=program, key="years", label="Years", kind="number")
    MemberAttribute.objects.create(program=program, key="secret", label="Secret", hidden=True)
    round_ = RoundFactory(program=program, is_current=True)
    knows = RelationshipTypeFactory(program=program)
    people = [
        MemberFactory(program=program, attributes={"office": office, "years": years, "secret": "x"})
        for office, years in [("Oslo", 3), ("Oslo", "4.5"), ("Lima", None), ("", "n/a")]
    ]
    for a, b in [(0, 1), (1, 2), (2, 3)]:
        RelationshipFactory(
            program=program, source=people[a], target=people[b], type=knows, round=round_
        )
    return program, round_, people


def test_category_attribute_is_a_grouping_with_a_label(offices):
    program, round_, people = offices
    graph = round_graph_load(round_=round_, people=True)
    ids = [p.pk for p in people]
    assert [graph.groups["attr:office"][m] for m in ids] == ["Oslo", "Oslo", "Lima", None]
    assert graph.grouping_labels["attr:office"] == "Office"
    assert graph.grouping_labels["cohort"] == "Cohort"
    assert "attr:secret" not in graph.groups and "attr:years" not in graph.groups


def test_number_attribute_is_kept_as_numbers(offices):
    program, round_, people = offices
    graph = round_graph_load(round_=round_, people=True)
    assert [graph.numbers["attr:years"][p.pk] for p in people] == [3.0, 4.5, None, None]
    assert graph.people[people[0].pk]["attributes"] == {"attr:office": "Oslo", "attr:years": 3.0}


def test_metric_run_measures_the_custom_divide(offices):
    program, round_, people = offices
    compute_all_rounds(program)
    run = MetricRun.objects.get(round=round_, is_current=True)
    ei = run.network_metrics.get(name="ei_attr:office").value
    # Oslo–Oslo inside, Oslo–Lima across; the member with no office is left out.
    assert ei == 0.0


def test_the_map_colours_and_filters_by_the_attribute(offices, client):
    from networkmaps.maps.data import map_data, map_page

    program, round_, people = offices
    compute_all_rounds(program)
    assert {"key": "attr:office", "label": "Office"} in map_page(program=program)["groupings"]
    data = map_data(program=program, viewer_role="staff")
    office = data["groups"]["attr:office"]
    assert office["label"] == "Office"
    labels = [office["values"][i]["label"] for i in office["of"]]
    assert sorted(labels) == sorted(["Oslo", "Oslo", "Lima", "No office recorded"])
    assert "attr:years" not in data["groups"] and "attr:secret" not in data["groups"]


@pytest.mark.parametrize("fmt", ["kumu-xlsx", "csv", "gexf", "graphml"])
def test_attributes_survive_an_export_and_import(offices, fmt):
    from members.imports.services import network_import
    from tests.networkmaps.exports.test_round_trip import _files

    program, round_, people = offices
    clean = [
        {"office": "Oslo", "years": 3, "secret": "x"},
        {"office": "Oslo", "years": 4.5},
        {"office": "Lima, Peru"},
        {},
    ]
    for i, (person, attributes) in enumerate(zip(people, clean, strict=True)):
        Member.objects.filter(pk=person.pk).update(external_id=f"p{i}", attributes=attributes)
    copy = ProgramFactory()
    report = network_import(program=copy, **_files(program, fmt, round_.name))
    assert report.ok, [str(p) for p in report.problems]

    def values(of):
        return {m.external_id: m.attributes for m in Member.objects.filter(program=of)}

    assert values(copy) == values(program)
    kinds = dict(MemberAttribute.objects.filter(program=copy).values_list("key", "kind"))
    assert kinds == {"office": "category", "years": "number", "secret": "category"}


def test_anonymised_exports_carry_no_program_attributes(offices):
    from networkmaps.exports.rows import export_data_load

    program, round_, _ = offices
    data = export_data_load(program=program, round_=round_, anonymised=True)
    assert data.attribute_columns == [] and all(not m.attributes for m in data.members)
