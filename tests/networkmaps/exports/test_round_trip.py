"""Export the demo program, import the files into a new program: the same network comes back.

Uses the importer (`members.imports.services.network_import`).
"""

import io

import pytest

from members.imports import services as imports
from members.models import Member, Relationship
from networkmaps.exports import formats as exports
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _file(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def _export(program, fmt, round_name) -> bytes:
    round_ = exports.export_round(program=program, name=round_name)
    file = exports.export_build(
        program=program, round_=round_, fmt=fmt, anonymised=False, user=None
    )
    return b"".join(file.chunks)


def _files(program, fmt, round_name) -> dict:
    if fmt == "csv":
        return {
            "members_file": _file(_export(program, "csv-members", round_name), "members.csv"),
            "ties_file": _file(_export(program, "csv-ties", round_name), "ties.csv"),
        }
    extension = exports.FORMATS[fmt].extension
    return {"members_file": _file(_export(program, fmt, round_name), f"network.{extension}")}


def _network(program) -> dict:
    """Everything the round trip must keep, keyed by what a file can carry (no database ids)."""
    members = {}
    for member in Member.objects.filter(program=program).select_related("organisation"):
        members[member.external_id] = (
            member.name,
            member.email,
            member.organisation.name if member.organisation else "",
            member.title,
            tuple(sorted(member.cohorts.values_list("name", flat=True))),
            member.sector,
            member.region,
            tuple(sorted(member.issue_areas or ())),
        )
    ties = set()
    rows = Relationship.objects.filter(program=program).values_list(
        "source__external_id", "target__external_id", "type__name", "type__directed",
        "strength", "round__name",
    )  # fmt: skip
    for source, target, type_name, directed, strength, round_name in rows:
        if not directed:  # an undirected tie is the same either way round
            source, target = sorted((source, target))
        ties.add((source, target, type_name, strength, round_name))
    return {
        "members": members,
        "ties": ties,
        "types": set(program.relationship_types.values_list("name", "directed")),
        "rounds": set(program.rounds.values_list("name", flat=True)),
    }


@pytest.mark.parametrize("fmt", ["kumu-xlsx", "csv", "gexf", "graphml"])
def test_export_then_import_gives_the_same_network(demo_program, fmt):
    copy = ProgramFactory(slug=f"copy-{fmt}")
    for round_ in demo_program.rounds.order_by("observed_on"):
        report = imports.network_import(
            program=copy, round_name=round_.name, **_files(demo_program, fmt, round_.name)
        )
        assert report.ok, [str(p) for p in report.problems]
    original, copied = _network(demo_program), _network(copy)
    assert copied["members"] == original["members"]
    assert copied["types"] == original["types"]
    assert copied["rounds"] == original["rounds"]
    assert copied["ties"] == original["ties"]


def test_importing_the_same_export_again_changes_nothing(demo_program):
    copy = ProgramFactory(slug="copy-twice")
    for _ in range(2):
        report = imports.network_import(program=copy, **_files(demo_program, "kumu-xlsx", None))
        assert report.ok, [str(p) for p in report.problems]
    assert not report.changes
    assert copy.members.count() == demo_program.members.count()
