"""REST endpoints for a program's rows: /api/v1/programs/ and /api/v1/programs/<slug>/...

Each view finds its program through `program_for_user` before anything else, so a program
the user is not staff of is a 404 for every method, and every queryset starts from it.
"""

from __future__ import annotations

from dataclasses import asdict

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from members import ties
from members.access import ALL_ROLES, STAFF, program_for_user
from members.api.serializers import (
    MAX_BULK_ITEMS,
    MAX_ID,
    BulkErrorsSerializer,
    BulkRelationshipSerializer,
    BulkResultSerializer,
    CohortSerializer,
    MemberSerializer,
    OrganisationSerializer,
    ProgramCreateSerializer,
    ProgramSerializer,
    RelationshipSerializer,
    RelationshipTypeSerializer,
    RoundSerializer,
)
from members.models import (
    Cohort,
    Member,
    Organisation,
    Program,
    Relationship,
    RelationshipType,
    Round,
)
from members.privacy.erasure import member_erase
from members.setup.services import ProgramRefused, program_create, program_create_allowed


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema_view(
    list=extend_schema(summary="Programs you hold a role in"),
    retrieve=extend_schema(summary="One program you hold a role in"),
)
class ProgramViewSet(viewsets.ReadOnlyModelViewSet, viewsets.mixins.CreateModelMixin):
    serializer_class = ProgramSerializer
    pagination_class = Pages
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return Program.objects.for_user(self.request.user).order_by("name", "pk")

    def get_object(self):
        return program_for_user(self.request, self.kwargs["slug"], roles=ALL_ROLES)

    @extend_schema(
        summary="Create a program (you become its staff)",
        request=ProgramCreateSerializer,
        responses={201: ProgramSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def create(self, request):
        # issue 12: superusers and holders of members.add_program only.
        if not program_create_allowed(request.user):
            raise PermissionDenied("You may not create programs (members.add_program).")
        given = ProgramCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            program = program_create(creator=request.user, **given.validated_data)
        except ProgramRefused as exc:
            raise ValidationError(exc.errors) from exc
        body = ProgramSerializer(program, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class InProgramViewSet(viewsets.ModelViewSet):
    """CRUD on one kind of row of the program in the URL, for its staff."""

    model: type
    pagination_class = Pages
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering = ["pk"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Not staff of this program: 404 before any filter or body is looked at.
        self.program = program_for_user(request, kwargs["slug"], roles=STAFF)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return self.model.objects.none()
        return self.model.objects.filter(program=self.program)

    def get_serializer_context(self):
        return super().get_serializer_context() | {"program": getattr(self, "program", None)}

    def perform_create(self, serializer):
        self._save(serializer, program=self.program)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer, **extra):
        try:
            with transaction.atomic():
                serializer.save(**extra)
        except IntegrityError as exc:
            # Someone else saved a clashing row between our check and our write.
            raise ValidationError(
                {"non_field_errors": [f"This conflicts with another row: {exc}"]}
            ) from exc

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as exc:
            raise Conflict(
                f"This {instance._meta.verbose_name} is still used by "
                f"{len(exc.protected_objects)} tie(s); delete or change those first."
            ) from exc


class Conflict(ValidationError):
    status_code = status.HTTP_409_CONFLICT


# --- filters --------------------------------------------------------------------------------


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number, so a bad value is a 400 and a huge one finds nothing
    instead of overflowing the database's integer."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class NameFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Name contains"
    )


class OrganisationFilter(NameFilter):
    class Meta:
        model = Organisation
        fields = ["sector", "region", "size"]


class MemberFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohorts", label="Cohort id")
    organisation = IdFilter(field_name="organisation", label="Organisation id")
    search = django_filters.CharFilter(method="filter_search", label="Name or email contains")

    class Meta:
        model = Member
        fields = ["sector", "region", "external_id", "visibility"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class RelationshipFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round", label="Round id")
    type = IdFilter(field_name="type", label="Relationship type id")
    source = IdFilter(field_name="source", label="Source member id")
    target = IdFilter(field_name="target", label="Target member id")
    member = IdFilter(method="filter_member", label="Either member's id")
    strength_min = django_filters.NumberFilter(
        field_name="strength", lookup_expr="gte", label="Strength at least"
    )

    class Meta:
        model = Relationship
        fields = ["origin"]

    def filter_member(self, queryset, name, value):
        return queryset.filter(Q(source=value) | Q(target=value))


# --- views ----------------------------------------------------------------------------------

_NOT_FOUND = OpenApiResponse(description="No such program (or you are not its staff).")
_CONFLICT = OpenApiResponse(description="Still used by ties.")


def _crud_docs(noun: str, *, protected: bool = False):
    destroy = {204: None, 404: _NOT_FOUND}
    if protected:
        destroy[409] = _CONFLICT
    return extend_schema_view(
        list=extend_schema(summary=f"List the program's {noun}s"),
        create=extend_schema(summary=f"Add a {noun}"),
        retrieve=extend_schema(summary=f"One {noun}"),
        update=extend_schema(summary=f"Replace a {noun}"),
        partial_update=extend_schema(summary=f"Change a {noun}"),
        destroy=extend_schema(summary=f"Delete a {noun}", responses=destroy),
    )


@_crud_docs("cohort")
class CohortViewSet(InProgramViewSet):
    model = Cohort
    serializer_class = CohortSerializer
    filterset_fields = ["year"]
    ordering_fields = ["name", "year"]


@_crud_docs("organisation")
class OrganisationViewSet(InProgramViewSet):
    model = Organisation
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "sector", "region"]


@_crud_docs("member")
class MemberViewSet(InProgramViewSet):
    model = Member
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["name", "created_at", "updated_at"]

    def get_queryset(self):
        queryset = super().get_queryset().prefetch_related("cohorts")
        # A member in two matching cohorts would otherwise be listed twice.
        return queryset.distinct() if "cohort" in self.request.query_params else queryset

    def perform_destroy(self, instance):
        # A plain delete would cascade their ties away with no recompute and leave
        # suggestions, posters and drafts naming them: erasure reaches all of those.
        member_erase(member=instance, actor=self.request.user)


@_crud_docs("relationship type", protected=True)
class RelationshipTypeViewSet(InProgramViewSet):
    model = RelationshipType
    serializer_class = RelationshipTypeSerializer
    filterset_fields = ["directed"]
    ordering_fields = ["name"]


@_crud_docs("round")
class RoundViewSet(InProgramViewSet):
    model = Round
    serializer_class = RoundSerializer
    filterset_fields = ["is_current"]
    ordering_fields = ["observed_on", "name"]
    ordering = ["observed_on", "pk"]

    def _save(self, serializer, **extra):
        with transaction.atomic():
            if serializer.validated_data.get("is_current"):
                # One current round per program: making this one current retires the other.
                others = Round.objects.filter(program=self.program, is_current=True)
                if serializer.instance is not None:
                    others = others.exclude(pk=serializer.instance.pk)
                others.update(is_current=False)
            super()._save(serializer, **extra)


@_crud_docs("relationship")
class RelationshipViewSet(InProgramViewSet):
    model = Relationship
    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilter
    ordering_fields = ["strength", "created_at", "updated_at"]

    def perform_create(self, serializer):
        self._record(serializer, tie=None)

    def perform_update(self, serializer):
        tie = serializer.instance
        current = {name: getattr(tie, name) for name in ("source", "target", "type", "round")}
        self._record(serializer, tie=tie, current=current | {"strength": tie.strength})

    def perform_destroy(self, instance):
        ties.tie_delete(tie=instance, reason=self._reason("tie deleted"))

    def _record(self, serializer, *, tie, current=None):
        try:
            serializer.instance = ties.tie_record(
                program=self.program,
                tie=tie,
                origin=Relationship.Origin.API,
                reason=self._reason("tie recorded"),
                **((current or {}) | serializer.validated_data),
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        except IntegrityError as exc:
            # Someone else saved the same tie between our check and our write.
            raise ValidationError({"target": [f"This conflicts with another tie: {exc}"]}) from exc

    def _reason(self, what: str) -> str:
        return f"{what} through the API by {self.request.user.get_username()}"

    @extend_schema(
        summary="Record many ties at once (all or nothing)",
        description=(
            "A list of ties (member, type and round ids of this program). Each is created, or, "
            "when the same tie (source, target, type, round; either way round for undirected "
            f"types) is already recorded, its strength is updated. At most {MAX_BULK_ITEMS:,} "
            "ties per request. With any problem nothing is written and every problem is "
            "listed with the item's index and field."
        ),
        request=BulkRelationshipSerializer(many=True),
        responses={200: BulkResultSerializer, 400: BulkErrorsSerializer, 404: _NOT_FOUND},
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk(self, request, slug):
        try:
            data = request.data
        except ParseError as exc:
            return _bulk_errors([ties.TieProblem(None, None, str(exc.detail))])
        if not isinstance(data, list):
            return _bulk_errors([ties.TieProblem(None, None, "Send a JSON list of ties.")])
        if len(data) > MAX_BULK_ITEMS:
            message = f"{len(data):,} ties is more than {MAX_BULK_ITEMS:,} per request."
            return _bulk_errors([ties.TieProblem(None, None, message)])
        items = BulkRelationshipSerializer(data=data, many=True)
        if not items.is_valid():
            return _bulk_errors(_item_problems(items.errors))
        try:
            result = ties.ties_bulk_upsert(
                program=self.program,
                items=list(items.validated_data),
                reason=f"API upload by {request.user.get_username()}",
            )
        except ties.TiesRejected as rejected:
            return _bulk_errors(rejected.problems)
        return Response(BulkResultSerializer(result).data)


def _item_problems(errors) -> list[ties.TieProblem]:
    """DRF's errors of a list of items (a list of dicts, or {index: dict} in DRF >= 3.16)
    as (index, field, message) problems."""
    per_item = dict(enumerate(errors)) if isinstance(errors, list) else dict(errors)
    problems = []
    for index, item_errors in sorted(per_item.items(), key=lambda pair: str(pair[0])):
        if not isinstance(index, int):  # about the list itself, e.g. not a list
            problems += [ties.TieProblem(None, None, str(m)) for m in _messages(item_errors)]
            continue
        for field_name, messages in item_errors.items():
            name = None if field_name == "non_field_errors" else field_name
            problems += [ties.TieProblem(index, name, str(m)) for m in _messages(messages)]
    return sorted(problems, key=lambda p: (p.index is not None, p.index or 0))


def _messages(messages) -> list:
    return messages if isinstance(messages, list) else [messages]


def _bulk_errors(problems) -> Response:
    data = {"errors": [asdict(p) for p in problems]}
    return Response(BulkErrorsSerializer(data).data, status=status.HTTP_400_BAD_REQUEST)
