"""What each page shows (map, grid, labels, legend, member index), painted on any canvas.

A canvas has ``rect``, ``segments``, ``circles`` and ``text``: svg.SvgCanvas and
pdf.CairoCanvas implement them.
"""

from __future__ import annotations

from networkmaps.graph.poster.labels import place_labels
from networkmaps.graph.poster.plan import Plan, disc_outline
from networkmaps.graph.poster.spec import (
    EDGE,
    GRID,
    INK,
    MUTED,
    NEUTRAL,
    PAPER,
    PosterSpec,
    safe_colour,
)
from networkmaps.graph.poster.text import clean, fit_text, text_width


def page_painters(spec: PosterSpec, plan: Plan):
    painters = [lambda canvas: _draw_poster(canvas, spec, plan)]
    total = 1 + len(plan.index_pages)
    for number, page in enumerate(plan.index_pages, start=2):
        painters.append(
            lambda canvas, page=page, number=number: _draw_index_page(
                canvas, spec, plan, page, number, total
            )
        )
    return painters


def _draw_poster(canvas, spec: PosterSpec, plan: Plan) -> None:
    w, h, m = plan.width, plan.height, plan.margin
    canvas.rect(0, 0, w, h, fill=PAPER)

    # Header: title, subtitle, date on the right.
    title_y = m + plan.title_size * 0.8
    # A long program name is cut, never set smaller than the paper's title size.
    title = fit_text(clean(spec.title), plan.title_size * 1.15, w - 2 * m)
    canvas.text(m, title_y, title, size=plan.title_size, fill=INK, bold=True)
    sub_y = title_y + plan.subtitle_size * 1.6
    room = w - 2 * m - text_width(spec.date, plan.subtitle_size) - plan.subtitle_size * 2
    subtitle = fit_text(clean(spec.subtitle), plan.subtitle_size, room)
    canvas.text(m, sub_y, subtitle, size=plan.subtitle_size, fill=MUTED)
    canvas.text(w - m, sub_y, spec.date, size=plan.subtitle_size, fill=MUTED, anchor="end")

    _draw_edges(canvas, spec, plan)
    _draw_nodes(canvas, plan)
    _draw_grid(canvas, plan)
    _draw_labels(canvas, plan)
    _draw_legend(canvas, spec, plan)

    ix, iy, iw, ih = plan.index_area
    heading = _index_heading(spec)
    hy = iy + plan.body_size
    canvas.text(ix, hy, heading, size=plan.body_size * 1.1, fill=INK, bold=True)
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
            fill=MUTED,
        )
    canvas.text(
        w - m, h - m * 0.45, "Made with netlead", size=plan.small_size, fill=MUTED, anchor="end"
    )


def _draw_edges(canvas, spec: PosterSpec, plan: Plan) -> None:
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
            canvas.segments(segments, stroke=EDGE, width=base * (1, 1.7, 2.6)[k], opacity=opacity)


def _draw_nodes(canvas, plan: Plan) -> None:
    # Big circles first so small ones stay visible on top.
    order = sorted(plan.dots, key=lambda d: (-d.r, d.label, d.x, d.y))
    stroke = disc_outline(plan.r_range[0])
    canvas.circles([(d.x, d.y, d.r, plan.colours[d.id]) for d in order], stroke=PAPER, width=stroke)


def _draw_grid(canvas, plan: Plan) -> None:
    x0, y0, side = plan.square
    n = plan.grid_n
    step = side / n
    segments = [(x0 + i * step, y0, x0 + i * step, y0 + side) for i in range(n + 1)]
    segments += [(x0, y0 + i * step, x0 + side, y0 + i * step) for i in range(n + 1)]
    canvas.segments(segments, stroke=GRID, width=max(0.12, plan.small_size * 0.06), opacity=0.22)
    size = plan.small_size
    for i in range(n):
        cx = x0 + (i + 0.5) * step
        cy = y0 + (i + 0.5) * step + size * 0.36
        letter, number = chr(ord("A") + i), str(i + 1)
        canvas.text(cx, y0 - size * 0.6, letter, size=size, fill=MUTED, anchor="middle")
        canvas.text(cx, y0 + side + size * 1.4, letter, size=size, fill=MUTED, anchor="middle")
        canvas.text(x0 - size * 0.6, cy, number, size=size, fill=MUTED, anchor="end")
        canvas.text(x0 + side + size * 0.6, cy, number, size=size, fill=MUTED)


