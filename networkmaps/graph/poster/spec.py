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
    size_legend: str = ""
    anonymised: bool = False


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def safe_colour(value: str) -> str:
    return value if isinstance(value, str) and _HEX.match(value) else NEUTRAL
