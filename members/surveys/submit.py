"""Submitting a survey draft into ties of the round, and merging people typed in by name."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from members import ties
from members.access import name_visible_to
from members.models import IntroductionRequest, Member, SurveyInvitation, UnlistedPerson
from members.models.surveys import MemberAnswer
from members.responses import response_status_answered
from members.surveys import questions
from members.surveys.about_me import member_attributes_update
from members.surveys.drafts import _survey_open_check, answers_normalised, answers_problems
from members.surveys.errors import AnswerInvalid
from members.surveys.roster import survey_roster
from members.ties.reported import tie_ratings_replace

# Submitting


@dataclass
class Submitted:
    ties: int
    people: int
    introductions: int
    unlisted: int
    skipped: list[str] = field(default_factory=list)


def answers_submit(
    *, invitation: SurveyInvitation, now: datetime.datetime | None = None
) -> Submitted:
    """Turn the member's draft into the round's ties, replacing what they submitted before.

    All in one transaction: the member's earlier survey ties for the round are deleted and
    the new ones written, so a failure leaves the previous answers and submitting twice
    gives the same rows. Raises SurveyClosed after the close and AnswerInvalid when an
    answer names the member themselves, someone off the roster, or lacks a type/strength.
    """
    now = now or timezone.now()
    with transaction.atomic():
        survey = _survey_open_check(invitation.survey_id, now)
        locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        answers = answers_normalised(locked.answers)
        member_id = locked.member_id
        roster = set(survey_roster(survey=survey).values_list("pk", flat=True))
        named = [k["member"] for k in answers["known"]] + answers["meet"]
        if member_id in named:
            raise AnswerInvalid("You cannot name yourself. Remove yourself from your list.")
        off_roster = [m for m in named if m not in roster]
        if off_roster:
            who = _off_roster(survey, off_roster)
            raise AnswerInvalid(f"Not on this survey's list of people: {who}.")
        names = dict(
            Member.objects.filter(pk__in=[k["member"] for k in answers["known"]]).values_list(
                "pk", "name"
            )
        )
        problems = answers_problems(invitation=locked, names=names)
        if problems:
            raise AnswerInvalid(" ".join(problems))
        asked = set(survey.relationship_types.values_list("pk", flat=True))
        wanted = {
            (entry["member"], type_id): entry["strength"]
            for entry in answers["known"]
            for type_id in entry["types"]
            if type_id in asked
        }
        unlisted = _unlisted_replace(locked, answers["unlisted"], asked, roster, wanted)

        try:
            skipped = ties.ties_reported_replace(
                program_id=survey.program_id,
                round_id=survey.round_id,
                source_id=member_id,
                wanted=wanted,
                reason="survey answer submitted",
            )
        except ties.TiesRejected as rejected:
            raise AnswerInvalid(" ".join(p.message for p in rejected.problems)) from rejected
        _quality_and_member_answers_store(survey, locked, answers, wanted)
        IntroductionRequest.objects.filter(invitation=locked).delete()
        IntroductionRequest.objects.bulk_create(
            IntroductionRequest(invitation=locked, member_id=m)
            for m in dict.fromkeys(answers["meet"])
        )
        SurveyInvitation.objects.filter(pk=locked.pk).update(
            answers=answers, submitted_at=now, saved_at=now
        )
        response_status_answered(survey=survey, member_id=member_id)  # issue 13
    invitation.answers, invitation.submitted_at = answers, now
    skipped_names = [names.get(target, "") for target, _ in skipped]
    return Submitted(
        ties=len(wanted) - len(skipped),
        people=len({target for target, _ in wanted}),
        introductions=len(set(answers["meet"])),
        unlisted=unlisted,
        skipped=sorted(set(filter(None, skipped_names))),
    )


def _quality_and_member_answers_store(survey, invitation, answers, wanted) -> None:
    """The answers that are data beside the ties: tie quality per person named (of the
    survey's tie questions) and the member's answers about themselves (those asked)."""
    asked = {q.key: q for q in survey.questions.all()}
    named = {target for target, _ in wanted}
    ratings = {
        (entry["member"], key): value
        for entry in answers["known"]
        if entry["member"] in named
        for key, value in (entry.get("quality") or {}).items()
        if key in asked and asked[key].about_ties and value is not None
    }
    tie_ratings_replace(round_id=survey.round_id, source_id=invitation.member_id, ratings=ratings)
    about_me = answers.get("about_me") or {}
    MemberAnswer.objects.filter(invitation=invitation).delete()
    MemberAnswer.objects.bulk_create(
        MemberAnswer(invitation=invitation, key=key, value=about_me[key])
        for key, question in asked.items()
        if not question.about_ties
        and about_me.get(key) not in (None, "", [])
        and questions.question_shown(question, about_me)
    )
    member_attributes_update(survey=survey, invitation=invitation, about_me=about_me)


def _off_roster(survey, member_ids: list[int]) -> str:
    """Who of these is not on the roster, in words the respondent may read: off the roster
    they are a viewer without a role, so a name the rule hides (or another program's
    member) is "someone"."""
    people = Member.objects.filter(program_id=survey.program_id, pk__in=member_ids)
    people = people.values_list("name", "visibility")
    names = sorted({name for name, visibility in people if name_visible_to(None, visibility)})
    if len(names) < len(set(member_ids)):
        names.append("someone else" if names else "someone")
    return ", ".join(names)


def _unlisted_replace(invitation, entries, asked, roster, wanted) -> int:
    """Store the free-text people again. One staff already merged into a member becomes a
    tie to that member, so a re-submission keeps the merge."""
    merged = {
        name.casefold(): member_id
        for name, member_id in UnlistedPerson.objects.filter(
            invitation=invitation, merged_into__isnull=False
        ).values_list("name", "merged_into_id")
    }
    UnlistedPerson.objects.filter(invitation=invitation).delete()
    rows = []
    for entry in entries:
        member_id = merged.get(entry["name"].casefold())
        types = [t for t in entry["types"] if t in asked]
        rows.append(
            UnlistedPerson(
                invitation=invitation,
                name=entry["name"],
                organisation=entry.get("organisation", ""),
                type_ids=types,
                strength=entry["strength"],
                merged_into_id=member_id,
            )
        )
        if member_id and member_id != invitation.member_id:
            for type_id in types:
                wanted.setdefault((member_id, type_id), entry["strength"])
    UnlistedPerson.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def unlisted_person_merge(*, person: UnlistedPerson, member: Member) -> int:
    """Staff say who a free-text name is: record it, and add the respondent's ties to them."""
    invitation = person.invitation
    survey = invitation.survey
    # Only the member is staff's choice (type, strength and round come from the answer, and
    # ties_missing_add validates the ties it writes): check just that choice here, so a
    # draft not yet submitted cannot be merged into the wrong person either.
    if member.program_id != survey.program_id:
        raise AnswerInvalid("This member belongs to another program.")
    if member.pk == invitation.member_id:
        raise AnswerInvalid(ties.SELF_TIE)
    UnlistedPerson.objects.filter(pk=person.pk).update(merged_into=member)
    person.merged_into = member
    if invitation.submitted_at is None:
        return 0
    try:
        return ties.ties_missing_add(
            program_id=survey.program_id,
            round_id=survey.round_id,
            source_id=invitation.member_id,
            target_id=member.pk,
            type_ids=person.type_ids,
            strength=person.strength,
            reason=f"{person.name} merged into a member",
        )
    except ties.TiesRejected as rejected:
        raise AnswerInvalid(" ".join(p.message for p in rejected.problems)) from rejected
