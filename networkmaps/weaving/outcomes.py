"""Did introductions turn into ties? Marking them after each run, and counting them per round."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from members.models import Program, Round
from members.round_graph import round_graph_load
from networkmaps.models import PairDecision, Suggestion

# An introduction that was followed up is still an introduction whose outcome counts.
INTRODUCED = (PairDecision.Status.INTRODUCED, PairDecision.Status.FOLLOWED_UP)


def decision_outcomes_update(*, round_: Round) -> int:
    """Mark introductions made before this round whose pair now has a counted tie (the
    round's counting rule, as its metrics count ties). Returns how many."""
    waiting = PairDecision.objects.filter(
        program_id=round_.program_id,
        status__in=INTRODUCED,
        tie_round__isnull=True,
        round__observed_on__lt=round_.observed_on,
    ).values_list("pk", "member_a_id", "member_b_id")
    waiting = list(waiting)
    if not waiting:
        return 0
    tied = round_graph_load(round_=round_).pairs()
    formed = [pk for pk, a, b in waiting if (a, b) in tied]
    return PairDecision.objects.filter(pk__in=formed).update(tie_round=round_)


@dataclass
class Outcome:
    round: Round
    introduced: int
    formed: int
    by_kind: list[tuple[str, int, int]]

    @property
    def share(self) -> float | None:
        return self.formed / self.introduced if self.introduced else None


def introduction_outcomes(*, program: Program) -> list[Outcome]:
    """For each round after the first: introductions made before it, and how many of those
    pairs have a tie in it — the program's evidence that weaving works."""
    rounds = list(program.rounds.order_by("observed_on", "id"))
    introduced = PairDecision.objects.filter(program=program, status__in=INTRODUCED)
    rows = introduced.values("round__observed_on", "kind", "tie_round__observed_on")
    rows = list(rows.annotate(n=Count("id")))
    outcomes = []
    for later in rounds[1:]:
        made = [r for r in rows if r["round__observed_on"] < later.observed_on]
        if not made:
            continue
        formed = [
            r for r in made
            if r["tie_round__observed_on"] and r["tie_round__observed_on"] <= later.observed_on
        ]  # fmt: skip
        by_kind = []
        for value, label in Suggestion.Kind.choices:
            k_made = sum(r["n"] for r in made if r["kind"] == value)
            if k_made:
                by_kind.append((label, k_made, sum(r["n"] for r in formed if r["kind"] == value)))
        outcomes.append(
            Outcome(
                round=later,
                introduced=sum(r["n"] for r in made),
                formed=sum(r["n"] for r in formed),
                by_kind=by_kind,
            )
        )
    return outcomes
