"""Staff survey pages: create, track responses, email invitations, close, merge people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from members.access import STAFF, program_for_user
from members.models import Survey, SurveyInvitation, UnlistedPerson
from members.surveys import emails, errors, links, responses, submit
from members.surveys import services as surveys
from members.surveys.forms import MergeForm, SurveyForm, SurveySettingsForm

# The member's survey. Every view gets its invitation from the signed link in the URL.


@login_required
def survey_list(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    today = timezone.localdate()
    rows = [
        (survey, responses.survey_response_summary(survey=survey), survey.status(today))
        for survey in program.surveys.select_related("round")
    ]
    rounds = program.rounds.order_by("observed_on", "id")
    return render(
        request,
        "members/survey/survey_list.html",
        {"program": program, "rows": rows, "rounds": rounds},
    )


@login_required
def survey_new(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = SurveyForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = surveys.survey_create(
            program=program,
            name=data["name"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            relationship_types=data["relationship_types"],
            cohorts=data["cohorts"],
            round_=data["round"],
        )
        messages.success(request, f"Survey created with {survey.invitations.count()} invitations.")
        return redirect("members:survey-detail", slug=program.slug, survey_id=survey.pk)
    return render(request, "members/survey/survey_form.html", {"program": program, "form": form})


@login_required
def survey_detail(request, slug, survey_id):
    program = program_for_user(request, slug, roles=STAFF)
    survey = get_object_or_404(
        Survey.objects.select_related("round"), program=program, pk=survey_id
    )
    show = request.GET.get("show", "")
    page = Paginator(responses.survey_invitation_rows(survey=survey, show=show), 100).get_page(
        request.GET.get("page")
    )
    for invitation in page:
        invitation.link = _link(request, invitation)
    unlisted = list(
        UnlistedPerson.objects.filter(invitation__survey=survey)
        .select_related("invitation__member", "merged_into")
        .order_by("merged_into", "name")[:200]
    )
    # One list of names for every "which member is this?" box (a datalist, not N selects).
    merge_choices = (
        program.members.order_by("name").values_list("pk", "name", "organisation__name")[:5000]
        if unlisted
        else []
    )
    return render(
        request,
        "members/survey/survey_detail.html",
        {
            "program": program,
            "survey": survey,
            "status": survey.status(timezone.localdate()),
            "summary": responses.survey_response_summary(survey=survey),
            "page": page,
            "show": show,
            "unlisted": unlisted,
            "merge_choices": merge_choices,
            "settings_form": SurveySettingsForm(instance=surveys.survey_settings(program=program)),
        },
    )


def _link(request, invitation: SurveyInvitation) -> str:
    token = links.survey_link_token(invitation=invitation)
    return request.build_absolute_uri(reverse("members:survey-answer", args=[token]))


@login_required
@require_POST
def survey_email(request, slug, survey_id):
    program = program_for_user(request, slug, roles=STAFF)
    survey = get_object_or_404(Survey, program=program, pk=survey_id)
    reminder = request.POST.get("kind") == "reminder"
    try:
        result = emails.survey_invitations_email(
            survey=survey,
            link_for=lambda inv: _link(request, inv),
            reminder=reminder,
            actor=request.user,
        )
    except errors.SurveyError as exc:
        messages.error(request, str(exc))
    else:
        what = "reminders" if reminder else "invitations"
        messages.success(request, f"Sent {result.sent} {what}.")
        if result.without_email:
            messages.warning(
                request,
                f"{len(result.without_email)} without an email address (copy their links): "
                + ", ".join(result.without_email[:10])
                + ("…" if len(result.without_email) > 10 else ""),
            )
    return redirect("members:survey-detail", slug=program.slug, survey_id=survey.pk)


@login_required
@require_POST
def survey_close(request, slug, survey_id):
    program = program_for_user(request, slug, roles=STAFF)
    survey = get_object_or_404(
        Survey.objects.select_related("round"), program=program, pk=survey_id
    )
    if surveys.survey_close(survey=survey, closed_by=request.user.get_username()):
        messages.success(request, f"“{survey.name}” is closed. Metrics for it are queued.")
    else:
        messages.info(request, f"“{survey.name}” was already closed.")
    return redirect("members:survey-detail", slug=program.slug, survey_id=survey.pk)


@login_required
@require_POST
def survey_settings(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = SurveySettingsForm(request.POST, instance=surveys.survey_settings(program=program))
    if form.is_valid():
        changed = surveys.survey_settings_set(
            program=program,
            ties_count=form.cleaned_data["ties_count"],
            changed_by=request.user.get_username(),
        )
        messages.success(request, "Saved; metrics are recomputing." if changed else "Saved.")
    else:
        messages.error(request, "Choose which ties count.")
    return redirect(
        _same_site(request.POST.get("next")) or reverse("members:survey-list", args=[slug])
    )


def _same_site(url: str | None) -> str | None:
    """`url` when it is a path on this site, else None: a form's "next" is user input."""
    # No allowed hosts: only a path (no scheme, no host) passes.
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else None


@login_required
@require_POST
def unlisted_merge(request, slug, person_id):
    program = program_for_user(request, slug, roles=STAFF)
    person = get_object_or_404(
        UnlistedPerson.objects.select_related("invitation__survey"),
        invitation__survey__program=program,
        pk=person_id,
    )
    form = MergeForm(request.POST, program=program)
    if not form.is_valid():
        messages.error(
            request, " ".join(form.errors.get("member", ["Pick the member this person is."]))
        )
    else:
        try:
            ties = submit.unlisted_person_merge(person=person, member=form.cleaned_data["member"])
            messages.success(request, f"Merged {person.name}: {ties} ties added.")
        except errors.SurveyError as exc:
            messages.error(request, str(exc))
    return redirect(
        "members:survey-detail", slug=program.slug, survey_id=person.invitation.survey_id
    )
