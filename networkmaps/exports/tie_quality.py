"""Tie quality in a round: average trust and value members gave their ties, within and
across cohorts, and the change since the round before (for the round report and exports).

A rating is what one member said about their tie to another (`TieRating`, per direction).
"Trust" is every answer to a question keyed `trust` or `trust_…` (PARTNER's trust items),
"value" likewise; a member's cohort is the earliest one they are in, as in the round's
network (`round_graph.cohort_of`). Only ratings between two members who both have a cohort
count towards "within" or "across".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from members.models import Round, Survey
from members.models.surveys import MemberAnswer, SurveyQuestion, TieRating
from members.round_graph import cohort_of, member_cohorts

DIMENSIONS = ("trust", "value")


def dimension_of(key: str) -> str | None:
    for name in DIMENSIONS:
        if key == name or key.startswith(f"{name}_"):
            return name
    return None


@dataclass
class Average:
    total: int = 0
    count: int = 0

    def add(self, value: int) -> None:
        self.total += value
        self.count += 1

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class CohortQuality:
    """Averages of ratings given by members of one cohort (`within`: to their own cohort)."""

    cohort: str
    within: dict[str, Average] = field(default_factory=lambda: defaultdict(Average))
    across: dict[str, Average] = field(default_factory=lambda: defaultdict(Average))
    before_within: dict[str, float | None] = field(default_factory=dict)
    before_across: dict[str, float | None] = field(default_factory=dict)

    def row(self, name: str) -> dict:
        """One dimension's numbers for a table row (means, counts, change since before)."""
        within, across = self.within[name].mean, self.across[name].mean
        return {
            "within": within,
            "within_n": self.within[name].count,
            "across": across,
            "across_n": self.across[name].count,
            "within_change": _change(self.before_within.get(name), within),
            "across_change": _change(self.before_across.get(name), across),
        }


@dataclass
class TieQuality:
    round_name: str
    before_name: str
    ratings: int
    overall: CohortQuality  # every cohort together, as "cohort" ""
    cohorts: list[CohortQuality]

    @property
    def asked(self) -> bool:
        return self.ratings > 0

    def table(self) -> list[dict]:
        """Rows for the report: cohort, dimension and its numbers."""
        rows = []
        for quality in [*self.cohorts, self.overall]:
            for name in DIMENSIONS:
                rows.append({"cohort": quality.cohort or "All cohorts", "dimension": name}
                            | quality.row(name))  # fmt: skip
        return [r for r in rows if r["within_n"] or r["across_n"]]


