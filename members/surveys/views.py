"""Survey pages: the member's roster survey (opened through a personal link, no sign-in),
and the staff pages that set surveys up, track responses, close rounds and report on them."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.access import program_for_user
from members.models import Member, Round, Survey, SurveyInvitation, UnlistedPerson
from members.surveys import services as surveys
from members.surveys.forms import MergeForm, SurveyForm, SurveySettingsForm, ratings_from_post
from networkmaps.exports import round_report as reports

STAFF = {"staff"}


# The member's survey. Every view gets its invitation from the signed link in the URL.


def survey_link(view):
    """Resolve the personal link; an altered link or a closed survey gets a page saying so."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            invitation = surveys.invitation_from_token(token=token)
        except surveys.LinkExpired as exc:
            context = {"title": "This survey has closed", "reason": str(exc)}
            context["invitation"] = exc.invitation
            return render(request, "members/survey/link_refused.html", context, status=410)
        except surveys.LinkInvalid as exc:
            context = {"title": "This link does not work", "reason": str(exc)}
            return render(request, "members/survey/link_refused.html", context, status=400)
        request.survey_token = token
        return view(request, invitation, *args, **kwargs)

    return wrapper


def _answer_context(request, invitation, **extra) -> dict:
    survey = invitation.survey
    answers = surveys.answers_normalised(invitation.answers)
    ids = [k["member"] for k in answers["known"]] + answers["meet"]
    people = Member.objects.select_related("organisation").in_bulk(ids)
    return {
        "invitation": invitation,
        "survey": survey,
        "program": survey.program,
        "token": request.survey_token,
        "status": survey.status(timezone.localdate()),
        "answers": answers,
        "known": [(people[k["member"]], k) for k in answers["known"] if k["member"] in people],
        "meet": [people[m] for m in answers["meet"] if m in people],
        "types": list(survey.relationship_types.order_by("name")),
        "strengths": surveys.STRENGTHS,
        **extra,
    }


def _roster_context(request, invitation) -> dict:
    query = request.GET.get("q", "").strip()
    cohort, organisation = request.GET.get("cohort", ""), request.GET.get("organisation", "")
    offset = int(request.GET.get("offset", "0")) if request.GET.get("offset", "").isdigit() else 0
    page = None
    if query or cohort or organisation:
        page = surveys.roster_search(
            invitation=invitation,
            query=query,
            cohort_id=cohort,
            organisation_id=organisation,
            offset=offset,
        )
    answers = surveys.answers_normalised(invitation.answers)
    return {
        "page": page,
        "query": query,
        "cohort": cohort,
        "organisation": organisation,
        "known_ids": {k["member"] for k in answers["known"]},
        "meet_ids": set(answers["meet"]),
        "token": request.survey_token,
        "status": invitation.survey.status(timezone.localdate()),
    }


@survey_link
def survey_answer(request, invitation):
    """Step 1: find and pick the people you know."""
    surveys.answers_open(invitation=invitation)
    survey = invitation.survey
    roster = surveys.survey_roster(survey=survey)
    context = _answer_context(request, invitation) | _roster_context(request, invitation)
    context["roster_size"] = roster.count()
    context["cohorts"] = survey.cohorts.all()
    context["organisations"] = (
        survey.program.organisations.filter(members__in=roster).distinct().order_by("name")
    )
    return render(request, "members/survey/answer_people.html", context)


@survey_link
def survey_roster(request, invitation):
    """The roster search results (an htmx partial)."""
    context = _roster_context(request, invitation)
    return render(request, "members/survey/_roster_results.html", context)


@survey_link
@require_POST
def survey_pick(request, invitation):
    try:
        if request.POST.get("action") == "remove":
            surveys.answer_unpick(invitation=invitation, member_id=request.POST.get("member"))
        else:
            surveys.answer_pick(
                invitation=invitation,
                member_id=request.POST.get("member"),
                wants_introduction=request.POST.get("action") == "meet",
            )
        error = ""
    except surveys.SurveyError as exc:
        error = str(exc)
    return _picked_response(request, invitation, error)


@survey_link
@require_POST
def survey_unlisted(request, invitation):
    try:
        if request.POST.get("action") == "remove":
            surveys.answer_unlisted_remove(invitation=invitation, index=request.POST.get("index"))
        else:
            surveys.answer_unlisted_add(
                invitation=invitation,
                name=request.POST.get("name", ""),
                organisation=request.POST.get("organisation", ""),
            )
        error = ""
    except surveys.SurveyError as exc:
        error = str(exc)
    return _picked_response(request, invitation, error)


def _picked_response(request, invitation, error: str):
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect(_safe_next(request, invitation))
    context = _answer_context(request, invitation, error=error)
    response = render(request, "members/survey/_picked.html", context)
    # The search results show who is picked: let them refresh.
    response["HX-Trigger"] = "picked"
    return response


def _safe_next(request, invitation) -> str:
    url = reverse("members:survey-answer", args=[request.survey_token])
    query = request.POST.get("next_query", "")
    return f"{url}?{query}" if query and "//" not in query else url


