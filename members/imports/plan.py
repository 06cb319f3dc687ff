"""What an import would change: the file's rows matched against the program, in memory.

The Plan holds what an import would create, update or leave unchanged, with a problem for
every row that cannot be imported; members/imports/write.py writes it. Here: organisations,
cohorts, relationship types and rounds found by name (any case) or created, and the ties
(their ends, rounds, directions and strengths compared with those on record). The members
sheet is planned in members/imports/plan_members.py (matched by external id, then email,
then exact name).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from members.imports import read
from members.imports.read import Problem
from members.imports.report import ImportReport
from members.imports.weights import LINEAR, near_miss, strengths_map
from members.models import (
    Cohort,
    Member,
    MemberAttribute,
    Organisation,
    Program,
    Relationship,
    RelationshipType,
    Round,
)
from members.ties import DEFAULT_STRENGTH, SELF_TIE, tie_key, ties_recorded

DEFAULT_TYPE = "knows"
MEMBER_TEXT_FIELDS = ("name", "external_id", "email", "title", "sector", "region")


class Plan:
    """The changes an import makes, worked out in memory from the rows and the program.

    Rows that exist are keyed by their database id; rows this import would create are keyed
    by negative numbers (-1, -2 …) until members/imports/write.py gives them ids.
    """

    def __init__(
        self,
        *,
        program: Program,
        report: ImportReport,
        round_name: str,
        round_date: str = "",
        directions: dict[str, bool] | None = None,
        weight_rule: str = LINEAR,
    ) -> None:
        self.program = program
        self.report = report
        self.round_name = round_name
        self.round_date = round_date  # for new rounds the file gives no date
        self.directions = {k.casefold(): v for k, v in (directions or {}).items()}
        self.weight_rule = weight_rule
        self.round_dates: dict[int, str] = {}  # round key → the date the file gave
        self.round_first_use: dict[int, tuple] = {}  # new round key → (sheet, row, column)
        self.attributes: dict[str, MemberAttribute] = {}  # key → existing or new
        self.attribute_of: dict[str, MemberAttribute] = {}  # the file's column → attribute
        self.new_attributes: list[MemberAttribute] = []
        self.weight_updates: dict[int, float | None] = {}
        self.tallies = report.tallies
        self.new: dict[type, list] = defaultdict(list)
        self.named: dict[type, dict[str, int]] = {}
        self.seen: set[tuple[type, int]] = set()
        self.names: dict[type, dict[int, str]] = defaultdict(dict)
        self.member_state: dict[int, dict] = {}
        self.member_updates: dict[int, dict] = {}
        self.new_memberships: list[tuple[int, int]] = []
        self.new_ties: list[tuple[int, int, int, int, int]] = []
        self.new_weights: list[float | None] = []  # the file's weight of each new tie
        self.tie_members: dict[int, set[int]] = defaultdict(set)  # round key → members named
        self.keep_weights = False
        self.tie_updates: dict[int, int] = {}  # tie id → new strength
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
            if model in _NEAR_MISS_CHECKED:
                existing = [n for pk, n in self.names[model].items() if pk > 0]
                if similar := near_miss(name, existing):
                    self.report.notes.append(
                        f"“{name}” — did you mean “{similar}”? A new {_NEAR_MISS_CHECKED[model]} "
                        f"“{name}” would be created."
                    )
            self.new[model].append(make(name))
            key = -len(self.new[model])
            named[name] = named[name.lower()] = key
            self.names[model][key] = name
            self.tallies[_KIND[model]].count("created", name)
        return key

    def organisation(self, name: str) -> int:
        return self._key(Organisation, name, lambda n: Organisation(program=self.program, name=n))

    def cohort(self, name: str) -> int:
        return self._key(
            Cohort, name, lambda n: Cohort(program=self.program, name=n, year=_year(n))
        )

    def relationship_type(self, name: str) -> int:
        return self._key(
            RelationshipType, name, lambda n: RelationshipType(program=self.program, name=n)
        )

    def round(self, name: str, date: str = "", where: tuple | None = None) -> int:
        """The round called `name`; a new one takes the date the file gives it (checked in
        `rounds_dated`: never the day of the import)."""
        key = self._key(Round, name, lambda n: Round(program=self.program, name=n))
        if key < 0 and key not in self.round_first_use and where is not None:
            self.round_first_use[key] = where
        if date:
            given = self.round_dates.setdefault(key, date)
            if given != date and where is not None:
                sheet, row, _ = where
                self.problem(
                    sheet,
                    row,
                    "round_date",
                    f"says round “{name}” is dated {date}, but an earlier row says {given}.",
                )
        return key

    def rounds_dated(self) -> None:
        """Give each new round its date, or say which one has none; note dates that differ
        from the ones on record."""
        for position, round_ in enumerate(self.new[Round], start=1):
            date = self.round_dates.get(-position) or self.round_date
            if date:
                round_.observed_on = datetime.date.fromisoformat(date)
                continue
            message = (
                f"round “{round_.name}” is new and has no date: add a round_date column "
                "(YYYY-MM-DD), or give the round's date (Round date on the import page, "
                "--round-date on the command line)."
            )
            where = self.round_first_use.get(-position)
            if where is None:
                self.report.problems.append(Problem("import", message))
            else:
                sheet, row, column = where
                self.problem(sheet, row, column, message)
        dated = {pk: d for pk, d in self.round_dates.items() if pk > 0}
        if dated:
            on_record = dict(Round.objects.filter(pk__in=dated).values_list("pk", "observed_on"))
            for pk, date in dated.items():
                if on_record[pk].isoformat() != date:
                    self.report.notes.append(
                        f"Round “{self.names[Round][pk]}” is dated {on_record[pk]} in the "
                        f"program; the file says {date}. The program's date was kept."
                    )

    def ties(self, sheet: read.TieSheet, *, members_from_ties: bool = False) -> None:
        self.tie_unit = sheet.unit
        directory = read.Directory()
        for pk, state in self.member_state.items():
            directory.add(
                pk, name=state["name"], email=state["email"], external_id=state["external_id"]
            )
        existing_types = dict(
            RelationshipType.objects.filter(program=self.program).values_list("id", "directed")
        )
        said_directions: dict[int, set[bool]] = defaultdict(set)
        first_row: dict[int, int] = {}
        resolved = []
        for tie in sheet.rows:
            ends = []
            for column, reference in (("source", tie.source), ("target", tie.target)):
                key, why = directory.find(reference)
                if key is None and members_from_ties and len(reference) <= MAX_LENGTH["name"]:
                    key = self._member_from_id(reference, tie.row)
                    directory.add(key, name=reference, external_id=reference)
                if key is None:
                    self.problem(sheet, tie, column, why)
                ends.append(key)
            source, target = ends
            if len(tie.type) > MAX_LENGTH["type"] or len(tie.round) > MAX_LENGTH["round"]:
                column = "type" if len(tie.type) > MAX_LENGTH["type"] else "round"
                self.problem(sheet, tie, column, "is too long.")
                continue
            if source is None or target is None:
                continue
            if source == target:
                self.problem(
                    sheet,
                    tie,
                    "target",
                    f"is {tie.source} again; {SELF_TIE[0].lower()}{SELF_TIE[1:]}",
                )
                continue
            if tie.round:
                column = "round" if "round" in sheet.columns else "round_date"
                round_key = self.round(tie.round, tie.round_date, (sheet, tie, column))
            else:
                round_key = self._default_round(sheet, tie)
            if round_key is None:
                continue
            type_key = self.relationship_type(tie.type or DEFAULT_TYPE)
            first_row.setdefault(type_key, tie.row)
            if tie.directed is not None:
                said_directions[type_key].add(tie.directed)
            resolved.append((source, target, type_key, round_key, tie.weight, tie.row))

        self.rounds_dated()
        self._decide_directions(existing_types, said_directions, resolved, sheet, first_row)
        if self.report.problems:
            return  # Counting ties would only describe an import that cannot happen.
        self._compare_ties(resolved, self._strengths(sheet, resolved))

    def _member_from_id(self, reference: str, row: int) -> int:
        """A member an edge list names by id alone: named by that id until a members file
        (matched by external id) says more."""
        state = {
            "name": reference,
            "external_id": reference,
            "email": "",
            "organisation_id": None,
            "title": "",
            "sector": "",
            "region": "",
            "issue_areas": [],
            "attributes": {},
        }
        return self.member_add(state, f"{reference} ({self.tie_unit} {row})")

    def member_add(self, state: dict, said: str) -> int:
        """A new member (its fields as `state`), keyed -1, -2 … until written."""
        self.new[Member].append(state)
        pk = -len(self.new[Member])
        self.member_state[pk] = state
        self.tallies["members"].count("created", said)
        return pk

    def _strengths(self, sheet: read.TieSheet, resolved: list[tuple]) -> dict[float, int]:
        weights = [w for *_, w, _ in resolved if w is not None]
        mapping, said = strengths_map(weights, rule=self.weight_rule)
        self.keep_weights = "weight" in sheet.columns or not said.startswith("weights 1–5 are")
        if said:
            column = sheet.columns.get("weight") or sheet.columns.get("strength")
            self.report.notes.append(f"Strength from the “{column}” column: {said}.")
        return mapping

    def _default_round(self, sheet: read.TieSheet, tie) -> int | None:
        """The round for ties that do not name one: the one asked for, else the current one."""
        if not self.default_round_known:
            self.default_round_known = True
            if self.round_name:
                where = (sheet, tie, "round")
                self.default_round = self.round(self.round_name, self.round_date, where)
            elif current := self.program.current_round():
                self.default_round = self.round(current.name)
            else:
                self.report.problems.append(
                    Problem(
                        sheet.label,
                        "these ties do not say which round they were observed "
                        "in, and the program has no current round: name the round "
                        "(a round column, or --round NAME --round-date YYYY-MM-DD).",
                    )
                )
        return self.default_round

    def _decide_directions(
        self,
        existing: dict[int, bool],
        said: dict[int, set[bool]],
        resolved: list[tuple],
        sheet: read.TieSheet,
        first_row: dict[int, int],
    ) -> None:
        for pk, directed in existing.items():
            self.directed[pk] = directed
            if said.get(pk, {directed}) != {directed}:
                kind = "directed" if directed else "undirected"
                self.report.notes.append(
                    f"“{self.names[RelationshipType].get(pk, pk)}” is {kind} in this program; "
                    "the file's direction was not applied."
                )
        undeclared = {
            -position
            for position, t in enumerate(self.new[RelationshipType], start=1)
            if t.name.casefold() not in self.directions and not said.get(-position)
        }
        both_ways = self._reciprocated(resolved, undeclared)
        for position, relationship_type in enumerate(self.new[RelationshipType], start=1):
            key = -position
            words = said.get(key, set())
            chosen = self.directions.get(relationship_type.name.casefold())
            if chosen is not None:
                relationship_type.directed = chosen
            else:
                relationship_type.directed = words == {True}
            self.directed[key] = relationship_type.directed
            if chosen is None and len(words) > 1:
                self.report.notes.append(
                    f"“{relationship_type.name}” is marked both directed and undirected in the "
                    "file; it was made undirected."
                )
            if key in both_ways:
                pairs, row = both_ways[key]
                name = relationship_type.name
                message = (
                    f"“{name}”: {pairs} pair{'s' if pairs != 1 else ''} name each other — "
                    f"directed or undirected? Add a direction column, or say which (the "
                    f"import page's directed / undirected types, or --directed “{name}” / "
                    f"--undirected “{name}”)."
                )
                column = next(
                    (sheet.columns[c] for c in ("type", "type_or_direction", "label")
                     if c in sheet.columns),
                    sheet.columns.get("source", "from"),
                )  # fmt: skip
                self.report.problems.append(Problem(sheet.label, message, row, column, sheet.unit))
        for name in self.directions:
            if not any(n.casefold() == name for n in self.names[RelationshipType].values()):
                self.report.notes.append(f"No relationship type “{name}” in the file or program.")

    @staticmethod
    def _reciprocated(resolved: list[tuple], types: set[int]) -> dict[int, tuple[int, int]]:
        """Type → (pairs given both ways, row of the first reverse), for the `types` asked."""
        if not types:
            return {}
        seen: dict[tuple, int] = {}
        found: dict[int, list] = {}
        for source, target, type_key, round_key, _, row in resolved:
            if type_key not in types:
                continue
            seen.setdefault((source, target, type_key, round_key), row)
            if (target, source, type_key, round_key) in seen:
                entry = found.setdefault(type_key, [0, row])
                entry[0] += 1
        return {k: (v[0], v[1]) for k, v in found.items()}

    def _compare_ties(self, resolved: list[tuple], strengths: dict[float, int]) -> None:
        # key → (source, target, strength, weight, row) as in the file
        wanted: dict[tuple, tuple] = {}
        repeats = 0
        folded: dict[int, int] = defaultdict(int)
        for source, target, type_key, round_key, weight, row in resolved:
            key = tie_key(source, target, type_key, round_key, directed=self.directed[type_key])
            strength = strengths.get(weight) if weight is not None else None
            if not self.keep_weights:
                weight = None
            if key in wanted:
                earlier = wanted[key]
                if (earlier[0], earlier[1]) == (target, source):
                    folded[type_key] += 1
                else:
                    repeats += 1
                if strength is None:
                    strength, weight = earlier[2], earlier[3]
            wanted[key] = (source, target, strength, weight, row)
        if repeats:
            said = "1 row repeats a tie" if repeats == 1 else f"{repeats} rows repeat ties"
            self.report.notes.append(
                f"{said} given earlier in the file; the last strength given was used."
            )
        for type_key, pairs in folded.items():
            self.report.notes.append(
                f"Folded: “{self.names[RelationshipType][type_key]}” is undirected, and "
                f"{pairs} pair{'s' if pairs != 1 else ''} were given in both directions "
                f"({2 * pairs} rows → {pairs} ties; the later row's strength was kept)."
            )

        existing: dict[tuple, tuple[int, int]] = {}
        rounds = [pk for pk in {k[3] for k in wanted} if pk > 0]
        types = [pk for pk in {k[2] for k in wanted} if pk > 0]
        weights_on_record: dict[int, float | None] = {}
        if rounds and types:
            recorded = Relationship.objects.filter(round_id__in=rounds, type_id__in=types)
            existing = ties_recorded(self.directed, recorded)
            if self.keep_weights:
                weights_on_record = dict(recorded.values_list("pk", "weight"))

        tally = self.tallies["ties"]
        for key, (source, target, strength, weight, row) in wanted.items():
            self.tie_members[key[3]] |= {source, target}
            tie = (source, target, *key[2:])
            found = existing.get(key)
            if found is None:
                strength = strength or DEFAULT_STRENGTH
                self.new_ties.append((*tie, strength))
                self.new_weights.append(weight)
                said = f"strength {strength}"
                if weight is not None:
                    said += f" (weight {weight:g})"
                tally.count("created", self._tie_said(tie, said, row))
                continue
            if weight is not None and weights_on_record.get(found[0]) != weight:
                self.weight_updates[found[0]] = weight
            if strength is None or strength == found[1]:
                tally.count("unchanged")
            else:
                self.tie_updates[found[0]] = strength
                tally.count(
                    "updated", self._tie_said(tie, f"strength {found[1]} → {strength}", row)
                )

    def _tie_said(self, tie: tuple, change: str, row: int) -> str:
        source, target, type_key, round_key = tie
        arrow = "→" if self.directed[type_key] else "—"
        return (
            f"{self.member_state[source]['name']} {arrow} {self.member_state[target]['name']} "
            f"({self.names[RelationshipType][type_key]}, {self.names[Round][round_key]}): "
            f"{change} ({self.tie_unit} {row})"
        )

    def problem(self, sheet, row, column: str, message: str) -> None:
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


def _year(name: str) -> int | None:
    year = re.search(r"\b(19|20)\d\d\b", name)
    return int(year[0]) if year else None


_KIND = {
    Organisation: "organisations",
    Cohort: "cohorts",
    RelationshipType: "relationship types",
    Round: "rounds",
}
MAX_LENGTH = {
    **{name: Member._meta.get_field(name).max_length for name in MEMBER_TEXT_FIELDS},
    "organisation": Organisation._meta.get_field("name").max_length,
    "cohort": Cohort._meta.get_field("name").max_length,
    "type": RelationshipType._meta.get_field("name").max_length,
    "round": Round._meta.get_field("name").max_length,
}


_NEAR_MISS_CHECKED = {
    Cohort: "cohort",
    RelationshipType: "relationship type",
    Round: "round",
}
