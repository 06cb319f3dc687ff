"""THE write path for ties: every tie created, changed or deleted goes through here.

One validation (`tie_validate`: source, target, type and round all in the tie's program;
no self-tie; strength a whole number 1–5) and one signal: each write that changes a round's
ties calls `network_changed_send` once with the rounds it touched, so networkmaps queues one
recompute per round after the transaction commits. Pages, the API, imports, surveys and the
demo call these functions; none of them writes Relationship rows itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from members.models import Member, Program, Relationship, RelationshipType, Round
from members.signals import network_changed_send

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


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)
    rounds: set[int] = field(default_factory=set)  # rounds whose ties changed


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
        errors["strength"] = f"Strength must be a whole number from 1 to 5, not {strength!r}."
    return errors


def strength_valid(value: object) -> bool:
    """A whole number from 1 to 5 (3.0 and True are not 3)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in STRENGTHS


def tie_key(source: int, target: int, type_id: int, round_id: int, *, directed: bool) -> tuple:
    """What makes a tie the same tie: an undirected one matches either way round."""
    if not directed and source > target:
        source, target = target, source
    return source, target, type_id, round_id


def tie_record(
    *,
    program: Program,
    source: Member,
    target: Member,
    type: RelationshipType,
    round: Round,
    strength: int = DEFAULT_STRENGTH,
    origin: str = Relationship.Origin.STAFF,
    tie: Relationship | None = None,
    reason: str = "tie recorded",
) -> Relationship:
    """Create one tie, or (given `tie`) change it to these values; ValidationError names the
    field when the tie is invalid or is already recorded (either way round when undirected)."""
    with transaction.atomic():
        errors = tie_validate(
            program_id=program.pk,
            source=source,
            target=target,
            type=type,
            round=round,
            strength=strength,
        )
        if not errors:
            clash = _clash(source.pk, target.pk, type, round.pk, excluding=tie)
            if clash:
                errors["target"] = clash
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})
        values = {"source": source, "target": target, "type": type, "round": round}
        values["strength"] = strength
        if tie is None:
            tie = Relationship.objects.create(program=program, origin=origin, **values)
            touched = {round.pk}
        else:
            before = tie.round_id
            changed = [name for name, value in values.items() if getattr(tie, name) != value]
            if not changed:
                return tie
            for name in changed:
                setattr(tie, name, values[name])
            tie.save(update_fields=[*changed, "updated_at"])
            touched = {before, round.pk}
        network_changed_send(program_id=program.pk, round_ids=touched, reason=reason)
    return tie


def tie_delete(*, tie: Relationship, reason: str = "tie deleted") -> bool:
    """Delete one tie; False when it was gone already (then nothing is recomputed)."""
    with transaction.atomic():
        deleted, _ = Relationship.objects.filter(pk=tie.pk).delete()
        if deleted:
            network_changed_send(program_id=tie.program_id, round_ids=[tie.round_id], reason=reason)
    return bool(deleted)


def ties_bulk_upsert(
    *,
    program: Program,
    items: Sequence[dict],
    origin: str = Relationship.Origin.API,
    reason: str = "bulk upload",
) -> BulkResult:
    """Create each tie, or update the strength of the one already recorded for the same
    (source, target, type, round). A tie of an undirected type matches either way round.

    `items` have integer `source`, `target`, `type`, `round` and `strength`. Every problem
    is collected first (TiesRejected lists them by index and field); with any problem
    nothing is written. The program row is locked meanwhile, so bulk uploads and
    spreadsheet imports into one program run one after the other.
    """
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        rows = ProgramRows.load(program_id=program.pk)
        problems: list[TieProblem] = []
        keys: list[tuple] = []
        first_index: dict[tuple, int] = {}
        for index, item in enumerate(items):
            errors = tie_validate(program_id=program.pk, rows=rows, **_fields(item))
            problems += [TieProblem(index, name, message) for name, message in errors.items()]
            key = tie_key(*_ids(item), directed=rows.directed.get(item["type"], True))
            keys.append(key)
            if errors:
                continue
            if key in first_index:
                message = (
                    f"The same tie as item {first_index[key]} (same members, type and "
                    "round); give each tie once."
                )
                problems.append(TieProblem(index, "target", message))
            first_index.setdefault(key, index)
        if problems:
            raise TiesRejected(problems)

        existing = _recorded(
            rows.directed,
            Relationship.objects.filter(
                round_id__in={item["round"] for item in items},
                source_id__in={i["source"] for i in items} | {i["target"] for i in items},
            ),
        )
        result = BulkResult()
        new, changed = [], []
        now = timezone.now()
        for item, key in zip(items, keys, strict=True):
            if key not in existing:
                new.append(Relationship(program=program, origin=origin, **_field_ids(item)))
                result.created += 1
                result.rounds.add(item["round"])
            elif existing[key][1] != item["strength"]:
                changed.append(
                    Relationship(pk=existing[key][0], strength=item["strength"], updated_at=now)
                )
                result.updated += 1
                result.rounds.add(item["round"])
            else:
                result.unchanged += 1
        # bulk_create, not COPY: the API answers with each tie's id.
        created = iter(Relationship.objects.bulk_create(new, batch_size=2000))
        Relationship.objects.bulk_update(changed, ["strength", "updated_at"], batch_size=2000)
        result.ids = [existing[key][0] if key in existing else next(created).pk for key in keys]
        if result.rounds:
            network_changed_send(program_id=program.pk, round_ids=result.rounds, reason=reason)
    return result


