"""Ties a member removed from their own page, kept for a while so the removal can be undone."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from members.models.programs import Member, Program, RelationshipType, Round

# How long a member can take back the removal of a tie they reported.
UNDO_DAYS = 30


class RemovedTieQuerySet(models.QuerySet):
    def undoable(self, member: Member, now: datetime.datetime | None = None) -> RemovedTieQuerySet:
        """The member's removals of the last UNDO_DAYS that were not undone yet."""
        since = (now or timezone.now()) - datetime.timedelta(days=UNDO_DAYS)
        return self.filter(member=member, restored_at__isnull=True, removed_at__gte=since)


class RemovedTie(models.Model):
    """One tie a member removed themselves: what it was, so that undoing writes it again
    through the one write path (members/ties). Erasing either person removes the row."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="removed_ties")
    target = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey(RelationshipType, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    strength = models.PositiveSmallIntegerField()
    origin = models.CharField(max_length=10)
    removed_at = models.DateTimeField(default=timezone.now, db_index=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    objects = RemovedTieQuerySet.as_manager()

    class Meta:
        ordering = ["-removed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.member} removed a tie to {self.target} ({self.type}, {self.round})"

    def undo_until(self) -> datetime.datetime:
        return self.removed_at + datetime.timedelta(days=UNDO_DAYS)
