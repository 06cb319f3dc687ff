"""The member's survey behind a personal link (no sign-in): pick, rate, review, submit."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.access import RESPONDENT, members_detailed_to, members_named_to
from members.models import Member
from members.surveys import about_me, drafts, errors, links, questions, roster, submit
from members.surveys.forms import ratings_from_post

# The member's survey. Every view gets its invitation from the signed link in the URL.

# Strength labels short enough to stay whole under five buttons on a 390 px phone.
SHORT = {1: "Barely", 2: "A little", 3: "Fairly", 4: "Well", 5: "Very well"}


def survey_link(view):
    """Resolve the personal link; an altered link or a closed survey gets a page saying so."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            invitation = links.invitation_from_token(token=token)
        except errors.LinkExpired as exc:
            context = {"title": "This survey has closed", "reason": str(exc)}
            context["invitation"] = exc.invitation
            return render(request, "members/survey/link_refused.html", context, status=410)
        except errors.LinkInvalid as exc:
            context = {"title": "This link does not work", "reason": str(exc)}
            return render(request, "members/survey/link_refused.html", context, status=400)
        request.survey_token = token
        return view(request, invitation, *args, **kwargs)

    return wrapper


def _answer_context(request, invitation, **extra) -> dict:
    survey = invitation.survey
    answers = drafts.answers_normalised(invitation.answers)
    ids = [k["member"] for k in answers["known"]] + answers["meet"]
    # Each person as the respondent may see them: a name, the rest only if the rule allows.
    members = Member.objects.filter(program_id=survey.program_id, pk__in=ids)
    members = members_named_to(RESPONDENT, members).select_related("organisation")
    people = roster.people_shown(invitation=invitation, members=members)
    return {
        "invitation": invitation,
        "survey": survey,
        "program": survey.program,
        "token": request.survey_token,
        "status": survey.status(timezone.localdate()),
        "answers": answers,
        "known": [(people[k["member"]], k) for k in answers["known"] if k["member"] in people],
        "meet": [people[m] for m in answers["meet"] if m in people],
        # Straight to review when nothing is left to ask (a re-survey with nobody new).
        "needs_questions": bool(
            [k for k in answers["known"] if not k.get("prior")]
            or answers["unlisted"]
            or questions.member_questions(survey=survey)
        ),
        "types": _types_worded(survey),
        "strengths": [(v, SHORT[v], text) for v, text in drafts.STRENGTHS],
        "strengths_short": [(v, SHORT[v]) for v, _ in drafts.STRENGTHS],
        **extra,
    }


def _types_worded(survey):
    """The relationship types asked, each with the survey's own question and help text."""
    types = list(survey.relationship_types.order_by("name"))
    for relationship_type in types:
        wording = survey.wording(relationship_type)
        relationship_type.question, relationship_type.help = wording["question"], wording["help"]
    return types


def _cards(invitation, people, entries) -> list[dict]:
    """One card per person: who, their draft entry, and each tie question with its options
    and the current answer (templates cannot look a key up in a dict)."""
    tie_questions = [
        (q, questions.question_scale(q)) for q in questions.tie_questions(survey=invitation.survey)
    ]
    cards = []
    for entry in entries:
        person = people.get(entry["member"])
        if person is None:
            continue
        quality = entry.get("quality") or {}
        cards.append(
            {
                "person": person,
                "entry": entry,
                "quality": [(q, scale, quality.get(q.key)) for q, scale in tie_questions],
                # The help text (and its source) once, on the first card, not on every one.
                "show_help": not cards,
            }
        )
    return cards


def _people(invitation, member_ids):
    members = Member.objects.filter(program_id=invitation.survey.program_id, pk__in=member_ids)
    members = members_named_to(RESPONDENT, members).select_related("organisation")
    return roster.people_shown(invitation=invitation, members=members)


def _quality_from_post(post, survey, key) -> dict[str, int | None]:
    return {
        q.key: questions.tie_rating_value(q, post.get(f"q-{q.key}-{key}"))
        for q in questions.tie_questions(survey=survey)
    }