def ties_insert(*, program_id: int, ties: Sequence[TieTuple], origin: str, reason: str) -> int:
    """Insert new ties, validated, as fast as the database allows; returns how many.

    The caller knows they are not recorded yet (the unique constraint refuses a repeat, and
    the whole transaction with it). On PostgreSQL this is one COPY, five times faster than
    INSERTs for 100k ties; elsewhere it is bulk_create.
    """
    if not ties:
        return 0
    rows = ProgramRows.load(program_id=program_id)
    problems = []
    for index, (source, target, type_id, round_id, strength) in enumerate(ties):
        errors = tie_validate(
            program_id=program_id,
            source=source,
            target=target,
            type=type_id,
            round=round_id,
            strength=strength,
            rows=rows,
        )
        problems += [TieProblem(index, name, message) for name, message in errors.items()]
    if problems:
        raise TiesRejected(problems)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy(program_id, ties, origin)
        else:
            Relationship.objects.bulk_create(
                (
                    Relationship(
                        program_id=program_id,
                        source_id=source,
                        target_id=target,
                        type_id=type_id,
                        round_id=round_id,
                        strength=strength,
                        origin=origin,
                    )
                    for source, target, type_id, round_id, strength in ties
                ),
                batch_size=BATCH,
            )
        network_changed_send(
            program_id=program_id, round_ids={tie[3] for tie in ties}, reason=reason
        )
    return len(ties)


def ties_strength_set(*, program_id: int, strengths: dict[int, int], reason: str) -> set[int]:
    """Give recorded ties new strengths ({tie id: strength}); returns the rounds touched."""
    bad = {pk: s for pk, s in strengths.items() if not strength_valid(s)}
    if bad:
        pk, strength = next(iter(bad.items()))
        raise TiesRejected(
            [TieProblem(None, "strength", f"Tie {pk}: strength must be 1 to 5, not {strength!r}.")]
        )
    by_strength: dict[int, list[int]] = {}
    for pk, strength in strengths.items():
        by_strength.setdefault(strength, []).append(pk)
    now = timezone.now()
    rounds: set[int] = set()
    with transaction.atomic():
        # At most five strengths: one UPDATE per strength (and batch) beats a CASE per row.
        for strength, pks in by_strength.items():
            for start in range(0, len(pks), BATCH):
                batch = Relationship.objects.filter(
                    program_id=program_id, pk__in=pks[start : start + BATCH]
                )
                rounds |= set(batch.values_list("round_id", flat=True).distinct())
                batch.update(strength=strength, updated_at=now)
        if rounds:
            network_changed_send(program_id=program_id, round_ids=rounds, reason=reason)
    return rounds


def ties_reported_replace(
    *,
    program_id: int,
    round_id: int,
    source_id: int,
    wanted: dict[tuple[int, int], int],
    origin: str = Relationship.Origin.SURVEY,
    reason: str = "survey answer",
) -> list[tuple[int, int]]:
    """Make `wanted` ({(target, type): strength}) the source's reported ties of the round.

    Their earlier ties of this origin go; ties staff imported or entered for the same person
    and type stay as they were, and are returned as skipped. Recomputes only if the round's
    ties actually changed (submitting the same answers twice changes nothing).
    """
    rows = ProgramRows.load(
        program_id=program_id,
        members=[source_id, *(target for target, _ in wanted)],
        types={type_id for _, type_id in wanted},
        rounds=[round_id],
    )
    problems = []
    for index, ((target, type_id), strength) in enumerate(wanted.items()):
        errors = tie_validate(
            program_id=program_id,
            source=source_id,
            target=target,
            type=type_id,
            round=round_id,
            strength=strength,
            rows=rows,
        )
        problems += [TieProblem(index, name, message) for name, message in errors.items()]
    if problems:
        raise TiesRejected(problems)
    with transaction.atomic():
        mine = Relationship.objects.filter(round_id=round_id, source_id=source_id)
        reported = mine.filter(origin=origin)
        before = set(reported.values_list("target_id", "type_id", "strength"))
        reported.delete()
        kept = set(mine.values_list("target_id", "type_id"))
        skipped = [pair for pair in wanted if pair in kept]
        new = {pair: strength for pair, strength in wanted.items() if pair not in kept}
        Relationship.objects.bulk_create(
            Relationship(
                program_id=program_id,
                source_id=source_id,
                target_id=target,
                type_id=type_id,
                round_id=round_id,
                strength=strength,
                origin=origin,
            )
            for (target, type_id), strength in new.items()
        )
        if before != {(t, ty, s) for (t, ty), s in new.items()}:
            network_changed_send(program_id=program_id, round_ids=[round_id], reason=reason)
    return skipped


