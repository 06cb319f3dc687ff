"""Seeding the fictional demo program (and deleting a program wholesale)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from members import ties
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
    """Create the fictional demo program with bulk inserts (data from members/demo/generate.py).

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
    # Ties are most of the rows (~840k at 100k members): one COPY on PostgreSQL.
    ties.ties_insert(
        program_id=program.pk,
        ties=[
            (people[t.source].id, people[t.target].id, types[t.type].id, round_.id, t.strength)
            for round_, round_ties in zip(rounds, data.ties, strict=True)
            for t in round_ties
        ],
        origin=Relationship.Origin.IMPORT,
        reason="demo program seeded",
    )
    return program


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
