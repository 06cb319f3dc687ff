"""A survey respondent's reported ties are kept per direction, even for undirected types:
a tie already recorded from them to the same person stands in for their report; one
recorded the other way round (staff's, or the other person's report) does not."""

import pytest

from members.models import Relationship
from members.ties import ties_reported_replace
from tests.factories import (
    MemberFactory,
    ProgramFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    program = ProgramFactory()
    ann, bo = MemberFactory(program=program), MemberFactory(program=program)
    knows = RelationshipTypeFactory(program=program, name="knows", directed=False)
    advice = RelationshipTypeFactory(program=program, name="seeks advice from", directed=True)
    return program, ann, bo, knows, advice, RoundFactory(program=program)


def _report(program, round_, source, wanted):
    return ties_reported_replace(
        program_id=program.pk, round_id=round_.pk, source_id=source.pk, wanted=wanted
    )


def test_only_a_tie_recorded_from_the_respondent_stands_in_for_their_report(world):
    program, ann, bo, knows, advice, round_ = world
    imported = Relationship.Origin.IMPORT
    RelationshipFactory(
        program=program, source=ann, target=bo, type=knows, round=round_, origin=imported
    )
    RelationshipFactory(
        program=program, source=bo, target=ann, type=advice, round=round_, origin=imported
    )
    skipped = _report(program, round_, ann, {(bo.pk, knows.pk): 4, (bo.pk, advice.pk): 4})
    assert skipped == [(bo.pk, knows.pk)]
    reported = Relationship.objects.filter(origin=Relationship.Origin.SURVEY)
    assert list(reported.values_list("source", "target", "type")) == [(ann.pk, bo.pk, advice.pk)]


def test_each_person_keeps_their_own_report_of_an_undirected_tie(world):
    program, ann, bo, knows, _, round_ = world
    assert _report(program, round_, bo, {(ann.pk, knows.pk): 3}) == []
    assert _report(program, round_, ann, {(bo.pk, knows.pk): 3}) == []
    pairs = set(Relationship.objects.values_list("source", "target"))
    assert pairs == {(bo.pk, ann.pk), (ann.pk, bo.pk)}
