"""Programs and the people, groups, relationship types and rounds in them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class ProgramQuerySet(models.QuerySet):
    def for_user(self, user) -> ProgramQuerySet:
        """The programs a signed-in user holds any role in (all of them for superusers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(roles__user=user).distinct()


class Program(models.Model):
    # Settings a metric run reads when it computes the weaving queue (networkmaps/weaving/
    # run_queue.py): changing one recomputes the rounds. The others are read when served.
    RUN_SETTINGS = frozenset({"weaving_divides", "weaving_max_per_member"})

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # issue 17: anonymised exports
    anonymity_k = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text="Anonymised exports: every combination of released attributes is shared by"
        " at least this many members (smaller groups are merged into “other”).",
    )
    # issue 12: staff picked the current round themselves; imports then leave it alone
    # (otherwise the latest-dated round becomes current after every import).
    current_round_chosen = models.BooleanField(default=False)
    # issue 13: how a round treats members who did not answer, when a round counts as
    # low-response, and which direction of each dashboard indicator is good.
    missing_answers = models.CharField(
        max_length=15,
        choices=[
            ("reconstruct", "Reconstruct: use what others reported about non-respondents"),
            ("carry_forward", "Carry forward: non-respondents keep last round's ties"),
            ("as_reported", "As reported: no repair (non-respondents lose their own reports)"),
        ],
        default="reconstruct",
    )
    low_response_threshold = models.PositiveSmallIntegerField(
        default=60, help_text="Response rate (%) below which a round is flagged as low-response."
    )
    indicator_directions = models.JSONField(
        default=dict, blank=True, help_text="Indicator -> 'up' or 'down' (the good direction)."
    )
    # issue 16: members may open the whole-network map (names only where the one
    # visibility rule allows; everyone else is a code).
    members_see_map = models.BooleanField(
        default=False,
        help_text="Members may open the whole-network map. They see a person's name only if"
        " that person chose to be visible by name to other members.",
    )
    # issue 14: the weaving queue's week, its fairness cap and the groupings it balances.
    weaving_this_week = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Weaving queue: how many introductions the page puts first, for this week.",
    )
    weaving_max_per_member = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="No member appears in more than this many open suggestions.",
    )
    weaving_divides = models.JSONField(
        default=list,
        blank=True,
        help_text="Groupings (cohort, sector, region, organisation, attr:<key>) the queue "
        "treats as divides: closure is boosted across them and suggestions are balanced "
        "over their groups. Empty: every grouping.",
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_round(self) -> Round | None:
        return self.rounds.filter(is_current=True).first()


class ProgramRole(models.Model):
    class Role(models.TextChoices):
        STAFF = "staff", "Staff"
        FACILITATOR = "facilitator", "Facilitator"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_roles"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="one_role_per_user_program"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.program}"


class Cohort(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["program", "year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="cohort_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Size(models.TextChoices):
        SMALL = "small", "Small (under 50)"
        MEDIUM = "medium", "Medium (50–500)"
        LARGE = "large", "Large (over 500)"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="organisation_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    class Visibility(models.TextChoices):
        STAFF = "staff", "Visible to program staff only"
        MEMBERS = "members", "Visible by name to other members"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The id this person has in an imported file."
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    title = models.CharField(max_length=200, blank=True)
    cohorts = models.ManyToManyField(Cohort, blank=True, related_name="members")
    sector = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    issue_areas = models.JSONField(default=list, blank=True)
    # issue 12: the program's own attributes (members.models.attributes), {key: value}.
    attributes = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.STAFF
    )
    accepts_introductions = models.BooleanField(default=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        help_text="The account of this person (one person may be in several programs).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(
                "program",
                Lower("email"),
                condition=~Q(email=""),
                name="member_email_unique_in_program",
                violation_error_message="Another member of this program has this email.",
            ),
            models.UniqueConstraint(
                fields=["program", "external_id"],
                condition=~Q(external_id=""),
                name="member_external_id_unique_in_program",
            ),
            models.UniqueConstraint(
                fields=["program", "user"], name="one_member_per_account_in_program"
            ),
        ]
        indexes = [models.Index(fields=["program", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.organisation_id and self.organisation.program_id != self.program_id:
            raise ValidationError({"organisation": "This organisation belongs to another program."})


class RelationshipType(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="relationship_types"
    )
    name = models.CharField(max_length=100, help_text="Say it as a verb: “collaborates with”.")
    directed = models.BooleanField(
        default=False, help_text="Directed ties go one way (A seeks advice from B)."
    )
    # issue 12: shown under the question in the survey.
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="relationship_type_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """An observation wave (baseline, year two …). Maps and metrics are per round."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=100)
    observed_on = models.DateField()
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["program", "observed_on", "id"]
        get_latest_by = "observed_on"
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="round_name_unique"),
            models.UniqueConstraint(
                fields=["program"], condition=Q(is_current=True), name="one_current_round"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def previous(self) -> Round | None:
        return (
            Round.objects.filter(program_id=self.program_id, observed_on__lt=self.observed_on)
            .order_by("-observed_on", "-id")
            .first()
        )
