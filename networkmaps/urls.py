"""The networkmaps pages: dashboard and runs, weaving, map and posters, member pages, exports."""

from django.urls import path

from networkmaps.exports import views as views_export
from networkmaps.maps import views as views_map
from networkmaps.runs import views as views_run
from networkmaps.weaving import mixer_views as views_mixer
from networkmaps.weaving import queue_views as views_queue

app_name = "networkmaps"
urlpatterns = [
    path("programs/<slug:slug>/dashboard/", views_run.dashboard, name="dashboard"),
    path("programs/<slug:slug>/runs/", views_run.run_start, name="run-start"),
    path("programs/<slug:slug>/rules/", views_run.round_rules, name="round-rules"),  # issue 13
    path(
        "programs/<slug:slug>/directions/",
        views_run.indicator_directions,
        name="indicator-directions",
    ),
    path("programs/<slug:slug>/runs/status/", views_run.run_status, name="run-status"),
    path("programs/<slug:slug>/metrics/members/", views_run.member_table, name="member-table"),
    path("programs/<slug:slug>/weaving/", views_queue.weaving_queue, name="weaving"),
    path(
        "programs/<slug:slug>/weaving/<int:suggestion_id>/",
        views_queue.suggestion_act,
        name="suggestion-act",
    ),
    path("programs/<slug:slug>/weaving/act/", views_queue.pair_act, name="weaving-act"),
    path("programs/<slug:slug>/weaving/what-if/", views_queue.what_if, name="weaving-what-if"),
    path("programs/<slug:slug>/weaving/ask/", views_queue.request_add, name="weaving-ask"),
    path("programs/<slug:slug>/mixer/", views_mixer.mixer, name="mixer"),
    path("programs/<slug:slug>/mixer/print/", views_mixer.mixer_print, name="mixer-print"),
    path("programs/<slug:slug>/mixer/badges/", views_mixer.mixer_badges, name="mixer-badges"),
    path("programs/<slug:slug>/map/", views_map.map_detail, name="map"),
    path("programs/<slug:slug>/map/data/", views_map.map_data, name="map-data"),
    path("programs/<slug:slug>/posters/", views_map.posters_page, name="posters"),
    path(
        "programs/<slug:slug>/posters/<int:poster_id>/status/",
        views_map.poster_status,
        name="poster-status",
    ),
    path(
        "programs/<slug:slug>/posters/<int:poster_id>/<str:extension>/",
        views_map.poster_download,
        name="poster-download",
    ),
    path("programs/<slug:slug>/me/", views_map.my_network, name="my-network"),
    path(
        "programs/<slug:slug>/me/introductions/<int:suggestion_id>/ask/",
        views_map.my_introduction_ask,
        name="my-introduction-ask",
    ),
    path("programs/<slug:slug>/people/<int:member_id>/", views_map.member_page, name="member-page"),
    path(
        "programs/<slug:slug>/rounds/<int:round_id>/report/",
        views_export.round_report,
        name="round-report",
    ),
    path("programs/<slug:slug>/exports/", views_export.exports_page, name="exports"),
    path(
        "programs/<slug:slug>/exports/<str:file_format>/",
        views_export.export_download,
        name="export-download",
    ),
]
