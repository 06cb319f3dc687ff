import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Relationship, Round, SurveySettings
from members.ties import tie_record
from tests.factories import (
    MemberFactory,
    OrganisationFactory,
    ProgramFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


def test_self_tie_is_rejected_by_the_database():
    tie = RelationshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            program=tie.program,
            source=tie.source,
            target=tie.source,
            type=tie.type,
            round=tie.round,
        )


def test_duplicate_tie_in_the_same_round_is_rejected_by_the_database():
    tie = RelationshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            program=tie.program,
            source=tie.source,
            target=tie.target,
            type=tie.type,
            round=tie.round,
            strength=5,
        )


def test_same_pair_may_be_tied_again_in_another_round_or_type():
    tie = RelationshipFactory()
    later = RoundFactory(program=tie.program)
    other_type = RelationshipTypeFactory(program=tie.program, name="collaborates with")
    RelationshipFactory(
        program=tie.program, source=tie.source, target=tie.target, type=tie.type, round=later
    )
    RelationshipFactory(
        program=tie.program, source=tie.source, target=tie.target, type=other_type, round=tie.round
    )
    assert Relationship.objects.filter(source=tie.source, target=tie.target).count() == 3


def test_strength_outside_one_to_five_is_rejected_by_the_database():
    tie = RelationshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.filter(pk=tie.pk).update(strength=6)


def test_tie_across_programs_is_rejected_with_a_clear_error():
    tie = RelationshipFactory()
    stranger = MemberFactory(program=ProgramFactory(), name="Someone Else")
    with pytest.raises(ValidationError) as excinfo:
        tie_record(
            program=tie.program, source=tie.source, target=stranger, type=tie.type, round=tie.round
        )
    assert excinfo.value.message_dict == {"target": ["This target belongs to another program."]}
    assert Relationship.objects.count() == 1


@pytest.mark.parametrize("field", ["type", "round"])
def test_tie_with_type_or_round_of_another_program_is_rejected(field):
    tie = RelationshipFactory()
    other = ProgramFactory()
    foreign = {"type": RelationshipTypeFactory(program=other), "round": RoundFactory(program=other)}
    kwargs = {
        "source": tie.source,
        "target": MemberFactory(program=tie.program),
        "type": tie.type,
        "round": tie.round,
    }
    kwargs[field] = foreign[field]
    with pytest.raises(ValidationError) as excinfo:
        tie_record(program=tie.program, **kwargs)
    assert field in excinfo.value.message_dict


def test_tie_record_records_a_valid_tie():
    tie = RelationshipFactory()
    other = MemberFactory(program=tie.program)
    created = tie_record(
        program=tie.program, source=other, target=tie.source, type=tie.type, round=tie.round,
        strength=4,
    )  # fmt: skip
    assert created.program_id == tie.program_id
    assert Relationship.objects.filter(round=tie.round).count() == 2


def test_member_email_is_unique_within_a_program_ignoring_case():
    first = MemberFactory(email="ana@example.org")
    MemberFactory(email="ana@example.org")  # another program: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(program=first.program, email="ANA@example.org")


def test_members_without_email_do_not_collide():
    program = ProgramFactory()
    MemberFactory(program=program, email="")
    MemberFactory(program=program, email="")
    assert program.members.count() == 2


def test_only_one_round_is_current_per_program():
    program = ProgramFactory()
    RoundFactory(program=program, is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(program=program, is_current=True)
    assert Round.objects.filter(program=program, is_current=True).count() == 1


def test_member_organisation_must_be_in_the_same_program():
    member = MemberFactory()
    member.organisation = OrganisationFactory()
    with pytest.raises(ValidationError) as excinfo:
        member.full_clean()
    assert "organisation" in excinfo.value.message_dict


def test_confirmed_only_counts_a_survey_tie_once_both_sides_reported_it():
    tie = RelationshipFactory(origin=Relationship.Origin.SURVEY)
    SurveySettings.objects.create(
        program=tie.program, ties_count=SurveySettings.TiesCount.BOTH_SIDES
    )
    assert not Relationship.objects.counted(tie.round).exists()
    RelationshipFactory(
        program=tie.program, source=tie.target, target=tie.source, type=tie.type,
        round=tie.round, origin=Relationship.Origin.SURVEY,
    )  # fmt: skip
    assert Relationship.objects.counted(tie.round).count() == 2
