"""Who answered a round: each member's response status, from the survey or the import."""

from __future__ import annotations

from django.db import models

from members.models.programs import Member, Round


class ResponseStatusQuerySet(models.QuerySet):
    def for_round(self, round_: Round) -> ResponseStatusQuerySet:
        return self.filter(round=round_)

    def non_respondents(self, round_: Round) -> ResponseStatusQuerySet:
        return self.for_round(round_).exclude(status=ResponseStatus.Status.ANSWERED)


class ResponseStatus(models.Model):
    """Whether a member answered a round. A round with no rows at all predates this record
    (or was entered by staff): everyone in it counts as having answered."""

    class Status(models.TextChoices):
        ANSWERED = "answered", "Answered"
        NOT_ANSWERED = "not_answered", "Not answered"
        NOT_ASKED = "not_asked", "Not asked"

    class Source(models.TextChoices):
        SURVEY = "survey", "Survey"
        IMPORT = "import", "Import"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="response_statuses")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="response_statuses")
    status = models.CharField(max_length=15, choices=Status.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResponseStatusQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_response_status"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display()} ({self.round})"

    def answered(self) -> bool:
        return self.status == self.Status.ANSWERED
