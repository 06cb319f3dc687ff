"""Forms for setting up surveys (staff) and reading the member's ratings."""

from __future__ import annotations

import re

from django import forms

from members.models import Member, Round, SurveySettings


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example “Year two survey”.")
    round = forms.ModelChoiceField(
        queryset=Round.objects.none(),
        required=False,
        empty_label="A new round named like the survey",
        help_text="The round whose ties this survey collects.",
    )
    opens_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day answers are accepted; links stop working after it.",
    )
    relationship_types = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Questions to ask"
    )
    cohorts = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in these cohorts is invited and can be named.",
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["round"].queryset = program.rounds.filter(survey__isnull=True)
        self.fields["relationship_types"].queryset = program.relationship_types.all()
        self.fields["cohorts"].queryset = program.cohorts.all()

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The survey must close on or after the day it opens.")
        new_round = not data.get("round") and data.get("name")
        if new_round and self.program.rounds.filter(name=data["name"]).exists():
            self.add_error("name", "A round with this name exists: pick it as the round.")
        return data


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = ["ties_count"]
        widgets = {"ties_count": forms.RadioSelect}
        labels = {"ties_count": "Which survey ties count in maps and metrics"}


class MergeForm(forms.Form):
    """Which member a free-text name is: "Name — Organisation (#id)" from the list, or an id."""

    member = forms.CharField()

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_member(self) -> Member:
        found = re.search(r"#?([0-9]+)\)?\s*$", self.cleaned_data["member"])
        if found is None:
            raise forms.ValidationError("Pick a member from the list.")
        member = self.program.members.filter(pk=found.group(1)).first()
        if member is None:
            raise forms.ValidationError(
                f"No member with id {found.group(1)} in this program; pick one from the list."
            )
        return member


def ratings_from_post(post, answers: dict):
    """(known, unlisted) ratings from the questions page: {key: (type ids, strength)}."""

    def rating(prefix: str, key) -> tuple[list[int], int | None]:
        types = [int(t) for t in post.getlist(f"{prefix}types-{key}") if t.isdigit()]
        strength = post.get(f"{prefix}strength-{key}", "")
        return types, int(strength) if strength.isdigit() else None

    known = {entry["member"]: rating("", entry["member"]) for entry in answers["known"]}
    unlisted = {index: rating("u", index) for index in range(len(answers["unlisted"]))}
    return known, unlisted
