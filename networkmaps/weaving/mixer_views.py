"""The convening mixer's pages (staff, facilitators): the plan, its prints and name badges.

Every page reads the same query string, so a plan's prints are the plan the facilitator
is looking at, and a hidden member's code is the same on all of them.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from members.access import MAP_ROLES, program_for_user
from networkmaps.graph.poster.badges import Badge, render_badges
from networkmaps.weaving.mixer import convening_mix
from networkmaps.weaving.mixer_forms import MixerForm

PRINTS = {
    "sheet": "Facilitator sheet",
    "door": "Door list",
    "cards": "Table cards",
}


def _seating(request, program):
    form = MixerForm(request.GET or None, program=program, viewer_role=request.program_role)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    seating = convening_mix(
        program=program,
        attendee_ids=data["attendee_ids"],
        guests=data["guests"],
        table_size=data["table_size"],
        rotations=data["rotations"],
        familiar_face=data["familiar_face"],
        title=data["title"],
        date=data["date"],
        viewer_role=request.program_role,
    )
    return form, seating


@login_required
def mixer(request, slug):
    program = program_for_user(request, slug, roles=MAP_ROLES)
    form, seating = _seating(request, program)
    return render(
        request,
        "networkmaps/mixer.html",
        {
            "program": program,
            "form": form,
            "seating": seating,
            "prints": PRINTS,
            "query": request.GET.urlencode(),
        },
    )


def _nothing_yet(request, program, errors):
    """Opened without a plan (a bookmark, a link): say where plans are made. A plan that
    does not validate is a 400 naming what is wrong."""
    if not request.GET:
        return render(request, "networkmaps/mixer_print.html", {"program": program})
    text = "; ".join(
        " ".join(e) if field == "__all__" else f"{field}: {' '.join(e)}"
        for field, e in errors.items()
    )
    return HttpResponse(f"Nothing to print: {text}", status=400, content_type="text/plain")


@login_required
def mixer_print(request, slug):
    program = program_for_user(request, slug, roles=MAP_ROLES)
    kind = request.GET.get("print", "sheet")
    if request.GET and kind not in PRINTS:
        return HttpResponse(
            f"Nothing to print: print must be one of {', '.join(PRINTS)}.",
            status=400,
            content_type="text/plain",
        )
    form, seating = _seating(request, program)
    if seating is None:
        return _nothing_yet(request, program, form.errors)
    return render(
        request,
        "networkmaps/mixer_print.html",
        {"program": program, "seating": seating, "kind": kind, "label": PRINTS[kind]},
    )


@login_required
def mixer_badges(request, slug):
    program = program_for_user(request, slug, roles=MAP_ROLES)
    form, seating = _seating(request, program)
    if seating is None:
        return _nothing_yet(request, program, form.errors)
    event = f"{seating.title} · {seating.date:%-d %B %Y}"
    badges = [
        Badge(seat.name, seat.organisation, seat.poster_code, tuple(tables))
        for seat, tables in seating.door_list
    ]
    response = HttpResponse(render_badges(badges, event=event), content_type="application/pdf")
    name = f"{program.slug}-{slugify(seating.title) or 'convening'}-badges.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
