"""Forms of the weaving queue: a decision about a pair, a pair staff type in, a request."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from members.models import Member, Program, ProgramRole
from netlead.params import IdChoiceField, whole_number
from networkmaps.models import PairDecision, Suggestion


class PairDecisionForm(forms.Form):
    """What staff did about a pair: a new status (with a reason or note), an assignee, a
    due date. Dismissing needs a reason."""

    a = forms.IntegerField(widget=forms.HiddenInput)
    b = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Suggestion.Kind.choices, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=PairDecision.Status.choices)
    note = forms.CharField(required=False, max_length=2000)
    decided_on = forms.DateField(required=False)
    snoozed_until = forms.DateField(required=False)
    assigned_to = IdChoiceField(queryset=None, required=False)
    due_on = forms.DateField(required=False)

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["assigned_to"].queryset = staff_users(program)

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("a"), cleaned.get("b")
        if a is not None and b is not None:
            if a == b:
                raise forms.ValidationError("An introduction needs two different members.")
            found = set(self.program.members.filter(pk__in=[a, b]).values_list("pk", flat=True))
            if found != {a, b}:
                raise forms.ValidationError("Both members must be in this program.")
            cleaned["pair"] = (min(a, b), max(a, b))
        if cleaned.get("status") == PairDecision.Status.DISMISSED and not cleaned.get("note"):
            self.add_error("note", "Say why this introduction is dismissed.")
        return cleaned


class PairPickForm(forms.Form):
    """Two members, by name or email, for "what would it change?" and for requests."""

    first = forms.CharField(max_length=200, label="First person")
    second = forms.CharField(max_length=200, label="Second person")

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def _member(self, field: str) -> Member | None:
        text = (self.cleaned_data.get(field) or "").strip()
        if whole_number(text) is not None:
            match = self.program.members.filter(pk=whole_number(text))
        elif "@" in text:
            match = self.program.members.filter(email__iexact=text)
        else:
            match = self.program.members.filter(name__iexact=text)
        found = list(match[:2])
        if len(found) != 1:
            why = "more than one member matches" if found else "no member matches"
            self.add_error(field, f"{why} “{text}”.")
            return None
        return found[0]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        one, two = self._member("first"), self._member("second")
        if one and two and one.pk == two.pk:
            self.add_error("second", "Choose two different people.")
        cleaned["members"] = (one, two)
        return cleaned


class RequestForm(PairPickForm):
    words = forms.CharField(
        required=False, max_length=2000, label="Why (in their words)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


def staff_users(program: Program):
    return (
        get_user_model()
        .objects.filter(program_roles__program=program, program_roles__role=ProgramRole.Role.STAFF)
        .order_by("username")
        .distinct()
    )
