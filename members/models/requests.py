"""Introductions people ask for outside the survey: a member's "please introduce us" and a
staff member's "X should meet Y" (the survey's own answers are `IntroductionRequest`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.models.programs import Member, Program


class RequestedIntroduction(models.Model):
    class Source(models.TextChoices):
        MEMBER = "member", "Asked by the member"
        STAFF = "staff", "Entered by staff"

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="requested_introductions"
    )
    requester = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    words = models.TextField(blank=True, help_text="Why, in the asker's own words.")
    source = models.CharField(max_length=10, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "requester", "other"], name="requested_introduction_once"
            ),
            models.CheckConstraint(
                condition=~Q(requester=F("other")), name="requested_introduction_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} asks to meet {self.other}"
