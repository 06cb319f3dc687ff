"""The program's audit trail: appending to it, reading it (filtered, with repeated views of
the whole network folded into one line per person per day), and taking an erased person's
name out of it."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

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


@dataclass(frozen=True)
class AuditLine:
    """One line of the audit page: an event, or a person's views of the network that day."""

    at: datetime.datetime
    who: str
    what: str
    about: str
    times: int = 1


def audit_lines(
    *,
    program: Program,
    action: str = "",
    person: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    limit: int = 500,
) -> list[AuditLine]:
    """The latest `limit` lines of the trail, newest first, filtered by action, by who did
    it (part of their name) and by day (inclusive). A person's whole-network views on one
    day fold into one line ("3 times"): a map left open and reloaded is one look."""
    events = AuditEvent.objects.filter(program=program)
    if action:
        events = events.filter(action=action)
    if person:
        events = events.filter(actor_label__icontains=person)
    zone = timezone.get_current_timezone()
    if since:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
        events = events.filter(created_at__gte=start)
    if until and until < datetime.date.max:  # the last day there is ends nothing
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        events = events.filter(created_at__lt=end.replace(tzinfo=zone))
    rows = events.order_by("-created_at", "-id").values_list(
        "created_at", "actor_label", "action", "target"
    )
    labels = dict(AuditEvent.Action.choices)
    lines: list[AuditLine] = []
    folded: dict[tuple[str, datetime.date], int] = {}
    # Folding needs more events than lines; views are the bulk of a busy trail.
    for at, who, kind, target in rows[: limit * 20].iterator(chunk_size=2000):
        if kind == AuditEvent.Action.VIEW_NETWORK:
            key = (who, timezone.localtime(at, zone).date())
            if key in folded:
                index = folded[key]
                line = lines[index]
                lines[index] = AuditLine(line.at, line.who, line.what, line.about, line.times + 1)
                continue
            folded[key] = len(lines)
        if len(lines) >= limit:
            break
        lines.append(AuditLine(at, who, labels.get(kind, kind), target))
    return lines


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
