"""The page plan: sizes, map square, grid, dots and where the member index goes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from networkmaps.graph.poster.discs import separate_discs
from networkmaps.graph.poster.labels import PlacedNode
from networkmaps.graph.poster.spec import (
    LAYOUT_BOX,
    MM_PER_PT,
    PAPER_SIZES,
    PosterSpec,
    safe_colour,
    typography,
)
from networkmaps.graph.poster.text import clean, text_width


@dataclass
class Plan:
    width: float
    height: float
    margin: float
    title_size: float
    subtitle_size: float
    body_size: float
    small_size: float
    index_size: float
    name_size: float  # the smallest a label on the map may be
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


def make_plan(spec: PosterSpec) -> Plan:
    if spec.paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {spec.paper!r}; use one of {sorted(PAPER_SIZES)}")
    w, h = PAPER_SIZES[spec.paper]
    if spec.landscape:
        w, h = h, w
    short = min(w, h)
    floors = typography(spec.paper)
    margin = max(8.0, short * 0.03)
    title = max(short * 0.034, floors.title_pt * MM_PER_PT)
    subtitle = title * 0.5
    body = max(2.6, short * 0.0055, floors.index_pt * MM_PER_PT)
    small = max(2.0, short * 0.004, floors.index_pt * MM_PER_PT)
    index_size = max(2.3, short * 0.0036, floors.index_pt * MM_PER_PT)
    name_size = floors.name_pt * MM_PER_PT
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
        ((clean(node.index_label), cells[node.id], node.id) for node in spec.nodes),
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
    return Plan(
        width=w,
        height=h,
        margin=margin,
        title_size=title,
        subtitle_size=subtitle,
        body_size=body,
        small_size=small,
        index_size=index_size,
        name_size=name_size,
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
    rs, cxs, cys = [], [], []
    for value, (ux, uy) in zip(sizes, centres, strict=True):
        t = (value - lo) / (hi - lo) if hi > lo else 0.25
        rs.append(r_min + (r_max - r_min) * math.sqrt(t))
        cxs.append(x0 + side / 2 + ux * half)
        cys.append(y0 + side / 2 + uy * half)
    # Discs may not overlap: the white outline each is drawn with is the gap between them.
    cxs, cys, rs = separate_discs(
        cxs, cys, rs, gap=disc_outline(r_min), box=(x0, y0, x0 + side, y0 + side)
    )
    dots, colours = [], {}
    for i, (node, value) in enumerate(zip(spec.nodes, sizes, strict=True)):
        cx, cy, r = float(cxs[i]), float(cys[i]), float(rs[i])
        dots.append(PlacedNode(node.id, cx, cy, r, clean(node.label), value))
        colours[node.id] = safe_colour(node.colour)
    return dots, colours, (r_min, r_max)


def disc_outline(r_min: float) -> float:
    """Width of the white outline round each disc (pages.py draws it)."""
    return min(max(r_min * 0.18, 0.1), 0.6)


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
