"""Who has answered a survey, overall and by cohort (staff tracking)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet

from members.models import (
    Cohort,
    IntroductionRequest,
    Relationship,
    Survey,
    SurveyInvitation,
    UnlistedPerson,
)

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
