"""What a poster is made of: paper sizes, palette, ink colours and the spec callers fill in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PAPER_SIZES: dict[str, tuple[float, float]] = {
    "A0": (841, 1189),
    "A1": (594, 841),
    "A2": (420, 594),
    "A3": (297, 420),
    "letter": (215.9, 279.4),
    "36x48": (914.4, 1219.2),
}

# Okabe–Ito first, then Tableau's colour-blind-safe set; categorical colours
# beyond ~8 are hard for anyone to tell apart, so order matters.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#595959",  # dark grey
    "#A2C8EC",  # light blue
    "#FFBC79",  # light orange
    "#5F9ED1",  # mid blue
    "#C85200",  # dark orange
    "#898989",  # grey
    "#ABABAB",  # light grey
)
NEUTRAL = "#9AA5B1"  # for "no category"

FONT_FAMILY = "DejaVu Sans"  # ships with Debian's fonts-dejavu-core
FONT_STACK = "'DejaVu Sans', Verdana, Arial, sans-serif"
LAYOUT_BOX = 1000.0

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Typography:
    """The smallest sizes, in points, a poster on one paper size may print (issue 16).

    Read from across a room on A0 (and 36×48 in); held at arm's length on A3 and smaller.
    Between A3 and A0 the floors grow with the paper's short side."""

    title_pt: float  # the poster's title
    name_pt: float  # every name or code on the map, and every other line of text
    index_pt: float  # the find-yourself index entries and the grid letters and numbers


def typography(paper: str) -> Typography:
    short = min(PAPER_SIZES[paper])
    t = min(max((short - 297.0) / (841.0 - 297.0), 0.0), 1.0)
    return Typography(title_pt=72.0 * short / 841.0, name_pt=7.0 + 3.0 * t, index_pt=8.0 + 4.0 * t)


INK = "#1F2933"
MUTED = "#52606D"
EDGE = "#7B8794"
GRID = "#3E4C59"
PAPER = "#FFFFFF"


@dataclass
class PosterNode:
    id: int
    x: float  # layout coordinates, normally within [-1000, 1000]
    y: float
    label: str  # shown next to the node on the map
    size: float  # metric value; circle area grows with it
    colour: str  # "#RRGGBB"
    index_label: str  # entry in the member index (a random code when anonymised)


@dataclass
class PosterSpec:
    title: str
    subtitle: str  # program and round
    date: str
    paper: str  # a key of PAPER_SIZES
    landscape: bool
    nodes: list[PosterNode]
    edges: list[tuple[int, int, float]]  # (a, b, weight)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, text)
    legend_title: str = ""  # what the colours stand for ("Colour: Office"); "Key" if blank
    size_legend: str = ""
    anonymised: bool = False


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def safe_colour(value: str) -> str:
    return value if isinstance(value, str) and _HEX.match(value) else NEUTRAL
