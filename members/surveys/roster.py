"""Who is on a survey's roster, and what of it a respondent may see and search.

A respondent holds a personal link and no sign-in, so the one visibility rule treats them
as a viewer without a role: they find, see and pick only people who chose to be seen by
name by other members. Someone who chose "staff only" is not listed, found or pickable
(by name, title, organisation, cohort or id); a respondent who knows them types them in
as a person who is not on the list, and staff merge that entry into the member.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from members.access import members_named_to
from members.models import (
    Member,
    Survey,
    SurveyInvitation,
)

SEARCH_PAGE = 20  # people per page of search results


def survey_roster(*, survey: Survey) -> QuerySet[Member]:
    """Everyone in the survey's cohorts: who is asked, and whom answers may name."""
    in_cohorts = Member.cohorts.through.objects.filter(
        member_id=OuterRef("pk"), cohort__surveys=survey
    )
    return Member.objects.filter(program_id=survey.program_id).filter(Exists(in_cohorts))


def roster_for_respondent(*, invitation: SurveyInvitation) -> QuerySet[Member]:
    """The roster as the respondent behind this invitation's link may see it: the people
    they may see by name, themselves left out (they cannot name themselves)."""
    roster = survey_roster(survey=invitation.survey).exclude(pk=invitation.member_id)
    return members_named_to(None, roster)


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
    """Roster members the respondent may see, matching every word of `query` (name,
    title or organisation)."""
    people = roster_for_respondent(invitation=invitation).select_related("organisation")
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
