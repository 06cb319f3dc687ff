"""REST representations of a program's rows (/api/v1/programs/<slug>/...).

Every serializer gets the request's program in its context; ids of related rows are looked
up in that program only, so a row of another program is "not in this program" — a 400
naming the field — and never reveals that it exists elsewhere.
"""

from __future__ import annotations

from rest_framework import serializers

from members import ties
from members.access import role_in
from members.models import (
    Cohort,
    Member,
    Organisation,
    Program,
    Relationship,
    RelationshipType,
    Round,
)

MAX_BULK_ITEMS = 10_000
MAX_ID = 2**63 - 1  # the largest id the database holds


class InProgram(serializers.PrimaryKeyRelatedField):
    """The id of a row of the request's program."""

    default_error_messages = {
        "does_not_exist": "No {model} with id {pk_value} in this program.",
        "incorrect_type": "Give the {model}'s id (a whole number), not {data_type}.",
    }

    def __init__(self, model, **kwargs):
        self.model_label = str(model._meta.verbose_name)
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        program = self.context.get("program")
        queryset = super().get_queryset()
        return queryset.filter(program=program) if program else queryset.none()

    def fail(self, key, **kwargs):
        super().fail(key, model=self.model_label, **kwargs)

    def to_internal_value(self, data):
        # A float or a bool is not an id, even where Python would accept it as one.
        if isinstance(data, (bool, float)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class ProgramRowSerializer(serializers.ModelSerializer):
    """Checks the per-program uniqueness rules up front, so a clash is a 400 naming the
    field instead of a database error."""

    unique_in_program: tuple[str, ...] = ("name",)
    case_insensitive: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        program = self.context["program"]
        model = self.Meta.model
        errors = {}
        for field_name in self.unique_in_program:
            value = attrs.get(field_name)
            if not value:
                continue
            lookup = f"{field_name}__iexact" if field_name in self.case_insensitive else field_name
            clash = model.objects.filter(program=program, **{lookup: value})
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                label = model._meta.get_field(field_name).verbose_name
                errors[field_name] = [
                    f"Another {model._meta.verbose_name} of this program has this {label}."
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ProgramCreateSerializer(serializers.Serializer):
    """What POST /api/v1/programs/ takes (issue 12)."""

    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ProgramSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in this program.")

    class Meta:
        model = Program
        fields = ["slug", "name", "description", "created_at", "role"]
        read_only_fields = fields

    def get_role(self, program) -> str | None:
        # The one rule (superusers count as staff). A query per program listed, and people
        # hold roles in a handful; none for superusers.
        return role_in(self.context["request"].user, program)


class CohortSerializer(ProgramRowSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "year"]


class OrganisationSerializer(ProgramRowSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "sector", "region", "size"]


class MemberSerializer(ProgramRowSerializer):
    unique_in_program = ("email", "external_id")
    case_insensitive = ("email",)

    organisation = InProgram(Organisation, allow_null=True, required=False)
    cohorts = InProgram(Cohort, many=True, required=False)
    issue_areas = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )

    class Meta:
        model = Member
        fields = [
            "id", "name", "email", "external_id", "organisation", "title", "cohorts", "sector",
            "region", "issue_areas", "visibility", "accepts_introductions",
            "consent_recorded_at", "created_at", "updated_at",
        ]  # fmt: skip
        # Consent is the member's alone (their settings page): staff and scripts read it.
        read_only_fields = [
            "visibility", "accepts_introductions", "consent_recorded_at", "created_at",
            "updated_at",
        ]  # fmt: skip


class RelationshipTypeSerializer(ProgramRowSerializer):
    class Meta:
        model = RelationshipType
        fields = ["id", "name", "directed"]


class RoundSerializer(ProgramRowSerializer):
    class Meta:
        model = Round
        fields = ["id", "name", "observed_on", "is_current"]


class RelationshipSerializer(serializers.ModelSerializer):
    """A tie. The view records it through members.ties.tie_record, which checks it."""

    source = InProgram(Member)
    target = InProgram(Member)
    type = InProgram(RelationshipType)
    round = InProgram(Round)
    # A plain integer: the 1–5 rule is tie_validate's, so every path says it the same way.
    strength = serializers.IntegerField(required=False, default=ties.DEFAULT_STRENGTH)

    class Meta:
        model = Relationship
        fields = [
            "id", "source", "target", "type", "round", "strength", "origin", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["origin", "created_at", "updated_at"]
        # tie_record checks uniqueness, both ways round for undirected types.
        validators: list = []


class BulkRelationshipSerializer(serializers.Serializer):
    """One tie of a bulk upload: ids of the program's members, type and round."""

    source = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    target = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    type = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    round = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    strength = serializers.IntegerField(default=ties.DEFAULT_STRENGTH)

    def validate_strength(self, value: int) -> int:
        # The write path's rule and wording, checked with the fields so a bad strength is
        # reported like the other field errors, before ids are looked up.
        if not ties.strength_valid(value):
            raise serializers.ValidationError(ties.strength_problem(value))
        return value


class BulkErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        allow_null=True, help_text="Position of the tie in the list (0 = first)."
    )
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BulkErrorsSerializer(serializers.Serializer):
    errors = BulkErrorSerializer(many=True)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="The tie's id for each item, in order."
    )
