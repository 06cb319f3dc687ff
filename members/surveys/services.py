"""Relationship surveys: members report their ties through a personal link, round after round.

A survey collects the ties of one Round. Its roster is everyone in the cohorts it covers;
each roster member gets an invitation with a signed link (no password). What a member
enters is kept on the invitation as a draft (`SurveyInvitation.answers`) so they can stop and
come back; submitting turns the draft into Relationship rows of the round (origin "survey",
the member as source), replacing what they submitted before. Closing the survey asks for a
metric run of the round.

The draft is plain JSON:
    {"known": [{"member": 12, "types": [3, 4], "strength": 4}, ...],   # people they know
     "meet": [57, ...],                                                  # introduce me to …
     "unlisted": [{"name": "…", "organisation": "…", "types": [3], "strength": 2}, ...],
     "prefilled_from": "Baseline"}                    # set when last round's answers were copied
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from members.models import (
    AuditEvent,
    Cohort,
    IntroductionRequest,
    Member,
    Program,
    Relationship,
    RelationshipType,
    Round,
    Survey,
    SurveyInvitation,
    SurveySettings,
    UnlistedPerson,
)
from members.privacy.services import audit_record

LINK_SALT = "netlead.survey.link"
MAX_KNOWN = 200
MAX_MEET = 30
MAX_UNLISTED = 30
SEARCH_PAGE = 20
STRENGTHS = (
    (1, "Barely — met once or twice"),
    (2, "A little — in touch now and then"),
    (3, "Moderately — in touch every few months"),
    (4, "Well — in touch most months"),
    (5, "Very well — in touch every week"),
)


class SurveyError(Exception):
    """A problem to show the member in plain words."""


class LinkInvalid(SurveyError):
    pass


class LinkExpired(SurveyError):
    def __init__(self, message: str, invitation: SurveyInvitation):
        super().__init__(message)
        self.invitation = invitation


class SurveyClosed(SurveyError):
    pass


class AnswerInvalid(SurveyError):
    pass


# Setting up a survey


@transaction.atomic
def survey_create(
    *,
    program: Program,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    relationship_types: Iterable[RelationshipType],
    cohorts: Iterable[Cohort],
    round_: Round | None = None,
) -> Survey:
    """Create a survey (and, without `round_`, a new round named like it) and its invitations."""
    if round_ is None:
        round_ = Round(program=program, name=name, observed_on=closes_on)
        round_.full_clean()
        round_.save()
    survey = Survey(
        program=program, round=round_, name=name, opens_on=opens_on, closes_on=closes_on
    )
    survey.full_clean()
    survey.save()
    survey.relationship_types.set(relationship_types)
    survey.cohorts.set(cohorts)
    survey_invitations_sync(survey=survey)
    return survey


def survey_roster(*, survey: Survey) -> QuerySet[Member]:
    """Everyone in the survey's cohorts: who is asked, and whom answers may name."""
    in_cohorts = Member.cohorts.through.objects.filter(
        member_id=OuterRef("pk"), cohort__surveys=survey
    )
    return Member.objects.filter(program_id=survey.program_id).filter(Exists(in_cohorts))


