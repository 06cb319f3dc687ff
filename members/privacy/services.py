"""Personal data: the audit trail, members' own settings and data, erasure, invitations."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from members.models import (
    AuditEvent,
    Invitation,
    Member,
    Program,
    ProgramRole,
    Relationship,
)
from members.signals import member_erased_send, network_changed_send


def audit_record(
    *, program: Program, actor, action: str, target: str = "", details: dict | None = None
) -> AuditEvent:
    """Append to the program's audit trail. `target` must never hold an erased member's name."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        program=program,
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        target=target[:200],
        details=details or {},
    )


def member_settings_update(
    *, member: Member, visibility: str, accepts_introductions: bool
) -> Member:
    """A member's own choices: who sees them by name, whether they want introductions."""
    Member.objects.filter(pk=member.pk).update(
        visibility=visibility,
        accepts_introductions=accepts_introductions,
        consent_recorded_at=timezone.now(),
    )
    member.refresh_from_db()
    return member


def member_tie_remove(*, member: Member, relationship_id: int) -> bool:
    """Remove a tie the member reported themselves (they are its source). False if none."""
    deleted, _ = Relationship.objects.filter(pk=relationship_id, source=member).delete()
    if deleted:
        _recompute(member.program)
    return bool(deleted)


def member_data_export(*, member: Member) -> dict:
    """Everything netlead holds about a member, for their own download (JSON-able)."""
    ties = Relationship.objects.touching(member).select_related("source", "target", "type", "round")
    metrics = member.metrics.filter(run__is_current=True).select_related("run__round")
    return {
        "program": member.program.name,
        "member": {
            "name": member.name,
            "email": member.email,
            "organisation": member.organisation.name if member.organisation else None,
            "title": member.title,
            "cohorts": list(member.cohorts.values_list("name", flat=True)),
            "sector": member.sector,
            "region": member.region,
            "issue_areas": member.issue_areas,
            "visibility": member.visibility,
            "accepts_introductions": member.accepts_introductions,
        },
        "ties": [
            {
                "round": t.round.name,
                "type": t.type.name,
                "from": t.source.name if t.source_id == member.pk else "another member",
                "to": t.target.name if t.target_id == member.pk else "another member",
                "strength": t.strength,
                "reported_by_you": t.source_id == member.pk,
            }
            for t in ties
        ],
        "metrics": [
            {
                "round": m.run.round.name,
                "degree": m.degree,
                "betweenness": m.betweenness,
                "reach_two_steps": m.reach_two_steps,
                "community": m.community,
            }
            for m in metrics
        ],  # fmt: skip
    }


@transaction.atomic
def member_erase(*, member: Member, actor) -> None:
    """Erase a member: their record, every tie touching them in every round, their metrics,
    survey answers, decisions and invitations (all cascade), and every stored suggestion of
    the program (reasons quote names; they are recomputed). Metrics recompute afterwards."""
    program = member.program
    member_id = member.pk
    user = member.user
    Relationship.objects.touching(member).delete()
    member_erased_send(program_id=program.pk, member_id=member_id)
    member.delete()
    if user is not None:
        ProgramRole.objects.filter(user=user, program=program).delete()
    audit_record(
        program=program, actor=actor, action=AuditEvent.Action.ERASE,
        target=f"member #{member_id}",
    )  # fmt: skip
    _recompute(program)


def _recompute(program: Program) -> None:
    network_changed_send(program_id=program.pk, round_ids=None, reason="data change")


INVITATION_SALT = "netlead.invitation"


def invitation_create(
    *, program: Program, email: str, role: str, invited_by, member: Member | None = None
) -> tuple[Invitation, str]:
    """Create an invitation and return it with its signed token (for the emailed link)."""
    if member is not None and member.program_id != program.pk:
        raise ValidationError("That member belongs to another program.")
    invitation = Invitation.objects.create(
        program=program,
        email=email.strip().lower(),
        role=role,
        member=member,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    audit_record(program=program, actor=invited_by, action=AuditEvent.Action.INVITE,
                 target=f"{role} invitation #{invitation.pk}")  # fmt: skip
    return invitation, signing.dumps(invitation.pk, salt=INVITATION_SALT)


class InvitationError(Exception):
    pass


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link stands for; InvitationError says why it cannot be used."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature as exc:
        raise InvitationError("This invitation link is not valid.") from exc
    invitation = Invitation.objects.select_related("program", "member").filter(pk=pk).first()
    if invitation is None:
        raise InvitationError("This invitation has been withdrawn.")
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    if invitation.expires_at < timezone.now():
        raise InvitationError("This invitation has expired. Ask the program staff for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> ProgramRole:
    """Bind a signed-in account to the invitation: role in the program and, for members,
    the member record. Works once, before expiry, and only for the invited email."""
    invitation = invitation_from_token(token)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    if (user.email or "").strip().lower() != invitation.email:
        raise InvitationError("This invitation is for a different email address.")
    role, _ = ProgramRole.objects.update_or_create(
        user=user, program=invitation.program, defaults={"role": invitation.role}
    )
    if invitation.member is not None:
        Member.objects.filter(program=invitation.program, user=user).exclude(
            pk=invitation.member_id
        ).update(user=None)
        Member.objects.filter(pk=invitation.member_id).update(user=user)
    Invitation.objects.filter(pk=locked.pk).update(accepted_at=timezone.now())
    audit_record(program=invitation.program, actor=user, action=AuditEvent.Action.ROLE_CHANGE,
                 target=f"{invitation.role} via invitation #{invitation.pk}")  # fmt: skip
    return role


def invitation_send(*, invitation: Invitation, link: str) -> None:
    send_mail(
        subject=f"You are invited to {invitation.program.name} on netlead",
        message=(
            f"Hello,\n\nYou are invited to join {invitation.program.name} on netlead as "
            f"{invitation.get_role_display().lower()}.\n\nOpen this link to accept (it works once, "
            f"until {invitation.expires_at:%d %B %Y}):\n{link}\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
