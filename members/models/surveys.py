"""Relationship surveys: settings, surveys, personal invitations and what they collect."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from members.models.programs import Cohort, Member, Program, RelationshipType, Round


class SurveySettings(models.Model):
    """How a program counts the ties its surveys collect."""

    class TiesCount(models.TextChoices):
        EITHER_SIDE = "either", "Count a tie when either person reports it"
        BOTH_SIDES = "both", "Count a tie only when both people report it (confirmed ties)"

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="survey_settings"
    )
    ties_count = models.CharField(
        max_length=10, choices=TiesCount.choices, default=TiesCount.EITHER_SIDE
    )

    def __str__(self) -> str:
        return f"Survey settings of {self.program}"


class Survey(models.Model):
    """A relationship survey: the members of some cohorts report their ties for one round."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="surveys")
    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="survey")
    name = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="The last day answers are accepted.")
    relationship_types = models.ManyToManyField(
        RelationshipType, related_name="surveys", help_text="The questions each answer asks."
    )
    cohorts = models.ManyToManyField(
        Cohort, related_name="surveys", help_text="Everyone in these cohorts is on the roster."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="survey_closes_after_it_opens",
                violation_error_message="A survey must close on or after the day it opens.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.round_id and self.round.program_id != self.program_id:
            raise ValidationError({"round": "This round belongs to another program."})

    def status(self, today) -> str:
        """One of "not open yet", "open", "closed" on `today` (a date in the site's time zone)."""
        if self.closed_at is not None or today > self.closes_on:
            return "closed"
        if today < self.opens_on:
            return "not open yet"
        return "open"


class SurveyInvitation(models.Model):
    """One member's place in a survey: their personal link, their draft and their answers."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="survey_invitations")
    # What the member has entered so far, saved as they go, so that they can resume.
    answers = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="one_invitation_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.survey}"


class IntroductionRequest(models.Model):
    """A survey answer: "I would like to be introduced to …" someone the member does not know."""

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="introduction_requests"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "member"], name="introduction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation.member} would like to meet {self.member}"


class UnlistedPerson(models.Model):
    """Someone a member named who is not on the roster. Staff can merge them into a member."""

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="unlisted_people"
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    type_ids = models.JSONField(default=list)
    strength = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    merged_into = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
