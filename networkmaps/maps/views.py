"""The interactive map and printable posters (staff, facilitators), and a member's own network."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from members.access import MAP_ROLES, STAFF, member_for_user, program_for_user
from members.privacy.audit import audit_record
from members.requests import introduction_request_create, introduction_requests
from netlead.params import whole_number
from networkmaps.maps import data as maps
from networkmaps.maps import posters
from networkmaps.maps.forms import PosterForm
from networkmaps.maps.my_network import (
    introduction_suggestion,
    member_network,
    removed_ties_shown,
)
from networkmaps.maps.names import member_poster_code
from networkmaps.maps.payload import map_payload_serve
from networkmaps.models import Poster


def _map_program(request, slug):
    """Staff and facilitators open the whole-network map; members too where the program
    lets them (issue 16), seeing names only where the one visibility rule allows."""
    program = program_for_user(request, slug)
    if request.program_role not in MAP_ROLES and not program.members_see_map:
        raise Http404("No such program.")
    return program


@login_required
def map_detail(request, slug):
    program = _map_program(request, slug)
    return render(
        request,
        "networkmaps/map.html",
        {"program": program, "config": maps.map_page(program=program)},
    )


@login_required
@gzip_page
def map_data(request, slug):
    program = _map_program(request, slug)
    anonymised = request.GET.get("anonymised") == "1"
    round_id = _number(request.GET.get("round"))
    # Staff see which ties were carried from the previous round; the stored map marks none.
    mark_carried = request.program_role in STAFF
    carried = mark_carried and maps.carried_ties_possible(program=program, round_id=round_id)
    # issue 18: the plain map of a round's current run is stored with the run (maps/payload.py).
    if not anonymised and not request.GET.get("compare") and not carried:
        stored = map_payload_serve(
            request,
            program=program,
            round_id=round_id,
            viewer_role=request.program_role,
            viewer_member_id=_own_member_id(request, program),
        )
        if stored is not None:
            response, round_ = stored
            audit_record(
                program=program, actor=request.user, action="view_network",
                target=f"map of {round_.name}", details={"round": round_.pk, "anonymised": False},
            )  # fmt: skip
            return response
    try:
        data = maps.map_data(
            program=program,
            round_id=round_id,
            compare_round_id=_number(request.GET.get("compare")),
            anonymised=anonymised,
            viewer_role=request.program_role,
            viewer_member_id=_own_member_id(request, program),
            mark_carried=mark_carried,
        )
    except maps.MapUnavailable as exc:
        return JsonResponse({"error": str(exc)})
    audit_record(
        program=program,
        actor=request.user,
        action="view_network",
        target=f"map of {data['round']['name']}",
        details={"round": data["round"]["id"], "anonymised": anonymised},
    )
    return JsonResponse(data)


def _own_member_id(request, program) -> int | None:
    """A member sees their own name on the map whatever they chose for others."""
    if request.program_role in MAP_ROLES:
        return None
    return program.members.filter(user=request.user).values_list("pk", flat=True).first()


def _number(value: str | None) -> int | None:
    return whole_number(value)


@login_required
def posters_page(request, slug):
    program = program_for_user(request, slug, roles=MAP_ROLES)
    form = PosterForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            poster = posters.poster_request(
                program=program,
                round_=form.cleaned_data["round"],
                options=form.options(),
                requested_by=request.user,
            )
        except posters.MapUnavailable as exc:
            messages.error(request, str(exc))
        else:
            if poster.status == Poster.Status.FAILED:
                messages.error(request, f"The poster could not be drawn: {poster.error}")
            elif poster.is_active:
                messages.info(request, "The poster is being drawn; it will appear below.")
        return redirect("networkmaps:posters", slug=program.slug)
    return render(
        request,
        "networkmaps/poster.html",
        {
            "program": program,
            "form": form,
            "posters": posters.posters_recent(program=program, viewer_role=request.program_role),
        },
    )


@login_required
def poster_status(request, slug, poster_id):
    program = program_for_user(request, slug, roles=MAP_ROLES)
    poster = get_object_or_404(
        Poster.objects.for_viewer(request.program_role).select_related("round"),
        program=program,
        pk=poster_id,
    )
    return render(request, "networkmaps/_poster_row.html", {"program": program, "poster": poster})


@login_required
def poster_download(request, slug, poster_id, extension):
    program = program_for_user(request, slug, roles=MAP_ROLES)
    poster = get_object_or_404(
        Poster.objects.for_viewer(request.program_role).select_related("program", "round"),
        program=program,
        pk=poster_id,
        status=Poster.Status.READY,
    )
    file = {"pdf": poster.pdf, "svg": poster.svg}.get(extension)
    if not file:
        raise Http404("No such file.")
    audit_record(
        program=program,
        actor=request.user,
        action="export",
        target=f"{'anonymised ' if poster.anonymised else ''}poster of {poster.round.name}",
        details={"poster": poster.pk, "format": extension, "anonymised": poster.anonymised},
    )
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=posters.poster_filename(poster=poster, extension=extension),
        content_type="application/pdf" if extension == "pdf" else "image/svg+xml",
    )


@login_required
def my_network(request, slug):
    program, member = member_for_user(request, slug)
    network = member_network(member=member, viewer_role=request.program_role, viewer=member)
    asked = {
        a.member_b if a.member_a == member.pk else a.member_a
        for a in introduction_requests(program=program, member=member)
        if a.requester == member.pk
    }
    for introduction in network.introductions:
        introduction.asked = introduction._member in asked
    return render(
        request,
        "networkmaps/my_network.html",
        {
            "program": program,
            "network": network,
            "own_page": True,
            "removed_ties": removed_ties_shown(member=member, viewer_role=request.program_role),
            "map_open": program.members_see_map,
            "settings_url": reverse("members:my-settings", args=[program.slug]),
            "ask_open": True,
            "poster_code": _poster_code(program, member),
        },
    )


@login_required
@require_POST
def my_introduction_ask(request, slug, suggestion_id):
    """ "Ask staff to introduce us": the request lands in the weaving queue, by name for
    staff, whatever the other person chose to show members."""
    program, member = member_for_user(request, slug)
    suggestion = introduction_suggestion(member=member, suggestion_id=suggestion_id)
    if suggestion is None:
        messages.error(request, "That introduction is no longer suggested for you.")
        return redirect("networkmaps:my-network", slug=program.slug)
    other = suggestion.member_b if suggestion.member_a_id == member.pk else suggestion.member_a
    introduction_request_create(
        program=program, requester=member, other=other, by_user=request.user,
        words=f"Asked from their own page ({suggestion.get_kind_display().lower()}).",
    )  # fmt: skip
    messages.success(request, "Staff will see your request in their weaving queue.")
    return redirect("networkmaps:my-network", slug=program.slug)


def _poster_code(program, member) -> str | None:
    """The member's code on the current round's anonymised posters, once one is printed."""
    round_ = program.current_round()
    printed = Poster.objects.filter(round=round_, anonymised=True).exclude(
        status=Poster.Status.FAILED
    )
    if round_ is None or not printed.exists():
        return None
    return member_poster_code(member=member, poster_or_round=round_)


@login_required
def member_page(request, slug, member_id):
    program = program_for_user(request, slug, roles=STAFF)
    member = get_object_or_404(program.members, pk=member_id)
    network = member_network(member=member, viewer_role=request.program_role)
    return render(
        request,
        "networkmaps/my_network.html",
        {"program": program, "network": network, "own_page": False},
    )