def _roster_context(request, invitation) -> dict:
    query = request.GET.get("q", "").strip()
    cohort, organisation = request.GET.get("cohort", ""), request.GET.get("organisation", "")
    offset = roster.row_id(request.GET.get("offset")) or 0
    page = None
    if query or cohort or organisation:
        page = roster.roster_search(
            invitation=invitation,
            query=query,
            cohort_id=cohort,
            organisation_id=organisation,
            offset=offset,
        )
    answers = drafts.answers_normalised(invitation.answers)
    return {
        "page": page,
        "query": query,
        "cohort": cohort,
        "organisation": organisation,
        "known_keys": _keys(invitation, [k["member"] for k in answers["known"]]),
        "meet_keys": _keys(invitation, answers["meet"]),
        "token": request.survey_token,
        "status": invitation.survey.status(timezone.localdate()),
    }


def _keys(invitation, member_ids) -> set[str]:
    return {roster.person_key(invitation_id=invitation.pk, member_id=m) for m in member_ids}


@survey_link
def survey_answer(request, invitation):
    """Step 1: find and pick the people you know. A re-survey opens on "Still in touch?"
    until the member has been through last round's people once."""
    drafts.answers_open(invitation=invitation)
    answers = drafts.answers_normalised(invitation.answers)
    prior = [e for e in answers["known"] if e.get("prior")]
    if (
        prior
        and not answers.get("prior_checked")
        and invitation.survey.status(timezone.localdate()) == "open"
    ):
        return redirect("members:survey-still", request.survey_token)
    survey = invitation.survey
    people = roster.roster_for_respondent(invitation=invitation)
    context = _answer_context(request, invitation) | _roster_context(request, invitation)
    context["roster_size"] = people.count() + 1  # the list includes the respondent
    context["cohorts"] = survey.cohorts.all()
    # Only organisations of people whose organisation the respondent may see.
    listed = members_detailed_to(RESPONDENT, people)
    context["organisations"] = (
        survey.program.organisations.filter(members__in=listed).distinct().order_by("name")
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
    # The page names people by key, never by id: the server turns a key back into an id.
    key = request.POST.get("member")
    try:
        if request.POST.get("action") == "remove":
            answers = drafts.answers_normalised(invitation.answers)
            picked = [k["member"] for k in answers["known"]] + answers["meet"]
            member_id = roster.person_member_id(invitation=invitation, key=key, among=picked)
            drafts.answer_unpick(invitation=invitation, member_id=member_id)
        else:
            member_id = roster.person_member_id(invitation=invitation, key=key)
            if member_id is None and key:
                raise errors.AnswerInvalid("That person is not on this survey's list of people.")
            drafts.answer_pick(
                invitation=invitation,
                member_id=member_id,
                wants_introduction=request.POST.get("action") == "meet",
            )
        error = ""
    except errors.SurveyError as exc:
        error = str(exc)
    return _picked_response(request, invitation, error)


@survey_link
@require_POST
def survey_unlisted(request, invitation):
    try:
        if request.POST.get("action") == "remove":
            drafts.answer_unlisted_remove(invitation=invitation, index=request.POST.get("index"))
        else:
            drafts.answer_unlisted_add(
                invitation=invitation,
                name=request.POST.get("name", ""),
                organisation=request.POST.get("organisation", ""),
            )
        error = ""
    except errors.SurveyError as exc:
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


def _ratings(post, invitation):
    """The questions page's ratings, its people's keys turned back into member ids. Last
    round's people kept on "Still in touch?" are rated there: only rated here when the page
    carries their answers."""
    answers = drafts.answers_normalised(invitation.answers)
    ids = {
        roster.person_key(invitation_id=invitation.pk, member_id=k["member"]): k["member"]
        for k in answers["known"]
        if not k.get("prior") or f"strength-{_key(invitation, k)}" in post
    }
    keyed = answers | {"known": [{"member": key} for key in ids]}
    known, unlisted = ratings_from_post(post, keyed)
    quality = {
        member_id: _quality_from_post(post, invitation.survey, key)
        for key, member_id in ids.items()
    }
    return {ids[key]: rating for key, rating in known.items()}, unlisted, quality


def _key(invitation, entry) -> str:
    return roster.person_key(invitation_id=invitation.pk, member_id=entry["member"])


def _questions_context(request, invitation) -> dict:
    context = _answer_context(request, invitation)
    answers = context["answers"]
    new = [e for e in answers["known"] if not e.get("prior")]
    context["cards"] = _cards(invitation, _people(invitation, [e["member"] for e in new]), new)
    context["kept"] = [(p, e) for p, e in context["known"] if e.get("prior")]
    given = answers.get("about_me") or {}
    context["about_me"] = [
        {
            "question": q,
            "scale": [(str(v), label) for v, label in questions.question_scale(q)],
            "given": given.get(q.key),
            "shown": questions.question_shown(q, given),
        }
        for q in questions.member_questions(survey=invitation.survey)
    ]
    return context


@survey_link
def survey_questions(request, invitation):
    """Step 2: for each new person, how you are connected and how well you know them (and
    the survey's tie questions); then the survey's questions about you."""
    if request.method == "POST":
        known, unlisted, quality = _ratings(request.POST, invitation)
        try:
            drafts.answers_rate(
                invitation=invitation, known=known, unlisted=unlisted, quality=quality
            )
            about_me.answers_about_me_set(invitation=invitation, post=request.POST)
        except errors.SurveyError as exc:
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
        request, "members/survey/answer_questions.html", _questions_context(request, invitation)
    )