def _draw_labels(canvas, plan: Plan) -> None:
    x0, y0, side = plan.square
    font = min(max(plan.r_range[0] * 1.5, 1.8), min(plan.width, plan.height) * 0.006)
    # Never below the paper's smallest legible name: fewer labels, not smaller ones.
    font = max(font, plan.name_size)
    shrink = [f for f in (1.0, 0.85) if font * f >= plan.name_size - 1e-9]
    labels = place_labels(
        plan.dots, font_mm=font, box=(x0, y0, x0 + side, y0 + side), shrink=shrink
    )
    for label in labels.values():
        pad = label.font_mm * 0.12
        canvas.rect(
            label.x0 - pad,
            label.y0,
            label.x1 - label.x0 + 2 * pad,
            label.y1 - label.y0,
            fill=PAPER,
            opacity=0.7,
        )
    for label in labels.values():
        canvas.text(
            label.x,
            label.baseline,
            label.text,
            size=label.font_mm,
            fill=INK,
            anchor=label.anchor,
            role="label",
        )


def _draw_legend(canvas, spec: PosterSpec, plan: Plan) -> None:
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
        legend = legend[: max(room - 1, 0)] + [(PAPER, f"+ {hidden} more")]
    y += body
    heading = fit_text(clean(spec.legend_title or "Key"), body * 1.1, w)
    canvas.text(x, y, heading, size=body * 1.1, fill=INK, bold=True)
    y += line * 0.6
    for colour, text in legend:
        y += line
        canvas.circles(
            [(x + body * 0.5, y - body * 0.35, body * 0.45, safe_colour(colour))],
            stroke=PAPER,
            width=0.1,
        )
        canvas.text(
            x + body * 1.6, y, fit_text(clean(text), body, w - body * 1.6), size=body, fill=INK
        )
    if spec.size_legend:
        y += line * 1.4
        canvas.text(x, y, fit_text(clean(spec.size_legend), body, w), size=body, fill=INK)
        y += r_max * 2 + body * 0.4
        cx = x
        for r in (r_min, (r_min + r_max) / 2, r_max):
            canvas.circles([(cx + r, y - r, r, NEUTRAL)], stroke=PAPER, width=0.1)
            cx += 2 * r + body
    y += line * 0.6
    for note in notes:
        y += line
        canvas.text(x, y, fit_text(note, body, w), size=body, fill=MUTED)


def _index_heading(spec: PosterSpec) -> str:
    what = "code" if spec.anonymised else "name"
    return f"Find yourself: {what} → grid square"


def _draw_index_entries(canvas, entries, font: float) -> None:
    cell_w = text_width("W26", font)
    for x, y, col_w, label, cell in entries:
        text = fit_text(label, font, col_w - cell_w - font)
        canvas.text(x, y, text, size=font, fill=INK, role="index-label")
        canvas.text(
            x + col_w, y, cell, size=font, fill=MUTED, anchor="end", bold=True, role="index-cell"
        )


def _draw_index_page(canvas, spec: PosterSpec, plan: Plan, page, number: int, total: int):
    w, h, m = plan.width, plan.height, plan.margin
    canvas.rect(0, 0, w, h, fill=PAPER)
    heading = _index_heading(spec)
    canvas.text(
        m, m + plan.title_size * 0.6, heading, size=plan.title_size * 0.7, fill=INK, bold=True
    )
    canvas.text(
        m,
        m + plan.title_size * 0.6 + plan.body_size * 2,
        spec.title,
        size=plan.body_size,
        fill=MUTED,
    )
    _draw_index_entries(canvas, page, plan.index_size)
    canvas.text(
        w - m,
        h - m * 0.45,
        f"Page {number} of {total}",
        size=plan.small_size,
        fill=MUTED,
        anchor="end",
    )
