"""The staff dashboard, the member metrics table and starting or watching metric runs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.access import STAFF, program_for_user
from members.models import Program
from networkmaps import glossary
from networkmaps.runs import directions, rules, selectors, services
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
            "rules_form": rules.RoundRulesForm(instance=program),
            "directions_form": directions.IndicatorDirectionsForm(program=program),
        },
    )


@login_required
@require_POST
def round_rules(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = rules.RoundRulesForm(request.POST, instance=Program.objects.get(pk=program.pk))
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, f"Not saved — {errors}")
        return redirect("networkmaps:dashboard", slug=program.slug)
    changed = rules.round_rules_set(
        program=program,
        missing_answers=form.cleaned_data["missing_answers"],
        threshold=form.cleaned_data["low_response_threshold"],
        by=request.user.get_username(),
    )
    messages.info(request, "Saved; every round is being recomputed." if changed else "Saved.")
    return redirect("networkmaps:dashboard", slug=program.slug)


@login_required
@require_POST
def indicator_directions(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = directions.IndicatorDirectionsForm(request.POST, program=program)
    if not form.is_valid():
        wrong = ", ".join(form.fields[key].label for key in form.errors)
        messages.error(request, f"Not saved — choose higher or lower for: {wrong}.")
        return redirect("networkmaps:dashboard", slug=program.slug)
    changed = directions.indicator_directions_set(program=program, directions=form.cleaned_data)
    if changed:
        messages.success(request, f"Saved: {', '.join(changed)} now judged the other way.")
    else:
        messages.info(request, "Nothing changed.")
    return redirect("networkmaps:dashboard", slug=program.slug)


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
    # issue 16: find a member by name, across every page of the table.
    query = request.GET.get("q", "").strip()[:200]
    rows = table.rows.filter(member__name__icontains=query) if query else table.rows
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    selectors.rank_stability_mark(run=table.run, rows=page)
    return render(
        request,
        "networkmaps/member_table.html",
        {
            "program": program,
            "table": table,
            "page": page,
            "metrics": glossary.MEMBER_METRICS,
            "query": query,
        },
    )
