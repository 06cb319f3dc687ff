"""The Suggestion record every kind returns, and the canonical form of a member pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    kind: str
    members: tuple[int, ...]
    score: float
    reason: str
    facts: dict[str, Any] = field(default_factory=dict)
    subject: int | None = None


def pair_key(a: int, b: int) -> tuple[int, int]:
    """The canonical (smaller, larger) form of an unordered pair of member ids."""
    if a == b:
        raise ValueError(f"a pair needs two different members, got {a} twice")
    return (a, b) if a < b else (b, a)


def by_rank(s: Suggestion) -> tuple:
    """Sort key within a kind: highest score first, then member ids."""
    return (-s.score, s.members)
