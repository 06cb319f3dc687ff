"""Where labels go on the map: greedy, priority-ordered placement with no overlaps."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from networkmaps.graph.poster.text import clean, text_width


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
        text = clean(node.label).strip()
        if not text:
            continue
        for factor in shrink:
            label = _try_spots(node, text, font_mm * factor, index, (bx0, by0, bx1, by1))
            if label is not None:
                placed[node.id] = label
                index.add(("l",), label.x0, label.y0, label.x1, label.y1)
                break
    return placed


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
