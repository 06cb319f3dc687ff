"""What a member may do with their own data: download it, and remove ties they reported."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from members.access import name_visible_to
from members.models import Member, MemberAttribute, ProgramRole, Relationship, RemovedTie
from members.models.removed_ties import UNDO_DAYS
from members.ties import TiesRejected, tie_delete, ties_insert, ties_strength_set

# How the download names a person the member may not see by name.
SOMEONE = "another member"


@transaction.atomic
def member_tie_remove(*, member: Member, relationship_id: int) -> bool:
    """Remove a tie the member reported themselves (they are its source). False if none.

    What it was is kept for UNDO_DAYS, so the member can take the removal back."""
    tie = Relationship.objects.filter(pk=relationship_id, source=member).first()
    if tie is None or not tie_delete(tie=tie, reason="member removed a tie"):
        return False
    RemovedTie.objects.create(
        program_id=tie.program_id, member=member, target_id=tie.target_id, type_id=tie.type_id,
        round_id=tie.round_id, strength=tie.strength, origin=tie.origin,
    )  # fmt: skip
    return True


def member_tie_strength_set(*, member: Member, relationship_id: int, strength: int) -> str | None:
    """Correct the strength of a tie the member reported; None when done, else why not."""
    if not Relationship.objects.filter(pk=relationship_id, source=member).exists():
        return "That is not a tie you reported."
    try:
        ties_strength_set(
            program_id=member.program_id, strengths={relationship_id: strength},
            reason="member corrected a tie",
        )  # fmt: skip
    except TiesRejected as exc:
        return " ".join(p.message for p in exc.problems)
    return None


@transaction.atomic
def member_tie_restore(*, member: Member, removed_id: int) -> str | None:
    """Undo one of the member's removals of the last UNDO_DAYS; None when done, else why
    not (too late, not theirs, or the tie was recorded again meanwhile)."""
    removed = RemovedTie.objects.undoable(member).select_for_update().filter(pk=removed_id)
    removed = removed.select_related("target", "type", "round").first()
    if removed is None:
        return f"That removal cannot be undone (only your own, for {UNDO_DAYS} days)."
    recorded = Relationship.objects.filter(
        source=member, target_id=removed.target_id, type_id=removed.type_id,
        round_id=removed.round_id,
    )  # fmt: skip
    if recorded.exists():
        return "You have recorded this tie again since: there is nothing to undo."
    # Put back as it was, in its direction and with its origin (a survey tie is one
    # person's report: the other person's report of the same pair does not stand in).
    try:
        ties_insert(
            program_id=member.program_id,
            ties=[(member.pk, removed.target_id, removed.type_id, removed.round_id,
                   removed.strength)],
            origin=removed.origin, reason="member restored a tie",
        )  # fmt: skip
    except TiesRejected as exc:
        return " ".join(p.message for p in exc.problems)
    RemovedTie.objects.filter(pk=removed.pk).update(restored_at=timezone.now())
    return None


@dataclass(frozen=True)
class HeldAttribute:
    key: str
    label: str
    value: object
    hidden: bool = False  # kept by staff, not offered as a divide


def member_attributes_held(*, member: Member) -> list[HeldAttribute]:
    """Every value the program holds in its own attributes about this member, labelled.

    All of them, hidden attributes included: "hidden" only keeps an attribute out of the
    divides staff map and measure, and a person may see everything held about them (their
    right of access). A value whose attribute was since removed from the program is still
    held, so it is listed under its key. Empty values are not data and are left out."""
    held = {k: v for k, v in (member.attributes or {}).items() if v not in (None, "", [])}
    defined = MemberAttribute.objects.filter(program_id=member.program_id, key__in=held)
    rows = [HeldAttribute(a.key, a.label, held.pop(a.key), a.hidden) for a in defined]
    return rows + [HeldAttribute(key, key, value) for key, value in sorted(held.items())]


def member_data_export(*, member: Member) -> dict:
    """Everything netlead holds about a member, for their own download (JSON-able).

    Other people in it are named by the one visibility rule, as the member's pages name
    them: by name if they chose to be seen by other members, else "another member" — except
    the people the member named themselves (ties they reported), whose names they gave."""
    ties = Relationship.objects.touching(member).select_related("source", "target", "type", "round")
    metrics = member.metrics.filter(run__is_current=True).select_related("run__round")

    named = set(Relationship.objects.filter(source=member).values_list("target_id", flat=True))

    def called(person: Member) -> str:
        visible = person.pk in named or name_visible_to(
            ProgramRole.Role.MEMBER, person, viewer_member_id=member.pk
        )
        return person.name if visible else SOMEONE

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
            "attributes": [
                {"key": a.key, "label": a.label, "value": a.value}
                for a in member_attributes_held(member=member)
            ],
        },
        "ties": [
            {
                "round": t.round.name,
                "type": t.type.name,
                "from": called(t.source),
                "to": called(t.target),
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
