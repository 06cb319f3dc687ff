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