@survey_link
def survey_still(request, invitation):
    """A re-survey's first step: last round's people, each kept (one tap), re-rated or
    marked "no longer in touch"; then on to "anyone new?"."""
    answers = drafts.answers_normalised(invitation.answers)
    prior = [e for e in answers["known"] + answers["dropped"] if e.get("prior")]
    if request.method == "POST":
        keys = {_key(invitation, e): e["member"] for e in prior}
        decisions = {}
        for key, member_id in keys.items():
            strength = request.POST.get(f"strength-{key}", "")
            decisions[member_id] = (
                request.POST.get(f"still-{key}", ""),
                int(strength) if strength.isascii() and strength.isdigit() else None,
                _quality_from_post(request.POST, invitation.survey, key),
            )
        try:
            drafts.answers_still_in_touch(invitation=invitation, decisions=decisions)
        except errors.SurveyError as exc:
            messages.error(request, str(exc))
            return redirect("members:survey-still", request.survey_token)
        if request.POST.get("action") == "save":
            messages.success(request, "Saved. Open your link again any time to carry on.")
            return redirect("members:survey-still", request.survey_token)
        return redirect("members:survey-answer", request.survey_token)
    context = _answer_context(request, invitation)
    context["cards"] = _cards(invitation, _people(invitation, [e["member"] for e in prior]), prior)
    type_names = {t.pk: t.name for t in context["types"]}
    for card in context["cards"]:
        was = card["entry"].get("was") or {}
        card["was_types"] = [type_names[t] for t in was.get("types", []) if t in type_names]
        card["was_strength"] = was.get("strength")
    return render(request, "members/survey/answer_still.html", context)


@survey_link
def survey_review(request, invitation):
    """Step 3: check and submit."""
    context = _answer_context(request, invitation)
    names = {entry["member"]: person.name for person, entry in context["known"]}
    problems = drafts.answers_problems(invitation=invitation, names=names)
    if request.method == "POST" and not problems:
        try:
            submitted = submit.answers_submit(invitation=invitation)
        except errors.SurveyError as exc:
            problems = [str(exc)]
        else:
            request.session[f"survey-submitted-{invitation.pk}"] = submitted.__dict__
            return redirect("members:survey-done", request.survey_token)
    type_names = {t.pk: t.name for t in context["types"]}
    asked = {q.key: q.text for q in questions.tie_questions(survey=invitation.survey)}
    entries = [(p.name, e, False) for p, e in context["known"]]
    entries += [(u["name"], u, True) for u in context["answers"]["unlisted"]]
    context["rows"] = [
        {
            "name": name,
            "types": [type_names[t] for t in entry.get("types", []) if t in type_names],
            "strength": entry.get("strength"),
            "unlisted": unlisted,
            "quality": [
                (key, value) for key, value in (entry.get("quality") or {}).items() if key in asked
            ],
        }
        for name, entry, unlisted in entries
    ]
    context["problems"] = problems
    context["undecided"] = any(
        e.get("prior") and e.get("still") is None for _, e in context["known"]
    )
    return render(request, "members/survey/answer_review.html", context)


@survey_link
def survey_done(request, invitation):
    submitted = request.session.get(f"survey-submitted-{invitation.pk}")
    context = _answer_context(request, invitation, submitted=submitted)
    return render(request, "members/survey/answer_done.html", context)


# Staff pages
