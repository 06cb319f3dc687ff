"""The SVG back end: a canvas that writes SVG elements, and whole SVG documents."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from networkmaps.graph.poster.spec import FONT_STACK, safe_colour
from networkmaps.graph.poster.text import xml_text


def _n(value: float) -> str:
    """Compact number for SVG attributes (0.01 mm is plenty)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def svg_document(body: str, width: float, height: float, title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}mm" '
        f'height="{_n(height)}mm" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'font-family="{FONT_STACK}">'
        f"<title>{xml_text(title)}</title>{body}</svg>\n"
    )


class SvgCanvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x, y, w, h, *, fill: str, opacity: float = 1.0) -> None:
        extra = f' fill-opacity="{_n(opacity)}"' if opacity < 1 else ""
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
            f'fill="{safe_colour(fill)}"{extra}/>'
        )

    def segments(self, segments, *, stroke: str, width: float, opacity: float = 1.0) -> None:
        d = "".join(f"M{_n(a)} {_n(b)}L{_n(c)} {_n(e)}" for a, b, c, e in segments)
        self.parts.append(
            f'<path fill="none" stroke="{safe_colour(stroke)}" stroke-width="{_n(width)}" '
            f'stroke-opacity="{_n(opacity)}" stroke-linecap="round" d="{d}"/>'
        )

    def circles(self, circles, *, stroke: str, width: float) -> None:
        self.parts.append(f'<g stroke="{safe_colour(stroke)}" stroke-width="{_n(width)}">')
        self.parts.extend(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{safe_colour(fill)}"/>'
            for x, y, r, fill in circles
        )
        self.parts.append("</g>")

    def text(
        self,
        x,
        y,
        text: str,
        *,
        size: float,
        fill: str,
        anchor: str = "start",
        bold: bool = False,
        role: str = "",
    ) -> None:
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += ' font-weight="bold"' if bold else ""
        attrs += f' class="{role}"' if role else ""
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{safe_colour(fill)}"'
            f"{attrs}>{xml_text(text)}</text>"
        )


def page_documents(
    painters: Sequence[Callable], width: float, height: float, title: str
) -> list[str]:
    """One paper-size SVG document per page painter."""
    pages = []
    for draw in painters:
        canvas = SvgCanvas()
        draw(canvas)
        pages.append(svg_document("".join(canvas.parts), width, height, title))
    return pages


def stacked_document(painters: Sequence[Callable], width: float, height: float, title: str) -> str:
    """All pages in one SVG document, stacked downwards (N pages tall)."""
    bodies = []
    for draw in painters:
        canvas = SvgCanvas()
        draw(canvas)
        bodies.append("".join(canvas.parts))
    if len(bodies) == 1:
        return svg_document(bodies[0], width, height, title)
    stacked = "".join(
        f'<g transform="translate(0 {_n(i * height)})">{body}</g>' for i, body in enumerate(bodies)
    )
    return svg_document(stacked, width, height * len(bodies), title)
