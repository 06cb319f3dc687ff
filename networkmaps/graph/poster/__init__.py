"""Print-ready network posters as SVG and PDF (pure: no Django).

One drawing routine (pages.py) paints each page onto a small canvas interface with two
back ends: an SVG writer (svg.py) and cairo (pdf.py). cairo is driven directly,
not through cairosvg, because cairosvg turns every glyph into outlines: a
5,000-name member index then takes minutes to write and the PDF cannot be
searched for a name. With cairo's own text the PDF is fast and searchable.

The map is drawn from the layout box [-1000, 1000]² (see ``layout.BOX``)
into a fixed square on the page, so the same person lands on the same spot
on every round's poster and on every paper size. A light A–Z × 1–N grid
over that square, with a "find yourself" member index, lets people locate
themselves; the index goes on the poster's margin when it fits at a
readable size, otherwise on the following pages.

All sizes are millimetres. Nothing is written that the caller did not pass
in: no database ids, and on anonymised posters only the labels given.
"""

from __future__ import annotations

from networkmaps.graph.poster.discs import overlapping_pairs, separate_discs
from networkmaps.graph.poster.labels import LabelBox, PlacedNode, place_labels
from networkmaps.graph.poster.pages import page_painters
from networkmaps.graph.poster.pdf import pdf_document
from networkmaps.graph.poster.plan import make_plan
from networkmaps.graph.poster.spec import (
    FONT_FAMILY,
    LAYOUT_BOX,
    NEUTRAL,
    PALETTE,
    PAPER_SIZES,
    PosterNode,
    PosterSpec,
    Typography,
    typography,
)
from networkmaps.graph.poster.svg import page_documents, stacked_document
from networkmaps.graph.poster.text import text_width

__all__ = [
    "FONT_FAMILY",
    "LAYOUT_BOX",
    "NEUTRAL",
    "PALETTE",
    "PAPER_SIZES",
    "LabelBox",
    "PlacedNode",
    "PosterNode",
    "PosterSpec",
    "Typography",
    "member_index",
    "overlapping_pairs",
    "poster_discs",
    "place_labels",
    "render_pdf",
    "render_svg",
    "render_svg_pages",
    "separate_discs",
    "text_width",
    "typography",
]


def render_svg(spec: PosterSpec) -> str:
    """The poster as one SVG document.

    If the member index needs pages of its own, they follow the poster in
    the same document, stacked downwards (the root is then N pages tall);
    use ``render_svg_pages`` to get them separately.
    """
    plan = make_plan(spec)
    return stacked_document(page_painters(spec, plan), plan.width, plan.height, spec.title)


def render_svg_pages(spec: PosterSpec) -> list[str]:
    """The poster page, then any member-index pages, each a paper-size SVG."""
    plan = make_plan(spec)
    return page_documents(page_painters(spec, plan), plan.width, plan.height, spec.title)


def render_pdf(spec: PosterSpec) -> bytes:
    """The poster (and member-index pages if needed) as a vector PDF."""
    plan = make_plan(spec)
    return pdf_document(page_painters(spec, plan), plan.width, plan.height)


def member_index(spec: PosterSpec) -> list[tuple[str, str]]:
    """``(index_label, grid square)`` for every node, in index order."""
    plan = make_plan(spec)
    return [(label, cell) for label, cell, _ in plan.entries]


def poster_discs(spec: PosterSpec) -> list[tuple[float, float, float]]:
    """``(x, y, r)`` in mm of every node's disc as drawn on the poster page."""
    return [(dot.x, dot.y, dot.r) for dot in make_plan(spec).dots]
