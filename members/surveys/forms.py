"""Forms for setting up surveys (staff) and reading the member's ratings."""

from __future__ import annotations

import re

from django import forms

from members.models import Member, Round, SurveySettings
from members.models.surveys import SurveyQuestion
from members.surveys import about_me, questions
from netlead.params import IdChoiceField, IdMultipleChoiceField, whole_number


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example “Year two survey”.")
    round = IdChoiceField(
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
    relationship_types = IdMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Questions to ask"
    )
    cohorts = IdMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in these cohorts is invited and can be named.",
    )

    def __init__(self, *args, program, survey=None, **kwargs):
        if survey is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": survey.name,
                    "opens_on": survey.opens_on,
                    "closes_on": survey.closes_on,
                    "relationship_types": list(survey.relationship_types.all()),
                    "cohorts": list(survey.cohorts.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.program, self.survey = program, survey
        self.fields["round"].queryset = program.rounds.filter(survey__isnull=True)
        self.fields["relationship_types"].queryset = program.relationship_types.all()
        self.fields["cohorts"].queryset = program.cohorts.all()
        if survey is not None:
            del self.fields["round"]  # a survey keeps its round
        # The program's wording of each relationship question (blank: the type's name).
        wording = (survey.type_wording if survey else {}) or {}
        for relationship_type in program.relationship_types.all():
            own = wording.get(str(relationship_type.pk)) or {}
            self.fields[f"question_{relationship_type.pk}"] = forms.CharField(
                max_length=200,
                required=False,
                initial=own.get("question", ""),
                label=f"Wording for “{relationship_type.name}”",
                help_text="What the member ticks for each person, e.g. “We work together”.",
            )
            self.fields[f"help_{relationship_type.pk}"] = forms.CharField(
                max_length=300,
                required=False,
                initial=own.get("help", ""),
                label=f"Help text for “{relationship_type.name}”",
            )

    def wording_fields(self):
        return [f for f in self if f.name.startswith(("question_", "help_"))]

    def type_wording(self) -> dict[str, dict[str, str]]:
        wording = {}
        for relationship_type in self.program.relationship_types.all():
            question = self.cleaned_data.get(f"question_{relationship_type.pk}", "").strip()
            help_text = self.cleaned_data.get(f"help_{relationship_type.pk}", "").strip()
            if question or help_text:
                wording[str(relationship_type.pk)] = {"question": question, "help": help_text}
        return wording

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The survey must close on or after the day it opens.")
        new_round = self.survey is None and not data.get("round") and data.get("name")
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
        types = [n for t in post.getlist(f"{prefix}types-{key}") if (n := whole_number(t))]
        return types, whole_number(post.get(f"{prefix}strength-{key}", ""))

    known = {entry["member"]: rating("", entry["member"]) for entry in answers["known"]}
    unlisted = {index: rating("u", index) for index in range(len(answers["unlisted"]))}
    return known, unlisted


class QuestionForm(forms.ModelForm):
    """One question the program writes. Choices: one per line."""

    choices_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Options (one per line)",
        help_text="For one or several choices: the options. For a 1–5 scale: the five labels "
        "of 1 … 5 (blank: “Not at all” … “A great deal”).",
    )

    class Meta:
        model = SurveyQuestion
        fields = ["kind", "text", "help", "show_if_key", "show_if_value", "attribute"]
        labels = {
            "kind": "Asked",
            "text": "Question",
            "help": "Help text",
            "show_if_key": "Ask only if the answer to question (key)",
            "show_if_value": "is",
            "attribute": "Also update the member's",
        }

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        earlier = [("", "— always ask —")] + [
            (q.key, f"{q.text[:60]} ({q.key})") for q in survey.questions.all() if not q.about_ties
        ]
        self.fields["show_if_key"] = forms.ChoiceField(
            choices=earlier, required=False, label=self.fields["show_if_key"].label
        )
        targets = [("", "— keep as a survey answer only —")]
        targets += [(k, v) for k, v in about_me.MEMBER_FIELDS.items()]
        attributes = getattr(survey.program, "member_attributes", None)
        if attributes is not None:
            targets += [(f"attr:{a.key}", a.label) for a in attributes.all()]
        self.fields["attribute"] = forms.ChoiceField(
            choices=targets, required=False, label=self.fields["attribute"].label
        )

    def clean(self):
        data = super().clean()
        options = [" ".join(line.split()) for line in data.get("choices_text", "").splitlines()]
        data["choices"] = [o for o in options if o][:30]
        kind = data.get("kind")
        choosing = kind in (SurveyQuestion.Kind.SINGLE, SurveyQuestion.Kind.MULTIPLE)
        if choosing and len(data["choices"]) < 2:
            self.add_error("choices_text", "Give at least two options, one per line.")
        scale = kind in (SurveyQuestion.Kind.SCALE, SurveyQuestion.Kind.TIE_SCALE)
        if scale and data["choices"] and len(data["choices"]) != 5:
            self.add_error("choices_text", "A 1–5 scale needs five labels (or none).")
        if data.get("show_if_key") and not data.get("show_if_value"):
            self.add_error("show_if_value", "Say which answer shows this question.")
        if data.get("attribute") and kind in SurveyQuestion.TIE_KINDS:
            self.add_error("attribute", "A question about each person cannot update the member.")
        return data

    def save(self, commit=True):
        question = super().save(commit=False)
        question.survey = self.survey
        question.choices = self.cleaned_data["choices"]
        question.key = questions.question_key(survey=self.survey, text=question.text)
        question.position = self.survey.questions.count()
        if commit:
            question.save()
        return question


class ReminderForm(forms.Form):
    at = forms.DateTimeField(
        required=False,
        label="Send a reminder on",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self):
        data = super().clean()
        if self.data.get("action") != "cancel" and not data.get("at") and "at" not in self.errors:
            self.add_error("at", "Pick the date and time of the reminder.")
        return data


class ReopenForm(forms.Form):
    closes_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Open again until"
    )
