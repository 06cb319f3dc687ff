"""The Django admin for metric runs: read-only, for looking into a run that went wrong."""

from django.contrib import admin

from networkmaps.models import MetricRun


@admin.register(MetricRun)
class MetricRunAdmin(admin.ModelAdmin):
    list_display = ["id", "program", "round", "status", "is_current", "approximate", "created_at"]
    list_filter = ["program", "status", "is_current", "approximate"]
    list_select_related = ["program", "round"]
    search_fields = ["program__name", "round__name", "fingerprint"]
    readonly_fields = [f.name for f in MetricRun._meta.fields]
