"""Recording, changing and deleting one tie (the API's and staff's edits)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from members.models import Member, Program, Relationship, RelationshipType, Round
from members.signals import network_changed_send
from members.ties.validate import DEFAULT_STRENGTH, tie_validate


def tie_record(
    *,
    program: Program,
    source: Member,
    target: Member,
    type: RelationshipType,
    round: Round,
    strength: int = DEFAULT_STRENGTH,
    origin: str = Relationship.Origin.STAFF,
    tie: Relationship | None = None,
    reason: str = "tie recorded",
) -> Relationship:
    """Create one tie, or (given `tie`) change it to these values; ValidationError names the
    field when the tie is invalid or is already recorded (either way round when undirected)."""
    with transaction.atomic():
        errors = tie_validate(
            program_id=program.pk,
            source=source,
            target=target,
            type=type,
            round=round,
            strength=strength,
        )
        if not errors:
            clash = _clash(source.pk, target.pk, type, round.pk, excluding=tie)
            if clash:
                errors["target"] = clash
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})
        values = {"source": source, "target": target, "type": type, "round": round}
        values["strength"] = strength
        if tie is None:
            tie = Relationship.objects.create(program=program, origin=origin, **values)
            touched = {round.pk}
        else:
            before = tie.round_id
            changed = [name for name, value in values.items() if getattr(tie, name) != value]
            if not changed:
                return tie
            for name in changed:
                setattr(tie, name, values[name])
            tie.save(update_fields=[*changed, "updated_at"])
            touched = {before, round.pk}
        network_changed_send(program_id=program.pk, round_ids=touched, reason=reason)
    return tie


def tie_delete(*, tie: Relationship, reason: str = "tie deleted") -> bool:
    """Delete one tie; False when it was gone already (then nothing is recomputed)."""
    with transaction.atomic():
        deleted, _ = Relationship.objects.filter(pk=tie.pk).delete()
        if deleted:
            network_changed_send(program_id=tie.program_id, round_ids=[tie.round_id], reason=reason)
    return bool(deleted)


def _clash(
    source: int, target: int, type_: RelationshipType, round_id: int, *, excluding
) -> str | None:
    same = Relationship.objects.filter(type=type_, round_id=round_id)
    if excluding is not None:
        same = same.exclude(pk=excluding.pk)
    if same.filter(source_id=source, target_id=target).exists():
        return "This tie is already recorded for this round."
    if not type_.directed and same.filter(source_id=target, target_id=source).exists():
        return (
            f"This tie is already recorded for this round, from {target} to {source} "
            f"(“{type_}” goes both ways)."
        )
    return None
