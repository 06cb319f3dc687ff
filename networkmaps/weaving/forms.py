"""Forms of the weaving queue (what staff decided about a pair) and the convening mixer."""

from django import forms

from networkmaps.models import PairDecision


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=PairDecision.Status.choices)
    decided_on = forms.DateField(required=False)
    note = forms.CharField(required=False, max_length=2000)
    snoozed_until = forms.DateField(required=False)


class MixerForm(forms.Form):
    cohorts = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in these cohorts attends.",
    )  # fmt: skip
    attendees = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="And/or one name or email per line.",
    )
    table_size = forms.IntegerField(min_value=2, max_value=30, initial=8)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["cohorts"].queryset = program.cohorts.all()

    def clean(self):
        cleaned = super().clean()
        ids = set(
            self.program.members.filter(cohorts__in=cleaned.get("cohorts") or []).values_list(
                "pk", flat=True
            )
        )
        unknown = []
        lines = [line.strip() for line in (cleaned.get("attendees") or "").splitlines()]
        for line in filter(None, lines):
            match = self.program.members.filter(email__iexact=line) if "@" in line else (
                self.program.members.filter(name__iexact=line)
            )  # fmt: skip
            found = list(match.values_list("pk", flat=True)[:2])
            if len(found) != 1:
                unknown.append(line if not found else f"{line} (more than one member)")
            else:
                ids.add(found[0])
        if unknown:
            raise forms.ValidationError("No single member matches: " + ", ".join(unknown[:10]))
        if len(ids) < 2:
            raise forms.ValidationError("Choose at least two attendees.")
        if len(ids) > 2000:
            raise forms.ValidationError("A convening of more than 2,000 people is not supported.")
        cleaned["attendee_ids"] = sorted(ids)
        return cleaned
