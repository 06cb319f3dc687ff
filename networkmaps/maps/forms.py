"""The posters page's form: which round, paper and colours a poster is drawn with."""

from django import forms

from netlead.params import IdChoiceField
from networkmaps.graph.poster import PAPER_SIZES
from networkmaps.maps import data as maps
from networkmaps.maps.poster_files import PosterOptions

PAPER_LABELS = {"letter": "US letter", "36x48": "36 × 48 in"}


def _paper_label(key: str) -> str:
    width, height = PAPER_SIZES[key]
    return PAPER_LABELS.get(key, f"{key} ({width:g} × {height:g} mm)")


class PosterForm(forms.Form):
    round = IdChoiceField(queryset=None, empty_label=None)
    paper = forms.ChoiceField(choices=[(k, _paper_label(k)) for k in PAPER_SIZES], initial="A1")
    orientation = forms.ChoiceField(
        choices=[("landscape", "Landscape"), ("portrait", "Portrait")], initial="landscape"
    )
    colour_by = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in maps.GROUPINGS.items()], initial="community"
    )
    size_by = forms.ChoiceField(
        choices=[(m.key, m.label) for m in maps.SIZE_METRICS], initial="degree"
    )
    anonymised = forms.BooleanField(
        required=False,
        label="Anonymised",
        help_text="For public display: codes instead of names, no organisations.",
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = program.rounds.order_by("-observed_on", "-id")
        self.fields["round"].initial = maps.round_choose(program=program, round_id=None)
        # The map's colour choices: the program's own category attributes too (never a
        # hidden one), so a poster can be coloured as the map is.
        self.fields["colour_by"].choices = [
            (k, v[0]) for k, v in maps.program_groupings(program_id=program.pk).items()
        ]

    def options(self) -> PosterOptions:
        data = self.cleaned_data
        return PosterOptions(
            paper=data["paper"],
            landscape=data["orientation"] == "landscape",
            anonymised=data["anonymised"],
            colour_by=data["colour_by"],
            size_by=data["size_by"],
        )
