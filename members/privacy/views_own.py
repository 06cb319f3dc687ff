"""A member's own record and corrections: what the program holds about them, a tie's
strength, undoing a removal, and their consent from the survey's first screen (the
member's own network page is networkmaps')."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from members.access import member_for_user
from members.privacy import consent, own_data
from members.privacy.forms import CONSENT_PREFIX, MemberSettingsForm
from members.surveys.views_answer import survey_link
from members.ties import strength_valid
from netlead.params import whole_number


@login_required
def my_profile(request, slug):
    """What the program holds about the signed-in member: their record and attributes."""
    program, member = member_for_user(request, slug)
    attributes = own_data.member_attributes_held(member=member)
    return render(
        request,
        "members/my_profile.html",
        {
            "program": program,
            "member": member,
            "cohorts": list(member.cohorts.values_list("name", flat=True)),
            "attributes": attributes,
            "any_hidden": any(a.hidden for a in attributes),
        },
    )


@login_required
@require_POST
def my_tie_correct(request, slug, relationship_id):
    program, member = member_for_user(request, slug)
    strength = whole_number(request.POST.get("strength", ""))
    if strength is None or not strength_valid(strength):
        messages.error(request, "Strength: choose a whole number from 1 to 5.")
    else:
        problem = own_data.member_tie_strength_set(
            member=member, relationship_id=relationship_id, strength=int(strength)
        )
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, "The tie's strength is corrected.")
    return redirect("networkmaps:my-network", slug=program.slug)


@login_required
@require_POST
def my_tie_restore(request, slug, removed_id):
    program, member = member_for_user(request, slug)
    problem = own_data.member_tie_restore(member=member, removed_id=removed_id)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, "The tie is back.")
    return redirect("networkmaps:my-network", slug=program.slug)


@survey_link
@require_POST
def survey_consent(request, invitation):
    """The survey's first screen: the respondent's own choices (the link is who they are)."""
    form = MemberSettingsForm(request.POST, prefix=CONSENT_PREFIX)
    if form.is_valid():
        consent.member_settings_update(member=invitation.member, **form.cleaned_data)
        messages.success(request, "Your choices are saved.")
    else:
        messages.error(request, "Who may see you: choose one of the two options.")
    return redirect("members:survey-answer", token=request.survey_token)
