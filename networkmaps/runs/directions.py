"""Which way is good for each key indicator the dashboard charts round to round (issue 13).

A program that wants fewer ties per person (hub load) or longer paths is not wrong: staff
say, per indicator, whether higher or lower is the goal, and each chart marks a change as
toward or away from it. Nothing is recomputed: the charts read the setting as they draw."""

from __future__ import annotations

from django import forms

from members.models import Program
from networkmaps.runs.charts import INDICATORS, good_directions

CHOICES = [("up", "Higher is better"), ("down", "Lower is better")]


class IndicatorDirectionsForm(forms.Form):
    """One choice per indicator, starting from the program's current directions."""

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        current = good_directions(program)
        for key, (label, _, default, meaning) in INDICATORS.items():
            self.fields[key] = forms.ChoiceField(
                choices=CHOICES,
                initial=current[key],
                label=label,
                help_text=f"{meaning}; usually {'higher' if default == 'up' else 'lower'}",
            )


def indicator_directions_set(*, program: Program, directions: dict[str, str]) -> list[str]:
    """Store the good direction of each indicator; only those that differ from the default
    are kept, so a later change of a default reaches programs that never chose. Returns the
    labels of the indicators whose direction changed."""
    before = good_directions(program)
    chosen = {
        key: directions[key]
        for key, default in INDICATORS.items()
        if directions.get(key) in ("up", "down") and directions[key] != default[2]
    }
    Program.objects.filter(pk=program.pk).update(indicator_directions=chosen)
    program.indicator_directions = chosen
    after = good_directions(program)
    return [INDICATORS[key][0] for key in INDICATORS if before[key] != after[key]]
