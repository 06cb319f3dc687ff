"""The New program page (superusers and holders of members.add_program) and the staff setup
pages: cohorts, organisations, relationship types, rounds, attributes, members, roles and
the program's settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from members.access import STAFF, program_for_user
from members.models import Program
from members.setup import forms as forms_setup
from members.setup import services
from members.setup.services import ProgramRefused, program_create, program_create_allowed


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="As your members know it.")
    slug = forms.SlugField(
        max_length=80, help_text="Short name in addresses and commands: a-z, 0-9 and -."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


@login_required
def program_new(request):
    if not program_create_allowed(request.user):
        raise PermissionDenied("You may not create programs.")
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = program_create(creator=request.user, **form.cleaned_data)
        except ProgramRefused as exc:
            for field_name, message in exc.errors.items():
                form.add_error(field_name, message)
        else:
            return redirect("members:program-detail", slug=program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/setup/program_new.html", {"form": form}, status=status)


# --- staff setup pages ---------------------------------------------------------------------

SECTIONS = {
    # kind: (title, form, rows of the program)
    "cohorts": ("Cohorts", forms_setup.CohortForm, lambda p: p.cohorts.all()),
    "organisations": (
        "Organisations", forms_setup.OrganisationForm, lambda p: p.organisations.all()
    ),
    "types": (
        "Relationship types", forms_setup.RelationshipTypeForm,
        lambda p: p.relationship_types.all(),
    ),
    "rounds": ("Rounds", forms_setup.RoundForm, lambda p: p.rounds.order_by("observed_on", "id")),
    "attributes": (
        "Member attributes", forms_setup.AttributeForm, lambda p: p.member_attributes.all()
    ),
    "members": (
        "Members", forms_setup.MemberForm,
        lambda p: p.members.select_related("organisation").order_by("name", "pk"),
    ),
}  # fmt: skip
# The setup pages' navigation: the row kinds, then the pages of their own.
NAVIGATION = [(k, v[0]) for k, v in SECTIONS.items()] + [
    ("roles", "Roles"),
    ("settings", "Settings"),
]


@login_required
def setup_section(request, slug, kind, pk=None):
    """List a kind of row and add one (or, with `pk`, change or delete that row)."""
    program = program_for_user(request, slug, roles=STAFF)
    if kind not in SECTIONS:
        raise Http404("No such setup page.")
    title, form_class, rows_of = SECTIONS[kind]
    rows = rows_of(program)
    row = get_object_or_404(rows, pk=pk) if pk is not None else None
    status = 200
    if request.method == "POST" and "delete" in request.POST and row is not None:
        refused = services.setup_row_delete(program=program, row=row, actor=request.user, kind=kind)
        if refused:
            messages.error(request, refused)
            return redirect("members:setup", slug=slug, kind=kind, pk=pk)
        messages.success(request, f"Deleted “{row}”.")
        return redirect("members:setup", slug=slug, kind=kind)
    form = form_class(
        request.POST if request.method == "POST" and "paste" not in request.POST else None,
        instance=row,
        program=program,
    )
    paste = forms_setup.MembersPasteForm(request.POST if "paste" in request.POST else None)
    if request.method == "POST" and "paste" in request.POST and kind == "members":
        if paste.is_valid():
            problems = services.members_paste(
                program=program, text=paste.cleaned_data["lines"], actor=request.user
            )
            if not problems:
                messages.success(request, "Members added.")
                return redirect("members:setup", slug=slug, kind=kind)
            for problem in problems:
                paste.add_error("lines", problem)
        status = 400
    elif request.method == "POST":
        if form.is_valid():
            saved = services.setup_row_save(form=form, actor=request.user, kind=kind)
            messages.success(request, f"Saved “{saved}”.")
            return redirect("members:setup", slug=slug, kind=kind)
        status = 400
    context = {
        "program": program,
        "kind": kind,
        "title": title,
        "sections": NAVIGATION,
        "rows": rows,
        "row": row,
        "form": form,
        "paste": paste if kind == "members" else None,
    }
    return render(request, "members/setup/section.html", context, status=status)


@login_required
def setup_roles(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = forms_setup.RoleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if "remove" in request.POST:
            role = get_object_or_404(program.roles, pk=request.POST["remove"])
            if role.user_id == request.user.pk:
                messages.error(request, "You cannot remove your own role.")
            else:
                services.role_remove(program=program, role=role, actor=request.user)
                messages.success(request, f"Removed {role.user}.")
            return redirect("members:setup-roles", slug=slug)
        if form.is_valid():
            services.role_set(
                program=program, user=form.user, role=form.cleaned_data["role"],
                actor=request.user,
            )  # fmt: skip
            messages.success(request, f"{form.user} is now {form.cleaned_data['role']}.")
            return redirect("members:setup-roles", slug=slug)
        status = 400
    context = {
        "program": program,
        "kind": "roles",
        "title": "Roles",
        "sections": NAVIGATION,
        "roles": program.roles.select_related("user").order_by("role", "user__username"),
        "form": form,
    }
    return render(request, "members/setup/roles.html", context, status=status)


@login_required
def program_settings(request, slug):
    """Who may open the map, the weaving queue's week, cap and divides, and the anonymised
    exports' k: staff change them here (audited); the queue is recomputed when it must be."""
    program = program_for_user(request, slug, roles=STAFF)
    form = forms_setup.ProgramSettingsForm(request.POST or None, program=program)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changed = services.program_settings_save(
                program=program, actor=request.user, settings=form.cleaned_data
            )
            if not changed:
                messages.info(request, "Nothing changed.")
            elif Program.RUN_SETTINGS & set(changed):
                messages.success(request, "Saved; the weaving queue is being recomputed.")
            else:
                messages.success(request, "Saved.")
            return redirect("members:program-settings", slug=slug)
        status = 400
    context = {
        "program": program,
        "kind": "settings",
        "title": "Settings",
        "sections": NAVIGATION,
        "form": form,
        "weaving_numbers": [form["weaving_this_week"], form["weaving_max_per_member"]],
    }
    return render(request, "members/setup/settings.html", context, status=status)
