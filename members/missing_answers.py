"""Repairing a round's network for members who did not answer: the program's stated rule.

Network-survey research treats non-response as the normal case and repairs it rather than
reading silence as lost ties (Huisman 2009; Smith & Moody 2013):

- reconstruct (default): a non-respondent's ties are those others reported with them. For
  undirected types that is the tie itself; for directed types their incoming reports. Under
  "either side" counting these rows count already; under "confirmed ties only" a report
  about a non-respondent counts although nobody could confirm it.
- carry forward: as reconstruct, and a non-respondent also keeps the ties they reported in
  the previous round, marked as carried.
- as reported: no repair (the behaviour before response statuses were recorded).

Members "not asked" are treated like non-respondents: nobody heard their side either.
`members.round_graph.round_graph_load` applies this; nothing else should.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from members.models import Relationship, ResponseStatus, Round
from members.responses import ANSWERED

RECONSTRUCT, CARRY_FORWARD, AS_REPORTED = "reconstruct", "carry_forward", "as_reported"
RULE_LABELS = {
    RECONSTRUCT: "reconstructed from what others reported",
    CARRY_FORWARD: "carried forward from the previous round",
    AS_REPORTED: "as reported (no repair for missing answers)",
}


@dataclass
class Repair:
    """What the rule added to a round's counted ties, and who answered."""

    rule: str
    # Members who answered; None when the round records no statuses (everyone answered).
    answered: frozenset[int] | None
    non_respondents: frozenset[int] = frozenset()
    # (source, target, type_id, strength, carried) rows the rule adds.
    added: list[tuple[int, int, int, int, bool]] = field(default_factory=list)


def missing_answers_repair(*, round_: Round, counted: list, directed: dict[int, bool]) -> Repair:
    """The rows the program's missing-answer rule adds to the round's `counted` ties
    (round_graph.Tie rows), and who answered."""
    rule = round_.program.missing_answers
    statuses = dict(ResponseStatus.objects.filter(round=round_).values_list("member_id", "status"))
    if not statuses:
        return Repair(rule=rule, answered=None)
    answered = frozenset(m for m, s in statuses.items() if s == ANSWERED)
    silent = frozenset(m for m, s in statuses.items() if s != ANSWERED)
    repair = Repair(rule=rule, answered=answered, non_respondents=silent)
    if rule == AS_REPORTED or not silent:
        return repair
    present = {(t.source, t.target, t.type_id) for t in counted}
    reports = Relationship.objects.filter(
        round=round_,
        origin=Relationship.Origin.SURVEY,
        target_id__in=ResponseStatus.objects.non_respondents(round_).values("member_id"),
    ).values_list("source_id", "target_id", "type_id", "strength")
    for source, target, type_id, strength in reports.iterator(chunk_size=10000):
        if (source, target, type_id) not in present:
            present.add((source, target, type_id))
            repair.added.append((source, target, type_id, strength, False))
    if rule == CARRY_FORWARD:
        _carry_forward(round_, repair, present, directed)
    return repair


def _carry_forward(round_: Round, repair: Repair, present: set, directed: dict) -> None:
    previous = round_.previous()
    if previous is None:
        return
    earlier = Relationship.objects.counted(previous).filter(
        source_id__in=ResponseStatus.objects.non_respondents(round_).values("member_id")
    )
    rows = earlier.values_list("source_id", "target_id", "type_id", "strength")
    for source, target, type_id, strength in rows.iterator(chunk_size=10000):
        if type_id not in directed:
            continue  # a type deleted since
        if (source, target, type_id) in present:
            continue
        if not directed[type_id] and (target, source, type_id) in present:
            continue
        present.add((source, target, type_id))
        repair.added.append((source, target, type_id, strength, True))
