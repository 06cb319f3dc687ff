"""Forms of the weaving queue: what staff decided about a pair (the mixer's: mixer_forms.py)."""

from django import forms

from networkmaps.models import PairDecision


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=PairDecision.Status.choices)
    decided_on = forms.DateField(required=False)
    note = forms.CharField(required=False, max_length=2000)
    snoozed_until = forms.DateField(required=False)