@survey_link
def survey_questions(request, invitation):
    """Step 2: for each person, how you are connected and how well you know them."""
    if request.method == "POST":
        known, unlisted = ratings_from_post(
            request.POST, surveys.answers_normalised(invitation.answers)
        )
        try:
            surveys.answers_rate(invitation=invitation, known=known, unlisted=unlisted)
        except surveys.SurveyError as exc:
            messages.error(request, str(exc))
            return redirect("members:survey-questions", request.survey_token)
        action = request.POST.get("action")
        if action == "review":
            return redirect("members:survey-review", request.survey_token)
        if action == "back":
            return redirect("members:survey-answer", request.survey_token)
        messages.success(
            request,
            "Saved. Open your link again any time before the survey closes to carry on.",
        )
        return redirect("members:survey-questions", request.survey_token)
    return render(
        request, "members/survey/answer_questions.html", _answer_context(request, invitation)
    )


@survey_link
def survey_review(request, invitation):
    """Step 3: check and submit."""
    context = _answer_context(request, invitation)
    names = {person.pk: person.name for person, _ in context["known"]}
    problems = surveys.answers_problems(invitation=invitation, names=names)
    if request.method == "POST" and not problems:
        try:
            submitted = surveys.answers_submit(invitation=invitation)
        except surveys.SurveyError as exc:
            problems = [str(exc)]
        else:
            request.session[f"survey-submitted-{invitation.pk}"] = submitted.__dict__
            return redirect("members:survey-done", request.survey_token)
    type_names = {t.pk: t.name for t in context["types"]}
    entries = [(p.name, e, False) for p, e in context["known"]]
    entries += [(u["name"], u, True) for u in context["answers"]["unlisted"]]
    context["rows"] = [
        {
            "name": name,
            "types": [type_names[t] for t in entry.get("types", []) if t in type_names],
            "strength": entry.get("strength"),
            "unlisted": unlisted,
        }
        for name, entry, unlisted in entries
    ]
    context["problems"] = problems
    return render(request, "members/survey/answer_review.html", context)


@survey_link
def survey_done(request, invitation):
    submitted = request.session.get(f"survey-submitted-{invitation.pk}")
    context = _answer_context(request, invitation, submitted=submitted)
    return render(request, "members/survey/answer_done.html", context)


# Staff pages


@login_required
def survey_list(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    for closed in surveys.surveys_close_due(program=program):
        messages.info(request, f"“{closed.name}” reached its closing date: metrics are queued.")
    today = timezone.localdate()
    rows = [
        (survey, surveys.survey_response_summary(survey=survey), survey.status(today))
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
    surveys.surveys_close_due(program=program)
    survey = get_object_or_404(
        Survey.objects.select_related("round"), program=program, pk=survey_id
    )
    show = request.GET.get("show", "")
    page = Paginator(surveys.survey_invitation_rows(survey=survey, show=show), 100).get_page(
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
            "summary": surveys.survey_response_summary(survey=survey),
            "page": page,
            "show": show,
            "unlisted": unlisted,
            "merge_choices": merge_choices,
            "settings_form": SurveySettingsForm(instance=surveys.survey_settings(program=program)),
        },
    )


def _link(request, invitation: SurveyInvitation) -> str:
    token = surveys.survey_link_token(invitation=invitation)
    return request.build_absolute_uri(reverse("members:survey-answer", args=[token]))


@login_required
@require_POST
def survey_email(request, slug, survey_id):
    program = program_for_user(request, slug, roles=STAFF)
    survey = get_object_or_404(Survey, program=program, pk=survey_id)
    reminder = request.POST.get("kind") == "reminder"
    try:
        result = surveys.survey_invitations_email(
            survey=survey,
            link_for=lambda inv: _link(request, inv),
            reminder=reminder,
            actor=request.user,
        )
    except surveys.SurveyError as exc:
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
        form.save()
        messages.success(request, "Saved. Press Recompute on the dashboard to apply it to metrics.")
    else:
        messages.error(request, "Choose which ties count.")
    return redirect(request.POST.get("next") or reverse("members:survey-list", args=[slug]))


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
        messages.error(request, "Pick the member this person is.")
    else:
        try:
            ties = surveys.unlisted_person_merge(person=person, member=form.cleaned_data["member"])
            messages.success(request, f"Merged {person.name}: {ties} ties added.")
        except surveys.SurveyError as exc:
            messages.error(request, str(exc))
    return redirect(
        "members:survey-detail", slug=program.slug, survey_id=person.invitation.survey_id
    )


@login_required
def round_report(request, slug, round_id):
    program = program_for_user(request, slug, roles=STAFF)
    comparison = _comparison(request, program, round_id)
    context = {"program": program, "report": comparison, "rounds": program.rounds.all()}
    if request.GET.get("format") == "pdf" and comparison is not None:
        html = render_to_string("members/survey/round_report_pdf.html", context, request)
        pdf = reports.round_report_pdf(html=html, base_url=str(settings.BASE_DIR))
        filename = f"{program.slug}-{comparison.after.name}-report.pdf".replace(" ", "-").lower()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    return render(request, "members/survey/round_report.html", context)


def _comparison(request, program, round_id):
    after = get_object_or_404(Round, program=program, pk=round_id)
    before_id = request.GET.get("before", "")
    before = (
        program.rounds.filter(pk=before_id).first() if before_id.isdigit() else after.previous()
    )
    if before is None or before.pk == after.pk:
        return None
    return reports.round_comparison(program=program, before=before, after=after)
