"""The New program page: for superusers and holders of members.add_program."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

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
