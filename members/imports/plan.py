"""Import a program's network from spreadsheets: all of it or nothing, one import at a time.

`members/importers.py` reads the files into plain rows; this module matches them against the
program (members by external id, then email, then exact name), works out what would be
created, updated or left unchanged, and writes it with bulk statements in one transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from members.imports import read as importers
from members.imports.read import Limits, Problem
from members.models import (
    AuditEvent,
    Cohort,
    Member,
    Organisation,
    Program,
    Relationship,
    RelationshipType,
    Round,
)
from members.privacy.services import audit_record
from members.signals import network_changed_send

DEFAULT_TYPE = "knows"
DEFAULT_STRENGTH = 3
EXAMPLES = 100  # changes listed in words per kind; the counts are always complete
KINDS = (
    "organisations",
    "cohorts",
    "relationship types",
    "rounds",
    "members",
    "cohort memberships",
    "ties",
)
MEMBER_TEXT_FIELDS = ("name", "external_id", "email", "title", "sector", "region")
BATCH = 5000

ImportFile = str | Path | BinaryIO


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def unlisted(self) -> int:
        return self.created + self.updated - len(self.examples)

    def count(self, action: str, example: str = "") -> None:
        setattr(self, action, getattr(self, action) + 1)
        if example and action != "unchanged" and len(self.examples) < EXAMPLES:
            self.examples.append(example)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), and every problem that stopped it."""

    program: str
    dry_run: bool
    convention: str = ""
    tallies: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in KINDS})
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False
    # Confirming a preview found different changes (someone changed the program meanwhile).
    changed_since_preview: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.changed_since_preview

    @property
    def changes(self) -> bool:
        return any(t.created or t.updated for t in self.tallies.values())

    def fingerprint(self) -> str:
        """Identifies exactly what would change, so a confirmed preview imports just that."""
        body = {
            kind: [t.created, t.updated, t.unchanged, t.examples]
            for kind, t in self.tallies.items()
        }
        return hashlib.sha256(json.dumps([self.convention, body]).encode()).hexdigest()

    def headline(self) -> str:
        """What changed, in one line: "members 3 new, 1 updated; ties 120 new"."""
        parts = []
        for kind, tally in self.tallies.items():
            said = [
                f"{n} {word}"
                for n, word in ((tally.created, "new"), (tally.updated, "updated"))
                if n
            ]
            if said:
                parts.append(f"{kind} {', '.join(said)}")
        return "; ".join(parts) or "nothing to change"

    def summary(self) -> list[str]:
        lines = []
        for kind, tally in self.tallies.items():
            if tally.created or tally.updated or tally.unchanged:
                lines.append(
                    f"{kind}: {tally.created} new, {tally.updated} updated, "
                    f"{tally.unchanged} unchanged"
                )
        return lines


