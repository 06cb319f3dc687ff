"""The program's people and their ties. Every row belongs to exactly one Program (the tenant)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
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
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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


class RelationshipQuerySet(models.QuerySet):
    def for_round(self, round_: Round) -> RelationshipQuerySet:
        return self.filter(round=round_)

    def touching(self, member: Member) -> RelationshipQuerySet:
        return self.filter(Q(source=member) | Q(target=member))


class Relationship(models.Model):
    class Origin(models.TextChoices):
        SURVEY = "survey", "Survey"
        IMPORT = "import", "Import"
        STAFF = "staff", "Entered by staff"
        API = "api", "API"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="relationships")
    source = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ties_out")
    target = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ties_in")
    type = models.ForeignKey(RelationshipType, on_delete=models.PROTECT, related_name="ties")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ties")
    strength = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="relationship_no_self_tie",
                violation_error_message="A member cannot have a tie to themselves.",
            ),
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5),
                name="relationship_strength_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["source", "target", "type", "round"],
                name="relationship_unique_per_round",
                violation_error_message="This tie is already recorded for this round.",
            ),
        ]
        indexes = [
            # "All ties of round R" reads only this index on PostgreSQL (an index-only scan).
            models.Index(
                fields=["round"],
                include=["source", "target", "type", "strength"],
                name="relationship_round_covering",
            ),
            models.Index(fields=["target", "round"], name="relationship_target_round"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.type}, {self.round})"

    def clean(self) -> None:
        errors = {}
        for field in ("source", "target", "type", "round"):
            related_program = (
                getattr(self, field).program_id if getattr(self, f"{field}_id") else None
            )
            if related_program is not None and related_program != self.program_id:
                errors[field] = f"This {field} belongs to another program."
        if errors:
            raise ValidationError(errors)

    def is_mutual(self) -> bool:
        return Relationship.objects.filter(
            source_id=self.target_id,
            target_id=self.source_id,
            type_id=self.type_id,
            round_id=self.round_id,
        ).exists()


# Relationship surveys (see members/survey.py for the work they do).


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


# Privacy: invitations that bind accounts to members, and the audit trail.


class Invitation(models.Model):
    """A staff invitation to join a program in a role, sent by email as a signed link.

    The link works once, until `expires_at`, and only for an account with the invited email."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=ProgramRole.Role.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations",
        help_text="For members: the record the new account is bound to.",
    )  # fmt: skip
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.program} as {self.role}"


class AuditEvent(models.Model):
    """Who looked at, exported, imported, erased or re-assigned what. Never holds the name of
    an erased member: `target` is written by the caller with that in mind."""

    class Action(models.TextChoices):
        VIEW_NETWORK = "view_network", "Viewed the whole network"
        EXPORT = "export", "Exported data"
        IMPORT = "import", "Imported data"
        ROLE_CHANGE = "role_change", "Changed a role"
        INVITE = "invite", "Invited someone"
        ERASE = "erase", "Erased a member"
        DATA_DOWNLOAD = "data_download", "Downloaded own data"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_label}: {self.get_action_display()} {self.target}"
