"""Who answered a round, recorded from an import (issue 13): everyone in the file answered,
unless the round already knows better."""

import pytest

from members.imports.services import network_import
from members.models import Member, ResponseStatus, Round
from members.responses import response_status_record, round_response_summary
from tests.factories import MemberFactory, ProgramFactory
from tests.members.imports.test_import import MEMBERS_CSV, TIES_CSV, write

pytestmark = pytest.mark.django_db


def test_an_import_records_that_everyone_in_the_file_answered(tmp_path):
    program = ProgramFactory()
    outsider = MemberFactory(program=program, name="Not in the file")
    report = network_import(
        program=program,
        members_file=write(tmp_path, "members.csv", MEMBERS_CSV),
        ties_file=write(tmp_path, "ties.csv", TIES_CSV),
        round_name="Baseline",
        round_date="2024-01-15",
    )
    assert report.ok and report.written, report.problems
    baseline = Round.objects.get(program=program)
    statuses = dict(ResponseStatus.objects.filter(round=baseline).values_list("member", "status"))
    in_file = set(
        Member.objects.filter(program=program).exclude(pk=outsider.pk).values_list("pk", flat=True)
    )
    assert {m for m, s in statuses.items() if s == "answered"} == in_file
    assert statuses[outsider.pk] == "not_asked"
    answered, asked, rate, _ = round_response_summary(round_=baseline)
    assert (answered, asked, rate) == (len(in_file), len(in_file), 1.0)


def test_response_status_record_replaces_the_rounds_statuses():
    program = ProgramFactory()
    a, b, c = MemberFactory.create_batch(3, program=program)
    round_ = Round.objects.create(program=program, name="R", observed_on="2024-01-01")
    assert response_status_record(round_=round_, answered_ids=[a.pk], asked_ids=[a.pk, b.pk]) == 3
    assert round_response_summary(round_=round_).rate == 0.5
    response_status_record(round_=round_, answered_ids=[a.pk, b.pk, c.pk])
    assert round_response_summary(round_=round_).rate == 1.0
    assert ResponseStatus.objects.filter(round=round_).count() == 3
