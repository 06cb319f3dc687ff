"""The program's audit trail: appending to it, and taking an erased person's name out of it."""

from __future__ import annotations

import re

from members.models import AuditEvent, Program

# What an erased person is called in the audit trail from then on.
ERASED_LABEL = "an erased member"


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


def audit_labels_forget(*, program: Program, words: list[str], user_id: int | None) -> int:
    """Re-label the program's audit rows that name a person (by any of `words`: name, email,
    username) or were done by their account, so the trail keeps what happened but not who.

    Returns how many rows changed. Erasure is rare and the trail is read whole here on
    purpose: a JSON `details` value cannot be searched the same way on every database.
    """
    pattern = words_pattern(words)
    changed = 0
    rows = AuditEvent.objects.filter(program=program).only(
        "pk", "actor_id", "actor_label", "target", "details"
    )
    for event in rows.iterator(chunk_size=2000):
        actor_label = ERASED_LABEL if user_id and event.actor_id == user_id else event.actor_label
        target = _without(event.target, pattern)
        details = _without(event.details, pattern)
        actor_label = _without(actor_label, pattern)
        if (actor_label, target, details) != (event.actor_label, event.target, event.details):
            AuditEvent.objects.filter(pk=event.pk).update(
                actor_label=actor_label, target=target[:200], details=details
            )
            changed += 1
    return changed


def words_pattern(words: list[str]) -> re.Pattern | None:
    """A pattern matching any of `words` (a person's name, email, username) as whole words,
    for `words_redact`; None when there is nothing to look for."""
    words = sorted({w for w in words if w and len(w) > 1}, key=len, reverse=True)
    # Longest first, so a full name goes before a part of it that is also a word; whole
    # words only, so erasing "Ann" leaves an "Annual survey" alone.
    alternatives = "|".join(map(re.escape, words))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I) if words else None


def words_redact(value, pattern: re.Pattern | None):
    """`value` (text, or JSON made of dicts, lists and text) with every match of `pattern`
    replaced by ERASED_LABEL: for free text elsewhere that may name an erased person."""
    return _without(value, pattern)


def _without(value, pattern: re.Pattern | None):
    """`value` (text, or JSON made of dicts, lists and text) with every match replaced."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED_LABEL, value)
    if isinstance(value, dict):
        return {_without(k, pattern): _without(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_without(v, pattern) for v in value]
    return value
