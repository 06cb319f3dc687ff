"""Relationships (ties) between members, and the rule for which of a round's ties count."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from members.models.programs import Member, Program, RelationshipType, Round
from members.models.surveys import SurveySettings


class RelationshipQuerySet(models.QuerySet):
    def counted(self, round_: Round) -> RelationshipQuerySet:
        """The round's relationships that count for its network: THE counting rule.

        Survey ties are one person's report. By default (`either`) every reported tie
        counts; a program that set "confirmed ties only" (`both`) counts a survey tie A → B
        only when B also reported a tie to A (of any type) in the same round's survey. Ties
        that were imported or entered by staff always count: nobody asked both sides for
        them. Non-respondents lose all their survey ties under `both`: that is the point of
        the rule. Read a round's network through members.round_graph, which applies this.
        """
        ties = self.filter(round=round_)
        rule = (
            SurveySettings.objects.filter(program_id=round_.program_id)
            .values_list("ties_count", flat=True)
            .first()
        )
        if rule != SurveySettings.TiesCount.BOTH_SIDES:
            return ties
        reported_back = Relationship.objects.filter(
            round_id=OuterRef("round_id"),
            source_id=OuterRef("target_id"),
            target_id=OuterRef("source_id"),
            origin=Relationship.Origin.SURVEY,
        )
        return ties.filter(~Q(origin=Relationship.Origin.SURVEY) | Exists(reported_back))

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
    # issue 12: the weight a file gave (any range); `strength` is its 1–5 mapping.
    weight = models.FloatField(null=True, blank=True)
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
