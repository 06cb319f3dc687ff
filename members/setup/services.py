"""Creating a program: the one service the command, the API and the New program page use."""

from __future__ import annotations

import io

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from members.imports.services import network_import
from members.models import AuditEvent, Member, Program, ProgramRole, Relationship, Round
from members.privacy.audit import audit_record
from members.privacy.erasure import member_erase
from members.signals import program_settings_changed_send

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


# --- the staff setup pages -----------------------------------------------------------------

SETUP_ACTION = "setup_change"  # audit action of the setup pages


def setup_row_save(*, form, actor, kind: str) -> object:
    """Save a setup form's row (new or changed) and audit it; a round marked current becomes
    the program's current round, chosen by staff (imports then leave it)."""
    created = form.instance.pk is None
    with transaction.atomic():
        row = form.save(commit=False)
        row.program = form.program
        if kind == "rounds" and form.cleaned_data.get("current"):
            Round.objects.filter(program=form.program, is_current=True).exclude(pk=row.pk).update(
                is_current=False
            )
            row.is_current = True
            Program.objects.filter(pk=form.program.pk).update(current_round_chosen=True)
        row.save()
        form.save_m2m()
        audit_record(
            program=form.program,
            actor=actor,
            action=SETUP_ACTION,
            target=f"{kind}: {row}",
            details={"created" if created else "changed": sorted(form.changed_data)},
        )
    return row


def setup_row_delete(*, program: Program, row, actor, kind: str) -> str:
    """Delete a setup row; returns "" or why it cannot go (a relationship type with ties)."""
    label = str(row)
    with transaction.atomic():
        if kind == "members":
            member_erase(member=row, actor=actor)
        elif kind == "types" and Relationship.objects.filter(type=row).exists():
            return f"“{label}” has ties; delete them (or the rounds) first."
        elif kind == "attributes":
            key = row.key
            holders = Member.objects.filter(program=program, attributes__has_key=key)
            for member in holders.only("pk", "attributes"):
                member.attributes.pop(key, None)
                Member.objects.filter(pk=member.pk).update(attributes=member.attributes)
            row.delete()
        else:
            row.delete()
        audit_record(
            program=program, actor=actor, action=SETUP_ACTION, target=f"{kind}: {label}",
            details={"deleted": True},
        )  # fmt: skip
    return ""


SETTINGS = (
    "members_see_map", "weaving_this_week", "weaving_max_per_member", "weaving_divides",
    "anonymity_k",
)  # fmt: skip


def program_settings_save(*, program: Program, actor, settings: dict) -> list[str]:
    """Save the program's settings (a validated ProgramSettingsForm's data) and audit each
    change, old and new. Tells networkmaps which settings changed (`program_settings_changed`,
    in this transaction), so what it computed from them is computed again. Returns the names
    of the settings that changed."""
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        changed = {
            name: {"from": getattr(locked, name), "to": settings[name]}
            for name in SETTINGS
            if getattr(locked, name) != settings[name]
        }
        if not changed:
            return []
        Program.objects.filter(pk=program.pk).update(**{k: settings[k] for k in changed})
        for name in changed:
            setattr(program, name, settings[name])
        audit_record(
            program=program, actor=actor, action=SETUP_ACTION, target="settings",
            details={"changed": changed},
        )  # fmt: skip
        program_settings_changed_send(program_id=program.pk, settings=sorted(changed))
    return sorted(changed)


def role_set(*, program: Program, user, role: str, actor) -> ProgramRole:
    with transaction.atomic():
        found, _ = ProgramRole.objects.update_or_create(
            program=program, user=user, defaults={"role": role}
        )
        audit_record(
            program=program, actor=actor, action=AuditEvent.Action.ROLE_CHANGE,
            target=user.get_username(), details={"role": role},
        )  # fmt: skip
    return found


def role_remove(*, program: Program, role: ProgramRole, actor) -> None:
    with transaction.atomic():
        username = role.user.get_username()
        role.delete()
        audit_record(
            program=program, actor=actor, action=AuditEvent.Action.ROLE_CHANGE,
            target=username, details={"role": None},
        )  # fmt: skip


def members_paste(*, program: Program, text: str, actor) -> list[str]:
    """Add the pasted members ("name, email" a line) through the one import: all or none.
    Returns the problems, each naming its line."""
    lines = ["name,email"] + [line.strip() for line in text.splitlines() if line.strip()]
    data = io.BytesIO("\n".join(lines).encode())
    data.name = "pasted list"
    report = network_import(program=program, members_file=data, user=actor)
    return [
        f"Line {p.row - 1}, {p.column}: {p.message}" if p.row else str(p) for p in report.problems
    ]


def getting_started(*, program: Program) -> list[dict]:
    """The "get started" checklist of a new program, ticked from what it holds. Computing
    and the map are the networkmaps app's: listed as the last steps, not ticked here."""
    has_ties = Relationship.objects.filter(program=program).exists()
    return [
        {"label": "Add or import members", "done": program.members.exists(), "kind": "members"},
        {"label": "Relationship types", "done": program.relationship_types.exists(),
         "kind": "types"},
        {"label": "A round (with its date)", "done": program.rounds.exists(), "kind": "rounds"},
        {"label": "Ties, by survey or import", "done": has_ties, "kind": "import"},
        {"label": "Compute the metrics (Dashboard), then look at the Map", "done": None,
         "kind": ""},
    ]  # fmt: skip
