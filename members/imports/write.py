"""Writing an import's plan: new groups and members with bulk statements, ties through
members/ties.py (one COPY on PostgreSQL), inside the import's transaction."""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import connection
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
from members.ties.copy import rows_copy

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

    states = [
        {**state, "organisation_id": resolve(Organisation, state["organisation_id"])}
        for state in plan.new[Member]
    ]
    created = _members_insert(program=plan.program, states=states)
    ids[Member] = {-position: pk for position, pk in enumerate(created, start=1)}

    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[Member]] = defaultdict(list)
    for pk, changes in plan.member_updates.items():
        if "organisation_id" in changes:
            changes["organisation_id"] = resolve(Organisation, changes["organisation_id"])
        by_fields[tuple(sorted(changes))].append(Member(pk=pk, updated_at=now, **changes))
    for fields, members in by_fields.items():
        Member.objects.bulk_update(members, [*fields, "updated_at"], batch_size=1000)

    Membership = Member.cohorts.through
    memberships = [(resolve(Member, m), resolve(Cohort, c)) for m, c in plan.new_memberships]
    if connection.vendor == "postgresql":
        rows_copy(Membership, ("member_id", "cohort_id"), memberships)
    else:
        Membership.objects.bulk_create(
            (Membership(member_id=m, cohort_id=c) for m, c in memberships), batch_size=BATCH
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


def _members_insert(*, program, states: list[dict]) -> list[int]:
    """Insert new members (their fields as `states`, planned and checked); their ids in
    order. A first import of 10k members spent most of its time building bulk_create's
    INSERTs: here the ids come from the table's sequence, then the rows go in as one COPY
    (PostgreSQL) or one executemany (SQLite)."""
    if not states:
        return []
    if connection.vendor not in ("postgresql", "sqlite"):
        members = Member.objects.bulk_create(
            (Member(program=program, **state) for state in states), batch_size=2000
        )
        return [member.pk for member in members]
    given = list(states[0])
    # Every other column as a new Member would have it (defaults, created/updated now).
    now = timezone.now()
    rest = {
        field.attname: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in Member._meta.concrete_fields
        if not field.primary_key and field.attname not in {*given, "program_id"}
    }
    names = ("id", "program_id", *given, *rest)
    pks = _member_ids_reserve(len(states))
    rows = (
        (pk, program.pk, *(state[name] for name in given), *rest.values())
        for pk, state in zip(pks, states, strict=True)
    )
    if connection.vendor == "postgresql":
        rows_copy(Member, names, rows)
        return pks
    fields = [Member._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    # The values the model's fields would send: JSON as text, datetimes as SQLite keeps them.
    json_at = [i for i, field in enumerate(fields) if field.get_internal_type() == "JSONField"]
    fixed = {name: field.get_db_prep_save(rest[name], connection) for name, field in
             zip(names, fields, strict=True) if name in rest}  # fmt: skip
    tail = tuple(fixed.values())
    head = len(names) - len(tail)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(Member._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(names))})",
            [
                (*(json.dumps(v) if i in json_at else v for i, v in enumerate(row[:head])), *tail)
                for row in rows
            ],
        )
    return pks


def _member_ids_reserve(count: int) -> list[int]:
    """`count` ids no member has had: from PostgreSQL's sequence, or past SQLite's
    AUTOINCREMENT counter (which an explicit id moves on). The import's transaction
    holds them: a concurrent writer is refused, not mixed in."""
    table = Member._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), Member._meta.pk.column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({Member._meta.pk.column}) FROM "
            f"{connection.ops.quote_name(table)}), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


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
