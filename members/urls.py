"""URLs of the members app: program pages, imports, surveys, privacy pages."""

from django.urls import path

from members import views
from members.imports import views as views_import
from members.privacy import views as views_privacy
from members.privacy import views_own
from members.setup import views as views_setup
from members.surveys import views_answer, views_staff

app_name = "members"
urlpatterns = [
    path("new-program/", views_setup.program_new, name="program-new"),  # issue 12
    path("programs/<slug:slug>/setup/roles/", views_setup.setup_roles, name="setup-roles"),
    path(
        "programs/<slug:slug>/setup/settings/",
        views_setup.program_settings,
        name="program-settings",
    ),
    path("programs/<slug:slug>/setup/<str:kind>/", views_setup.setup_section, name="setup"),
    path(
        "programs/<slug:slug>/setup/<str:kind>/<int:pk>/",
        views_setup.setup_section,
        name="setup",
    ),
    path("programs/<slug:slug>/me/settings/", views_privacy.my_settings, name="my-settings"),
    path(
        "programs/<slug:slug>/me/ties/<int:relationship_id>/remove/",
        views_privacy.my_tie_remove,
        name="my-tie-remove",
    ),
    path(
        "programs/<slug:slug>/me/ties/<int:relationship_id>/correct/",
        views_own.my_tie_correct,
        name="my-tie-correct",
    ),
    path(
        "programs/<slug:slug>/me/removed/<int:removed_id>/undo/",
        views_own.my_tie_restore,
        name="my-tie-restore",
    ),
    path("programs/<slug:slug>/me/data.json", views_privacy.my_data, name="my-data"),
    path("programs/<slug:slug>/me/profile/", views_own.my_profile, name="my-profile"),
    path(
        "programs/<slug:slug>/people/<int:member_id>/erase/",
        views_privacy.member_erase,
        name="member-erase",
    ),
    path("programs/<slug:slug>/invitations/", views_privacy.invitations, name="invitations"),
    path(
        "programs/<slug:slug>/invitations/change/",
        views_privacy.invitation_change,
        name="invitation-change",
    ),
    path("programs/<slug:slug>/audit/", views_privacy.audit_log, name="audit-log"),
    path("programs/<slug:slug>/", views.program_detail, name="program-detail"),
    path("programs/<slug:slug>/import/", views_import.network_import, name="import"),
    # Relationship surveys: staff pages, then the member's survey behind a personal link.
    path("programs/<slug:slug>/surveys/", views_staff.survey_list, name="survey-list"),
    path("programs/<slug:slug>/surveys/new/", views_staff.survey_new, name="survey-new"),
    path(
        "programs/<slug:slug>/surveys/settings/",
        views_staff.survey_settings,
        name="survey-settings",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/",
        views_staff.survey_detail,
        name="survey-detail",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/email/",
        views_staff.survey_email,
        name="survey-email",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/close/",
        views_staff.survey_close,
        name="survey-close",
    ),
    # issue 15: edit until it opens, confirmations with counts, scheduled reminder, reopen.
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/edit/",
        views_staff.survey_edit,
        name="survey-edit",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/questions/",
        views_staff.survey_questions_edit,
        name="survey-questions-edit",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/email/confirm/",
        views_staff.survey_email_confirm,
        name="survey-email-confirm",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/close/confirm/",
        views_staff.survey_close_confirm,
        name="survey-close-confirm",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/reminder/",
        views_staff.survey_reminder_schedule,
        name="survey-reminder",
    ),
    path(
        "programs/<slug:slug>/surveys/<int:survey_id>/reopen/",
        views_staff.survey_reopen,
        name="survey-reopen",
    ),
    path(
        "programs/<slug:slug>/surveys/unlisted/<int:person_id>/merge/",
        views_staff.unlisted_merge,
        name="unlisted-merge",
    ),
    path("survey/<str:token>/", views_answer.survey_answer, name="survey-answer"),
    path("survey/<str:token>/consent/", views_own.survey_consent, name="survey-consent"),
    path("survey/<str:token>/roster/", views_answer.survey_roster, name="survey-roster"),
    path("survey/<str:token>/pick/", views_answer.survey_pick, name="survey-pick"),
    path("survey/<str:token>/unlisted/", views_answer.survey_unlisted, name="survey-unlisted"),
    path("survey/<str:token>/still/", views_answer.survey_still, name="survey-still"),
    path("survey/<str:token>/questions/", views_answer.survey_questions, name="survey-questions"),
    path("survey/<str:token>/review/", views_answer.survey_review, name="survey-review"),
    path("survey/<str:token>/done/", views_answer.survey_done, name="survey-done"),
]
