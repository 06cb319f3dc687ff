from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.access import STAFF, program_for_user
from networkmaps import glossary
from networkmaps.models import Suggestion
from networkmaps.runs import services
from networkmaps.weaving import queue as weaving
from networkmaps.weaving.forms import DecisionForm, MixerForm


@login_required
def dashboard(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    overview = services.network_overview(program=program)
    return render(
        request,
        "networkmaps/dashboard.html",
        {
            "program": program,
            "overview": overview,
            "outcomes": weaving.introduction_outcomes(program=program),
            "graph_choices": glossary.GRAPH_CHOICES,
            "member_metrics": glossary.MEMBER_METRICS,
        },
    )


@login_required
def run_status(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    runs = services.latest_runs(program=program)
    any_active = any(run.is_active for run in runs.values())
    response = render(
        request,
        "networkmaps/_run_status.html",
        {"program": program, "runs": runs, "any_active": any_active},
    )
    # The page was waiting for a run that has now finished: reload it to show the results.
    if request.GET.get("waiting") and not any_active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_start(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    runs = services.metric_runs_request_all(program=program, requested_by=request.user.username)
    messages.info(request, f"Recomputing {len(runs)} round{'s' if len(runs) != 1 else ''}.")
    if request.headers.get("HX-Request"):
        return HttpResponse(headers={"HX-Redirect": reverse("networkmaps:dashboard", args=[slug])})
    return redirect("networkmaps:dashboard", slug=program.slug)


@login_required
def member_table(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    table = services.member_table(
        program=program, round_id=request.GET.get("round"), sort=request.GET.get("sort", "")
    )
    page = Paginator(table.rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "networkmaps/member_table.html",
        {
            "program": program,
            "table": table,
            "page": page,
            "metrics": glossary.MEMBER_METRICS,
        },
    )


@login_required
def weaving_queue(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    filters = {
        key: request.GET.get(key, "").strip() for key in ("kind", "cohort", "sector", "member")
    }
    queue = weaving.weaving_queue(program=program, **filters)
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
        weaving.pair_decision_record(
            suggestion=suggestion, decided_by=request.user.get_username(), **form.cleaned_data
        )
        messages.success(request, f"Recorded: {form.cleaned_data['status']}.")
    return redirect(request.POST.get("next") or reverse("networkmaps:weaving", args=[slug]))


def _errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()) or (
        "key-player sets are not introductions"
    )


@login_required
def mixer(request, slug):
    program = program_for_user(request, slug, roles={"staff", "facilitator"})
    form = MixerForm(request.GET or None, program=program)
    seating = None
    if form.is_valid():
        seating = weaving.convening_mix(
            program=program,
            attendee_ids=form.cleaned_data["attendee_ids"],
            table_size=form.cleaned_data["table_size"],
        )
    return render(
        request, "networkmaps/mixer.html", {"program": program, "form": form, "seating": seating}
    )
