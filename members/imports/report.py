"""What an import did or would do: counts and examples per kind of row, problems, notes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from members.imports.read import Problem

EXAMPLES = 100  # changes listed in words per kind; the counts are always complete
KINDS = (
    "organisations",
    "cohorts",
    "relationship types",
    "rounds",
    "member attributes",
    "members",
    "cohort memberships",
    "ties",
)


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

    def as_json(self) -> dict:
        """The report as JSON-ready data, as an import job stores it."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        return cls(
            **{
                **data,
                # In KINDS order: PostgreSQL's jsonb does not keep the keys' order.
                "tallies": {kind: Tally(**data["tallies"].get(kind, {})) for kind in KINDS},
                "problems": [Problem(**p) for p in data["problems"]],
            }
        )
