"""Who is on a survey's roster, and searching it as a respondent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

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