def _change(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _averages(round_: Round, cohorts: dict[int, list[str]]):
    overall = CohortQuality("")
    by_cohort: dict[str, CohortQuality] = {}
    rows = TieRating.objects.filter(round=round_).values_list(
        "source_id", "target_id", "key", "value"
    )
    count = 0
    for source, target, key, value in rows.iterator(chunk_size=10000):
        name = dimension_of(key)
        mine, theirs = cohort_of(cohorts, source), cohort_of(cohorts, target)
        if name is None or mine is None or theirs is None:
            continue
        count += 1
        quality = by_cohort.setdefault(mine, CohortQuality(mine))
        side = "within" if mine == theirs else "across"
        getattr(quality, side)[name].add(value)
        getattr(overall, side)[name].add(value)
    return count, overall, by_cohort


def tie_quality_by_cohort(*, round_: Round, before: Round | None = None) -> TieQuality:
    """Average trust and value in `round_` by cohort, within and across, with the change
    since `before` (the previous round, when given)."""
    cohorts = member_cohorts(program_id=round_.program_id)
    count, overall, by_cohort = _averages(round_, cohorts)
    if before is not None:
        _, overall_before, before_by_cohort = _averages(before, cohorts)
        for quality in [overall, *by_cohort.values()]:
            then = overall_before if quality is overall else before_by_cohort.get(quality.cohort)
            if then is None:
                continue
            for name in DIMENSIONS:
                quality.before_within[name] = then.within[name].mean
                quality.before_across[name] = then.across[name].mean
    return TieQuality(
        round_name=round_.name,
        before_name=before.name if before else "",
        ratings=count,
        overall=overall,
        cohorts=[by_cohort[c] for c in sorted(by_cohort)],
    )


@dataclass
class QuestionCounts:
    """How many members gave each answer to one question about themselves (counts only:
    never who answered what). Short-text answers are counted, not shown."""

    text: str
    answered: int
    counts: list[tuple[str, int]]


@dataclass
class SurveyAnswers:
    tie_quality: TieQuality
    member_questions: list[QuestionCounts]


def member_answer_counts(*, round_: Round) -> list[QuestionCounts]:
    survey = Survey.objects.filter(round=round_).first()
    if survey is None:
        return []
    out = []
    answers = MemberAnswer.objects.filter(
        invitation__survey=survey, invitation__submitted_at__isnull=False
    )
    given: dict[str, list] = defaultdict(list)
    for key, value in answers.values_list("key", "value"):
        given[key].append(value)
    for question in survey.questions.exclude(kind__in=SurveyQuestion.TIE_KINDS):
        values = given.get(question.key, [])
        tally: dict[str, int] = defaultdict(int)
        if question.kind != SurveyQuestion.Kind.TEXT:
            for value in values:
                for one in value if isinstance(value, list) else [value]:
                    tally[str(one)] += 1
        if question.kind == SurveyQuestion.Kind.SCALE:
            order = [str(n) for n in range(1, 6)]
        else:
            order = list(question.choices) + sorted(set(tally) - set(question.choices))
        counts = [(option, tally.get(option, 0)) for option in order]
        out.append(QuestionCounts(question.text, len(values), counts))
    return out


def round_survey_answers(*, round_: Round, before: Round | None = None) -> SurveyAnswers:
    """What the round report shows of survey answers beyond the ties: tie quality by cohort
    and, in counts, the members' answers about themselves."""
    return SurveyAnswers(
        tie_quality=tie_quality_by_cohort(round_=round_, before=before),
        member_questions=member_answer_counts(round_=round_),
    )


def tie_quality_by_pair(*, round_: Round) -> dict[tuple[int, int], dict[str, float]]:
    """{(source, target): {"trust": mean, "value": mean}} of what `source` said about
    `target` in the round, for the export files (a tie row looks up its own direction, and an
    undirected one both; see `tie_quality_of`)."""
    sums: dict[tuple[int, int], dict[str, Average]] = defaultdict(lambda: defaultdict(Average))
    rows = TieRating.objects.filter(round=round_).values_list(
        "source_id", "target_id", "key", "value"
    )
    for source, target, key, value in rows.iterator(chunk_size=10000):
        name = dimension_of(key)
        if name is not None:
            sums[source, target][name].add(value)
    return {pair: {n: a.mean for n, a in by.items()} for pair, by in sums.items()}


def tie_quality_of(
    quality: dict[tuple[int, int], dict[str, float]], source: int, target: int, directed: bool
) -> tuple[float | None, float | None]:
    """(trust, value) of one tie: the source's answers for a directed tie; for an undirected
    one, the mean of what either said about the other."""
    found = [quality.get((source, target), {})]
    if not directed:
        found.append(quality.get((target, source), {}))
    means = []
    for name in DIMENSIONS:
        values = [f[name] for f in found if f.get(name) is not None]
        means.append(sum(values) / len(values) if values else None)
    return means[0], means[1]


def member_answers_by_member(*, round_: Round) -> tuple[list[str], dict[int, dict[str, str]]]:
    """(question keys, {member: {key: answer}}) of the round's survey, submitted answers only,
    for named exports (several choices joined with `|`)."""
    survey = Survey.objects.filter(round=round_).first()
    if survey is None:
        return [], {}
    keys = list(
        survey.questions.exclude(kind__in=SurveyQuestion.TIE_KINDS).values_list("key", flat=True)
    )
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    rows = MemberAnswer.objects.filter(
        invitation__survey=survey, invitation__submitted_at__isnull=False
    ).values_list("invitation__member_id", "key", "value")
    for member_id, key, value in rows:
        answers[member_id][key] = "|".join(value) if isinstance(value, list) else str(value)
    return (keys if answers else []), dict(answers)
