"""The weaving queue and its actions (staff). The convening mixer's pages are mixer_views.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.access import STAFF, program_for_user
from networkmaps.models import Suggestion
from networkmaps.weaving.decisions import pair_decision_record
from networkmaps.weaving.forms import DecisionForm
from networkmaps.weaving.queue import weaving_queue as queue_load


@login_required
def weaving_queue(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    filters = {
        key: request.GET.get(key, "").strip() for key in ("kind", "cohort", "sector", "member")
    }
    queue = queue_load(program=program, **filters)
    return render(
        request,
        "networkmaps/weaving_queue.html",
        {
            "program": program,
            "queue": queue,
            "filters": filters,
            "kinds": Suggestion.Kind.choices,
            "cohorts": program.cohorts.all(),
            "sectors": program.members.exclude(sector="").values_list("sector", flat=True)
            .distinct().order_by("sector"),
            "today": timezone.localdate(),
        },
    )  # fmt: skip


@login_required
@require_POST
def suggestion_act(request, slug, suggestion_id):
    program = program_for_user(request, slug, roles=STAFF)
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("run"), program=program, pk=suggestion_id
    )
    form = DecisionForm(request.POST)
    if not form.is_valid() or suggestion.pair is None:
        messages.error(request, "That action could not be recorded: " + _errors(form))
    else:
        pair_decision_record(
            suggestion=suggestion, decided_by=request.user.get_username(), **form.cleaned_data
        )
        messages.success(request, f"Recorded: {form.cleaned_data['status']}.")
    return redirect(request.POST.get("next") or reverse("networkmaps:weaving", args=[slug]))


def _errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()) or (
        "key-player sets are not introductions"
    )
