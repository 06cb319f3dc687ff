"""Record many ties at once from the API: every one of them, or none."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from members.models import Member, Program, Relationship, RelationshipType, Round


@dataclass(frozen=True)
class BulkProblem:
    index: int | None  # position in the list; None for the list as a whole
    field: str | None
    message: str


class BulkRejected(Exception):
    def __init__(self, problems: list[BulkProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)
    rounds: set[int] = field(default_factory=set)  # rounds whose ties changed


def relationships_bulk_upsert(
    *, program: Program, items: list[dict], origin: str = Relationship.Origin.API
) -> BulkResult:
    """Create each tie, or update the strength of the one already recorded for the same
    (source, target, type, round). A tie of an undirected type matches either way round.

    `items` have integer `source`, `target`, `type`, `round` and `strength` (1–5). Every
    problem is collected first (BulkRejected lists them by index and field); with any
    problem nothing is written. The program row is locked meanwhile, so bulk uploads and
    spreadsheet imports into one program run one after the other.
    """
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        members = set(Member.objects.filter(program=program).values_list("pk", flat=True))
        directed = dict(
            RelationshipType.objects.filter(program=program).values_list("pk", "directed")
        )
        rounds = set(Round.objects.filter(program=program).values_list("pk", flat=True))

        problems: list[BulkProblem] = []
        keys: list[tuple[int, int, int, int]] = []
        first_index: dict[tuple, int] = {}
        for index, item in enumerate(items):
            found = {
                "source": (item["source"] in members, "member"),
                "target": (item["target"] in members, "member"),
                "type": (item["type"] in directed, "relationship type"),
                "round": (item["round"] in rounds, "round"),
            }
            missing = [
                BulkProblem(index, name, f"No {label} with id {item[name]} in this program.")
                for name, (ok, label) in found.items()
                if not ok
            ]
            if not missing and item["source"] == item["target"]:
                missing.append(
                    BulkProblem(index, "target", "A member cannot have a tie to themselves.")
                )
            problems += missing
            key = _key(item, directed)
            keys.append(key)
            if not missing:
                if key in first_index:
                    problems.append(
                        BulkProblem(
                            index,
                            "target",
                            f"The same tie as item {first_index[key]} (same members, type and "
                            "round); give each tie once.",
                        )
                    )
                first_index.setdefault(key, index)
        if problems:
            raise BulkRejected(problems)

        existing: dict[tuple, tuple[int, int]] = {}
        recorded = Relationship.objects.filter(
            round_id__in={item["round"] for item in items},
            source_id__in={item["source"] for item in items} | {i["target"] for i in items},
        ).values_list("pk", "source_id", "target_id", "type_id", "round_id", "strength")
        for pk, source, target, type_id, round_id, strength in recorded.iterator(5000):
            row = {"source": source, "target": target, "type": type_id, "round": round_id}
            existing.setdefault(_key(row, directed), (pk, strength))

        result = BulkResult()
        new, changed = [], []
        now = timezone.now()
        for item, key in zip(items, keys, strict=True):
            if key not in existing:
                new.append(
                    Relationship(
                        program=program,
                        source_id=item["source"],
                        target_id=item["target"],
                        type_id=item["type"],
                        round_id=item["round"],
                        strength=item["strength"],
                        origin=origin,
                    )
                )
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
        created = iter(Relationship.objects.bulk_create(new, batch_size=2000))
        Relationship.objects.bulk_update(changed, ["strength", "updated_at"], batch_size=2000)
        result.ids = [existing[key][0] if key in existing else next(created).pk for key in keys]
    return result


def _key(item: dict, directed: dict[int, bool]) -> tuple[int, int, int, int]:
    source, target = item["source"], item["target"]
    if not directed.get(item["type"], True):
        # An undirected tie is the same tie whichever way round it is written.
        source, target = min(source, target), max(source, target)
    return source, target, item["type"], item["round"]
