"""Print-ready network posters as SVG and PDF (pure: no Django).

One drawing routine paints each page onto a small canvas interface with two
back ends: an SVG writer and cairo (for PDF). cairo is driven directly,
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

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

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
_FONT_STACK = "'DejaVu Sans', Verdana, Arial, sans-serif"
LAYOUT_BOX = 1000.0

_INK = "#1F2933"
_MUTED = "#52606D"
_EDGE = "#7B8794"
_GRID = "#3E4C59"
_PAPER = "#FFFFFF"


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


@dataclass(frozen=True)
class PlacedNode:
    """A node drawn on the page: centre and radius in mm."""

    id: int
    x: float
    y: float
    r: float
    label: str
    priority: float = 0.0


@dataclass(frozen=True)
class LabelBox:
    """Where one label goes: text drawn at (x, baseline) with ``anchor``;
    (x0, y0, x1, y1) is the page area it may cover."""

    id: int
    text: str
    x: float
    baseline: float
    font_mm: float
    anchor: str  # "start" | "middle" | "end"
    x0: float
    y0: float
    x1: float
    y1: float


# --- public API ---------------------------------------------------------------


def render_svg(spec: PosterSpec) -> str:
    """The poster as one SVG document.

    If the member index needs pages of its own, they follow the poster in
    the same document, stacked downwards (the root is then N pages tall);
    use ``render_svg_pages`` to get them separately.
    """
    plan = _plan(spec)
    bodies = []
    for draw in _page_painters(spec, plan):
        canvas = _SvgCanvas()
        draw(canvas)
        bodies.append("".join(canvas.parts))
    w, h = plan.width, plan.height
    if len(bodies) == 1:
        return _svg_document(bodies[0], w, h, spec.title)
    stacked = "".join(
        f'<g transform="translate(0 {_n(i * h)})">{body}</g>' for i, body in enumerate(bodies)
    )
    return _svg_document(stacked, w, h * len(bodies), spec.title)


def render_svg_pages(spec: PosterSpec) -> list[str]:
    """The poster page, then any member-index pages, each a paper-size SVG."""
    plan = _plan(spec)
    pages = []
    for draw in _page_painters(spec, plan):
        canvas = _SvgCanvas()
        draw(canvas)
        pages.append(_svg_document("".join(canvas.parts), plan.width, plan.height, spec.title))
    return pages


def render_pdf(spec: PosterSpec) -> bytes:
    """The poster (and member-index pages if needed) as a vector PDF."""
    import cairocffi as cairo

    plan = _plan(spec)
    out = io.BytesIO()
    pt = 72 / 25.4
    surface = cairo.PDFSurface(out, plan.width * pt, plan.height * pt)
    for draw in _page_painters(spec, plan):
        context = cairo.Context(surface)
        context.scale(pt, pt)
        draw(_CairoCanvas(context, cairo))
        surface.show_page()
    surface.finish()
    return out.getvalue()


def member_index(spec: PosterSpec) -> list[tuple[str, str]]:
    """``(index_label, grid square)`` for every node, in index order."""
    plan = _plan(spec)
    return [(label, cell) for label, cell, _ in plan.entries]


def text_width(text: str, font_mm: float, *, bold: bool = False) -> float:
    """Width of ``text`` in DejaVu Sans, erring on the wide side."""
    em = sum(_char_em(ch) for ch in text)
    return em * font_mm * (1.15 if bold else 1.0)


def place_labels(
    nodes: Sequence[PlacedNode],
    *,
    font_mm: float,
    box: tuple[float, float, float, float],
    shrink: Sequence[float] = (1.0, 0.85),
) -> dict[int, LabelBox]:
    """Choose which labels to show and where, so none overlap.

    Greedy by priority (largest first): try eight spots around the node at
    full size, then smaller sizes; a label that overlaps another label, any
    circle or leaves ``box`` (x0, y0, x1, y1) is skipped and its node stays
    unlabelled. A uniform grid keeps each test local, so 10k nodes are fast.
    """
    index = _Grid(cell=max(font_mm * 8, 1.0))
    for node in nodes:
        index.add(
            ("c", node.id, node.x, node.y, node.r),
            node.x - node.r,
            node.y - node.r,
            node.x + node.r,
            node.y + node.r,
        )
    bx0, by0, bx1, by1 = box
    placed: dict[int, LabelBox] = {}
    for node in sorted(nodes, key=lambda n: (-n.priority, n.label, n.x, n.y)):
        text = _clean(node.label).strip()
        if not text:
            continue
        for factor in shrink:
            label = _try_spots(node, text, font_mm * factor, index, (bx0, by0, bx1, by1))
            if label is not None:
                placed[node.id] = label
                index.add(("l",), label.x0, label.y0, label.x1, label.y1)
                break
    return placed


# --- text helpers -------------------------------------------------------------

_NARROW = set("fijlrtI!'.,:;|()[]-/\\` ")
_WIDE = set("mwMW@%")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _char_em(ch: str) -> float:
    if ch in _NARROW:
        return 0.42
    if ch in _WIDE:
        return 1.0
    if ch.isascii():
        return 0.8 if ch.isupper() else 0.66
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.05
    if unicodedata.combining(ch):
        return 0.0
    return 0.9


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control codes, lone surrogates)."""
    return _INVALID_XML.sub("", str(text))