def survey_invitations_sync(*, survey: Survey) -> int:
    """Invite roster members who have no invitation yet (people added to a cohort later).

    Invitations of people who left the cohorts stay: their answers are already in."""
    invited = SurveyInvitation.objects.filter(survey=survey).values("member_id")
    missing = survey_roster(survey=survey).exclude(pk__in=invited).values_list("pk", flat=True)
    created = SurveyInvitation.objects.bulk_create(
        (SurveyInvitation(survey=survey, member_id=pk) for pk in missing),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(created)


def survey_settings(*, program: Program) -> SurveySettings:
    settings_row, _ = SurveySettings.objects.get_or_create(program=program)
    return settings_row


def survey_ties_counted(relationships: QuerySet, *, program_id: int) -> QuerySet:
    """The relationships that count for the program's maps and metrics.

    Survey ties are one person's report. By default (`either`) every reported tie counts; a
    program that set "confirmed ties only" (`both`) counts a survey tie A → B only when B
    also reported a tie to A (of any type) in the same round's survey. Ties that were
    imported or entered by staff always count: nobody asked both sides for them.
    Non-respondents lose all their survey ties under `both`: that is the point of the rule.
    """
    rule = (
        SurveySettings.objects.filter(program_id=program_id)
        .values_list("ties_count", flat=True)
        .first()
    )
    if rule != SurveySettings.TiesCount.BOTH_SIDES:
        return relationships
    reported_back = Relationship.objects.filter(
        round_id=OuterRef("round_id"),
        source_id=OuterRef("target_id"),
        target_id=OuterRef("source_id"),
        origin=Relationship.Origin.SURVEY,
    )
    return relationships.filter(~Q(origin=Relationship.Origin.SURVEY) | Exists(reported_back))


# Personal links


def survey_link_token(*, invitation: SurveyInvitation) -> str:
    """The signed part of a member's personal link.

    No timestamp in it: the link is the same every time staff copy or email it, and it
    expires with its survey (checked on every use in `invitation_from_token`), so closing
    a survey early or extending it changes what the link may do at once."""
    signer = signing.Signer(salt=LINK_SALT)
    return signer.sign_object({"s": invitation.survey_id, "m": invitation.member_id})


def invitation_from_token(*, token: str, now: datetime.datetime | None = None):
    """The invitation a personal link stands for.

    Raises LinkInvalid for a link that was altered or is not ours, and LinkExpired once the
    survey has closed."""
    now = now or timezone.now()
    signer = signing.Signer(salt=LINK_SALT)
    try:
        data = signer.unsign_object(token)
        survey_id, member_id = int(data["s"]), int(data["m"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid(
            "This survey link is not valid. Please use the link exactly as it was sent to you."
        ) from exc
    invitation = (
        SurveyInvitation.objects.select_related("survey__program", "survey__round", "member")
        .filter(survey_id=survey_id, member_id=member_id)
        .first()
    )
    if invitation is None:
        raise LinkInvalid("This survey link is no longer valid.")
    survey = invitation.survey
    if survey.status(timezone.localdate(now)) == "closed":
        closed_on = survey.closed_at.date() if survey.closed_at else survey.closes_on
        raise LinkExpired(
            f"“{survey.name}” closed on {closed_on:%-d %B %Y} and no longer accepts answers.",
            invitation,
        )
    return invitation


# The member's draft


@dataclass
class RosterPage:
    people: list[Member]
    total: int
    offset: int

    @property
    def more(self) -> int:
        return max(0, self.total - self.offset - len(self.people))


def roster_search(
    *,
    invitation: SurveyInvitation,
    query: str = "",
    cohort_id: str | int | None = None,
    organisation_id: str | int | None = None,
    offset: int = 0,
) -> RosterPage:
    """Roster members matching every word of `query` (name, title or organisation)."""
    people = (
        survey_roster(survey=invitation.survey)
        .exclude(pk=invitation.member_id)
        .select_related("organisation")
    )
    for word in query.split()[:6]:
        people = people.filter(
            Q(name__icontains=word)
            | Q(title__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    if str(cohort_id or "").isdigit():
        people = people.filter(cohorts__pk=int(cohort_id))
    if str(organisation_id or "").isdigit():
        people = people.filter(organisation_id=int(organisation_id))
    people = people.distinct().order_by("name", "pk")
    offset = max(0, offset)
    found = list(people[offset : offset + SEARCH_PAGE])
    total = people.count() if len(found) == SEARCH_PAGE or offset else len(found)
    return RosterPage(people=found, total=total, offset=offset)


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
    """The member's ties of the previous round, to people still on the roster, as a draft."""
    survey = invitation.survey
    previous = survey.round.previous()
    answers = {"known": [], "meet": [], "unlisted": []}
    if previous is None:
        return answers
    asked = set(survey.relationship_types.values_list("pk", flat=True))
    ties = (
        Relationship.objects.filter(round=previous, source_id=invitation.member_id)
        .filter(target__in=survey_roster(survey=survey), type_id__in=asked)
        .order_by("target__name", "target_id", "type_id")
        .values_list("target_id", "type_id", "strength")
    )
    known: dict[int, dict] = {}
    for target, type_id, strength in ties:
        entry = known.setdefault(target, {"member": target, "types": [], "strength": strength})
        entry["types"].append(type_id)
        entry["strength"] = max(entry["strength"], strength)
    if known:
        answers["known"] = list(known.values())[:MAX_KNOWN]
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
    for key in ("known", "meet", "unlisted"):
        answers[key] = list(answers.get(key) or [])
    return answers


def _roster_member(survey: Survey, invitation: SurveyInvitation, member_id) -> Member:
    try:
        member_id = int(member_id)
    except (TypeError, ValueError) as exc:
        raise AnswerInvalid("Pick a person from the list.") from exc
    if member_id == invitation.member_id:
        raise AnswerInvalid("You cannot name yourself — pick the people you know.")
    member = survey_roster(survey=survey).filter(pk=member_id).first()
    if member is None:
        raise AnswerInvalid("That person is not on this survey's list of people.")
    return member


def answer_pick(
    *, invitation: SurveyInvitation, member_id, wants_introduction: bool = False
) -> Member:
    """Add someone the member knows (or, with `wants_introduction`, would like to meet)."""
    picked: list[Member] = []

    def change(answers: dict, survey: Survey) -> None:
        member = _roster_member(survey, invitation, member_id)
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
            previous = next((k for k in answers["known"] if k["member"] == member.pk), None)
            known.append(previous or {"member": member.pk, "types": [], "strength": None})
        answers["known"], answers["meet"] = known, meet

    _answers_change(invitation, change)
    return picked[0]


def answer_unpick(*, invitation: SurveyInvitation, member_id) -> None:
    def change(answers: dict, survey: Survey) -> None:
        target = int(member_id) if str(member_id).isdigit() else None
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
        if str(index).isdigit() and int(index) < len(answers["unlisted"]):
            answers["unlisted"].pop(int(index))

    _answers_change(invitation, change)


def answers_rate(
    *,
    invitation: SurveyInvitation,
    known: dict[int, tuple[list[int], int | None]],
    unlisted: dict[int, tuple[list[int], int | None]],
) -> None:
    """Store how the member is connected to each person: types asked about and strength 1–5.

    `known` maps a picked member's id, `unlisted` the position of a free-text person, to
    (type ids, strength). Types the survey does not ask about are ignored."""

    def change(answers: dict, survey: Survey) -> None:
        asked = set(survey.relationship_types.values_list("pk", flat=True))
        for entry in answers["known"]:
            if entry["member"] in known:
                entry["types"], entry["strength"] = _rating(known[entry["member"]], asked)
        for index, entry in enumerate(answers["unlisted"]):
            if index in unlisted:
                entry["types"], entry["strength"] = _rating(unlisted[index], asked)

    _answers_change(invitation, change)


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
        if not entry.get("types"):
            problems.append(f"Say how you are connected to {name}.")
        if entry.get("strength") not in range(1, 6):
            problems.append(f"Say how well you know {name} (1–5).")
    return problems


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
            names = Member.objects.filter(pk__in=off_roster).values_list("name", flat=True)
            listed = ", ".join(sorted(names)) or "someone"
            raise AnswerInvalid(f"Not on this survey's list of people: {listed}.")
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

        round_ = survey.round
        mine = Relationship.objects.filter(round=round_, source_id=member_id)
        mine.filter(origin=Relationship.Origin.SURVEY).delete()
        # A tie staff imported or entered for the same person and type stays as it was.
        existing = set(mine.values_list("target_id", "type_id"))
        skipped = [pair for pair in wanted if pair in existing]
        Relationship.objects.bulk_create(
            Relationship(
                program_id=survey.program_id,
                source_id=member_id,
                target_id=target,
                type_id=type_id,
                round=round_,
                strength=strength,
                origin=Relationship.Origin.SURVEY,
            )
            for (target, type_id), strength in wanted.items()
            if (target, type_id) not in existing
        )
        IntroductionRequest.objects.filter(invitation=locked).delete()
        IntroductionRequest.objects.bulk_create(
            IntroductionRequest(invitation=locked, member_id=m)
            for m in dict.fromkeys(answers["meet"])
        )
        SurveyInvitation.objects.filter(pk=locked.pk).update(
            answers=answers, submitted_at=now, saved_at=now
        )
    invitation.answers, invitation.submitted_at = answers, now
    skipped_names = [names.get(target, "") for target, _ in skipped]
    return Submitted(
        ties=len(wanted) - len(skipped),
        people=len({target for target, _ in wanted}),
        introductions=len(set(answers["meet"])),
        unlisted=unlisted,
        skipped=sorted(set(filter(None, skipped_names))),
    )


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
    if member.program_id != invitation.survey.program_id:
        raise AnswerInvalid("That member belongs to another program.")
    if member.pk == invitation.member_id:
        raise AnswerInvalid("That is the person who answered; a tie to themself is not possible.")
    UnlistedPerson.objects.filter(pk=person.pk).update(merged_into=member)
    person.merged_into = member
    if invitation.submitted_at is None:
        return 0
    existing = set(
        Relationship.objects.filter(
            round_id=invitation.survey.round_id, source_id=invitation.member_id, target=member
        ).values_list("type_id", flat=True)
    )
    created = Relationship.objects.bulk_create(
        Relationship(
            program_id=member.program_id,
            source_id=invitation.member_id,
            target=member,
            type_id=type_id,
            round_id=invitation.survey.round_id,
            strength=person.strength,
            origin=Relationship.Origin.SURVEY,
        )
        for type_id in person.type_ids
        if type_id not in existing
    )
    return len(created)


# Staff: tracking, reminders, closing


@dataclass
class CohortResponse:
    cohort: str
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


@dataclass
class ResponseSummary:
    invited: int
    responded: int
    started: int
    by_cohort: list[CohortResponse]
    reported_pairs: int
    confirmed_pairs: int
    introductions: int
    unlisted_waiting: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None

    @property
    def waiting(self) -> int:
        return self.invited - self.responded


def survey_response_summary(*, survey: Survey) -> ResponseSummary:
    """Response rate overall and per cohort, and how many reported ties both sides confirm."""
    invitations = SurveyInvitation.objects.filter(survey=survey)
    totals = invitations.aggregate(
        invited=Count("pk"),
        responded=Count("pk", filter=Q(submitted_at__isnull=False)),
        started=Count("pk", filter=Q(submitted_at__isnull=True, saved_at__isnull=False)),
    )
    # A member in two of the survey's cohorts counts in both.
    per_cohort = (
        Cohort.objects.filter(surveys=survey)
        .annotate(
            invited=Count(
                "members__survey_invitations",
                filter=Q(members__survey_invitations__survey=survey),
            ),
            responded=Count(
                "members__survey_invitations",
                filter=Q(
                    members__survey_invitations__survey=survey,
                    members__survey_invitations__submitted_at__isnull=False,
                ),
            ),
        )
        .order_by("year", "name")
    )
    pairs = set(
        Relationship.objects.filter(round_id=survey.round_id, origin=Relationship.Origin.SURVEY)
        .values_list("source_id", "target_id")
        .distinct()
    )
    confirmed = {frozenset(p) for p in pairs if (p[1], p[0]) in pairs}
    unordered = {frozenset(p) for p in pairs}
    return ResponseSummary(
        invited=totals["invited"],
        responded=totals["responded"],
        started=totals["started"],
        by_cohort=[CohortResponse(c.name, c.invited, c.responded) for c in per_cohort],
        reported_pairs=len(unordered),
        confirmed_pairs=len(confirmed),
        introductions=IntroductionRequest.objects.filter(invitation__survey=survey).count(),
        unlisted_waiting=UnlistedPerson.objects.filter(
            invitation__survey=survey, merged_into__isnull=True
        ).count(),
    )


def survey_invitation_rows(*, survey: Survey, show: str = "") -> QuerySet[SurveyInvitation]:
    """Invitations for the staff list, each with how many others named that member.

    `show` is "waiting" (not submitted), "answered" or anything else for everyone."""
    named_by = (
        Relationship.objects.filter(round_id=survey.round_id, target_id=OuterRef("member_id"))
        .exclude(source_id=OuterRef("member_id"))
        .values("target_id")
        .annotate(n=Count("source_id", distinct=True))
        .values("n")
    )
    rows = (
        SurveyInvitation.objects.filter(survey=survey)
        .select_related("member__organisation")
        .annotate(named_by=named_by)
        .order_by("member__name", "pk")
    )
    if show == "waiting":
        rows = rows.filter(submitted_at__isnull=True)
    elif show == "answered":
        rows = rows.filter(submitted_at__isnull=False)
    return rows


@dataclass
class Emailed:
    sent: int
    without_email: list[str]


def survey_invitations_email(
    *,
    survey: Survey,
    link_for: Callable[[SurveyInvitation], str],
    reminder: bool,
    actor=None,
    now: datetime.datetime | None = None,
) -> Emailed:
    """Email personal links: first invitations to everyone not yet emailed, or (`reminder`)
    a reminder to everyone who has not submitted. Members without an address are listed so
    staff can copy their links instead."""
    now = now or timezone.now()
    _survey_open_check(survey.pk, now)
    invitations = SurveyInvitation.objects.filter(survey=survey).select_related("member")
    if reminder:
        invitations = invitations.filter(submitted_at__isnull=True)
    else:
        invitations = invitations.filter(emailed_at__isnull=True)
    program = survey.program
    messages, sent_ids, without = [], [], []
    for invitation in invitations.order_by("member__name"):
        member = invitation.member
        if not member.email:
            without.append(member.name)
            continue
        subject = (
            f"Reminder: {survey.name} closes on {survey.closes_on:%-d %B}"
            if reminder
            else f"{program.name}: who do you know? ({survey.name})"
        )
        body = (
            f"Dear {member.name},\n\n"
            f"{program.name} is mapping how its people are connected, so that we can "
            "introduce people who should know each other.\n\n"
            "Please tell us whom you know. It takes about ten minutes; you can save and "
            "finish later.\n\n"
            f"Your personal link (please do not share it):\n{link_for(invitation)}\n\n"
            f"The survey closes on {survey.closes_on:%-d %B %Y}.\n"
        )
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [member.email]))
        sent_ids.append(invitation.pk)
    if messages:
        get_connection().send_messages(messages)
    sent = SurveyInvitation.objects.filter(pk__in=sent_ids)
    if reminder:
        sent.update(reminded_at=now, reminders_sent=F("reminders_sent") + 1)
    else:
        sent.update(emailed_at=now)
    if sent_ids:
        audit_record(
            program=program,
            actor=actor,
            action=AuditEvent.Action.INVITE,
            target=f"survey “{survey.name}”",
            details={"emails": len(sent_ids), "reminder": reminder},
        )
    return Emailed(sent=len(sent_ids), without_email=without)


def survey_close(*, survey: Survey, closed_by: str, now: datetime.datetime | None = None) -> bool:
    """Close the survey and, once that is committed, ask for a metric run of its round.

    Returns False when it was closed already (a second click, or two staff at once)."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = Survey.objects.filter(pk=survey.pk, closed_at__isnull=True).update(closed_at=now)
        if closed:
            survey.closed_at = now
            program, round_ = survey.program, survey.round
            transaction.on_commit(lambda: _metric_run_request(program, round_, closed_by))
    return bool(closed)


def _metric_run_request(program: Program, round_: Round, requested_by: str) -> None:
    from networkmaps.runs.services import metric_run_request

    metric_run_request(program=program, round_=round_, requested_by=requested_by)


def surveys_close_due(*, program: Program, now: datetime.datetime | None = None) -> list[Survey]:
    """Close surveys whose last day has passed (checked when staff open the survey pages)."""
    now = now or timezone.now()
    due = Survey.objects.filter(
        program=program, closed_at__isnull=True, closes_on__lt=timezone.localdate(now)
    ).select_related("program", "round")
    return [s for s in due if survey_close(survey=s, closed_by="closing date passed", now=now)]
