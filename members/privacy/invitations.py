"""Invitations: staff invite someone by email into a role, and the signed link binds an account."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import AuditEvent, Invitation, Member, Program, ProgramRole
from members.privacy.audit import audit_record

INVITATION_SALT = "netlead.invitation"
STATUSES = ("pending", "accepted", "expired", "revoked")  # Invitation.status


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
    if invitation.revoked_at is not None:
        raise InvitationError("This invitation has been withdrawn.")
    if invitation.expires_at < timezone.now():
        raise InvitationError("This invitation has expired. Ask the program staff for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user=None, new_account: dict | None = None) -> ProgramRole:
    """Bind an account to the invitation: role in the program and, for members, the member
    record. Works once, before expiry, and only for the invited email.

    With `new_account` ({"username", "password"}) instead of `user`, the account is created
    here, after the invitation's row is locked: however often the link's form is sent at
    once, one request makes the account and the others find the invitation used."""
    invitation = invitation_from_token(token)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationError("This invitation has already been used.")
    if locked.revoked_at is not None:
        raise InvitationError("This invitation has been withdrawn.")
    created = None
    if user is None:
        user = created = _account_create(invitation, **(new_account or {}))
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
    Invitation.objects.filter(pk=locked.pk).update(
        accepted_at=timezone.now(), accepted_by=user, account_created=created
    )
    audit_record(program=invitation.program, actor=user, action=AuditEvent.Action.ROLE_CHANGE,
                 target=f"{invitation.role} via invitation #{invitation.pk}")  # fmt: skip
    return role


class AccountRefused(InvitationError):
    """The new account's username or password is not acceptable: {field: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _account_create(invitation: Invitation, *, username: str = "", password: str = ""):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise AccountRefused({"username": "That username is taken."})
    user = User(username=username, email=invitation.email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AccountRefused({"password": " ".join(exc.messages)}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username, taken a moment ago
        raise AccountRefused({"username": "That username is taken."}) from exc
    return user


def invitation_revoke(*, invitation: Invitation, actor) -> bool:
    """Withdraw an invitation not yet accepted; its link stops working at once."""
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        audit_record(program=invitation.program, actor=actor, action=AuditEvent.Action.INVITE,
                     target=f"invitation #{invitation.pk} revoked")  # fmt: skip
    return bool(revoked)


def invitation_resend(*, invitation: Invitation, actor, link_for) -> Invitation:
    """Email an invitation not yet accepted again, valid for another INVITATION_DAYS (a
    revoked one is open again). `link_for(token)` makes the absolute link."""
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been accepted.")
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.revoked_at = None
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["expires_at", "revoked_at", "sent_at"])
    token = signing.dumps(invitation.pk, salt=INVITATION_SALT)
    invitation_send(invitation=invitation, link=link_for(token))
    audit_record(program=invitation.program, actor=actor, action=AuditEvent.Action.INVITE,
                 target=f"invitation #{invitation.pk} sent again")  # fmt: skip
    return invitation


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
