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
from members.models import AuditEvent, Survey, SurveyInvitation, UnlistedPerson
from members.privacy.audit import audit_record
from members.surveys import emails, errors, links, questions, responses, staff, submit
from members.surveys import services as surveys
from members.surveys.forms import (
    MergeForm,
    QuestionForm,
    ReminderForm,
    ReopenForm,
    SurveyForm,
    SurveySettingsForm,
)

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
        Survey.objects.filter(pk=survey.pk).update(type_wording=form.type_wording())
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
            **staff.survey_email_status(survey=survey),
            "editable": staff.survey_editable(survey),
            "reminder_form": ReminderForm(
                initial={
                    "at": timezone.localtime(survey.reminder_at) if survey.reminder_at else None
                }
            ),
            "reopen_form": ReopenForm(),
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
    expected = request.POST.get("expected")
    counts = staff.survey_email_counts(survey=survey, reminder=reminder)
    if expected is not None and expected != str(counts.to_send):
        # Someone else sent in the meantime: show the new numbers instead of sending.
        messages.warning(request, "The numbers changed since you looked: check them again.")
        return redirect(
            f"{reverse('members:survey-email-confirm', args=[slug, survey.pk])}"
            f"?kind={'reminder' if reminder else 'invitation'}"
        )
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
        audit_record(
            program=program,
            actor=request.user,
            action=AuditEvent.Action.SURVEY_CHANGE,
            target=f"survey “{survey.name}” closed",
        )
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


def _survey(request, slug, survey_id):
    program = program_for_user(request, slug, roles=STAFF)
    survey = get_object_or_404(
        Survey.objects.select_related("round", "program"), program=program, pk=survey_id
    )
    return program, survey


@login_required
def survey_email_confirm(request, slug, survey_id):
    """Before any mass email: who gets it, in numbers, and one button that says so."""
    program, survey = _survey(request, slug, survey_id)
    reminder = request.GET.get("kind") == "reminder"
    counts = staff.survey_email_counts(survey=survey, reminder=reminder)
    emailed = survey.invitations.filter(emailed_at__isnull=False).exists()
    return render(
        request,
        "members/survey/survey_email_confirm.html",
        {
            "program": program,
            "survey": survey,
            "reminder": reminder,
            "counts": counts,
            "blocked": reminder and not emailed,
            "status": survey.status(timezone.localdate()),
        },
    )


@login_required
def survey_close_confirm(request, slug, survey_id):
    """Before closing: the response rate and what a low one does to the comparison."""
    program, survey = _survey(request, slug, survey_id)
    return render(
        request,
        "members/survey/survey_close_confirm.html",
        {
            "program": program,
            "survey": survey,
            "counts": staff.survey_close_counts(survey=survey),
            "previous": survey.round.previous(),
            "status": survey.status(timezone.localdate()),
        },
    )


@login_required
def survey_edit(request, slug, survey_id):
    """Change a survey's name, dates, questions and cohorts, until it opens; and the
    wording of each relationship question."""
    program, survey = _survey(request, slug, survey_id)
    if not staff.survey_editable(survey):
        # Said on the page itself (not a redirect), so a bookmarked edit link explains.
        return render(
            request,
            "members/survey/survey_form.html",
            {"program": program, "survey": survey, "locked": True},
        )
    form = SurveyForm(request.POST or None, program=program, survey=survey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff.survey_update(
                survey=survey,
                name=data["name"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                relationship_types=data["relationship_types"],
                cohorts=data["cohorts"],
                type_wording=form.type_wording(),
            )
        except errors.SurveyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Survey saved.")
            return redirect("members:survey-detail", slug=program.slug, survey_id=survey.pk)
    return render(
        request,
        "members/survey/survey_form.html",
        {"program": program, "form": form, "survey": survey},
    )


@login_required
def survey_questions_edit(request, slug, survey_id):
    """The program's own questions: ready-made sets, custom ones, skip logic."""
    program, survey = _survey(request, slug, survey_id)
    editable = staff.survey_editable(survey)
    form = QuestionForm(request.POST or None, survey=survey)
    if request.method == "POST":
        if not editable:
            messages.error(request, "This survey has opened: its questions can no longer change.")
        elif request.POST.get("ready") in questions.READY_SETS:
            added = questions.ready_set_add(survey=survey, name=request.POST["ready"])
            messages.success(request, f"Added {added} question{'s' if added != 1 else ''}.")
        elif request.POST.get("remove"):
            survey.questions.filter(pk=request.POST["remove"]).delete()
            messages.success(request, "Question removed.")
        elif form.is_valid():
            form.save()
            messages.success(request, "Question added.")
        else:
            return render(
                request,
                "members/survey/survey_questions.html",
                _qs(program, survey, form, editable),
            )
        return redirect("members:survey-questions-edit", slug=program.slug, survey_id=survey.pk)
    return render(
        request, "members/survey/survey_questions.html", _qs(program, survey, form, editable)
    )


def _qs(program, survey, form, editable) -> dict:
    return {
        "program": program,
        "survey": survey,
        "form": form,
        "editable": editable,
        "questions": list(survey.questions.all()),
        "ready_sets": [(key, label) for key, (label, _) in questions.READY_SETS.items()],
    }


@login_required
@require_POST
def survey_reminder_schedule(request, slug, survey_id):
    program, survey = _survey(request, slug, survey_id)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        at = None if request.POST.get("action") == "cancel" else form.cleaned_data["at"]
        try:
            staff.survey_reminder_schedule(
                survey=survey, at=at, link_base=request.build_absolute_uri("/"), actor=request.user
            )
        except errors.SurveyError as exc:
            messages.error(request, str(exc))
        else:
            if at is None:
                messages.success(request, "The scheduled reminder is cancelled.")
            else:
                waiting = staff.survey_email_counts(survey=survey, reminder=True).to_send
                messages.success(
                    request,
                    f"A reminder will go on {timezone.localtime(at):%-d %B %Y at %H:%M} to those "
                    f"who have not answered by then ({waiting} today).",
                )
    return redirect("members:survey-detail", slug=program.slug, survey_id=survey.pk)


@login_required
@require_POST
def survey_reopen(request, slug, survey_id):
    program, survey = _survey(request, slug, survey_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick the new closing day.")
    else:
        try:
            staff.survey_reopen(
                survey=survey, closes_on=form.cleaned_data["closes_on"], actor=request.user
            )
        except errors.SurveyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"“{survey.name}” is open again until "
                f"{form.cleaned_data['closes_on']:%-d %B %Y}. Personal links work again.",
            )
    return redirect("members:survey-detail", slug=program.slug, survey_id=survey.pk)
