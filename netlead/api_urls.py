from django.urls import path

from networkmaps import api as metrics_api

urlpatterns = [
    path("programs/<slug:slug>/metrics/", metrics_api.program_metrics, name="api-program-metrics"),
    path(
        "programs/<slug:slug>/members/<int:member_id>/metrics/",
        metrics_api.member_metrics,
        name="api-member-metrics",
    ),
    path("programs/<slug:slug>/metric-runs/", metrics_api.metric_runs, name="api-metric-runs"),
    path(
        "programs/<slug:slug>/metric-runs/<int:run_id>/",
        metrics_api.metric_run_detail,
        name="api-metric-run-detail",
    ),
    path("programs/<slug:slug>/suggestions/", metrics_api.suggestions, name="api-suggestions"),
    path(
        "programs/<slug:slug>/suggestions/<int:suggestion_id>/",
        metrics_api.suggestion_detail,
        name="api-suggestion-detail",
    ),
]
