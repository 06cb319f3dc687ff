"""Creating a program: the one service the command, the API and the New program page use."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from members.models import AuditEvent, Program, ProgramRole
from members.privacy.audit import audit_record

CREATE_PERMISSION = "members.add_program"


class ProgramRefused(Exception):
    """The program cannot be created; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def program_create_allowed(user) -> bool:
    """Superusers and users holding `members.add_program` may create programs."""
    return bool(user.is_authenticated and (user.is_superuser or user.has_perm(CREATE_PERMISSION)))


def program_create(
    *, name: str, slug: str, creator: AbstractBaseUser, description: str = ""
) -> Program:
    """Create a program with `creator` as its staff (audited); ProgramRefused says why not."""
    name, slug = name.strip(), slug.strip()
    errors = {}
    if not name:
        errors["name"] = "A program needs a name."
    elif len(name) > Program._meta.get_field("name").max_length:
        errors["name"] = "At most 200 characters."
    if not slug:
        errors["slug"] = "A program needs a slug (letters, digits and -)."
    elif slugify(slug) != slug or len(slug) > Program._meta.get_field("slug").max_length:
        errors["slug"] = f"Use lower-case letters, digits and - only (e.g. “{slugify(slug)}”)."
    elif Program.objects.filter(slug=slug).exists():
        errors["slug"] = f"“{slug}” is taken by another program."
    if errors:
        raise ProgramRefused(errors)
    try:
        with transaction.atomic():
            program = Program.objects.create(name=name, slug=slug, description=description)
            ProgramRole.objects.create(program=program, user=creator, role=ProgramRole.Role.STAFF)
            audit_record(
                program=program,
                actor=creator,
                action=AuditEvent.Action.ROLE_CHANGE,
                target=creator.get_username(),
                details={"created_program": slug, "role": ProgramRole.Role.STAFF},
            )
    except IntegrityError as exc:
        raise ProgramRefused({"slug": f"“{slug}” is taken by another program."}) from exc
    return program
