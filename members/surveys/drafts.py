"""A member's survey draft: opening it, picking people, rating ties, checking it.

The draft is plain JSON kept on the invitation (see members.surveys.services).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.models import (
    Member,
    Relationship,
    Survey,
    SurveyInvitation,
)
from members.models.surveys import TieRating
from members.surveys.errors import AnswerInvalid, SurveyClosed
from members.surveys.roster import roster_for_respondent

MAX_KNOWN = 200
MAX_MEET = 30
MAX_UNLISTED = 30
STRENGTHS = (
    (1, "Barely — met once or twice"),
    (2, "A little — in touch now and then"),
    (3, "Moderately — in touch every few months"),
    (4, "Well — in touch most months"),
    (5, "Very well — in touch every week"),
)


def answers_open(*, invitation: SurveyInvitation, now: datetime.datetime | None = None):
    """Note that the member opened their link; on the first visit, copy last round's answers."""
    if invitation.opened_at is not None:
        return invitation
    invitation.opened_at = now or timezone.now()
    changes = {"opened_at": invitation.opened_at}
    if not invitation.answers and invitation.submitted_at is None:
        invitation.answers = changes["answers"] = _previous_answers(invitation)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(**changes)
    return invitation


def _previous_answers(invitation: SurveyInvitation) -> dict:
    """The member's ties of the previous round, as a draft, to people still on the roster
    (everyone on it, "staff only" members too: the respondent sees them by name).

    Every tie the member is part of: for undirected types either way round, since imports
    and staff store them either way; for directed types only what the member reported.
    Their tie-quality answers of that round come along, so keeping a tie is one tap."""
    survey = invitation.survey
    previous = survey.round.previous()
    answers = {"known": [], "meet": [], "unlisted": []}
    if previous is None:
        return answers
    me = invitation.member_id
    asked = set(survey.relationship_types.values_list("pk", flat=True))
    roster = set(roster_for_respondent(invitation=invitation).values_list("pk", flat=True))
    ties = (
        Relationship.objects.filter(round=previous, type_id__in=asked)
        .filter(Q(source_id=me) | Q(target_id=me, type__directed=False))
        .values_list("source_id", "target_id", "type_id", "strength")
    )
    known: dict[int, dict] = {}
    for source, target, type_id, strength in ties:
        other = target if source == me else source
        if other not in roster:
            continue
        entry = known.setdefault(
            other, {"member": other, "types": [], "strength": strength, "prior": True}
        )
        if type_id not in entry["types"]:
            entry["types"].append(type_id)
        entry["strength"] = max(entry["strength"], strength)
    ratings = TieRating.objects.filter(round=previous, source_id=me, target_id__in=list(known))
    for target, key, value in ratings.values_list("target_id", "key", "value"):
        known[target].setdefault("quality", {})[key] = value
    if known:
        names = dict(Member.objects.filter(pk__in=list(known)).values_list("pk", "name"))
        ordered = sorted(known.values(), key=lambda e: (names.get(e["member"], ""), e["member"]))
        for entry in ordered:
            entry["types"].sort()
            entry["was"] = {"types": list(entry["types"]), "strength": entry["strength"]}
        answers["known"] = ordered[:MAX_KNOWN]
        answers["prefilled_from"] = previous.name
    return answers


def _survey_open_check(survey_id: int, now: datetime.datetime) -> Survey:
    # Read afresh: staff may have closed the survey since the member's page loaded.
    survey = Survey.objects.select_related("round").get(pk=survey_id)
    status = survey.status(timezone.localdate(now))
    if status == "closed":
        raise SurveyClosed(f"“{survey.name}” has closed; answers can no longer be changed.")
    if status != "open":
        raise SurveyClosed(f"“{survey.name}” opens on {survey.opens_on:%-d %B %Y}.")
    return survey


