"""Member planning for an import: the members sheet's rows matched against the program.

Members are matched by external id, then email, then exact name; a row that cannot be
imported becomes a problem naming its row and column. What it finds goes on the import's
Plan (members/imports/plan.py), which also plans the ties and is what write.py writes.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from members.imports import read
from members.imports.plan import MAX_LENGTH, MEMBER_TEXT_FIELDS, Plan
from members.imports.read import Problem
from members.imports.weights import near_miss
from members.models import Cohort, Member, MemberAttribute, Organisation


def members_plan(*, plan: Plan, sheet: read.MemberSheet) -> None:
    """Match the sheet's rows to the program's members (by external id, then email, then
    exact name) and add to `plan` who would be created or updated, and the cohorts they
    join; every row that cannot be imported becomes a problem on the plan's report."""
    plan.member_unit = unit = sheet.unit
    rows = Member.objects.filter(program=plan.program).values_list(
        "id",
        "name",
        "external_id",
        "email",
        "organisation_id",
        "title",
        "sector",
        "region",
        "issue_areas",
        "attributes",
    )
    by_id: dict[str, int] = {}
    by_email: dict[str, int] = {}
    by_name: dict[str, list[int]] = defaultdict(list)
    for (
        pk,
        name,
        external_id,
        email,
        org,
        title,
        sector,
        region,
        tags,
        attributes,
    ) in rows.iterator(5000):
        plan.member_state[pk] = {
            "name": name,
            "external_id": external_id,
            "email": email,
            "organisation_id": org,
            "title": title,
            "sector": sector,
            "region": region,
            "issue_areas": tags or [],
            "attributes": attributes or {},
        }
        if external_id:
            by_id[external_id] = pk
        if email:
            by_email[email.lower()] = pk
        by_name[name].append(pk)

    rows_of_member: dict[int, int] = {}
    claimed: dict[tuple[str, str], int] = {}
    memberships: list[tuple[int, int, read.MemberRow]] = []
    _attributes_define(plan, sheet)
    sectors = {s["sector"] for s in plan.member_state.values() if s["sector"]}
    for row in sheet.rows:
        if not _member_row_valid(plan, sheet, row):
            continue
        if row.sector and row.sector not in sectors:
            if similar := near_miss(row.sector, sorted(sectors)):
                plan.report.notes.append(
                    f"Sector “{row.sector}” ({unit} {row.row}) — did you mean “{similar}”?"
                )
            sectors.add(row.sector)
        values = _attribute_values(plan, sheet, row)
        if values is None:
            continue
        row = row._replace(attributes=tuple(values.items()))
        email = row.email.lower()
        pk = by_id.get(row.external_id) if row.external_id else None
        if pk is None and email:
            pk = by_email.get(email)
            if pk is not None and row.external_id and plan.member_state[pk]["external_id"]:
                plan.problem(
                    sheet,
                    row,
                    "email",
                    f"belongs to {plan.member_state[pk]['name']}, whose ID is "
                    f"“{plan.member_state[pk]['external_id']}”, not "
                    f"“{row.external_id}”.",
                )
                continue
        elif pk is not None and email and by_email.get(email, pk) != pk:
            other = plan.member_state[by_email[email]]["name"]
            plan.problem(sheet, row, "email", f"already belongs to {other}.")
            continue
        if pk is None and row.name:
            # A namesake with another ID or email on record is somebody else.
            candidates = [
                candidate
                for candidate in by_name.get(row.name, ())
                if not _contradicts(plan.member_state[candidate], row)
            ]
            if len(candidates) > 1:
                plan.problem(
                    sheet,
                    row,
                    "name",
                    f"{len(candidates)} members are called “{row.name}”; add "
                    "their email or ID to say which one.",
                )
                continue
            pk = candidates[0] if candidates else None

        if pk is not None and pk in rows_of_member:
            message = f"describes the same member as {unit} {rows_of_member[pk]}."
            plan.problem(sheet, row, "name", message)
            continue
        if not _claim(plan, sheet, row, claimed, email):
            continue
        if pk is None:
            if not row.name and not row.external_id:
                plan.problem(sheet, row, "name", "is empty; a new member needs a name.")
                continue
            pk = _member_new(plan, row)
        else:
            _member_update(plan, pk, row)
        rows_of_member[pk] = row.row
        memberships += [(pk, plan.cohort(name), row) for name in row.cohorts]

    if memberships:
        existing = set(
            Member.cohorts.through.objects.filter(member__program=plan.program).values_list(
                "member_id", "cohort_id"
            )
        )
        for pk, cohort, row in memberships:
            if (pk, cohort) in existing:
                plan.tallies["cohort memberships"].count("unchanged")
            else:
                plan.new_memberships.append((pk, cohort))
                name = plan.member_state[pk]["name"]
                cohort_name = plan.names[Cohort][cohort]
                plan.tallies["cohort memberships"].count(
                    "created", f"{name} joins {cohort_name} ({unit} {row.row})"
                )


def _member_row_valid(plan: Plan, sheet: read.MemberSheet, row: read.MemberRow) -> bool:
    valid = True
    if not (row.name or row.email or row.external_id):
        plan.problem(sheet, row, "name", "is empty, and so are email and ID.")
        return False
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            plan.problem(sheet, row, "email", f"“{row.email}” is not an email address.")
            valid = False
    for name in MEMBER_TEXT_FIELDS:
        limit = MAX_LENGTH[name]
        if len(getattr(row, name)) > limit:
            plan.problem(sheet, row, name, f"is longer than {limit} characters.")
            valid = False
    for name, values, limit in (
        ("organisation", [row.organisation], MAX_LENGTH["organisation"]),
        ("cohorts", row.cohorts, MAX_LENGTH["cohort"]),
    ):
        if any(len(value) > limit for value in values):
            plan.problem(sheet, row, name, f"is longer than {limit} characters.")
            valid = False
    return valid


