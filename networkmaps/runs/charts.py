"""Small server-side SVG charts of the key indicators over all rounds (dashboard and round
report), each change marked as toward or away from the program's goals.

The SVG holds only numbers and escaped round names; it scales to the card (viewBox), so
it reads the same on a phone and a desk."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Indicator -> (label, format, good direction by default, what it says in plain words).
INDICATORS = {
    "ties": ("Ties", "count", "up", "pairs of members with a tie"),
    "density": ("Density", "share", "up", "share of all possible pairs that are tied"),
    "isolates": ("Isolated members", "count", "down", "members with no tie at all"),
    "cross_cohort_share": (
        "Cross-cohort share",
        "share",
        "up",
        "share of ties that join different cohorts",
    ),
    "cross_sector_share": (
        "Cross-sector share",
        "share",
        "up",
        "share of ties that join different sectors",
    ),
    "ei_cohort": ("E-I cohort", "index", "up", "−1 all ties inside cohorts, +1 all across"),
    "average_path_length": (
        "Average distance",
        "number",
        "down",
        "steps between two members of the main network",
    ),
    "largest_component_share": (
        "In the main network",
        "share",
        "up",
        "share of members in the largest connected part",
    ),
}
WIDTH, HEIGHT, PAD = 300, 96, 14


@dataclass
class Chart:
    key: str
    label: str
    format: str
    good: str  # "up" or "down"
    meaning: str
    values: list[float | None]
    names: list[str]
    bands: list[tuple[float, float] | None] = field(default_factory=list)
    svg: SafeString = mark_safe("")

    @property
    def latest(self) -> float | None:
        return next((v for v in reversed(self.values) if v is not None), None)

    @property
    def change(self) -> float | None:
        known = [v for v in self.values if v is not None]
        return known[-1] - known[-2] if len(known) >= 2 else None

    @property
    def verdict(self) -> str:
        """ "toward" / "away" from the program's goal, or "" (no change or nothing to say)."""
        change = self.change
        if change is None or abs(change) < 1e-12:
            return ""
        return "toward" if (change > 0) == (self.good == "up") else "away"

    @property
    def band(self) -> float | None:
        """Half the width of the latest round's stability band ("± …")."""
        if not self.bands or self.bands[-1] is None:
            return None
        low, high = self.bands[-1]
        return (high - low) / 2


def good_directions(program) -> dict[str, str]:
    """Indicator -> "up"/"down": the program's setting over the defaults."""
    chosen = program.indicator_directions or {}
    return {
        key: chosen.get(key) if chosen.get(key) in ("up", "down") else default[2]
        for key, default in INDICATORS.items()
    }


def indicator_charts(
    *, program, names: list[str], values: list[dict[str, float | None]], bands: list[dict]
) -> list[Chart]:
    """One chart per indicator with at least one value; `values`/`bands` per round, oldest
    first, as stored (cross shares are derived here from cross ties / ties)."""
    directions = good_directions(program)
    charts = []
    for key, (label, kind, _, meaning) in INDICATORS.items():
        series = [_value(key, row) for row in values]
        if all(v is None for v in series):
            continue
        chart = Chart(key, label, kind, directions[key], meaning, series, names)
        chart.bands = [tuple(b[key]) if b and key in b else None for b in bands]
        chart.svg = chart_svg(chart)
        charts.append(chart)
    return charts


def _value(key: str, row: dict[str, float | None]) -> float | None:
    if key in ("cross_cohort_share", "cross_sector_share"):
        grouping = key.split("_")[1]
        if row.get(f"no_{grouping}s"):
            return None
        crossing, ties = row.get(f"cross_{grouping}_ties"), row.get("ties")
        return crossing / ties if crossing is not None and ties else None
    return row.get(key)


def chart_svg(chart: Chart) -> SafeString:
    """A line over the rounds with a dot per round and the first and last round named."""
    points = [(i, v) for i, v in enumerate(chart.values) if v is not None]
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    steps = max(len(chart.values) - 1, 1)

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / steps if len(chart.values) > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - 24 - (HEIGHT - 24 - PAD) * (v - low) / (high - low)

    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
    colour = {"toward": "#0b6e69", "away": "#a45a00"}.get(chart.verdict, "#5b6475")
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>' for i, v in points
    )
    first, last = escape(chart.names[0]), escape(chart.names[-1])
    return mark_safe(
        f'<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(chart.label)} over {len(chart.values)} rounds" '
        f">"
        f'<line x1="{PAD}" y1="{HEIGHT - 24}" x2="{WIDTH - PAD}" y2="{HEIGHT - 24}" '
        f'stroke="#dde2ea"/>'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5"/>{dots}'
        f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="12" fill="#5b6475">{first}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="12" fill="#5b6475" '
        f'text-anchor="end">{last}</text></svg>'
    )
