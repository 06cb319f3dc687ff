"""The PDF back end: a cairo canvas, so the PDF keeps real, searchable text."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence

from networkmaps.graph.poster.spec import FONT_FAMILY, safe_colour
from networkmaps.graph.poster.text import clean


def _rgb(value: str) -> tuple[float, float, float]:
    value = safe_colour(value)[1:]
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


class CairoCanvas:
    def __init__(self, context, cairo) -> None:
        self.c = context
        self.cairo = cairo
        self.c.set_line_cap(cairo.LINE_CAP_ROUND)

    def rect(self, x, y, w, h, *, fill: str, opacity: float = 1.0) -> None:
        self.c.rectangle(x, y, w, h)
        self.c.set_source_rgba(*_rgb(fill), opacity)
        self.c.fill()

    def segments(self, segments, *, stroke: str, width: float, opacity: float = 1.0) -> None:
        c = self.c
        for a, b, x, y in segments:
            c.move_to(a, b)
            c.line_to(x, y)
        c.set_source_rgba(*_rgb(stroke), opacity)
        c.set_line_width(width)
        c.stroke()

    def circles(self, circles, *, stroke: str, width: float) -> None:
        c = self.c
        c.set_line_width(width)
        edge = _rgb(stroke)
        for x, y, r, fill in circles:
            c.new_sub_path()
            c.arc(x, y, r, 0, 2 * math.pi)
            c.set_source_rgb(*_rgb(fill))
            c.fill_preserve()
            c.set_source_rgb(*edge)
            c.stroke()

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
        c = self.c
        text = clean(text)
        weight = self.cairo.FONT_WEIGHT_BOLD if bold else self.cairo.FONT_WEIGHT_NORMAL
        c.select_font_face(FONT_FAMILY, self.cairo.FONT_SLANT_NORMAL, weight)
        c.set_font_size(size)
        if anchor != "start":
            advance = c.text_extents(text)[4]
            x -= advance / 2 if anchor == "middle" else advance
        c.move_to(x, y)
        c.set_source_rgb(*_rgb(fill))
        c.show_text(text)


def pdf_document(painters: Sequence[Callable], width: float, height: float) -> bytes:
    """One vector PDF page per page painter; sizes in mm."""
    import cairocffi as cairo

    out = io.BytesIO()
    pt = 72 / 25.4
    surface = cairo.PDFSurface(out, width * pt, height * pt)
    for draw in painters:
        context = cairo.Context(surface)
        context.scale(pt, pt)
        draw(CairoCanvas(context, cairo))
        surface.show_page()
    surface.finish()
    return out.getvalue()
