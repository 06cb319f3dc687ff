"""Pages about personal data: a member's own settings and data, staff invitations, erasure
and the audit trail. (The member's own network page is networkmaps/maps/views.py.)"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login, password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.access import STAFF, member_for_user, program_for_user
from members.models import AuditEvent
from members.privacy import consent, erasure, own_data
from members.privacy import invitations as invites  # the module: two views share its names
from members.privacy.audit import audit_record
from members.privacy.forms import AcceptInvitationForm, InvitationForm, MemberSettingsForm


@login_required
@require_POST
def my_settings(request, slug):
    program, member = member_for_user(request, slug)
    form = MemberSettingsForm(request.POST)
    if form.is_valid():
        consent.member_settings_update(member=member, **form.cleaned_data)
        messages.success(request, "Your choices are saved.")
    else:
        messages.error(request, "Please choose who may see you by name.")
    return redirect("networkmaps:my-network", slug=program.slug)


@login_required
@require_POST
def my_tie_remove(request, slug, relationship_id):
    program, member = member_for_user(request, slug)
    if own_data.member_tie_remove(member=member, relationship_id=relationship_id):
        messages.success(request, "The tie is removed.")
    else:
        messages.error(request, "That is not a tie you reported.")
    return redirect("networkmaps:my-network", slug=program.slug)


@login_required
def my_data(request, slug):
    program, member = member_for_user(request, slug)
    audit_record(
        program=program,
        actor=request.user,
        action=AuditEvent.Action.DATA_DOWNLOAD,
        target=f"member #{member.pk}",
    )
    response = JsonResponse(
        own_data.member_data_export(member=member), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-netlead-data.json"'
    return response


@login_required
@require_POST
def member_erase(request, slug, member_id):
    program = program_for_user(request, slug, roles=STAFF)
    member = get_object_or_404(program.members, pk=member_id)
    if request.POST.get("confirm") != "erase":
        messages.error(request, "Type “erase” to confirm.")
        return redirect("networkmaps:member-page", slug=program.slug, member_id=member.pk)
    erasure.member_erase(member=member, actor=request.user)
    messages.success(request, "The member and every tie touching them are erased.")
    return redirect("members:program-detail", slug=program.slug)


@login_required
def invitations(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = InvitationForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        invitation, token = invites.invitation_create(
            program=program, invited_by=request.user, **form.cleaned_data
        )
        link = request.build_absolute_uri(reverse("invitation-accept", args=[token]))
        invites.invitation_send(invitation=invitation, link=link)
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("members:invitations", slug=program.slug)
    return render(
        request,
        "members/invitations.html",
        {
            "program": program,
            "form": form,
            "invitations": program.invitations.select_related("member")[:200],
        },
    )


def invitation_accept(request, token):
    """Public: the emailed link. Signed-in users with the invited email accept directly;
    others create their account here (its email is the invited one)."""
    try:
        invitation = invites.invitation_from_token(token)
    except invites.InvitationError as exc:
        return render(request, "members/invitation_invalid.html", {"reason": str(exc)}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if user is None and form.is_valid():
            user = _account_for(invitation, form)
        if user is not None:
            try:
                invites.invitation_accept(token=token, user=user)
            except invites.InvitationError as exc:
                return render(
                    request, "members/invitation_invalid.html", {"reason": str(exc)}, status=410
                )
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("members:program-detail", slug=invitation.program.slug)
    return render(
        request, "members/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _account_for(invitation, form):
    User = get_user_model()
    if User.objects.filter(username=form.cleaned_data["username"]).exists():
        form.add_error("username", "That username is taken.")
        return None
    user = User(username=form.cleaned_data["username"], email=invitation.email)
    try:
        password_validation.validate_password(form.cleaned_data["password"], user)
    except ValidationError as exc:
        form.add_error("password", exc)
        return None
    user.set_password(form.cleaned_data["password"])
    user.save()
    return user


@login_required
def audit_log(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    events = program.audit_events.all()[:500]
    return render(request, "members/audit_log.html", {"program": program, "events": events})
