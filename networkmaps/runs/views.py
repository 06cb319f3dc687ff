"""The staff dashboard, the member metrics table and starting or watching metric runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.access import STAFF, program_for_user
from networkmaps import glossary
from networkmaps.runs import selectors, services
from networkmaps.weaving.outcomes import introduction_outcomes


@login_required
def dashboard(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    overview = selectors.network_overview(program=program)
    return render(
        request,
        "networkmaps/dashboard.html",
        {
            "program": program,
            "overview": overview,
            "outcomes": introduction_outcomes(program=program),
            "graph_choices": glossary.GRAPH_CHOICES,
            "member_metrics": glossary.MEMBER_METRICS,
            "glossary_notes": glossary.GLOSSARY_NOTES,
        },
    )


@login_required
def run_status(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    runs = selectors.latest_runs(program=program)
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
    table = selectors.member_table(
        program=program, round_id=request.GET.get("round"), sort=request.GET.get("sort", "")
    )
    page = Paginator(table.rows, 50).get_page(request.GET.get("page"))
    selectors.rank_stability_mark(run=table.run, rows=page)
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
