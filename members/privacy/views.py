"""Pages about personal data: a member's own settings and data, staff invitations, erasure
and the audit trail. (The member's own network page is networkmaps/maps/views.py.)"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.access import STAFF, member_for_user, program_for_user
from members.models import AuditEvent, Member
from members.privacy import consent, erasure, own_data
from members.privacy import invitations as invites  # the module: two views share its names
from members.privacy.audit import audit_lines, audit_record
from members.privacy.forms import (
    CONSENT_PREFIX,
    AcceptInvitationForm,
    AuditFilterForm,
    InvitationForm,
    MemberSettingsForm,
)


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
        data = form.cleaned_data
        invitation, token = invites.invitation_create(
            program=program,
            invited_by=request.user,
            email=data["email"],
            role=data["role"],
            member=data["member"],
        )
        link = request.build_absolute_uri(reverse("invitation-accept", args=[token]))
        invites.invitation_send(invitation=invitation, link=link)
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("members:invitations", slug=program.slug)
    now = timezone.now()
    rows = [(i, i.status(now)) for i in program.invitations.select_related("member")[:300]]
    counts = {s: sum(1 for _, status in rows if status == s) for s in invites.STATUSES}
    return render(
        request,
        "members/invitations.html",
        {"program": program, "form": form, "rows": rows, "counts": counts},
    )


@login_required
@require_POST
def invitation_change(request, slug):
    """Revoke or resend one invitation (its id and the action in the form)."""
    program = program_for_user(request, slug, roles=STAFF)
    invitation_id = request.POST.get("invitation", "")
    invitation = get_object_or_404(
        program.invitations.select_related("program"),
        pk=invitation_id if invitation_id.isascii() and invitation_id.isdigit() else 0,
    )
    action = request.POST.get("action")
    if action == "revoke":
        if invites.invitation_revoke(invitation=invitation, actor=request.user):
            messages.success(request, f"The invitation to {invitation.email} is revoked.")
        else:
            messages.info(request, "That invitation was already accepted or revoked.")
    elif action == "resend":
        try:
            invites.invitation_resend(
                invitation=invitation,
                actor=request.user,
                link_for=lambda t: request.build_absolute_uri(
                    reverse("invitation-accept", args=[t])
                ),
            )
        except invites.InvitationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Invitation sent again to {invitation.email}.")
    else:
        messages.error(request, "Choose revoke or resend.")
    return redirect("members:invitations", slug=program.slug)


def invitation_accept(request, token):
    """Public: the emailed link. Signed-in users with the invited email accept directly;
    others create their account here (its email is the invited one)."""
    try:
        invitation = invites.invitation_from_token(token)
    except invites.InvitationError as exc:
        return render(request, "members/invitation_invalid.html", {"reason": str(exc)}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    # A member's invitation asks their consent too (issue 16), recorded as they accept; a
    # post without the choices (not from the page) leaves the safe default, staff only.
    choices = MemberSettingsForm(request.POST or None, prefix=CONSENT_PREFIX)
    asked = invitation.member_id is not None and f"{CONSENT_PREFIX}-visibility" in request.POST
    chosen = not asked or choices.is_valid()
    if request.method == "POST" and not chosen:
        messages.error(request, "Who may see you: choose one of the two options.")
    if request.method == "POST" and chosen and (request.user.is_authenticated or form.is_valid()):
        signed_in = request.user.is_authenticated
        try:
            if signed_in:
                invites.invitation_accept(token=token, user=request.user)
            else:
                invites.invitation_accept(
                    token=token,
                    new_account={
                        "username": form.cleaned_data["username"],
                        "password": form.cleaned_data["password"],
                    },
                )
        except invites.AccountRefused as exc:
            for field, message in exc.errors.items():
                form.add_error(field, message)
        except invites.InvitationError as exc:
            return render(
                request, "members/invitation_invalid.html", {"reason": str(exc)}, status=410
            )
        else:
            if asked:
                consent.member_settings_update(
                    member=Member.objects.get(pk=invitation.member_id), **choices.cleaned_data
                )
            if not signed_in:
                user = get_user_model().objects.get(username=form.cleaned_data["username"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("members:program-detail", slug=invitation.program.slug)
    return render(
        request, "members/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@login_required
def audit_log(request, slug):
    program = program_for_user(request, slug, roles=STAFF)
    form = AuditFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    lines = audit_lines(program=program, **{k: v for k, v in chosen.items() if v})
    return render(
        request, "members/audit_log.html", {"program": program, "lines": lines, "form": form}
    )