def ties_missing_add(
    *,
    program_id: int,
    round_id: int,
    source_id: int,
    target_id: int,
    type_ids: Iterable[int],
    strength: int,
    origin: str = Relationship.Origin.SURVEY,
    reason: str,
) -> int:
    """Add the source's ties to the target of these types that are not recorded yet (of any
    origin, either way round for undirected types); returns how many were added."""
    type_ids = list(dict.fromkeys(type_ids))
    rows = ProgramRows.load(
        program_id=program_id, members=[source_id, target_id], types=type_ids, rounds=[round_id]
    )
    for type_id in type_ids:
        errors = tie_validate(
            program_id=program_id,
            source=source_id,
            target=target_id,
            type=type_id,
            round=round_id,
            strength=strength,
            rows=rows,
        )
        if errors:
            raise TiesRejected([TieProblem(None, name, m) for name, m in errors.items()])
    with transaction.atomic():
        pair = Relationship.objects.filter(round_id=round_id, type_id__in=type_ids)
        recorded = _recorded(
            rows.directed,
            pair.filter(source_id__in=[source_id, target_id], target_id__in=[source_id, target_id]),
        )
        new = [
            (source_id, target_id, type_id, round_id, strength)
            for type_id in type_ids
            if tie_key(source_id, target_id, type_id, round_id, directed=rows.directed[type_id])
            not in recorded
        ]
        Relationship.objects.bulk_create(
            Relationship(
                program_id=program_id,
                source_id=source,
                target_id=target,
                type_id=type_id,
                round_id=round_,
                strength=s,
                origin=origin,
            )
            for source, target, type_id, round_, s in new
        )
        if new:
            network_changed_send(program_id=program_id, round_ids=[round_id], reason=reason)
    return len(new)


# --- the parts ---------------------------------------------------------------------------


def _clash(
    source: int, target: int, type_: RelationshipType, round_id: int, *, excluding
) -> str | None:
    same = Relationship.objects.filter(type=type_, round_id=round_id)
    if excluding is not None:
        same = same.exclude(pk=excluding.pk)
    if same.filter(source_id=source, target_id=target).exists():
        return "This tie is already recorded for this round."
    if not type_.directed and same.filter(source_id=target, target_id=source).exists():
        return (
            f"This tie is already recorded for this round, from {target} to {source} "
            f"(“{type_}” goes both ways)."
        )
    return None


def _recorded(directed: dict[int, bool], ties: models.QuerySet) -> dict[tuple, tuple[int, int]]:
    """{tie key: (id, strength)} of recorded ties; the first recorded wins a key."""
    found: dict[tuple, tuple[int, int]] = {}
    values = ties.values_list("pk", "source_id", "target_id", "type_id", "round_id", "strength")
    for pk, source, target, type_id, round_id, strength in values.iterator(BATCH):
        key = tie_key(source, target, type_id, round_id, directed=directed.get(type_id, True))
        found.setdefault(key, (pk, strength))
    return found


def _fields(item: dict) -> dict:
    names = ("source", "target", "type", "round", "strength")
    return {name: item[name] for name in names}


def _ids(item: dict) -> tuple[int, int, int, int]:
    return item["source"], item["target"], item["type"], item["round"]


def _field_ids(item: dict) -> dict:
    return {
        "source_id": item["source"],
        "target_id": item["target"],
        "type_id": item["type"],
        "round_id": item["round"],
        "strength": item["strength"],
    }


def _whole_numbers(ids: Iterable[object]) -> list[int]:
    # An id the database cannot hold is no row of the program, not a database error.
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63]


def _copy(program_id: int, ties: Sequence[TieTuple], origin: str) -> None:
    """The ties as one PostgreSQL COPY through psycopg2's copy_expert (the only driver the
    project installs): no model instances and no INSERT parameters per row."""
    names = ("program", "source", "target", "type", "round", "strength", "origin")
    names += ("created_at", "updated_at")
    columns = ", ".join(
        connection.ops.quote_name(Relationship._meta.get_field(name).column) for name in names
    )
    now = timezone.now().isoformat()
    # Every value is an integer or one of the fixed strings: nothing to escape.
    fixed = f"\t{Relationship.Origin(origin).value}\t{now}\t{now}\n"
    buffer = io.StringIO()
    buffer.writelines(
        f"{program_id}\t{source}\t{target}\t{type_id}\t{round_id}\t{strength}{fixed}"
        for source, target, type_id, round_id, strength in ties
    )
    buffer.seek(0)
    table = connection.ops.quote_name(Relationship._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
