"""What a tie may be: THE validation of a tie, and what makes two ties the same tie."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models

from members.models import Member, RelationshipType, Round

SELF_TIE = "A member cannot have a tie to themselves."
STRENGTHS = frozenset(range(1, 6))
DEFAULT_STRENGTH = 3
BATCH = 5000
_LABELS = {"source": "member", "target": "member", "type": "relationship type", "round": "round"}

# (source id, target id, type id, round id, strength): a tie as the bulk writers take it.
TieTuple = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class TieProblem:
    index: int | None  # position in the list; None for the list as a whole
    field: str | None
    message: str


class TiesRejected(Exception):
    """Some ties of a batch are invalid: nothing of the batch was written."""

    def __init__(self, problems: list[TieProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class ProgramRows:
    """The ids a tie of the program may name: its members, types (→ directed) and rounds."""

    program_id: int
    members: frozenset[int]
    directed: dict[int, bool]
    rounds: frozenset[int]

    @classmethod
    def load(
        cls,
        *,
        program_id: int,
        members: Iterable[int] | None = None,
        types: Iterable[int] | None = None,
        rounds: Iterable[int] | None = None,
    ) -> ProgramRows:
        """The program's rows, or only those among the given ids (None: all of them)."""

        def of(model: type[models.Model], ids: Iterable[int] | None) -> models.QuerySet:
            rows = model.objects.filter(program_id=program_id)
            return rows if ids is None else rows.filter(pk__in=_whole_numbers(ids))

        return cls(
            program_id=program_id,
            members=frozenset(of(Member, members).values_list("pk", flat=True)),
            directed=dict(of(RelationshipType, types).values_list("pk", "directed")),
            rounds=frozenset(of(Round, rounds).values_list("pk", flat=True)),
        )

    def holds(self, name: str, pk: object) -> bool:
        if name in ("source", "target"):
            return pk in self.members
        return pk in (self.directed if name == "type" else self.rounds)


def tie_validate(
    *,
    program_id: int,
    source: Member | int,
    target: Member | int,
    type: RelationshipType | int,
    round: Round | int,
    strength: object,
    rows: ProgramRows | None = None,
) -> dict[str, str]:
    """Everything wrong with a tie, as {field: message}; empty when it may be written.

    Rows may be model instances or ids. An instance of another program "belongs to another
    program"; an id that is not one of the program's rows is "no member with id 12 in this
    program" (which does not tell whether it exists elsewhere). `rows` saves the queries
    when many ties of one program are checked.
    """
    given = {"source": source, "target": target, "type": type, "round": round}
    ids = {name: getattr(value, "pk", value) for name, value in given.items()}
    errors: dict[str, str] = {}
    for name, value in given.items():
        if isinstance(value, models.Model):
            if value.program_id != program_id:
                errors[name] = f"This {name} belongs to another program."
            continue
        if rows is None:
            rows = ProgramRows.load(
                program_id=program_id,
                members=[ids["source"], ids["target"]],
                types=[ids["type"]],
                rounds=[ids["round"]],
            )
        if not rows.holds(name, value):
            errors[name] = f"No {_LABELS[name]} with id {value} in this program."
    if "target" not in errors and ids["source"] == ids["target"]:
        errors["target"] = SELF_TIE
    if not strength_valid(strength):
        errors["strength"] = strength_problem(strength)
    return errors


def ties_validate(
    *, program_id: int, ties: Sequence[TieTuple], rows: ProgramRows, once: bool = False
) -> list[tuple]:
    """Check a batch of ties with `tie_validate`; raise TiesRejected listing every problem
    (by position in `ties`) so that nothing of the batch is written. With `once`, giving
    the same tie twice (`tie_key`) is a problem too. Returns each tie's key."""
    problems: list[TieProblem] = []
    keys: list[tuple] = []
    first_index: dict[tuple, int] = {}
    for index, (source, target, type_id, round_id, strength) in enumerate(ties):
        errors = tie_validate(
            program_id=program_id, source=source, target=target, type=type_id,
            round=round_id, strength=strength, rows=rows,
        )  # fmt: skip
        problems += [TieProblem(index, name, message) for name, message in errors.items()]
        key = tie_key(source, target, type_id, round_id, directed=rows.directed.get(type_id, True))
        keys.append(key)
        if not once or errors:
            continue
        if key in first_index:
            message = (
                f"The same tie as item {first_index[key]} (same members, type and round); "
                "give each tie once."
            )
            problems.append(TieProblem(index, "target", message))
        first_index.setdefault(key, index)
    if problems:
        raise TiesRejected(problems)
    return keys


def strength_valid(value: object) -> bool:
    """A whole number from 1 to 5 (3.0 and True are not 3)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in STRENGTHS


def strength_problem(value: object) -> str:
    """THE wording of the 1–5 strength rule, for a value `strength_valid` refuses."""
    return f"Strength must be a whole number from 1 to 5, not {value!r}."


def tie_key(source: int, target: int, type_id: int, round_id: int, *, directed: bool) -> tuple:
    """What makes a tie the same tie: an undirected one matches either way round."""
    if not directed and source > target:
        source, target = target, source
    return source, target, type_id, round_id


def ties_recorded(directed: dict[int, bool], ties: models.QuerySet) -> dict[tuple, tuple[int, int]]:
    """{tie key: (id, strength)} of recorded ties; the first recorded wins a key."""
    found: dict[tuple, tuple[int, int]] = {}
    values = ties.values_list("pk", "source_id", "target_id", "type_id", "round_id", "strength")
    for pk, source, target, type_id, round_id, strength in values.iterator(BATCH):
        key = tie_key(source, target, type_id, round_id, directed=directed.get(type_id, True))
        found.setdefault(key, (pk, strength))
    return found


def _whole_numbers(ids: Iterable[object]) -> list[int]:
    # An id the database cannot hold is no row of the program, not a database error.
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63]