def network_import(
    *,
    program: Program,
    members_file: ImportFile,
    ties_file: ImportFile | None = None,
    round_name: str | None = None,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
    expected_fingerprint: str | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Import members (and ties) from spreadsheet files into `program`, or nothing at all.

    Files are paths or open binary files (an uploaded file works). Ties without a round go
    into `round_name` (created if new) or the program's current round. The program row is
    locked for the whole import, so two imports into one program run one after the other.
    With any problem, or `dry_run`, the transaction is rolled back and the report says what
    would have changed. With `expected_fingerprint` (from a preview's report) nothing is
    written unless the changes are still exactly those previewed.
    """
    report = ImportReport(program=program.slug, dry_run=dry_run)
    with ExitStack() as stack:
        members_upload = _upload(members_file, stack)
        ties_upload = _upload(ties_file, stack) if ties_file is not None else None
        parsed = importers.read_network(members=members_upload, ties=ties_upload, limits=limits)
    report.convention = parsed.convention
    report.problems += parsed.problems
    report.notes += parsed.notes
    if parsed.members is None:
        return report

    try:
        with transaction.atomic():
            # Imports into one program queue up here; the lock ends with the transaction.
            program = Program.objects.select_for_update().get(pk=program.pk)
            plan = _Plan(program=program, report=report, round_name=(round_name or "").strip())
            plan.members(parsed.members)
            if parsed.ties is not None:
                plan.ties(parsed.ties)
            report.problems.sort(key=_problem_order(parsed))
            if report.problems:
                transaction.set_rollback(True)
                return report
            if expected_fingerprint and expected_fingerprint != report.fingerprint():
                report.changed_since_preview = True
                transaction.set_rollback(True)
                return report
            # A dry run writes too, then rolls back: the preview meets the same constraints.
            plan.write()
            if dry_run:
                transaction.set_rollback(True)
                return report
            report.written = True
            audit_record(
                program=program,
                actor=user,
                action=AuditEvent.Action.IMPORT,
                target=str(getattr(members_file, "name", "members file"))[:120],
            )
            if report.changes:
                requested_by = f"import by {user.get_username()}" if user else "import"
                network_changed_send(program_id=program.pk, round_ids=None, reason=requested_by)
    except DatabaseError as exc:
        report.written = False
        report.problems.append(
            Problem("database", f"refused the import ({exc}); nothing was written.")
        )
    return report


def _upload(file: ImportFile, stack: ExitStack) -> importers.Upload:
    if isinstance(file, (str, Path)):
        path = Path(file)
        return importers.Upload(path.name, stack.enter_context(path.open("rb")))
    if hasattr(file, "seek"):
        file.seek(0)
    return importers.Upload(Path(getattr(file, "name", "") or "upload").name, file)


def _problem_order(parsed: importers.ParsedNetwork):
    files = [
        parsed.members.label if parsed.members else "",
        parsed.ties.label if parsed.ties else "",
    ]

    def order(problem: Problem) -> tuple[int, bool, int]:
        position = files.index(problem.file) if problem.file in files else len(files)
        # A GEXF or GraphML file holds both: its nodes come before its edges.
        return position, problem.unit == "edge", problem.row or 0

    return order


class _Plan:
    """The changes an import makes, worked out in memory from the rows and the program.

    Rows that exist are keyed by their database id; rows this import would create are keyed
    by negative numbers (-1, -2 …) until `write` gives them ids.
    """

    def __init__(self, *, program: Program, report: ImportReport, round_name: str) -> None:
        self.program = program
        self.report = report
        self.round_name = round_name
        self.tallies = report.tallies
        self.new: dict[type, list] = defaultdict(list)
        self.named: dict[type, dict[str, int]] = {}
        self.seen: set[tuple[type, int]] = set()
        self.names: dict[type, dict[int, str]] = defaultdict(dict)
        self.member_state: dict[int, dict] = {}
        self.member_updates: dict[int, dict] = {}
        self.new_memberships: list[tuple[int, int]] = []
        self.new_ties: list[tuple[int, int, int, int, int]] = []
        self.tie_updates: dict[int, list[int]] = defaultdict(list)
        self.directed: dict[int, bool] = {}
        self.default_round: int | None = None
        self.default_round_known = False
        # "row 12" in spreadsheets, "node 12" / "edge 12" in GEXF and GraphML
        self.member_unit = self.tie_unit = "row"

    # --- organisations, cohorts, relationship types, rounds: found by name or created ----

    def _key(self, model: type, name: str, make) -> int:
        """The id (or new-row key) of the program's `model` row called `name`, any case."""
        if model not in self.named:
            rows = model.objects.filter(program=self.program).values_list("id", "name")
            self.named[model] = {}
            for pk, existing in rows.order_by("id"):
                self.names[model][pk] = existing
                self.named[model].setdefault(existing, pk)
                self.named[model].setdefault(existing.lower(), pk)
        named = self.named[model]
        key = named.get(name, named.get(name.lower()))
        if key is not None and key > 0 and (model, key) not in self.seen:
            self.seen.add((model, key))
            self.tallies[_KIND[model]].count("unchanged")
        if key is None:
            self.new[model].append(make(name))
            key = -len(self.new[model])
            named[name] = named[name.lower()] = key
            self.names[model][key] = name
            self.tallies[_KIND[model]].count("created", name)
        return key

    def organisation(self, name: str) -> int:
        return self._key(Organisation, name, lambda n: Organisation(program=self.program, name=n))

    def cohort(self, name: str) -> int:
        year = re.search(r"\b(19|20)\d\d\b", name)
        return self._key(
            Cohort,
            name,
            lambda n: Cohort(program=self.program, name=n, year=int(year[0]) if year else None),
        )

    def relationship_type(self, name: str) -> int:
        return self._key(
            RelationshipType, name, lambda n: RelationshipType(program=self.program, name=n)
        )

    def round(self, name: str) -> int:
        return self._key(
            Round,
            name,
            lambda n: Round(program=self.program, name=n, observed_on=timezone.localdate()),
        )

    # --- members -------------------------------------------------------------------------

    def members(self, sheet: importers.MemberSheet) -> None:
        self.member_unit = unit = sheet.unit
        rows = Member.objects.filter(program=self.program).values_list(
            "id",
            "name",
            "external_id",
            "email",
            "organisation_id",
            "title",
            "sector",
            "region",
            "issue_areas",
        )
        by_id: dict[str, int] = {}
        by_email: dict[str, int] = {}
        by_name: dict[str, list[int]] = defaultdict(list)
        for pk, name, external_id, email, org, title, sector, region, tags in rows.iterator(5000):
            self.member_state[pk] = {
                "name": name,
                "external_id": external_id,
                "email": email,
                "organisation_id": org,
                "title": title,
                "sector": sector,
                "region": region,
                "issue_areas": tags or [],
            }
            if external_id:
                by_id[external_id] = pk
            if email:
                by_email[email.lower()] = pk
            by_name[name].append(pk)

        rows_of_member: dict[int, int] = {}
        claimed: dict[tuple[str, str], int] = {}
        memberships: list[tuple[int, int, importers.MemberRow]] = []
        for row in sheet.rows:
            if not self._member_row_valid(sheet, row):
                continue
            email = row.email.lower()
            pk = by_id.get(row.external_id) if row.external_id else None
            if pk is None and email:
                pk = by_email.get(email)
                if pk is not None and row.external_id and self.member_state[pk]["external_id"]:
                    self._problem(
                        sheet,
                        row,
                        "email",
                        f"belongs to {self.member_state[pk]['name']}, whose ID is "
                        f"“{self.member_state[pk]['external_id']}”, not "
                        f"“{row.external_id}”.",
                    )
                    continue
            elif pk is not None and email and by_email.get(email, pk) != pk:
                other = self.member_state[by_email[email]]["name"]
                self._problem(sheet, row, "email", f"already belongs to {other}.")
                continue
            if pk is None and row.name:
                # A namesake with another ID or email on record is somebody else.
                candidates = [
                    candidate
                    for candidate in by_name.get(row.name, ())
                    if not _contradicts(self.member_state[candidate], row)
                ]
                if len(candidates) > 1:
                    self._problem(
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
                self._problem(sheet, row, "name", message)
                continue
            if not self._claim(sheet, row, claimed, email):
                continue
            if pk is None:
                if not row.name:
                    self._problem(sheet, row, "name", "is empty; a new member needs a name.")
                    continue
                pk = self._member_new(row)
            else:
                self._member_update(pk, row)
            rows_of_member[pk] = row.row
            memberships += [(pk, self.cohort(name), row) for name in row.cohorts]

        if memberships:
            existing = set(
                Member.cohorts.through.objects.filter(member__program=self.program).values_list(
                    "member_id", "cohort_id"
                )
            )
            for pk, cohort, row in memberships:
                if (pk, cohort) in existing:
                    self.tallies["cohort memberships"].count("unchanged")
                else:
                    self.new_memberships.append((pk, cohort))
                    name = self.member_state[pk]["name"]
                    cohort_name = self.names[Cohort][cohort]
                    self.tallies["cohort memberships"].count(
                        "created", f"{name} joins {cohort_name} ({unit} {row.row})"
                    )

    def _member_row_valid(self, sheet: importers.MemberSheet, row: importers.MemberRow) -> bool:
        valid = True
        if not (row.name or row.email or row.external_id):
            self._problem(sheet, row, "name", "is empty, and so are email and ID.")
            return False
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                self._problem(sheet, row, "email", f"“{row.email}” is not an email address.")
                valid = False
        for name in MEMBER_TEXT_FIELDS:
            limit = _MAX_LENGTH[name]
            if len(getattr(row, name)) > limit:
                self._problem(sheet, row, name, f"is longer than {limit} characters.")
                valid = False
        for name, values, limit in (
            ("organisation", [row.organisation], _MAX_LENGTH["organisation"]),
            ("cohorts", row.cohorts, _MAX_LENGTH["cohort"]),
        ):
            if any(len(value) > limit for value in values):
                self._problem(sheet, row, name, f"is longer than {limit} characters.")
                valid = False
        return valid

    def _claim(self, sheet, row: importers.MemberRow, claimed: dict, email: str) -> bool:
        """Each ID, each email, and each name given without either, belongs to one row."""
        keys = [("external_id", row.external_id), ("email", email)]
        if not row.external_id and not email:
            keys.append(("name", row.name))
        for column, value in keys:
            if value and (column, value) in claimed:
                message = (
                    f"is also on {sheet.unit} {claimed[column, value]}; each member needs "
                    "their own."
                )
                self._problem(sheet, row, column, message)
                return False
        for column, value in keys:
            if value:
                claimed[column, value] = row.row
        return True

    def _member_new(self, row: importers.MemberRow) -> int:
        state = {
            "name": row.name,
            "external_id": row.external_id,
            "email": row.email,
            "organisation_id": self.organisation(row.organisation) if row.organisation else None,
            "title": row.title,
            "sector": row.sector,
            "region": row.region,
            "issue_areas": list(row.tags),
        }
        self.new[Member].append(state)
        pk = -len(self.new[Member])
        self.member_state[pk] = state
        self.tallies["members"].count("created", f"{row.name} ({self.member_unit} {row.row})")
        return pk

    def _member_update(self, pk: int, row: importers.MemberRow) -> None:
        state = self.member_state[pk]
        changes = {name: getattr(row, name) for name in MEMBER_TEXT_FIELDS if getattr(row, name)}
        if row.email.lower() == state["email"].lower():
            changes.pop("email", None)  # the same address in other capitals
        if row.organisation:
            changes["organisation_id"] = self.organisation(row.organisation)
        if row.tags and sorted(row.tags) != sorted(state["issue_areas"]):
            changes["issue_areas"] = list(row.tags)
        # A blank cell leaves what is on record: a partial spreadsheet never erases data.
        changes = {name: value for name, value in changes.items() if state[name] != value}
        if not changes:
            self.tallies["members"].count("unchanged")
            return
        said = []
        for name, value in changes.items():
            if name == "organisation_id":
                said.append(f"organisation → “{self.names[Organisation][value]}”")
            else:
                label = name.replace("_", " ").replace("issue areas", "tags")
                said.append(f"{label} “{_said(state[name])}” → “{_said(value)}”")
        self.tallies["members"].count(
            "updated", f"{state['name']} ({self.member_unit} {row.row}): {', '.join(said)}"
        )
        state.update(changes)
        self.member_updates[pk] = changes

    # --- ties ----------------------------------------------------------------------------

    def ties(self, sheet: importers.TieSheet) -> None:
        self.tie_unit = sheet.unit
        directory = importers.Directory()
        for pk, state in self.member_state.items():
            directory.add(
                pk, name=state["name"], email=state["email"], external_id=state["external_id"]
            )
        existing_types = dict(
            RelationshipType.objects.filter(program=self.program).values_list("id", "directed")
        )
        said_directions: dict[int, set[bool]] = defaultdict(set)
        resolved = []
        for tie in sheet.rows:
            source, why = directory.find(tie.source)
            if source is None:
                self._problem(sheet, tie, "source", why)
            target, why = directory.find(tie.target)
            if target is None:
                self._problem(sheet, tie, "target", why)
            if len(tie.type) > _MAX_LENGTH["type"] or len(tie.round) > _MAX_LENGTH["round"]:
                column = "type" if len(tie.type) > _MAX_LENGTH["type"] else "round"
                self._problem(sheet, tie, column, "is too long.")
                continue
            if source is None or target is None:
                continue
            if source == target:
                self._problem(
                    sheet,
                    tie,
                    "target",
                    f"is {tie.source} again; a member cannot have a tie to themselves.",
                )
                continue
            round_key = self.round(tie.round) if tie.round else self._default_round(sheet)
            if round_key is None:
                continue
            type_key = self.relationship_type(tie.type or DEFAULT_TYPE)
            if tie.directed is not None:
                said_directions[type_key].add(tie.directed)
            resolved.append((source, target, type_key, round_key, tie.strength, tie.row))

        self._decide_directions(existing_types, said_directions)
        if self.report.problems:
            return  # Counting ties would only describe an import that cannot happen.
        self._compare_ties(resolved)

    def _default_round(self, sheet: importers.TieSheet) -> int | None:
        """The round for ties that do not name one: the one asked for, else the current one."""
        if not self.default_round_known:
            self.default_round_known = True
            if self.round_name:
                self.default_round = self.round(self.round_name)
            elif current := self.program.current_round():
                self.default_round = self.round(current.name)
            else:
                self.report.problems.append(
                    Problem(
                        sheet.label,
                        "these ties do not say which round they were observed "
                        "in, and the program has no current round: name the round.",
                    )
                )
        return self.default_round

    def _decide_directions(self, existing: dict[int, bool], said: dict[int, set[bool]]) -> None:
        for pk, directed in existing.items():
            self.directed[pk] = directed
            if said.get(pk, {directed}) != {directed}:
                kind = "directed" if directed else "undirected"
                self.report.notes.append(
                    f"“{self.names[RelationshipType].get(pk, pk)}” is {kind} in this program; "
                    "the file's direction was not applied."
                )
        for position, relationship_type in enumerate(self.new[RelationshipType], start=1):
            words = said.get(-position, set())
            relationship_type.directed = words == {True}
            self.directed[-position] = relationship_type.directed
            if len(words) > 1:
                self.report.notes.append(
                    f"“{relationship_type.name}” is marked both directed and undirected in the "
                    "file; it was made undirected."
                )

    def _compare_ties(self, resolved: list[tuple]) -> None:
        def key(source: int, target: int, type_key: int, round_key: int) -> tuple:
            # An undirected tie is the same tie whichever way round it is written.
            if not self.directed[type_key] and source > target:
                source, target = target, source
            return source, target, type_key, round_key

        wanted: dict[tuple, tuple] = {}  # key → (source, target, strength, row) as in the file
        repeats = 0
        for source, target, type_key, round_key, strength, row in resolved:
            tie_key = key(source, target, type_key, round_key)
            if tie_key in wanted:
                repeats += 1
                if strength is None:
                    strength = wanted[tie_key][2]
            wanted[tie_key] = (source, target, strength, row)
        if repeats:
            said = "1 row repeats a tie" if repeats == 1 else f"{repeats} rows repeat ties"
            self.report.notes.append(
                f"{said} given earlier in the file; the last strength given was used."
            )

        existing: dict[tuple, tuple[int, int]] = {}
        rounds = [pk for pk in {k[3] for k in wanted} if pk > 0]
        types = [pk for pk in {k[2] for k in wanted} if pk > 0]
        if rounds and types:
            recorded = Relationship.objects.filter(round_id__in=rounds, type_id__in=types)
            for pk, s, t, type_key, round_key, strength in recorded.values_list(
                "id", "source_id", "target_id", "type_id", "round_id", "strength"
            ).iterator(10000):
                existing.setdefault(key(s, t, type_key, round_key), (pk, strength))

        tally = self.tallies["ties"]
        for tie_key, (source, target, strength, row) in wanted.items():
            tie = (source, target, *tie_key[2:])
            found = existing.get(tie_key)
            if found is None:
                strength = strength or DEFAULT_STRENGTH
                self.new_ties.append((*tie, strength))
                tally.count("created", self._tie_said(tie, f"strength {strength}", row))
            elif strength is None or strength == found[1]:
                tally.count("unchanged")
            else:
                self.tie_updates[strength].append(found[0])
                tally.count(
                    "updated", self._tie_said(tie, f"strength {found[1]} → {strength}", row)
                )

    def _tie_said(self, tie_key: tuple, change: str, row: int) -> str:
        source, target, type_key, round_key = tie_key
        arrow = "→" if self.directed[type_key] else "—"
        return (
            f"{self.member_state[source]['name']} {arrow} {self.member_state[target]['name']} "
            f"({self.names[RelationshipType][type_key]}, {self.names[Round][round_key]}): "
            f"{change} ({self.tie_unit} {row})"
        )

    # --- writing -------------------------------------------------------------------------

    def write(self) -> None:
        """Write the plan with bulk statements (new rows get their ids back from the insert)."""
        ids: dict[type, dict[int, int]] = defaultdict(dict)

        def resolve(model: type, key: int | None) -> int | None:
            return ids[model][key] if key is not None and key < 0 else key

        if self.new[Round] and self.program.current_round() is None:
            self.new[Round][-1].is_current = True  # the program's first round becomes current
        for model in (Organisation, Cohort, RelationshipType, Round):
            created = model.objects.bulk_create(self.new[model])
            ids[model] = {-position: row.pk for position, row in enumerate(created, start=1)}

        new_members = [
            Member(
                program=self.program,
                **{**state, "organisation_id": resolve(Organisation, state["organisation_id"])},
            )
            for state in self.new[Member]
        ]
        Member.objects.bulk_create(new_members, batch_size=2000)
        ids[Member] = {-position: m.pk for position, m in enumerate(new_members, start=1)}

        now = timezone.now()
        by_fields: dict[tuple[str, ...], list[Member]] = defaultdict(list)
        for pk, changes in self.member_updates.items():
            if "organisation_id" in changes:
                changes["organisation_id"] = resolve(Organisation, changes["organisation_id"])
            by_fields[tuple(sorted(changes))].append(Member(pk=pk, updated_at=now, **changes))
        for fields, members in by_fields.items():
            Member.objects.bulk_update(members, [*fields, "updated_at"], batch_size=1000)

        Membership = Member.cohorts.through
        Membership.objects.bulk_create(
            (
                Membership(member_id=resolve(Member, m), cohort_id=resolve(Cohort, c))
                for m, c in self.new_memberships
            ),
            batch_size=BATCH,
        )
        _rows_insert(
            Relationship,
            [
                {
                    "program_id": self.program.pk,
                    "source_id": resolve(Member, source),
                    "target_id": resolve(Member, target),
                    "type_id": resolve(RelationshipType, type_key),
                    "round_id": resolve(Round, round_key),
                    "strength": strength,
                    "origin": Relationship.Origin.IMPORT.value,
                    "created_at": now,
                    "updated_at": now,
                }
                for source, target, type_key, round_key, strength in self.new_ties
            ],
        )
        # At most five strengths: one UPDATE per strength (and batch) beats a CASE per row.
        for strength, pks in self.tie_updates.items():
            for start in range(0, len(pks), BATCH):
                Relationship.objects.filter(pk__in=pks[start : start + BATCH]).update(
                    strength=strength, updated_at=now
                )

    # -------------------------------------------------------------------------------------

    def _problem(self, sheet, row, column: str, message: str) -> None:
        header = sheet.columns.get(column) or column.replace("_", " ")
        if column == "type":  # Gephi and Kumu name the relationship in other columns
            header = next(
                (
                    sheet.columns[c]
                    for c in ("type", "type_or_direction", "label")
                    if c in sheet.columns
                ),
                "type",
            )
        self.report.problems.append(Problem(sheet.label, message, row.row, header, sheet.unit))


def _rows_insert(model: type, rows: list[dict]) -> None:
    """Insert rows (field attname → value) that need no ids back.

    On PostgreSQL this is one COPY, five times faster than Django's INSERTs for 100k ties
    (the issue asks for 100k in 30 s, on busy machines too); elsewhere, or when a field the
    rows leave out has no default, it is `bulk_create`.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    missing = [f for f in fields if f.attname not in rows[0]]
    if connection.vendor == "postgresql" and all(f.has_default() or f.null for f in missing):
        defaults = {f.attname: f.get_default() for f in missing}
        buffer = io.StringIO()
        for row in rows:
            values = row | defaults
            buffer.write("\t".join(_copy_text(values[f.attname]) for f in fields) + "\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            copy = getattr(cursor.cursor, "copy_expert", None)  # psycopg2's
            if copy is not None:
                copy(f"COPY {table} ({columns}) FROM STDIN", buffer)
                return
    model.objects.bulk_create((model(**row) for row in rows), batch_size=BATCH)


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _contradicts(state: dict, row: importers.MemberRow) -> bool:
    return bool(
        (row.external_id and state["external_id"] and state["external_id"] != row.external_id)
        or (row.email and state["email"] and state["email"].lower() != row.email.lower())
    )


def _said(value) -> str:
    return " | ".join(value) if isinstance(value, list) else str(value)


_KIND = {
    Organisation: "organisations",
    Cohort: "cohorts",
    RelationshipType: "relationship types",
    Round: "rounds",
}
_MAX_LENGTH = {
    **{name: Member._meta.get_field(name).max_length for name in MEMBER_TEXT_FIELDS},
    "organisation": Organisation._meta.get_field("name").max_length,
    "cohort": Cohort._meta.get_field("name").max_length,
    "type": RelationshipType._meta.get_field("name").max_length,
    "round": Round._meta.get_field("name").max_length,
}
