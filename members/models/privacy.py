"""Personal data: invitations that bind accounts to members, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from members.models.programs import Member, Program, ProgramRole


class Invitation(models.Model):
    """A staff invitation to join a program in a role, sent by email as a signed link.

    The link works once, until `expires_at`, and only for an account with the invited email."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=ProgramRole.Role.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations",
        help_text="For members: the record the new account is bound to.",
    )  # fmt: skip
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    # issue 15: revoking, and the one account a link may create (however often it is clicked).
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    account_created = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="created_by_invitation",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.program} as {self.role}"

    def status(self, now) -> str:
        """One of "accepted", "revoked", "expired", "pending" at `now`."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at < now:
            return "expired"
        return "pending"


class AuditEvent(models.Model):
    """Who looked at, exported, imported, erased or re-assigned what. Never holds the name of
    an erased member: `target` is written by the caller with that in mind."""

    class Action(models.TextChoices):
        VIEW_NETWORK = "view_network", "Viewed the whole network"
        EXPORT = "export", "Exported data"
        IMPORT = "import", "Imported data"
        ROLE_CHANGE = "role_change", "Changed a role"
        INVITE = "invite", "Invited someone"
        ERASE = "erase", "Erased a member"
        DATA_DOWNLOAD = "data_download", "Downloaded own data"
        CONSENT_CHANGE = "consent_change", "Changed own consent"
        SURVEY_CHANGE = "survey_change", "Closed, reopened or scheduled a survey"  # issue 15

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_label}: {self.get_action_display()} {self.target}"
