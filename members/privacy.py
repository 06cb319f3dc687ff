"""Personal data: the audit trail, members' own settings and data, erasure, invitations."""

from __future__ import annotations

from members.models import AuditEvent, Program


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
