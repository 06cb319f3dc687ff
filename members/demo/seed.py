"""Work on programs and their people that spans several models."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from members.demo import generate as demo
from members.models import (
    Cohort,
    Member,
    Organisation,
    Program,
    ProgramRole,
    Relationship,
    RelationshipType,
    Round,
)

DEMO_SLUG = "northwind-fellows"
DEMO_NAME = "Northwind Fellows"


def relationship_create(
    *,
    source: Member,
    target: Member,
    type: RelationshipType,
    round: Round,
    strength: int = 3,
    origin: str = Relationship.Origin.STAFF,
) -> Relationship:
    """Record one tie after checking that everything it touches is in one program."""
    relationship = Relationship(
        program_id=source.program_id,
        source=source,
        target=target,
        type=type,
        round=round,
        strength=strength,
        origin=origin,
    )
    relationship.full_clean()
    relationship.save()
    return relationship


class ProgramExists(Exception):
    pass


@transaction.atomic
def demo_program_seed(
    *,
    slug: str = DEMO_SLUG,
    name: str = DEMO_NAME,
    members: int = 120,
    seed: int = 0,
    replace: bool = False,
) -> Program:
    """Create the fictional demo program with bulk inserts (see members/demo.py).

    Refuses (ProgramExists) when the slug is taken, unless `replace` is set, in which case
    the old program is deleted in the same transaction: a failure leaves the old one.
    """
    existing = Program.objects.select_for_update().filter(slug=slug).first()
    if existing and not replace:
        raise ProgramExists(f"A program with slug “{slug}” already exists.")
    if existing:
        program_delete(program=existing)

    data = demo.generate(members=members, seed=seed)
    program = Program.objects.create(
        name=name,
        slug=slug,
        description="A fictional fellowship generated for demonstration. Nobody in it is real.",
    )
    cohorts = Cohort.objects.bulk_create(
        Cohort(program=program, name=cohort_name, year=year) for cohort_name, year in data.cohorts
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(program=program, name=o_name, sector=sector, region=region, size=size)
        for o_name, sector, region, size in data.organisations
    )
    people = Member.objects.bulk_create(
        (
            Member(
                program=program,
                name=m.name,
                email=m.email,
                external_id=f"NW-{i + 1:06d}",
                organisation=organisations[m.organisation],
                title=m.title,
                sector=m.sector,
                region=m.region,
                issue_areas=m.issue_areas,
            )
            for i, m in enumerate(data.members)
        ),
        batch_size=5000,
    )
    Member.cohorts.through.objects.bulk_create(
        (
            Member.cohorts.through(member_id=person.id, cohort_id=cohorts[m.cohort].id)
            for person, m in zip(people, data.members, strict=True)
        ),
        batch_size=10000,
    )
    types = RelationshipType.objects.bulk_create(
        RelationshipType(program=program, name=t_name, directed=directed)
        for t_name, directed in demo.RELATIONSHIP_TYPES
    )
    rounds = Round.objects.bulk_create(
        Round(program=program, name=r_name, observed_on=day, is_current=(i == len(data.rounds) - 1))
        for i, (r_name, day) in enumerate(data.rounds)
    )
    if connection.vendor == "postgresql":
        # Ties are most of the rows (~840k at 100k members). COPY skips a model instance
        # and INSERT parameters per row: seeding 10k members takes 5-9 s instead of 15 s.
        _relationships_copy(program, rounds, [p.id for p in people], types, data.ties)
        return program
    for round_, ties in zip(rounds, data.ties, strict=True):
        Relationship.objects.bulk_create(
            (
                Relationship(
                    program=program,
                    source_id=people[t.source].id,
                    target_id=people[t.target].id,
                    type_id=types[t.type].id,
                    round=round_,
                    strength=t.strength,
                    origin=Relationship.Origin.IMPORT,
                )
                for t in ties
            ),
            batch_size=10000,
        )
    return program


def _relationships_copy(program, rounds, member_ids, types, ties_per_round) -> None:
    """The demo ties as one PostgreSQL COPY (the same rows bulk_create would insert)."""
    fields = ("program", "source", "target", "type", "round", "strength", "origin")
    fields += ("created_at", "updated_at")
    columns = ", ".join(
        connection.ops.quote_name(Relationship._meta.get_field(f).column) for f in fields
    )
    now = timezone.now().isoformat()
    origin = Relationship.Origin.IMPORT.value
    buffer = io.StringIO()
    for round_, ties in zip(rounds, ties_per_round, strict=True):
        fixed = f"\t{origin}\t{now}\t{now}\n"
        buffer.writelines(
            f"{program.id}\t{member_ids[t.source]}\t{member_ids[t.target]}\t"
            f"{types[t.type].id}\t{round_.id}\t{t.strength}{fixed}"
            for t in ties
        )
    buffer.seek(0)
    table = connection.ops.quote_name(Relationship._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


@transaction.atomic
def program_delete(*, program: Program) -> None:
    """Delete a program and everything in it, table by table (fast for large programs)."""
    # Ties and cohort memberships have no dependants, so each goes in one DELETE statement
    # instead of Django's row-by-row cascade collector.
    Relationship.objects.filter(program=program).delete()
    Member.cohorts.through.objects.filter(member__program=program).delete()
    program.delete()


def staff_login_ensure(*, program: Program, username: str, password: str):
    """Make (or reset) a superuser who is staff of `program`: the login `make run` prints."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    ProgramRole.objects.update_or_create(
        user=user, program=program, defaults={"role": ProgramRole.Role.STAFF}
    )
    return user