def _answers_change(
    invitation: SurveyInvitation,
    change: Callable[[dict, Survey], None],
    now: datetime.datetime | None = None,
) -> SurveyInvitation:
    """Apply `change` to the member's draft under a row lock, so quick clicks never lose one."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = _survey_open_check(invitation.survey_id, now)
        locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        answers = answers_normalised(locked.answers)
        change(answers, survey)
        SurveyInvitation.objects.filter(pk=locked.pk).update(answers=answers, saved_at=now)
    invitation.answers, invitation.saved_at = answers, now
    return invitation


def answers_normalised(answers: dict | None) -> dict:
    answers = dict(answers or {})
    for key in ("known", "meet", "unlisted", "dropped"):
        answers[key] = list(answers.get(key) or [])
    return answers


def _roster_member(invitation: SurveyInvitation, member_id) -> Member:
    try:
        member_id = int(member_id)
    except (TypeError, ValueError) as exc:
        raise AnswerInvalid("Pick a person from the list.") from exc
    if member_id == invitation.member_id:
        raise AnswerInvalid("You cannot name yourself — pick the people you know.")
    # The same list the respondent searches: anyone on it may be picked, nobody else.
    member = roster_for_respondent(invitation=invitation).filter(pk=member_id).first()
    if member is None:
        raise AnswerInvalid("That person is not on this survey's list of people.")
    return member


def answer_pick(
    *, invitation: SurveyInvitation, member_id, wants_introduction: bool = False
) -> Member:
    """Add someone the member knows (or, with `wants_introduction`, would like to meet)."""
    picked: list[Member] = []

    def change(answers: dict, survey: Survey) -> None:
        member = _roster_member(invitation, member_id)
        picked.append(member)
        known = [k for k in answers["known"] if k["member"] != member.pk]
        meet = [m for m in answers["meet"] if m != member.pk]
        if wants_introduction:
            if len(meet) >= MAX_MEET:
                raise AnswerInvalid(f"You can ask for up to {MAX_MEET} introductions.")
            meet.append(member.pk)
        else:
            if len(known) >= MAX_KNOWN:
                raise AnswerInvalid(f"You can name up to {MAX_KNOWN} people.")
            earlier = answers["known"] + answers["dropped"]
            previous = next((k for k in earlier if k["member"] == member.pk), None)
            if previous is not None and previous.get("prior"):
                previous["still"] = True
            known.append(previous or {"member": member.pk, "types": [], "strength": None})
        answers["known"], answers["meet"] = known, meet
        answers["dropped"] = [k for k in answers["dropped"] if k["member"] != member.pk]

    _answers_change(invitation, change)
    return picked[0]


def answer_unpick(*, invitation: SurveyInvitation, member_id) -> None:
    def change(answers: dict, survey: Survey) -> None:
        target = int(member_id) if str(member_id).isascii() and str(member_id).isdigit() else None
        # Last round's people are set aside as "no longer in touch" (undone by picking them).
        for entry in answers["known"]:
            if entry["member"] == target and entry.get("prior"):
                answers["dropped"].append(entry | {"still": False})
        answers["known"] = [k for k in answers["known"] if k["member"] != target]
        answers["meet"] = [m for m in answers["meet"] if m != target]

    _answers_change(invitation, change)


def answer_unlisted_add(*, invitation: SurveyInvitation, name: str, organisation: str = "") -> None:
    """Name someone who is not on the roster (free text; staff may merge them into a member)."""
    name, organisation = " ".join(name.split())[:200], " ".join(organisation.split())[:200]
    if not name:
        raise AnswerInvalid("Type the person's name.")

    def change(answers: dict, survey: Survey) -> None:
        if len(answers["unlisted"]) >= MAX_UNLISTED:
            raise AnswerInvalid(f"You can add up to {MAX_UNLISTED} people who are not listed.")
        if any(u["name"].casefold() == name.casefold() for u in answers["unlisted"]):
            raise AnswerInvalid(f"You have already added {name}.")
        answers["unlisted"].append(
            {"name": name, "organisation": organisation, "types": [], "strength": None}
        )

    _answers_change(invitation, change)


def answer_unlisted_remove(*, invitation: SurveyInvitation, index) -> None:
    def change(answers: dict, survey: Survey) -> None:
        index_ = str(index)
        if index_.isascii() and index_.isdigit() and int(index_) < len(answers["unlisted"]):
            answers["unlisted"].pop(int(index_))

    _answers_change(invitation, change)


def answers_rate(
    *,
    invitation: SurveyInvitation,
    known: dict[int, tuple[list[int], int | None]],
    unlisted: dict[int, tuple[list[int], int | None]],
    quality: dict[int, dict[str, int | None]] | None = None,
) -> None:
    """Store how the member is connected to each person: types asked about and strength 1–5,
    and (`quality`, by member id) their answers to the survey's tie-quality questions.

    `known` maps a picked member's id, `unlisted` the position of a free-text person, to
    (type ids, strength). Types the survey does not ask about are ignored."""

    def change(answers: dict, survey: Survey) -> None:
        asked = set(survey.relationship_types.values_list("pk", flat=True))
        for entry in answers["known"]:
            if entry["member"] in known:
                entry["types"], entry["strength"] = _rating(known[entry["member"]], asked)
            if quality and entry["member"] in quality:
                _quality_set(entry, quality[entry["member"]])
        for index, entry in enumerate(answers["unlisted"]):
            if index in unlisted:
                entry["types"], entry["strength"] = _rating(unlisted[index], asked)

    _answers_change(invitation, change)


def answers_still_in_touch(
    *,
    invitation: SurveyInvitation,
    decisions: dict[int, tuple[str, int | None, dict[str, int | None]]],
) -> None:
    """The "Still in touch?" step: for last round's people (by member id), "keep" or "drop",
    with a changed strength and tie-quality answers. A dropped person can be kept again."""

    def change(answers: dict, survey: Survey) -> None:
        known, dropped = [], []
        for entry in answers["known"] + answers["dropped"]:
            decision = decisions.get(entry["member"])
            if entry.get("prior") and decision is not None:
                still, strength, quality = decision
                if still in ("keep", "drop"):
                    entry["still"] = still == "keep"
                if strength in range(1, 6):
                    entry["strength"] = strength
                _quality_set(entry, quality)
            (dropped if entry.get("still") is False else known).append(entry)
        answers["known"], answers["dropped"] = known, dropped
        answers["prior_checked"] = True

    _answers_change(invitation, change)


def _quality_set(entry: dict, quality: dict[str, int | None]) -> None:
    kept = dict(entry.get("quality") or {})
    for key, value in quality.items():
        if value is None:
            kept.pop(key, None)
        else:
            kept[key] = value
    entry["quality"] = kept


def _rating(rating: tuple[list[int], int | None], asked: set[int]):
    types, strength = rating
    strength = strength if strength in range(1, 6) else None
    return sorted({t for t in types if t in asked}), strength


def answers_problems(*, invitation: SurveyInvitation, names: dict[int, str]) -> list[str]:
    """What still needs an answer before the member can submit, in their words."""
    answers = answers_normalised(invitation.answers)
    problems = []
    people = [(names.get(k["member"], "someone"), k) for k in answers["known"]]
    people += [(u["name"], u) for u in answers["unlisted"]]
    for name, entry in people:
        if entry.get("prior") and entry.get("still") is None:
            problems.append(f"Say whether you are still in touch with {name}.")
            continue
        if not entry.get("types"):
            problems.append(f"Say how you are connected to {name}.")
        if entry.get("strength") not in range(1, 6):
            problems.append(f"Say how well you know {name} (1–5).")
    return problems


def drafts_person_remove(
    *,
    program_id: int,
    member_id: int,
    names: Iterable[str] = (),
    names_by_invitation: Mapping[int, Iterable[str]] | None = None,
) -> int:
    """Take a person out of every other member's draft in the program: their picks and
    wishes to meet them (by id) and people typed in under `names` (any draft) or under
    `names_by_invitation` (that invitation's draft only). Returns how many drafts changed.

    What is left stays a draft the member can submit: nothing it names is gone. Runs in
    the caller's transaction, with the drafts locked so a save in flight is not lost."""
    every = {_folded(n) for n in names if n}
    by_invitation = {k: {_folded(n) for n in v} for k, v in (names_by_invitation or {}).items()}
    drafts = (
        SurveyInvitation.objects.select_for_update()
        .filter(survey__program_id=program_id)
        .exclude(member_id=member_id)
        .exclude(answers={})
        .only("pk", "answers")
    )
    changed = 0
    for invitation in drafts:
        typed = every | by_invitation.get(invitation.pk, set())
        answers = answers_normalised(invitation.answers)
        kept = {
            "known": [k for k in answers["known"] if k.get("member") != member_id],
            "dropped": [k for k in answers["dropped"] if k.get("member") != member_id],
            "meet": [m for m in answers["meet"] if m != member_id],
            "unlisted": [u for u in answers["unlisted"] if _folded(u.get("name")) not in typed],
        }
        if all(kept[key] == answers[key] for key in kept):
            continue
        SurveyInvitation.objects.filter(pk=invitation.pk).update(answers=answers | kept)
        changed += 1
    return changed


def _folded(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()