def _xml(text: str) -> str:
    return escape(_clean(text), {'"': "&quot;"})


def _fit_text(text: str, font_mm: float, width: float) -> str:
    """``text``, cut with an ellipsis if it is wider than ``width``."""
    if text_width(text, font_mm) <= width:
        return text
    out = text
    while out and text_width(out + "…", font_mm) > width:
        out = out[:-1]
    return out.rstrip() + "…"


def _n(value: float) -> str:
    """Compact number for SVG attributes (0.01 mm is plenty)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def _colour(value: str) -> str:
    return value if isinstance(value, str) and _HEX.match(value) else NEUTRAL


def _rgb(value: str) -> tuple[float, float, float]:
    value = _colour(value)[1:]
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


# --- label placement ----------------------------------------------------------


class _Grid:
    """Uniform grid of rectangles (labels) and circles (nodes)."""

    def __init__(self, cell: float):
        self.cell = cell
        self.cells: dict[tuple[int, int], list] = {}

    def _keys(self, x0: float, y0: float, x1: float, y1: float):
        c = self.cell
        for gx in range(math.floor(x0 / c), math.floor(x1 / c) + 1):
            for gy in range(math.floor(y0 / c), math.floor(y1 / c) + 1):
                yield gx, gy

    def add(self, item: tuple, x0: float, y0: float, x1: float, y1: float) -> None:
        entry = (item, x0, y0, x1, y1)
        for key in self._keys(x0, y0, x1, y1):
            self.cells.setdefault(key, []).append(entry)

    def blocked(self, x0: float, y0: float, x1: float, y1: float, own: int) -> bool:
        for key in self._keys(x0, y0, x1, y1):
            for item, ix0, iy0, ix1, iy1 in self.cells.get(key, ()):
                if ix0 >= x1 or ix1 <= x0 or iy0 >= y1 or iy1 <= y0:
                    continue
                if item[0] == "l":
                    return True
                _, node_id, cx, cy, r = item
                if node_id == own:
                    continue
                # Nearest point of the rectangle to the circle's centre.
                dx = cx - min(max(cx, x0), x1)
                dy = cy - min(max(cy, y0), y1)
                if dx * dx + dy * dy < r * r:
                    return True
        return False


def _try_spots(node: PlacedNode, text: str, font: float, index: _Grid, box) -> LabelBox | None:
    width = text_width(text, font)
    height = font * 1.2  # ascender to descender of DejaVu Sans, rounded up
    gap = font * 0.25
    r, x, y = node.r, node.x, node.y
    diag = r * 0.72
    # (left edge, top edge, anchor) in order of preference.
    spots = (
        (x + r + gap, y - height / 2, "start"),
        (x - r - gap - width, y - height / 2, "end"),
        (x - width / 2, y - r - gap - height, "middle"),
        (x - width / 2, y + r + gap, "middle"),
        (x + diag + gap * 0.5, y - diag - height, "start"),
        (x + diag + gap * 0.5, y + diag, "start"),
        (x - diag - gap * 0.5 - width, y - diag - height, "end"),
        (x - diag - gap * 0.5 - width, y + diag, "end"),
    )
    bx0, by0, bx1, by1 = box
    pad = font * 0.1
    for x0, y0, anchor in spots:
        x1, y1 = x0 + width, y0 + height
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            continue
        if index.blocked(x0 - pad, y0 - pad, x1 + pad, y1 + pad, node.id):
            continue
        text_x = {"start": x0, "middle": x0 + width / 2, "end": x1}[anchor]
        return LabelBox(node.id, text, text_x, y0 + font * 0.93, font, anchor, x0, y0, x1, y1)
    return None


# --- page plan ----------------------------------------------------------------


@dataclass
class _Plan:
    width: float
    height: float
    margin: float
    title_size: float
    subtitle_size: float
    body_size: float
    small_size: float
    index_size: float
    header_bottom: float
    square: tuple[float, float, float]  # x0, y0, side of the map square
    grid_n: int
    panel: tuple[float, float, float, float]  # x0, y0, w, h
    legend_area: tuple[float, float, float, float]
    index_area: tuple[float, float, float, float]
    dots: list[PlacedNode]
    colours: dict[int, str]
    r_range: tuple[float, float]
    entries: list[tuple[str, str, int]]  # (label, cell, node id), sorted
    index_on_poster: bool
    index_pages: list[list[tuple[float, float, float, str, str]]]  # (x, y, col_w, label, cell)
    index_columns: list[tuple[float, float, float, str, str]]


def _plan(spec: PosterSpec) -> _Plan:
    if spec.paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {spec.paper!r}; use one of {sorted(PAPER_SIZES)}")
    w, h = PAPER_SIZES[spec.paper]
    if spec.landscape:
        w, h = h, w
    short = min(w, h)
    margin = max(8.0, short * 0.03)
    title = short * 0.034
    subtitle = title * 0.5
    body = max(2.6, short * 0.0055)
    small = max(2.0, short * 0.004)
    index_size = max(2.3, short * 0.0036)
    header_bottom = margin + title * 1.05 + subtitle * 1.9
    gutter = small * 2.2  # room for grid letters and numbers

    if spec.landscape:
        side = h - header_bottom - margin - 2 * gutter
        square = (margin + gutter, header_bottom + gutter, side)
        px = square[0] + side + gutter + margin
        panel = (px, header_bottom + gutter, w - margin - px, side)
        legend_h = min(panel[3] * 0.35, _legend_height(spec, body, r_max=0.028 * side))
        legend_area = (panel[0], panel[1], panel[2], legend_h)
        index_area = (panel[0], panel[1] + legend_h + body, panel[2], panel[3] - legend_h - body)
    else:
        panel_h = h * 0.2
        avail = h - header_bottom - margin - panel_h - 2 * gutter - body
        side = min(w - 2 * margin - 2 * gutter, avail)
        square = ((w - side) / 2, header_bottom + gutter, side)
        py = square[1] + side + gutter + body
        panel = (margin, py, w - 2 * margin, h - margin - py)
        legend_w = min(panel[2] * 0.3, max(60.0, body * 30))
        legend_area = (panel[0], panel[1], legend_w, panel[3])
        index_area = (
            panel[0] + legend_w + body * 2,
            panel[1],
            panel[2] - legend_w - body * 2,
            panel[3],
        )

    n = len(spec.nodes)
    grid_n = max(6, min(26, math.ceil(math.sqrt(n / 8))))
    dots, colours, r_range = _dots(spec, square)
    cells = _cells(dots, square, grid_n)
    entries = sorted(
        ((_clean(node.index_label), cells[node.id], node.id) for node in spec.nodes),
        key=lambda e: (e[0].casefold(), e[0], e[1]),
    )

    heading = body * 2.2
    ix, iy, iw, ih = index_area
    columns = _index_columns(entries, index_size, (ix, iy + heading, iw, ih - heading))
    on_poster = columns is not None
    pages: list[list] = []
    if not on_poster:
        columns = []
        page_area = (
            margin,
            margin + title * 0.9 + heading,
            w - 2 * margin,
            h - 2 * margin - title * 0.9 - heading - body * 2,
        )
        pages = _index_pages(entries, index_size, page_area)
    return _Plan(
        width=w,
        height=h,
        margin=margin,
        title_size=title,
        subtitle_size=subtitle,
        body_size=body,
        small_size=small,
        index_size=index_size,
        header_bottom=header_bottom,
        square=square,
        grid_n=grid_n,
        panel=panel,
        legend_area=legend_area,
        index_area=index_area,
        dots=dots,
        colours=colours,
        r_range=r_range,
        entries=entries,
        index_on_poster=on_poster,
        index_pages=pages,
        index_columns=columns or [],
    )


def _legend_height(spec: PosterSpec, body: float, *, r_max: float) -> float:
    """Room for every legend entry plus what _draw_legend reserves (heading, notes and
    the size circles, which can be several lines tall: ``r_max`` is their largest radius)."""
    line = body * 1.6
    notes = 3 if spec.anonymised else 2
    height = body + line * (1.8 + notes + len(spec.legend))
    if spec.size_legend:
        height += line * 1.4 + r_max * 2 + body * 0.4
    return height


def _dots(spec: PosterSpec, square) -> tuple[list[PlacedNode], dict[int, str], tuple]:
    x0, y0, side = square
    extent = max([LAYOUT_BOX] + [max(abs(p.x), abs(p.y)) for p in spec.nodes])
    centres = [(p.x / extent, -p.y / extent) for p in spec.nodes]  # page y grows down
    # Circles scale with how close neighbours sit, not just with the count.
    spacing = _typical_spacing(centres) * side / 2 or side / math.sqrt(max(len(centres), 1))
    r_min = min(max(0.28 * spacing, 0.45), 0.012 * side)
    r_max = min(r_min * 2.5, 0.028 * side)
    half = side / 2 - r_max - 0.5
    sizes = [max(float(p.size), 0.0) if math.isfinite(p.size) else 0.0 for p in spec.nodes]
    lo, hi = (min(sizes), max(sizes)) if sizes else (0.0, 0.0)
    dots, colours = [], {}
    for node, value, (ux, uy) in zip(spec.nodes, sizes, centres, strict=True):
        t = (value - lo) / (hi - lo) if hi > lo else 0.25
        r = r_min + (r_max - r_min) * math.sqrt(t)
        cx, cy = x0 + side / 2 + ux * half, y0 + side / 2 + uy * half
        dots.append(PlacedNode(node.id, cx, cy, r, _clean(node.label), value))
        colours[node.id] = _colour(node.colour)
    return dots, colours, (r_min, r_max)


def _typical_spacing(points: list[tuple[float, float]]) -> float:
    """Median distance from a point to its nearest neighbour (0 if unknown)."""
    if len(points) < 2:
        return 0.0
    from scipy.spatial import cKDTree

    distances, _ = cKDTree(points).query(points, k=2)
    gaps = sorted(float(d) for d in distances[:, 1] if d > 0)
    return gaps[len(gaps) // 2] if gaps else 0.0


def _cells(dots: list[PlacedNode], square, grid_n: int) -> dict[int, str]:
    x0, y0, side = square
    step = side / grid_n
    out = {}
    for dot in dots:
        col = min(grid_n - 1, max(0, int((dot.x - x0) // step)))
        row = min(grid_n - 1, max(0, int((dot.y - y0) // step)))
        out[dot.id] = f"{chr(ord('A') + col)}{row + 1}"
    return out


def _index_geometry(entries, font: float, width: float):
    line = font * 1.4
    cell_w = text_width("W26", font)
    longest = max((text_width(label, font) for label, _, _ in entries), default=0.0)
    col_w = min(max(longest + cell_w + font * 1.5, font * 14), font * 36, width)
    gap = font * 2
    cols = max(1, int((width + gap) // (col_w + gap)))
    return line, col_w, gap, cols


def _index_columns(entries, font: float, area) -> list | None:
    """Entries laid out in columns inside ``area``, or None if they do not fit."""
    x, y, w, h = area
    if w <= 0 or h <= 0:
        return None
    line, col_w, gap, cols = _index_geometry(entries, font, w)
    rows = int(h // line)
    if rows < 1 or rows * cols < len(entries):
        return None
    return _flow(entries, font, x, y, rows, line, col_w, gap)


def _index_pages(entries, font: float, area) -> list[list]:
    x, y, w, h = area
    line, col_w, gap, cols = _index_geometry(entries, font, w)
    rows = max(1, int(h // line))
    per_page = rows * cols
    return [
        _flow(entries[i : i + per_page], font, x, y, rows, line, col_w, gap)
        for i in range(0, max(len(entries), 1), per_page)
    ]


def _flow(entries, font, x, y, rows, line, col_w, gap) -> list:
    out = []
    for i, (label, cell, _) in enumerate(entries):
        col, row = divmod(i, rows)
        out.append((x + col * (col_w + gap), y + (row + 1) * line, col_w, label, cell))
    return out


# --- drawing ------------------------------------------------------------------


def _page_painters(spec: PosterSpec, plan: _Plan):
    painters = [lambda canvas: _draw_poster(canvas, spec, plan)]
    total = 1 + len(plan.index_pages)
    for number, page in enumerate(plan.index_pages, start=2):
        painters.append(
            lambda canvas, page=page, number=number: _draw_index_page(
                canvas, spec, plan, page, number, total
            )
        )
    return painters


def _draw_poster(canvas, spec: PosterSpec, plan: _Plan) -> None:
    w, h, m = plan.width, plan.height, plan.margin
    canvas.rect(0, 0, w, h, fill=_PAPER)

    # Header: title, subtitle, date on the right.
    title_y = m + plan.title_size * 0.8
    canvas.text(m, title_y, spec.title, size=plan.title_size, fill=_INK, bold=True)
    sub_y = title_y + plan.subtitle_size * 1.6
    canvas.text(m, sub_y, spec.subtitle, size=plan.subtitle_size, fill=_MUTED)
    canvas.text(w - m, sub_y, spec.date, size=plan.subtitle_size, fill=_MUTED, anchor="end")

    _draw_edges(canvas, spec, plan)
    _draw_nodes(canvas, plan)
    _draw_grid(canvas, plan)
    _draw_labels(canvas, plan)
    _draw_legend(canvas, spec, plan)

    ix, iy, iw, ih = plan.index_area
    heading = _index_heading(spec)
    hy = iy + plan.body_size
    canvas.text(ix, hy, heading, size=plan.body_size * 1.1, fill=_INK, bold=True)
    if plan.index_on_poster:
        _draw_index_entries(canvas, plan.index_columns, plan.index_size)
    else:
        pages = len(plan.index_pages)
        where = "page 2" if pages == 1 else f"pages 2–{pages + 1}"
        canvas.text(
            ix,
            hy + plan.body_size * 1.8,
            f"The member index is on {where}.",
            size=plan.body_size,
            fill=_MUTED,
        )
    canvas.text(
        w - m, h - m * 0.45, "Made with netlead", size=plan.small_size, fill=_MUTED, anchor="end"
    )


def _draw_edges(canvas, spec: PosterSpec, plan: _Plan) -> None:
    where = {dot.id: dot for dot in plan.dots}
    edges = [(a, b, float(wt)) for a, b, wt in spec.edges if a in where and b in where and a != b]
    if not edges:
        return
    weights = sorted({wt for _, _, wt in edges})
    # Up to three widths, split at the weights' thirds.
    cuts = [weights[len(weights) // 3], weights[2 * len(weights) // 3]] if len(weights) > 2 else []
    base = min(max(plan.r_range[0] * 0.12, 0.08), 0.5)
    opacity = min(max(3.5 / len(edges) ** 0.25, 0.2), 0.6)
    classes: list[list[tuple[float, float, float, float]]] = [[], [], []]
    for a, b, wt in edges:
        k = sum(wt >= cut for cut in cuts) if cuts else (0 if wt <= weights[0] else 2)
        pa, pb = where[a], where[b]
        classes[k].append((pa.x, pa.y, pb.x, pb.y))
    for k, segments in enumerate(classes):
        if segments:
            canvas.segments(segments, stroke=_EDGE, width=base * (1, 1.7, 2.6)[k], opacity=opacity)


def _draw_nodes(canvas, plan: _Plan) -> None:
    # Big circles first so small ones stay visible on top.
    order = sorted(plan.dots, key=lambda d: (-d.r, d.label, d.x, d.y))
    stroke = min(max(plan.r_range[0] * 0.18, 0.1), 0.6)
    canvas.circles(
        [(d.x, d.y, d.r, plan.colours[d.id]) for d in order], stroke=_PAPER, width=stroke
    )


def _draw_grid(canvas, plan: _Plan) -> None:
    x0, y0, side = plan.square
    n = plan.grid_n
    step = side / n
    segments = [(x0 + i * step, y0, x0 + i * step, y0 + side) for i in range(n + 1)]
    segments += [(x0, y0 + i * step, x0 + side, y0 + i * step) for i in range(n + 1)]
    canvas.segments(segments, stroke=_GRID, width=max(0.12, plan.small_size * 0.06), opacity=0.22)
    size = plan.small_size
    for i in range(n):
        cx = x0 + (i + 0.5) * step
        cy = y0 + (i + 0.5) * step + size * 0.36
        letter, number = chr(ord("A") + i), str(i + 1)
        canvas.text(cx, y0 - size * 0.6, letter, size=size, fill=_MUTED, anchor="middle")
        canvas.text(cx, y0 + side + size * 1.4, letter, size=size, fill=_MUTED, anchor="middle")
        canvas.text(x0 - size * 0.6, cy, number, size=size, fill=_MUTED, anchor="end")
        canvas.text(x0 + side + size * 0.6, cy, number, size=size, fill=_MUTED)


def _draw_labels(canvas, plan: _Plan) -> None:
    x0, y0, side = plan.square
    font = min(max(plan.r_range[0] * 1.5, 1.8), min(plan.width, plan.height) * 0.006)
    labels = place_labels(plan.dots, font_mm=font, box=(x0, y0, x0 + side, y0 + side))
    for label in labels.values():
        pad = label.font_mm * 0.12
        canvas.rect(
            label.x0 - pad,
            label.y0,
            label.x1 - label.x0 + 2 * pad,
            label.y1 - label.y0,
            fill=_PAPER,
            opacity=0.7,
        )
    for label in labels.values():
        canvas.text(
            label.x,
            label.baseline,
            label.text,
            size=label.font_mm,
            fill=_INK,
            anchor=label.anchor,
            role="label",
        )


def _draw_legend(canvas, spec: PosterSpec, plan: _Plan) -> None:
    x, y, w, h = plan.legend_area
    body = plan.body_size
    line = body * 1.6
    r_min, r_max = plan.r_range
    notes = [
        "Lines are relationships; thicker lines are stronger ties.",
        "Grid squares: letter = column, number = row.",
    ]
    if spec.anonymised:
        notes.append("Labels are anonymous codes.")
    # Keep the notes on the page however many categories there are.
    reserved = body + line * 1.2 + len(notes) * line
    if spec.size_legend:
        reserved += line * 1.4 + r_max * 2 + body * 0.4
    room = max(0, int((h - reserved) // line))
    legend = list(spec.legend)
    if len(legend) > room:
        hidden = len(legend) - max(room - 1, 0)
        legend = legend[: max(room - 1, 0)] + [(_PAPER, f"+ {hidden} more")]
    y += body
    canvas.text(x, y, "Key", size=body * 1.1, fill=_INK, bold=True)
    y += line * 0.6
    for colour, text in legend:
        y += line
        canvas.circles(
            [(x + body * 0.5, y - body * 0.35, body * 0.45, _colour(colour))],
            stroke=_PAPER,
            width=0.1,
        )
        canvas.text(
            x + body * 1.6, y, _fit_text(_clean(text), body, w - body * 1.6), size=body, fill=_INK
        )
    if spec.size_legend:
        y += line * 1.4
        canvas.text(x, y, _fit_text(_clean(spec.size_legend), body, w), size=body, fill=_INK)
        y += r_max * 2 + body * 0.4
        cx = x
        for r in (r_min, (r_min + r_max) / 2, r_max):
            canvas.circles([(cx + r, y - r, r, NEUTRAL)], stroke=_PAPER, width=0.1)
            cx += 2 * r + body
    y += line * 0.6
    for note in notes:
        y += line
        canvas.text(x, y, _fit_text(note, body * 0.9, w), size=body * 0.9, fill=_MUTED)


def _index_heading(spec: PosterSpec) -> str:
    what = "code" if spec.anonymised else "name"
    return f"Find yourself: {what} → grid square"


def _draw_index_entries(canvas, entries, font: float) -> None:
    cell_w = text_width("W26", font)
    for x, y, col_w, label, cell in entries:
        text = _fit_text(label, font, col_w - cell_w - font)
        canvas.text(x, y, text, size=font, fill=_INK, role="index-label")
        canvas.text(
            x + col_w, y, cell, size=font, fill=_MUTED, anchor="end", bold=True, role="index-cell"
        )


def _draw_index_page(canvas, spec: PosterSpec, plan: _Plan, page, number: int, total: int):
    w, h, m = plan.width, plan.height, plan.margin
    canvas.rect(0, 0, w, h, fill=_PAPER)
    heading = _index_heading(spec)
    canvas.text(
        m, m + plan.title_size * 0.6, heading, size=plan.title_size * 0.7, fill=_INK, bold=True
    )
    canvas.text(
        m,
        m + plan.title_size * 0.6 + plan.body_size * 2,
        spec.title,
        size=plan.body_size,
        fill=_MUTED,
    )
    _draw_index_entries(canvas, page, plan.index_size)
    canvas.text(
        w - m,
        h - m * 0.45,
        f"Page {number} of {total}",
        size=plan.small_size,
        fill=_MUTED,
        anchor="end",
    )


# --- canvases -----------------------------------------------------------------


def _svg_document(body: str, width: float, height: float, title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}mm" '
        f'height="{_n(height)}mm" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'font-family="{_FONT_STACK}">'
        f"<title>{_xml(title)}</title>{body}</svg>\n"
    )


class _SvgCanvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x, y, w, h, *, fill: str, opacity: float = 1.0) -> None:
        extra = f' fill-opacity="{_n(opacity)}"' if opacity < 1 else ""
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
            f'fill="{_colour(fill)}"{extra}/>'
        )

    def segments(self, segments, *, stroke: str, width: float, opacity: float = 1.0) -> None:
        d = "".join(f"M{_n(a)} {_n(b)}L{_n(c)} {_n(e)}" for a, b, c, e in segments)
        self.parts.append(
            f'<path fill="none" stroke="{_colour(stroke)}" stroke-width="{_n(width)}" '
            f'stroke-opacity="{_n(opacity)}" stroke-linecap="round" d="{d}"/>'
        )

    def circles(self, circles, *, stroke: str, width: float) -> None:
        self.parts.append(f'<g stroke="{_colour(stroke)}" stroke-width="{_n(width)}">')
        self.parts.extend(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{_colour(fill)}"/>'
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
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{_colour(fill)}"'
            f"{attrs}>{_xml(text)}</text>"
        )


class _CairoCanvas:
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
        text = _clean(text)
        weight = self.cairo.FONT_WEIGHT_BOLD if bold else self.cairo.FONT_WEIGHT_NORMAL
        c.select_font_face(FONT_FAMILY, self.cairo.FONT_SLANT_NORMAL, weight)
        c.set_font_size(size)
        if anchor != "start":
            advance = c.text_extents(text)[4]
            x -= advance / 2 if anchor == "middle" else advance
        c.move_to(x, y)
        c.set_source_rgb(*_rgb(fill))
        c.show_text(text)