def _claim(plan: Plan, sheet, row: read.MemberRow, claimed: dict, email: str) -> bool:
    """Each ID, each email, and each name given without either, belongs to one row."""
    keys = [("external_id", row.external_id), ("email", email)]
    if not row.external_id and not email:
        keys.append(("name", row.name))
    for column, value in keys:
        if value and (column, value) in claimed:
            message = (
                f"is also on {sheet.unit} {claimed[column, value]}; each member needs their own."
            )
            plan.problem(sheet, row, column, message)
            return False
    for column, value in keys:
        if value:
            claimed[column, value] = row.row
    return True


def _attributes_define(plan: Plan, sheet: read.MemberSheet) -> None:
    """The program attribute each unknown column fills: found by key, or new (a number
    when every value in the column is one, else a category)."""
    plan.attributes = {a.key: a for a in MemberAttribute.objects.filter(program=plan.program)}
    plan.attribute_of = {}
    position = len(plan.attributes)
    for header in sheet.attributes:
        key = slugify(header)[:40].strip("-") or f"attribute-{position + 1}"
        attribute = plan.attributes.get(key)
        if attribute is None:
            values = [v for row in sheet.rows for h, v in row.attributes if h == header]
            numeric = bool(values) and all(read.number_in_cell(v) is not None for v in values)
            attribute = MemberAttribute(
                program=plan.program,
                key=key,
                label=header[:100],
                kind=MemberAttribute.Kind.NUMBER if numeric else MemberAttribute.Kind.CATEGORY,
                position=position,
            )
            position += 1
            plan.attributes[key] = attribute
            plan.new_attributes.append(attribute)
            plan.tallies["member attributes"].count(
                "created", f"{header} ({attribute.get_kind_display().lower()})"
            )
        else:
            plan.tallies["member attributes"].count("unchanged")
        plan.attribute_of[header] = attribute


def _attribute_values(plan: Plan, sheet, row: read.MemberRow) -> dict | None:
    """{key: value} of the row's attribute cells; None (and a problem) when a number
    attribute's cell is not a number."""
    values: dict = {}
    for header, raw in row.attributes:
        attribute = plan.attribute_of[header]
        if attribute.kind == MemberAttribute.Kind.NUMBER:
            number = read.number_in_cell(raw)
            if number is None:
                plan.report.problems.append(
                    Problem(
                        sheet.label,
                        f"should be a number (“{attribute.label}” is a number attribute), "
                        f"not “{raw}”.",
                        row.row,
                        header,
                        sheet.unit,
                    )
                )
                return None
            values[attribute.key] = int(number) if number.is_integer() else number
        elif len(raw) > 200:
            plan.report.problems.append(
                Problem(sheet.label, "is longer than 200 characters.", row.row, header,
                        sheet.unit)
            )  # fmt: skip
            return None
        else:
            values[attribute.key] = raw
    return values


def _member_new(plan: Plan, row: read.MemberRow) -> int:
    state = {
        "name": row.name or row.external_id,
        "external_id": row.external_id,
        "email": row.email,
        "organisation_id": plan.organisation(row.organisation) if row.organisation else None,
        "title": row.title,
        "sector": row.sector,
        "region": row.region,
        "issue_areas": list(row.tags),
        "attributes": dict(row.attributes),
    }
    return plan.member_add(state, f"{row.name} ({plan.member_unit} {row.row})")


def _member_update(plan: Plan, pk: int, row: read.MemberRow) -> None:
    state = plan.member_state[pk]
    changes = {name: getattr(row, name) for name in MEMBER_TEXT_FIELDS if getattr(row, name)}
    if row.email.lower() == state["email"].lower():
        changes.pop("email", None)  # the same address in other capitals
    if row.organisation:
        changes["organisation_id"] = plan.organisation(row.organisation)
    if row.tags and sorted(row.tags) != sorted(state["issue_areas"]):
        changes["issue_areas"] = list(row.tags)
    if row.attributes and dict(row.attributes).items() - state["attributes"].items():
        changes["attributes"] = {**state["attributes"], **dict(row.attributes)}
    # A blank cell leaves what is on record: a partial spreadsheet never erases data.
    changes = {name: value for name, value in changes.items() if state[name] != value}
    if not changes:
        plan.tallies["members"].count("unchanged")
        return
    said = []
    for name, value in changes.items():
        if name == "organisation_id":
            said.append(f"organisation → “{plan.names[Organisation][value]}”")
        else:
            label = name.replace("_", " ").replace("issue areas", "tags")
            said.append(f"{label} “{_said(state[name])}” → “{_said(value)}”")
    plan.tallies["members"].count(
        "updated", f"{state['name']} ({plan.member_unit} {row.row}): {', '.join(said)}"
    )
    state.update(changes)
    plan.member_updates[pk] = changes


# --- ties ----------------------------------------------------------------------------


def _contradicts(state: dict, row: read.MemberRow) -> bool:
    return bool(
        (row.external_id and state["external_id"] and state["external_id"] != row.external_id)
        or (row.email and state["email"] and state["email"].lower() != row.email.lower())
    )


def _said(value) -> str:
    return " | ".join(value) if isinstance(value, list) else str(value)
