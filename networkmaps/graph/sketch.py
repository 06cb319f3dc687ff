"""A tiny picture of two people's networks for the weaving queue. Pure; no Django.

The pair sits left and right, shared contacts in the middle column, each person's other
contacts fanned out on their own side — enough to see at a glance why they should meet.
"""

from __future__ import annotations

import math

WIDTH, HEIGHT = 220, 120
MAX_PER_SIDE = 10


def pair_sketch(
    a: int, b: int, neighbours_a: set[int], neighbours_b: set[int]
) -> dict[str, list[dict]]:
    """Circles and lines (SVG user units in a WIDTH × HEIGHT box) for a pair and contacts."""
    shared = sorted((neighbours_a & neighbours_b) - {a, b})[:MAX_PER_SIDE]
    only_a = sorted(neighbours_a - neighbours_b - {b})[:MAX_PER_SIDE]
    only_b = sorted(neighbours_b - neighbours_a - {a})[:MAX_PER_SIDE]
    pa, pb = (60.0, HEIGHT / 2), (WIDTH - 60.0, HEIGHT / 2)
    nodes = [
        {"x": pa[0], "y": pa[1], "r": 7, "role": "pair"},
        {"x": pb[0], "y": pb[1], "r": 7, "role": "pair"},
    ]
    lines = []
    for i, y in enumerate(_spread(len(shared))):
        point = (WIDTH / 2, y)
        nodes.append({"x": point[0], "y": point[1], "r": 3.5, "role": "shared"})
        lines += [_line(pa, point, "shared"), _line(pb, point, "shared")]
        del i
    for centre, members, direction in ((pa, only_a, -1), (pb, only_b, 1)):
        for angle in _fan(len(members)):
            point = (
                centre[0] + direction * 42 * math.cos(angle),
                centre[1] + 42 * math.sin(angle),
            )
            nodes.append({"x": point[0], "y": point[1], "r": 3, "role": "own"})
            lines.append(_line(centre, point, "own"))
    return {"nodes": nodes, "lines": lines, "shared": len(neighbours_a & neighbours_b)}


def _spread(count: int) -> list[float]:
    if count == 0:
        return []
    step = (HEIGHT - 20) / max(count, 1)
    return [10 + step * (i + 0.5) for i in range(count)]


def _fan(count: int) -> list[float]:
    if count == 0:
        return []
    if count == 1:
        return [0.0]
    return [-1.2 + 2.4 * i / (count - 1) for i in range(count)]


def _line(p, q, role: str) -> dict:
    return {"x1": round(p[0], 1), "y1": round(p[1], 1), "x2": round(q[0], 1), "y2": round(q[1], 1),
            "role": role}  # fmt: skip
