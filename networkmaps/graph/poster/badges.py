"""A sheet of name badges for a convening (pure: no Django): name, organisation, the
person's code on tonight's anonymised map, and their table in each rotation.

A4 portrait, two columns of four 90 × 62 mm badges, cut lines in light grey; cairo text,
so the PDF stays searchable. Sizes in mm.
"""

from __future__ import annotations

from dataclasses import dataclass

from networkmaps.graph.poster.pdf import pdf_document
from networkmaps.graph.poster.spec import GRID, INK, MM_PER_PT, MUTED, PAPER
from networkmaps.graph.poster.text import clean, fit_text, text_width

SHEET = (210.0, 297.0)
BADGE = (90.0, 62.0)
COLUMNS, ROWS = 2, 4
NAME_PT = (28.0, 16.0)  # largest and smallest a name is set at
SMALL_PT = 10.0


@dataclass(frozen=True)
class Badge:
    name: str
    organisation: str = ""
    code: str = ""  # their code on the anonymised map ("" for guests)
    tables: tuple[int, ...] = ()  # table number per rotation


def render_badges(badges: list[Badge], *, event: str) -> bytes:
    """The badges as a PDF, eight to an A4 page (one empty page if there are none)."""
    per_page = COLUMNS * ROWS
    pages = [badges[i : i + per_page] for i in range(0, len(badges), per_page)] or [[]]
    painters = [lambda canvas, page=page: _draw_page(canvas, page, event) for page in pages]
    return pdf_document(painters, *SHEET)


def _draw_page(canvas, badges: list[Badge], event: str) -> None:
    w, h = SHEET
    bw, bh = BADGE
    x0, y0 = (w - COLUMNS * bw) / 2, (h - ROWS * bh) / 2
    canvas.rect(0, 0, w, h, fill=PAPER)
    cuts = [(x0 + c * bw, y0, x0 + c * bw, y0 + ROWS * bh) for c in range(COLUMNS + 1)]
    cuts += [(x0, y0 + r * bh, x0 + COLUMNS * bw, y0 + r * bh) for r in range(ROWS + 1)]
    canvas.segments(cuts, stroke=GRID, width=0.2, opacity=0.35)
    for i, badge in enumerate(badges):
        row, col = divmod(i, COLUMNS)
        _draw_badge(canvas, badge, event, x0 + col * bw, y0 + row * bh)


def _draw_badge(canvas, badge: Badge, event: str, x: float, y: float) -> None:
    bw, bh = BADGE
    pad = 6.0
    inner = bw - 2 * pad
    small = SMALL_PT * MM_PER_PT
    canvas.text(x + pad, y + pad + small, fit_text(clean(event), small, inner), size=small,
                fill=MUTED)  # fmt: skip
    name = clean(badge.name)
    size = NAME_PT[0] * MM_PER_PT
    while size > NAME_PT[1] * MM_PER_PT and text_width(name, size, bold=True) > inner:
        size -= 0.25
    canvas.text(x + pad, y + 26, fit_text(name, size * 1.15, inner),
                size=size, fill=INK, bold=True)  # fmt: skip
    if badge.organisation:
        canvas.text(x + pad, y + 34, fit_text(clean(badge.organisation), small * 1.2, inner),
                    size=small * 1.2, fill=MUTED)  # fmt: skip
    line = y + bh - pad - small * 1.6
    if badge.code:
        canvas.text(x + pad, line, f"On tonight's anonymised map: {badge.code}", size=small,
                    fill=INK)  # fmt: skip
    if badge.tables:
        label = "Table" if len(badge.tables) == 1 else "Tables"
        tables = " · ".join(str(t) for t in badge.tables)
        canvas.text(x + pad, y + bh - pad, f"{label} {tables}", size=small * 1.2, fill=INK,
                    bold=True)  # fmt: skip
