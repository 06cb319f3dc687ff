"""Writing an import's plan: new groups and members with bulk statements, ties through
members/ties.py (one COPY on PostgreSQL), inside the import's transaction."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from members import ties
from members.imports.plan import Plan
from members.models import (
    Cohort,
    Member,
    MemberAttribute,
    Organisation,
    Relationship,
    RelationshipType,
    Round,
)
from members.responses import import_response_statuses_record

BATCH = 5000


def plan_write(*, plan: Plan, reason: str) -> None:
    """Write the plan (new rows get their ids back from the insert). Run it inside the
    import's transaction: members/ties.py queues the rounds' recomputes for its commit."""
    ids: dict[type, dict[int, int]] = defaultdict(dict)

    def resolve(model: type, key: int | None) -> int | None:
        return ids[model][key] if key is not None and key < 0 else key

    MemberAttribute.objects.bulk_create(plan.new_attributes)
    for model in (Organisation, Cohort, RelationshipType, Round):
        created = model.objects.bulk_create(plan.new[model])
        ids[model] = {-position: row.pk for position, row in enumerate(created, start=1)}

    new_members = [
        Member(
            program=plan.program,
            **{**state, "organisation_id": resolve(Organisation, state["organisation_id"])},
        )
        for state in plan.new[Member]
    ]
    Member.objects.bulk_create(new_members, batch_size=2000)
    ids[Member] = {-position: m.pk for position, m in enumerate(new_members, start=1)}

    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[Member]] = defaultdict(list)
    for pk, changes in plan.member_updates.items():
        if "organisation_id" in changes:
            changes["organisation_id"] = resolve(Organisation, changes["organisation_id"])
        by_fields[tuple(sorted(changes))].append(Member(pk=pk, updated_at=now, **changes))
    for fields, members in by_fields.items():
        Member.objects.bulk_update(members, [*fields, "updated_at"], batch_size=1000)

    Membership = Member.cohorts.through
    Membership.objects.bulk_create(
        (
            Membership(member_id=resolve(Member, m), cohort_id=resolve(Cohort, c))
            for m, c in plan.new_memberships
        ),
        batch_size=BATCH,
    )
    ties.ties_insert(
        program_id=plan.program.pk,
        ties=[
            (
                resolve(Member, source),
                resolve(Member, target),
                resolve(RelationshipType, type_key),
                resolve(Round, round_key),
                strength,
            )
            for source, target, type_key, round_key, strength in plan.new_ties
        ],
        origin=Relationship.Origin.IMPORT,
        reason=reason,
        weights=plan.new_weights,
    )
    ties.ties_strength_set(program_id=plan.program.pk, strengths=plan.tie_updates, reason=reason)
    by_weight: dict[float | None, list[int]] = defaultdict(list)
    for pk, weight in plan.weight_updates.items():
        by_weight[weight].append(pk)
    for weight, pks in by_weight.items():
        Relationship.objects.filter(pk__in=pks).update(weight=weight)
    # issue 13's stated default for imports: everyone the file names answered its rounds.
    import_response_statuses_record(
        rounds={
            resolve(Round, round_key): {resolve(Member, m) for m in named}
            for round_key, named in plan.tie_members.items()
        }
    )
    plan.report.notes.append(current_round_settle(program=plan.program))


def current_round_settle(*, program) -> str:
    """Make the latest-dated round current, unless staff chose one; say which and why."""
    rounds = Round.objects.filter(program=program)
    current = rounds.filter(is_current=True).first()
    if program.current_round_chosen and current is not None:
        return f"Current round: “{current.name}” ({current.observed_on}), as staff chose."
    latest = rounds.order_by("-observed_on", "-id").first()
    if latest is None:
        return "The program has no rounds yet."
    if current is None or current.pk != latest.pk:
        rounds.filter(is_current=True).update(is_current=False)
        rounds.filter(pk=latest.pk).update(is_current=True)
    return f"Current round: “{latest.name}” ({latest.observed_on}), the one with the latest date."
