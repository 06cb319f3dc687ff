"""The Django admin for superusers. Ties edited here go through the one write path."""

from django import forms
from django.contrib import admin
from django.db import transaction

from members.models import (
    Cohort,
    Member,
    Organisation,
    Program,
    ProgramRole,
    Relationship,
    RelationshipType,
    Round,
)
from members.privacy.erasure import member_erase
from members.ties import tie_delete, tie_record, tie_validate


class ProgramScopedAdmin(admin.ModelAdmin):
    list_select_related = ["program"]
    list_filter = ["program"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ProgramRole)
class ProgramRoleAdmin(ProgramScopedAdmin):
    list_display = ["user", "program", "role", "created_at"]
    list_filter = ["program", "role"]
    search_fields = ["user__username", "user__email", "program__name"]
    autocomplete_fields = ["user", "program"]


@admin.register(Cohort)
class CohortAdmin(ProgramScopedAdmin):
    list_display = ["name", "year", "program"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(ProgramScopedAdmin):
    list_display = ["name", "sector", "region", "size", "program"]
    list_filter = ["program", "sector", "region", "size"]
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(ProgramScopedAdmin):
    list_display = ["name", "email", "organisation", "sector", "region", "visibility", "program"]
    list_select_related = ["program", "organisation"]
    list_filter = ["program", "sector", "region", "visibility", "accepts_introductions", "cohorts"]
    search_fields = ["name", "email", "external_id", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    filter_horizontal = ["cohorts"]
    # Consent is the member's alone: staff see it here but change it nowhere.
    readonly_fields = ["visibility", "accepts_introductions", "consent_recorded_at"]

    # A plain delete would cascade their ties away with no recompute and leave
    # suggestions, posters and drafts naming them: erasure reaches all of those.
    def delete_model(self, request, obj):
        member_erase(member=obj, actor=request.user)

    @transaction.atomic  # one recompute for the whole selection, after it commits
    def delete_queryset(self, request, queryset):
        for member in queryset:
            member_erase(member=member, actor=request.user)


@admin.register(RelationshipType)
class RelationshipTypeAdmin(ProgramScopedAdmin):
    list_display = ["name", "directed", "program"]
    search_fields = ["name"]


@admin.register(Round)
class RoundAdmin(ProgramScopedAdmin):
    list_display = ["name", "observed_on", "is_current", "program"]
    list_filter = ["program", "is_current"]
    search_fields = ["name"]


class RelationshipAdminForm(forms.ModelForm):
    class Meta:
        model = Relationship
        fields = ["program", "source", "target", "type", "round", "strength", "origin"]

    def clean(self):
        cleaned = super().clean()
        # On change the program is read-only, so not a form field: the stored one counts.
        if "program" not in self.fields:
            cleaned["program"] = self.instance.program
        given = [cleaned.get(name) for name in ("program", "source", "target", "type", "round")]
        if all(value is not None for value in given):
            program, source, target, type_, round_ = given
            errors = tie_validate(
                program_id=program.pk, source=source, target=target, type=type_,
                round=round_, strength=cleaned.get("strength"),
            )  # fmt: skip
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned


@admin.register(Relationship)
class RelationshipAdmin(ProgramScopedAdmin):
    form = RelationshipAdminForm

    list_display = ["source", "type", "target", "strength", "round", "origin", "program"]
    list_select_related = ["program", "source", "target", "type", "round"]
    list_filter = ["program", "round", "type", "origin", "strength"]
    search_fields = ["source__name", "target__name", "source__email", "target__email"]
    autocomplete_fields = ["source", "target"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        # tie_record changes who, what, when and how strong, never a tie's program or origin.
        fixed = ["program", "origin"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def save_model(self, request, obj, form, change):
        # The write path compares with what is stored, so it gets the stored row to change.
        stored = Relationship.objects.get(pk=obj.pk) if change else None
        saved = tie_record(
            program=obj.program, source=obj.source, target=obj.target, type=obj.type,
            round=obj.round, strength=obj.strength, origin=obj.origin, tie=stored,
            reason=f"admin edit by {request.user.get_username()}",
        )  # fmt: skip
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        tie_delete(tie=obj, reason=f"admin edit by {request.user.get_username()}")

    def delete_queryset(self, request, queryset):
        for tie in queryset:
            tie_delete(tie=tie, reason=f"admin edit by {request.user.get_username()}")
