"""Who answered each round: recording response statuses and summarising a round's response.

A survey records them as members submit and when it closes (members/surveys hooks call
`response_status_answered` and `survey_response_statuses_sync`); an import states them with
`response_status_record` (its `respondent` column, or "everyone in the file answered").
A round with no statuses at all (entered by staff, or recorded before statuses existed)
counts everyone as having answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from members.models import Member, ResponseStatus, Round, Survey, SurveyInvitation
from members.ties.copy import rows_copy

ANSWERED = ResponseStatus.Status.ANSWERED
NOT_ANSWERED = ResponseStatus.Status.NOT_ANSWERED
NOT_ASKED = ResponseStatus.Status.NOT_ASKED


@dataclass(frozen=True)
class RoundResponse:
    """How many of the members asked in a round answered, against the program's threshold."""

    answered: int
    asked: int
    rate: float | None  # answered / asked, None when nobody was asked or nothing is recorded
    threshold: float  # the program's low-response threshold, as a share (0.6)

    @property
    def recorded(self) -> bool:
        return self.rate is not None

    @property
    def low(self) -> bool:
        return self.rate is not None and self.rate < self.threshold

    def __iter__(self):  # (answered, asked, rate, threshold), as the close page reads it
        return iter((self.answered, self.asked, self.rate, self.threshold))


@transaction.atomic
def response_status_record(
    *,
    round_: Round,
    answered_ids: Iterable[int],
    asked_ids: Iterable[int] | None = None,
    source: str = ResponseStatus.Source.IMPORT,
) -> int:
    """Replace the round's response statuses: members in `answered_ids` answered, others in
    `asked_ids` did not, and every other member of the program was not asked. Without
    `asked_ids` the asked are the answered (an import: "everyone in the file answered").

    Returns how many statuses were written (one per member of the program)."""
    answered = set(answered_ids)
    asked = answered | set(asked_ids if asked_ids is not None else ())
    members = Member.objects.filter(program_id=round_.program_id).values_list("pk", flat=True)
    ResponseStatus.objects.filter(round=round_).delete()
    statuses = [
        (pk, ANSWERED if pk in answered else NOT_ANSWERED if pk in asked else NOT_ASKED)
        for pk in members.iterator(chunk_size=10000)
    ]
    if connection.vendor == "postgresql":  # an import's 10k statuses: one COPY
        now = timezone.now()
        rows_copy(
            ResponseStatus,
            ("round_id", "member_id", "status", "source", "updated_at"),
            ((round_.pk, pk, status, source, now) for pk, status in statuses),
        )
    else:
        ResponseStatus.objects.bulk_create(
            (
                ResponseStatus(round=round_, member_id=pk, status=status, source=source)
                for pk, status in statuses
            ),
            batch_size=5000,
        )
    return len(statuses)


def survey_response_statuses_sync(*, survey: Survey) -> int:
    """Record the survey round's statuses from its invitations: submitted = answered,
    invited = not answered, everyone else = not asked."""
    invitations = SurveyInvitation.objects.filter(survey=survey)
    return response_status_record(
        round_=survey.round,
        answered_ids=invitations.filter(submitted_at__isnull=False).values_list(
            "member_id", flat=True
        ),
        asked_ids=invitations.values_list("member_id", flat=True),
        source=ResponseStatus.Source.SURVEY,
    )


def response_status_answered(*, survey: Survey, member_id: int) -> None:
    """A member submitted the survey: they answered (the first answer records everyone)."""
    updated = ResponseStatus.objects.filter(round_id=survey.round_id, member_id=member_id).update(
        status=ANSWERED, source=ResponseStatus.Source.SURVEY
    )
    if not updated:
        survey_response_statuses_sync(survey=survey)


def response_statuses(*, round_: Round) -> dict[int, str]:
    """Member -> status of the round; empty when none are recorded (everyone answered)."""
    rows = ResponseStatus.objects.filter(round=round_).values_list("member_id", "status")
    return dict(rows.iterator(chunk_size=10000))


def round_response_summary(*, round_: Round) -> RoundResponse:
    """(answered, asked, rate, threshold) of a round. Unpacks as a tuple for the survey
    close confirmation; `low` says whether the round falls below the program's threshold."""
    counts = {ANSWERED: 0, NOT_ANSWERED: 0, NOT_ASKED: 0}
    for status in ResponseStatus.objects.filter(round=round_).values_list("status", flat=True):
        counts[status] += 1
    threshold = round_.program.low_response_threshold / 100
    asked = counts[ANSWERED] + counts[NOT_ANSWERED]
    if not asked:
        # No record: a survey round that nobody has answered yet still has its invitations.
        survey = Survey.objects.filter(round=round_).first()
        if survey is not None:
            invited = SurveyInvitation.objects.filter(survey=survey)
            answered = invited.filter(submitted_at__isnull=False).count()
            total = invited.count()
            return RoundResponse(answered, total, answered / total if total else None, threshold)
        return RoundResponse(0, 0, None, threshold)
    return RoundResponse(counts[ANSWERED], asked, counts[ANSWERED] / asked, threshold)


def round_response_summaries(*, program, rounds: list[Round]) -> dict[int, RoundResponse]:
    """`round_response_summary` of several rounds of one program in two queries."""
    threshold = program.low_response_threshold / 100
    counts: dict[int, dict[str, int]] = {r.pk: {} for r in rounds}
    grouped = (
        ResponseStatus.objects.filter(round__in=rounds)
        .values_list("round_id", "status")
        .annotate(n=Count("pk"))
    )
    for round_id, status, n in grouped:
        counts[round_id][status] = n
    unrecorded = [
        pk for pk, c in counts.items() if not (c.get(ANSWERED, 0) + c.get(NOT_ANSWERED, 0))
    ]
    invited = {}
    if unrecorded:
        invited = {
            round_id: (answered, total)
            for round_id, answered, total in SurveyInvitation.objects.filter(
                survey__round_id__in=unrecorded
            )
            .values_list("survey__round_id")
            .annotate(answered=Count("pk", filter=Q(submitted_at__isnull=False)), total=Count("pk"))
        }
    out = {}
    for pk, c in counts.items():
        asked = c.get(ANSWERED, 0) + c.get(NOT_ANSWERED, 0)
        if asked:
            out[pk] = RoundResponse(
                c.get(ANSWERED, 0), asked, c.get(ANSWERED, 0) / asked, threshold
            )
        elif pk in invited and invited[pk][1]:
            answered, total = invited[pk]
            out[pk] = RoundResponse(answered, total, answered / total, threshold)
        else:
            out[pk] = RoundResponse(0, 0, None, threshold)
    return out


def import_response_statuses_record(*, rounds: dict[int, set[int]]) -> None:
    """An import's stated default: everyone in the file answered. `rounds` maps each round
    the file wrote ties for to the members the file names; they are added to whoever had
    answered that round already, and members the file does not name keep their status (or
    are "not asked" when the round had none)."""
    for round_ in Round.objects.filter(pk__in=list(rounds)):
        statuses = response_statuses(round_=round_)
        answered = {m for m, s in statuses.items() if s == ANSWERED} | rounds[round_.pk]
        asked = answered | {m for m, s in statuses.items() if s == NOT_ANSWERED}
        response_status_record(round_=round_, answered_ids=answered, asked_ids=asked)
