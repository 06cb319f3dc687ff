"""URLs of the REST API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from members.api import views as members_api
from netlead.auth_token import obtain_auth_token
from networkmaps.api import comparison as comparison_api
from networkmaps.api import views as metrics_api
from networkmaps.exports import api as api_exports

# Programs and, nested under programs/<slug>/, each kind of row a program's staff manage.
router = SimpleRouter()
router.register("programs", members_api.ProgramViewSet, basename="api-program")
for prefix, viewset, basename in (
    ("cohorts", members_api.CohortViewSet, "api-cohort"),
    ("organisations", members_api.OrganisationViewSet, "api-organisation"),
    ("members", members_api.MemberViewSet, "api-member"),
    ("relationship-types", members_api.RelationshipTypeViewSet, "api-relationship-type"),
    ("rounds", members_api.RoundViewSet, "api-round"),
    ("relationships", members_api.RelationshipViewSet, "api-relationship"),
):
    router.register(rf"programs/(?P<slug>[-a-zA-Z0-9_]+)/{prefix}", viewset, basename=basename)

urlpatterns = [
    path("programs/<slug:slug>/metrics/", metrics_api.program_metrics, name="api-program-metrics"),
    # issue 13: two rounds compared, as in the round report.
    path(
        "programs/<slug:slug>/rounds/<int:round_id>/comparison/",
        comparison_api.round_comparison_api,
        name="api-round-comparison",
    ),
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
    path(
        "programs/<slug:slug>/decisions/",
        metrics_api.decision_history,
        name="api-decision-history",
    ),
    path(
        "programs/<slug:slug>/exports/<str:file_format>/",
        api_exports.program_export,
        name="api-export",
    ),
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
