"""The questions a program writes for a survey, ready-made sets of them, and skip logic.

Tie-quality questions are asked about each person a member names; their answers become
`TieRating` rows of the round. Member-level questions are asked once; their answers become
`MemberAnswer` rows (and, where the question says so, a member attribute).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from members.models import Survey
from members.models.surveys import SurveyQuestion

Kind = SurveyQuestion.Kind

AGREE = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
AMOUNT = ["Not at all", "A little", "Some", "Quite a lot", "A great deal"]
YES_NO = ["No", "Yes"]

PARTNER_SOURCE = (
    "Adapted from the PARTNER Tool's trust and value scores (partnertool.net; Varda & "
    "Retrum, Journal of Public Health Research 1(2), 2012), asked here on 1–5."
)
NETWORK_HEALTH_SOURCE = (
    "Adapted from Network Impact and the Center for Evaluation Innovation's network health "
    "dimensions (“Evaluating Networks for Social Change: A Casebook”, 2014), asked on 1–5."
)


@dataclass(frozen=True)
class ReadyQuestion:
    key: str
    kind: str
    text: str
    help: str
    choices: tuple[str, ...]


READY_SETS: dict[str, tuple[str, list[ReadyQuestion]]] = {
    "partner-trust": (
        "Trust (PARTNER, one item per person)",
        [
            ReadyQuestion(
                "trust",
                Kind.TIE_SCALE,
                "How much do you trust them: to be reliable, to share the network's purpose "
                "and to be open to discussion?",
                PARTNER_SOURCE,
                tuple(AMOUNT),
            )
        ],
    ),
    "partner-value": (
        "Value (PARTNER, one item per person)",
        [
            ReadyQuestion(
                "value",
                Kind.TIE_SCALE,
                "How valuable is this relationship to your work: their influence, their "
                "involvement and the resources they bring?",
                PARTNER_SOURCE,
                tuple(AMOUNT),
            )
        ],
    ),
    "network-health": (
        "Network health (10 items about the network as a whole)",
        [
            ReadyQuestion(f"health_{key}", Kind.SCALE, text, NETWORK_HEALTH_SOURCE, tuple(AGREE))
            for key, text in (
                ("trust", "I trust the people in this network."),
                ("purpose", "Members of this network share a clear purpose."),
                ("value", "I get real value from being part of this network."),
                ("contribute", "I contribute to the work of this network."),
                ("reach", "I can reach the people I need through this network."),
                ("diverse", "The network brings together people unlike me."),
                ("voice", "My voice is heard in how the network is run."),
                ("resources", "The network has the resources it needs to do its work."),
                ("results", "The network achieves things none of us could alone."),
                ("future", "I expect to stay active in this network next year."),
            )
        ],
    ),
}


def ready_set_add(*, survey: Survey, name: str) -> int:
    """Add a ready-made set to the survey (questions it already has are left as they are).
    Returns how many questions were added."""
    _, items = READY_SETS[name]
    with transaction.atomic():
        have = set(survey.questions.values_list("key", flat=True))
        start = survey.questions.count()
        new = [
            SurveyQuestion(
                survey=survey,
                key=item.key,
                kind=item.kind,
                text=item.text,
                help=item.help,
                choices=list(item.choices),
                position=start + i,
            )
            for i, item in enumerate(i for i in items if i.key not in have)
        ]
        SurveyQuestion.objects.bulk_create(new)
    return len(new)


def question_key(*, survey: Survey, text: str) -> str:
    """A key for a new question from its wording, unique within the survey."""
    base = slugify(text)[:30].replace("-", "_") or "question"
    have = set(survey.questions.values_list("key", flat=True))
    key, n = base, 2
    while key in have:
        key, n = f"{base}_{n}", n + 1
    return key


def tie_questions(*, survey: Survey) -> list[SurveyQuestion]:
    return [q for q in survey.questions.all() if q.about_ties]


def member_questions(*, survey: Survey) -> list[SurveyQuestion]:
    return [q for q in survey.questions.all() if not q.about_ties]


def question_scale(question: SurveyQuestion) -> list[tuple[int, str]]:
    """The options with their visible labels: (1, "Not at all") … or (0, "No"), (1, "Yes")."""
    if question.kind == Kind.TIE_YESNO:
        return [(0, YES_NO[0]), (1, YES_NO[1])]
    labels = list(question.choices or AMOUNT)[:5]
    labels += AMOUNT[len(labels) :]
    return list(enumerate(labels, start=1))


def question_shown(question: SurveyQuestion, answers: Mapping[str, object]) -> bool:
    """Skip logic: a question with a condition is asked only when the earlier answer to
    `show_if_key` is (or, for several choices, includes) `show_if_value`."""
    if not question.show_if_key:
        return True
    given = answers.get(question.show_if_key)
    if isinstance(given, list):
        return question.show_if_value in [str(g) for g in given]
    return given is not None and str(given) == question.show_if_value


def tie_rating_value(question: SurveyQuestion, raw: object) -> int | None:
    """A posted tie-quality answer as a stored value, or None when not (validly) answered."""
    text = str(raw if raw is not None else "")
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    allowed = {0, 1} if question.kind == Kind.TIE_YESNO else set(range(1, 6))
    return value if value in allowed else None


def member_answer_value(question: SurveyQuestion, raw: list[str]) -> str | list[str] | None:
    """A posted member-level answer, checked against the question's options, or None."""
    values = [" ".join(v.split())[:500] for v in raw if v and v.strip()]
    if question.kind == Kind.MULTIPLE:
        chosen = [v for v in values if v in question.choices]
        return chosen or None
    if not values:
        return None
    value = values[0]
    if question.kind == Kind.SINGLE:
        return value if value in question.choices else None
    if question.kind == Kind.SCALE:
        return value if value in {"1", "2", "3", "4", "5"} else None
    return value
