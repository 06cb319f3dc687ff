"""The convening mixer's form: the event, who attends (members and guests), and the tables."""

from __future__ import annotations

import datetime
import re

from django import forms

from members.access import members_named_to
from netlead.params import IdMultipleChoiceField
from networkmaps.weaving.mixer import Guest

MAX_ATTENDEES = 2000
MAX_GUESTS = 500
_ASCII_WHOLE = re.compile(r"[+-]?[0-9]+")


class WholeNumberField(forms.IntegerField):
    """An IntegerField that reads ASCII digits only: Django's int() would read "١٢" or
    "８" as twelve and eight and "1_0" as ten. Too large or too small is the bound's
    message ("less than or equal to 30")."""

    def to_python(self, value):
        text = "" if value is None else self.re_decimal.sub("", str(value).strip())
        if text and not _ASCII_WHOLE.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


class MixerForm(forms.Form):
    title = forms.CharField(max_length=120, required=False, initial="Convening")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cohorts = IdMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in these cohorts attends.",
    )  # fmt: skip
    attendees = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="And/or one member's name or email per line.",
    )
    guests = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Guests who are not members: one per line, “Name, Organisation”.",
    )
    table_size = WholeNumberField(min_value=2, max_value=30, initial=8)
    rotations = WholeNumberField(
        min_value=1, max_value=5, initial=1, required=False,
        help_text="Rounds of tables; nobody sits with the same person twice.",
    )  # fmt: skip
    familiar_face = forms.BooleanField(
        required=False,
        label="Seat everyone with one person they know",
        help_text="Otherwise nobody shares a table with someone they already have a tie with.",
    )

    def __init__(self, *args, program, viewer_role, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.viewer_role = viewer_role
        self.fields["cohorts"].queryset = program.cohorts.all()

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data.get("title", "").split()) or "Convening"

    def clean_date(self) -> datetime.date:
        return self.cleaned_data.get("date") or datetime.date.today()

    def clean_rotations(self) -> int:
        return self.cleaned_data.get("rotations") or 1

    def clean_guests(self) -> list[Guest]:
        guests = []
        lines = (self.cleaned_data.get("guests") or "").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            name, _, organisation = line.partition(",")
            name, organisation = " ".join(name.split()), " ".join(organisation.split())
            if not name:
                raise forms.ValidationError(f"Guest line {number}: the name is missing.")
            if len(name) > 120 or len(organisation) > 120:
                raise forms.ValidationError(f"Guest line {number}: at most 120 characters each.")
            guests.append(Guest(name, organisation))
        if len(guests) > MAX_GUESTS:
            raise forms.ValidationError(f"At most {MAX_GUESTS:,} guests.")
        return guests

    def clean(self):
        cleaned = super().clean()
        ids = set(
            self.program.members.filter(cohorts__in=cleaned.get("cohorts") or []).values_list(
                "pk", flat=True
            )
        )
        # Only members this viewer may see by name can be found by name or email: a
        # facilitator typing a "staff only" member's name learns nothing from the answer.
        findable = members_named_to(self.viewer_role, self.program.members.all())
        unknown = []
        lines = [line.strip() for line in (cleaned.get("attendees") or "").splitlines()]
        for line in filter(None, lines):
            if "@" in line:
                match = findable.filter(email__iexact=line)
            else:
                match = findable.filter(name__iexact=line)
            found = list(match.values_list("pk", flat=True)[:2])
            if len(found) != 1:
                unknown.append(line if not found else f"{line} (more than one member)")
            else:
                ids.add(found[0])
        if unknown:
            raise forms.ValidationError("No single member matches: " + ", ".join(unknown[:10]))
        guests = cleaned.get("guests") or []
        if len(ids) + len(guests) < 2:
            raise forms.ValidationError("Choose at least two attendees.")
        if len(ids) + len(guests) > MAX_ATTENDEES:
            raise forms.ValidationError(
                f"A convening of more than {MAX_ATTENDEES:,} people is not supported."
            )
        cleaned["attendee_ids"] = sorted(ids)
        return cleaned
