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
    # What the program asks, in its words: {"<type id>": {"question": …, "help": …}}.
    type_wording = models.JSONField(default=dict, blank=True)
    # A reminder staff scheduled: sent by the beat task once due, to those who have not answered.
    reminder_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Where personal links point (the site staff scheduled from): a worker has no request.
    link_base = models.CharField(max_length=300, blank=True)

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

    def wording(self, relationship_type: RelationshipType) -> dict[str, str]:
        """The question and help text the survey asks for one relationship type."""
        own = (self.type_wording or {}).get(str(relationship_type.pk)) or {}
        return {
            "question": own.get("question") or relationship_type.name,
            "help": own.get("help") or "",
        }


class SurveyQuestion(models.Model):
    """A question the program writes: about each person named (tie quality), or about the
    member themselves. Answers are keyed by `key`, which stays when the wording changes."""

    class Kind(models.TextChoices):
        TIE_SCALE = "tie_scale", "About each person named: 1–5"
        TIE_YESNO = "tie_yesno", "About each person named: yes or no"
        SINGLE = "single", "About the member: one choice"
        MULTIPLE = "multiple", "About the member: several choices"
        SCALE = "scale", "About the member: 1–5"
        TEXT = "text", "About the member: short text"

    TIE_KINDS = (Kind.TIE_SCALE, Kind.TIE_YESNO)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=300)
    help = models.CharField(max_length=600, blank=True)
    # Choice labels; for a 1–5 scale, the five labels of 1 … 5.
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Skip logic: ask only when the answer to question `show_if_key` is `show_if_value`.
    show_if_key = models.SlugField(max_length=40, blank=True)
    show_if_value = models.CharField(max_length=200, blank=True)
    # A member attribute the answer updates (blank: kept as a survey answer only).
    attribute = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="survey_question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def about_ties(self) -> bool:
        return self.kind in self.TIE_KINDS


class TieRating(models.Model):
    """One tie-quality answer: what `source` said about their tie to `target` in a round
    (trust, value or a program's own item), 1–5, or 0/1 for a yes/no item."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tie_ratings")
    source = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=40)
    value = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "source", "target", "key"], name="one_tie_rating_per_key"
            ),
            models.CheckConstraint(condition=Q(value__lte=5), name="tie_rating_at_most_5"),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="tie_rating_not_about_oneself"
            ),
        ]
        indexes = [models.Index(fields=["round", "key"])]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.key} {self.value}"


class MemberAnswer(models.Model):
    """A member's submitted answer to a question about themselves (a string or a list)."""

    invitation = models.ForeignKey(
        "SurveyInvitation", on_delete=models.CASCADE, related_name="member_answers"
    )
    key = models.SlugField(max_length=40)
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "key"], name="one_member_answer_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation.member}: {self.key}"


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
