"""The weaving queue's pages (staff): the queue, a decision about a pair, what a new tie
would change, and an introduction staff enter ("X should meet Y")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.access import STAFF, program_for_user
from members.requests import introduction_request_create
from netlead.params import safe_next
from networkmaps import glossary
from networkmaps.graph.weaving.reasons import dimension_name
from networkmaps.models import Suggestion
from networkmaps.weaving.decisions import pair_decide
from networkmaps.weaving.queue import STATES
from networkmaps.weaving.queue import weaving_queue as queue_load
from networkmaps.weaving.queue_forms import (
    PairDecisionForm,
    PairPickForm,
    RequestForm,
    staff_users,
)
from networkmaps.weaving.what_if import what_if_load


@login_required
def weaving_queue(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    state = request.GET.get("state", "open")
    state = state if state in dict(STATES) else "open"
    groups = {
        key.removeprefix("g."): value.strip()
        for key, value in request.GET.items()
        if key.startswith("g.") and value.strip()
    }
    filters = {key: request.GET.get(key, "").strip() for key in ("kind", "member")}
    queue = queue_load(
        program=program, state=state, groups=groups, page=request.GET.get("page", 1), **filters
    )
    query = request.GET.copy()
    query.pop("page", None)
    labels = dict(STATES)
    group_filters = [
        (dim, dimension_name(dim), values, groups.get(dim, ""))
        for dim, values in queue.groupings.items()
    ]
    return render(
        request,
        "networkmaps/weaving_queue.html",
        {
            "program": program,
            "queue": queue,
            "filters": filters,
            "groups": groups,
            "filtered": bool(groups or any(filters.values())),
            "tabs": [(value, label, queue.counts[value]) for value, label in STATES],
            "state_label": labels[queue.state],
            "group_filters": group_filters,
            "fair": all(e["within"] for e in queue.audit),
            "weaving_notes": glossary.WEAVING_NOTES,
            "kinds": Suggestion.Kind.choices,
            "staff": staff_users(program),
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "pick": PairPickForm(program=program),
            "ask": RequestForm(program=program),
        },
    )


@login_required
@require_POST
def pair_act(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    return _record(request, program, PairDecisionForm(request.POST, program=program))


@login_required
@require_POST
def suggestion_act(request, slug, suggestion_id):
    """The decision form of one run's suggestion (kept for links to a suggestion's id)."""
    program = program_for_user(request, slug, roles=STAFF)
    suggestion = get_object_or_404(Suggestion, program=program, pk=suggestion_id)
    if suggestion.pair is None:
        messages.error(request, "Key-player sets are not introductions.")
        return redirect(_back(request, program.slug))
    post = request.POST.copy()
    post.update({"a": suggestion.member_a_id, "b": suggestion.member_b_id, "kind": suggestion.kind})
    return _record(request, program, PairDecisionForm(post, program=program))


def _record(request, program, form: PairDecisionForm):
    back = _back(request, program.slug)
    round_ = program.current_round()
    if round_ is None:
        messages.error(request, "There is no current round to record a decision in.")
        return redirect(back)
    if not form.is_valid():
        messages.error(request, "That could not be recorded: " + _errors(form))
        return redirect(back)
    data = form.cleaned_data
    pair_decide(
        program=program,
        pair=data["pair"],
        kind=data["kind"],
        round_=round_,
        status=data["status"],
        decided_by=request.user.get_username(),
        note=data["note"],
        decided_on=data["decided_on"],
        snoozed_until=data["snoozed_until"],
        assigned_to=data["assigned_to"],
        due_on=data["due_on"],
    )
    label = dict(PairDecisionForm.base_fields["status"].choices)[data["status"]]
    messages.success(request, f"Recorded: {label.lower()}.")
    return redirect(back)


@login_required
def what_if(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = PairPickForm(request.GET or None, program=program)
    effect = None
    if form.is_valid():
        one, two = form.cleaned_data["members"]
        effect = what_if_load(program=program, first=one, second=two)
        if effect is None:
            form.add_error(None, "There is no computed network for the current round yet.")
    return render(
        request,
        "networkmaps/weaving_what_if.html",
        {"program": program, "form": form, "effect": effect},
    )


@login_required
@require_POST
def request_add(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = RequestForm(request.POST, program=program)
    if form.is_valid():
        one, two = form.cleaned_data["members"]
        try:
            introduction_request_create(
                program=program,
                requester=one,
                other=two,
                words=form.cleaned_data["words"],
                by_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"Added: {one.name} should meet {two.name}.")
    else:
        messages.error(request, "That could not be added: " + _errors(form))
    return redirect(_back(request, slug))


def _back(request, slug) -> str:
    # "/\\evil.example" starts with one slash yet browsers go off site: ask Django.
    return safe_next(request, request.POST.get("next")) or reverse(
        "networkmaps:weaving", args=[slug]
    )


def _errors(form) -> str:
    return "; ".join(
        f"{'' if field == '__all__' else field + ': '}{' '.join(errs)}"
        for field, errs in form.errors.items()
    )
