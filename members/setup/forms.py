"""Forms of the staff setup pages: one per kind of row a program sets up."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from members.models import (
    Cohort,
    Member,
    MemberAttribute,
    Organisation,
    ProgramRole,
    RelationshipType,
    Round,
)
from members.round_graph import GROUPING_LABELS


class ProgramRowForm(forms.ModelForm):
    """A form for one row of `program`: names are unique per program, said as a field error."""

    unique_name = "name"

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program

    def clean(self):
        data = super().clean()
        name = data.get(self.unique_name)
        if name and self.unique_name:
            others = type(self.instance).objects.filter(program=self.program)
            if (
                others.filter(**{f"{self.unique_name}__iexact": name})
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error(self.unique_name, f"This program already has “{name}”.")
        return data


class CohortForm(ProgramRowForm):
    class Meta:
        model = Cohort
        fields = ["name", "year"]


class OrganisationForm(ProgramRowForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector", "region", "size"]


class RelationshipTypeForm(ProgramRowForm):
    class Meta:
        model = RelationshipType
        fields = ["name", "directed", "description"]
        help_texts = {"description": "Shown under the question in the survey."}


class RoundForm(ProgramRowForm):
    # Not the model field: making this round current un-makes the other (services).
    current = forms.BooleanField(
        label="Current round", required=False, help_text="Imports will then leave it current."
    )

    class Meta:
        model = Round
        fields = ["name", "observed_on"]
        labels = {"observed_on": "Date"}
        help_texts = {"observed_on": "The date the round describes (YYYY-MM-DD)."}
        widgets = {"observed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["current"].initial = self.instance.is_current


class AttributeForm(ProgramRowForm):
    unique_name = "label"

    class Meta:
        model = MemberAttribute
        fields = ["label", "hidden"]


class MemberForm(ProgramRowForm):
    unique_name = ""

    class Meta:
        model = Member
        fields = ["name", "email", "external_id", "organisation", "title", "sector", "region"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, program=program, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(program=program)


class MembersPasteForm(forms.Form):
    lines = forms.CharField(
        label="Paste members",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One member a line: name, email (email optional). Nothing is added if "
        "any line has a problem.",
    )


class RoleForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=ProgramRole.Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"No user “{username}”.")
        self.user = user
        return username


def grouping_choices(program) -> list[tuple[str, str]]:
    """The program's real groupings, as a round's reader builds them (members/round_graph.py):
    cohort, sector, region, organisation, then each shown category attribute as attr:<key>."""
    choices = list(GROUPING_LABELS.items())
    attributes = program.member_attributes.filter(
        kind=MemberAttribute.Kind.CATEGORY, hidden=False
    ).order_by("position", "id")
    return choices + [(a.grouping, f"{a.label} (attribute)") for a in attributes]


class ProgramSettingsForm(forms.Form):
    """The program's settings staff change: who may open the map, the weaving queue's week,
    cap and divides, and the anonymised exports' k. Limits are the model's."""

    members_see_map = forms.BooleanField(
        required=False,
        label="Members may open the whole-network map",
        help_text="They see a person's name only if that person chose to be visible by name"
        " to other members; everyone else is a code.",
    )
    weaving_this_week = forms.IntegerField(
        min_value=1, max_value=50, label="Introductions this week",
        help_text="How many suggestions the weaving queue puts first (1–50).",
    )  # fmt: skip
    weaving_max_per_member = forms.IntegerField(
        min_value=1, max_value=20, label="Open suggestions per member, at most",
        help_text="No member appears in more of the queue's suggestions than this (1–20).",
    )  # fmt: skip
    weaving_divides = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Divides the queue bridges",
        help_text="Closure is boosted across these groupings and suggestions are balanced"
        " over their groups. All ticked: every grouping, including attributes added later.",
    )
    anonymity_k = forms.IntegerField(
        min_value=2, max_value=100, label="Smallest group (k)",
        help_text="Every combination of released attributes is shared by at least this many"
        " members; smaller groups are merged into “other” (2–100).",
    )  # fmt: skip

    def __init__(self, *args, program, **kwargs):
        self.program = program
        choices = grouping_choices(program)
        known = [key for key, _ in choices]
        stored = [d for d in program.weaving_divides or [] if d in known]
        initial = {
            "members_see_map": program.members_see_map,
            "weaving_this_week": program.weaving_this_week,
            "weaving_max_per_member": program.weaving_max_per_member,
            "weaving_divides": stored or known,
            "anonymity_k": program.anonymity_k,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["weaving_divides"].choices = choices

    def clean_weaving_divides(self) -> list[str]:
        chosen = self.cleaned_data["weaving_divides"]
        if not chosen:
            raise forms.ValidationError(
                "Tick at least one grouping: the queue balances its suggestions over them."
            )
        known = [key for key, _ in self.fields["weaving_divides"].choices]
        # Every one ticked is stored as "every grouping", so a new attribute joins them.
        return [] if set(chosen) == set(known) else [k for k in known if k in chosen]
