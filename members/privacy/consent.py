"""A member's own consent: who may see them by name, and whether they want introductions.

Only the member changes these (their settings form); staff forms and the API leave them
alone, so "chosen by them on …" is true. Whatever must follow a change of mind is reached
from here: through `member_consent_changed`, stored posters that named them go. Other
members' survey picks of them stay: a survey list still shows their name (and only that),
so others can name them, as the settings page tells them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from members.access import name_visible_to
from members.models import AuditEvent, Member
from members.privacy.audit import audit_record
from members.signals import member_consent_changed_send


@transaction.atomic
def member_settings_update(
    *, member: Member, visibility: str, accepts_introductions: bool
) -> Member:
    """A member's own choices: who sees them by name, whether they want introductions."""
    before = Member.objects.select_for_update().values_list("visibility", "accepts_introductions")
    was, was_accepting = before.get(pk=member.pk)
    Member.objects.filter(pk=member.pk).update(
        visibility=visibility,
        accepts_introductions=accepts_introductions,
        consent_recorded_at=timezone.now(),
    )
    member.refresh_from_db()
    # The trail says what they chose and when; only a member's own request reaches here.
    audit_record(
        program=member.program, actor=member.user, action=AuditEvent.Action.CONSENT_CHANGE,
        target=f"member #{member.pk}",
        details={
            "visibility": [was, visibility],
            "accepts_introductions": [was_accepting, accepts_introductions],
        },
    )  # fmt: skip
    if visibility != was and not name_visible_to(None, visibility):
        member_consent_changed_send(
            program_id=member.program_id, member_id=member.pk, visibility=visibility
        )
    return member
