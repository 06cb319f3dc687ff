from django.contrib import admin

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


@admin.register(RelationshipType)
class RelationshipTypeAdmin(ProgramScopedAdmin):
    list_display = ["name", "directed", "program"]
    search_fields = ["name"]


@admin.register(Round)
class RoundAdmin(ProgramScopedAdmin):
    list_display = ["name", "observed_on", "is_current", "program"]
    list_filter = ["program", "is_current"]
    search_fields = ["name"]


@admin.register(Relationship)
class RelationshipAdmin(ProgramScopedAdmin):
    list_display = ["source", "type", "target", "strength", "round", "origin", "program"]
    list_select_related = ["program", "source", "target", "type", "round"]
    list_filter = ["program", "round", "type", "origin", "strength"]
    search_fields = ["source__name", "target__name", "source__email", "target__email"]
    autocomplete_fields = ["source", "target"]
    date_hierarchy = "created_at"
