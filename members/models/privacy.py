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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.program} as {self.role}"


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
