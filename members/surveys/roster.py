"""Who is on a survey's roster, and what of it a respondent may see and search.

A respondent holds a personal link and no sign-in; the one visibility rule calls them
`RESPONDENT`. They see everyone on the roster by name, so they can name anyone they know
(a fresh program, where nobody has opted in yet, still has a working survey). Someone who
chose "staff only" is a bare name to them: found only by typing (part of) that name, never
by title, organisation or cohort, and shown without title or organisation. No page shows a
member id: each person is an opaque key, keyed by invitation, that only the server resolves.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from members.access import (
    RESPONDENT,
    details_visible_q,
    details_visible_to,
    members_detailed_to,
    members_named_to,
)
from members.models import (
    Member,
    Survey,
    SurveyInvitation,
)

SEARCH_PAGE = 20  # people per page of search results
_KEY_PATTERN = re.compile(r"[0-9a-f]{20}")
_ROW_ID = re.compile(r"[0-9]{1,18}")


def row_id(value: object) -> int | None:
    """A filter's id from the query string, or None (ASCII digits only: "²" is no id)."""
    text = str(value if value is not None else "")
    return int(text) if _ROW_ID.fullmatch(text) else None


def survey_roster(*, survey: Survey) -> QuerySet[Member]:
    """Everyone in the survey's cohorts: who is asked, and whom answers may name."""
    in_cohorts = Member.cohorts.through.objects.filter(
        member_id=OuterRef("pk"), cohort__surveys=survey
    )
    return Member.objects.filter(program_id=survey.program_id).filter(Exists(in_cohorts))


def roster_for_respondent(*, invitation: SurveyInvitation) -> QuerySet[Member]:
    """The roster as the respondent behind this invitation's link may name from it: the
    people they see by name, themselves left out (they cannot name themselves)."""
    roster = survey_roster(survey=invitation.survey).exclude(pk=invitation.member_id)
    return members_named_to(RESPONDENT, roster)


# What the page shows of a person


@dataclass(frozen=True)
class RosterPerson:
    """A person as the respondent sees them: the name, title and organisation only where
    `details_visible_to` allows, and `key` where a page would otherwise need the id."""

    key: str
    name: str
    title: str = ""
    organisation: str = ""


def person_key(*, invitation_id: int, member_id: int) -> str:
    """An opaque stand-in for a member id on one invitation's pages: the same person gets
    another key on another invitation, and no key can be turned back into an id without
    the server's secret."""
    secret = hashlib.sha256(f"netlead.survey-person:{settings.SECRET_KEY}".encode()).digest()
    message = f"{invitation_id}:{member_id}".encode()
    return hashlib.blake2b(message, key=secret, digest_size=10).hexdigest()


def person_member_id(
    *, invitation: SurveyInvitation, key: object, among: Iterable[int] | None = None
) -> int | None:
    """The member behind `key` from this invitation's pages, or None. Looked for on the
    respondent's roster and the respondent themselves (so picking oneself gets its own
    reason), or only `among` these ids (a draft's picks, which may have left the roster)."""
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        return None
    if among is None:
        ids = roster_for_respondent(invitation=invitation).values_list("pk", flat=True)
        among = [invitation.member_id, *ids]
    for member_id in among:
        shown = person_key(invitation_id=invitation.pk, member_id=member_id)
        if hmac.compare_digest(shown, key):
            return member_id
    return None


def people_shown(
    *, invitation: SurveyInvitation, members: Iterable[Member]
) -> dict[int, RosterPerson]:
    """By member id (for the server's use only), each person as the respondent sees them.
    `members` should come with `select_related("organisation")`."""
    shown = {}
    for member in members:
        key = person_key(invitation_id=invitation.pk, member_id=member.pk)
        if details_visible_to(RESPONDENT, member):
            organisation = member.organisation.name if member.organisation_id else ""
            shown[member.pk] = RosterPerson(key, member.name, member.title, organisation)
        else:
            shown[member.pk] = RosterPerson(key, member.name)
    return shown


# Searching


@dataclass
class RosterPage:
    people: list[RosterPerson]
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
    """Roster members matching every word of `query`: in the name, or — for people whose
    details the respondent may see — in the title or organisation. A cohort or organisation
    filter lists only people whose details the respondent may see, so a result never
    reveals where a "staff only" member works or which cohort they are in."""
    people = roster_for_respondent(invitation=invitation)
    cohort_id, organisation_id = row_id(cohort_id), row_id(organisation_id)
    if cohort_id is not None or organisation_id is not None:
        people = members_detailed_to(RESPONDENT, people)
    detailed = details_visible_q(RESPONDENT)
    for word in query.split()[:6]:
        about = Q(title__icontains=word) | Q(organisation__name__icontains=word)
        people = people.filter(Q(name__icontains=word) | (about & detailed))
    if cohort_id is not None:
        people = people.filter(cohorts__pk=cohort_id)
    if organisation_id is not None:
        people = people.filter(organisation_id=organisation_id)
    people = people.select_related("organisation").distinct().order_by("name", "pk")
    offset = max(0, offset)
    found = list(people[offset : offset + SEARCH_PAGE])
    total = people.count() if len(found) == SEARCH_PAGE or offset else len(found)
    shown = people_shown(invitation=invitation, members=found)
    return RosterPage(people=[shown[m.pk] for m in found], total=total, offset=offset)
