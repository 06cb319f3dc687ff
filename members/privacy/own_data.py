"""What a member may do with their own data: download it, and remove ties they reported."""

from __future__ import annotations

from members.access import name_visible_to
from members.models import Member, ProgramRole, Relationship
from members.ties import tie_delete

# How the download names a person the member may not see by name.
SOMEONE = "another member"


def member_tie_remove(*, member: Member, relationship_id: int) -> bool:
    """Remove a tie the member reported themselves (they are its source). False if none."""
    tie = Relationship.objects.filter(pk=relationship_id, source=member).first()
    return tie is not None and tie_delete(tie=tie, reason="member removed a tie")


def member_data_export(*, member: Member) -> dict:
    """Everything netlead holds about a member, for their own download (JSON-able).

    Other people in it are named by the one visibility rule, as the member's pages name
    them: by name if they chose to be seen by other members, else "another member"."""
    ties = Relationship.objects.touching(member).select_related("source", "target", "type", "round")
    metrics = member.metrics.filter(run__is_current=True).select_related("run__round")

    def called(person: Member) -> str:
        visible = name_visible_to(ProgramRole.Role.MEMBER, person, viewer_member_id=member.pk)
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
