"""Program-defined member attributes: the divides a program brings (office, practice, seniority …).

A program defines each attribute once (`MemberAttribute`); each member's values live in
`Member.attributes` as {key: value}, so a round's reader gets every value of 100k members in
the same `values_list` row that carries their sector and region.
"""

from __future__ import annotations

from django.db import models

from members.models.programs import Program


class MemberAttribute(models.Model):
    """One attribute a program records about its members.

    A category (office, school) is a grouping like cohort or sector: mapped, coloured,
    filtered, measured (E-I) and bridged. A number (seniority in years) is kept as a value per
    member. A hidden attribute stays stored and exported but is not offered as a divide.
    """

    class Kind(models.TextChoices):
        CATEGORY = "category", "Category"
        NUMBER = "number", "Number"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="member_attributes")
    # 40 characters, so that "ei_attr:<key>" fits a network metric's name.
    key = models.SlugField(
        max_length=40, help_text="Short name in files and URLs; stays when the label changes."
    )
    label = models.CharField(max_length=100, help_text="What staff and members read.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CATEGORY)
    hidden = models.BooleanField(default=False, help_text="Kept, but not offered as a divide.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="member_attribute_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def grouping(self) -> str:
        """This attribute's key in a round's groups (`RoundGraph.groups`)."""
        return f"attr:{self.key}"
