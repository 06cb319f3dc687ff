"""Node discs that do not overlap: push overlapping discs apart after the layout.

The layout puts a person on the same spot every round; drawing its dense middle at a
legible disc size piles discs on each other. This pass moves each disc only as far as its
neighbours force it, in a fixed order of operations (no randomness), so a person stays
near their layout spot and a round that changes little moves little.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

MAX_SWEEPS = 600
GENTLE_SWEEPS = 150


def separate_discs(
    xs: np.ndarray,
    ys: np.ndarray,
    rs: np.ndarray,
    *,
    gap: float,
    box: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centres (and, only if pushing cannot clear a crowd, radii) such that every two discs
    are at least ``gap`` apart, and every disc stays inside ``box`` (x0, y0, x1, y1).

    Each sweep finds the overlapping pairs (a k-d tree, so 10k discs are quick) and moves
    both discs of each pair apart along the line between them: by a small share of the
    overlap for the first sweeps, so the answer changes smoothly with the layout, then by
    a little over half, to finish. A crowd too dense for its box shrinks last, each
    remaining pair just enough to touch."""
    x, y, r = (np.array(v, dtype=float) for v in (xs, ys, rs))
    n = len(x)
    if n < 2:
        return x, y, r
    x0, y0, x1, y1 = box
    reach = 2 * float(r.max()) + gap
    # Coincident points have no line between them: nudge them apart along a fixed spiral.
    spiral = np.arange(n, dtype=float)
    for sweep in range(MAX_SWEEPS):
        pairs = cKDTree(np.column_stack([x, y])).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        a, b = pairs[:, 0], pairs[:, 1]
        dx, dy = x[b] - x[a], y[b] - y[a]
        dist = np.hypot(dx, dy)
        # Aim a hair past the gap, so rounding never leaves pairs a nanometre too close.
        need = r[a] + r[b] + gap + 1e-4
        over = need - dist
        hit = over > 5e-5
        if not hit.any():
            break
        a, b, dx, dy, dist, over = a[hit], b[hit], dx[hit], dy[hit], dist[hit], over[hit]
        flat = dist < 1e-9
        angle = spiral[a[flat]] * 2.399963  # the golden angle: no two directions repeat
        dx[flat], dy[flat], dist[flat] = np.cos(angle), np.sin(angle), 1.0
        # Small steps first, so the result follows the layout smoothly (a round that moves
        # a few people rearranges little); then a little over half each, to finish fast.
        step = over * (0.15 if sweep < GENTLE_SWEEPS else 0.55) / dist
        mx, my = np.zeros(n), np.zeros(n)
        np.add.at(mx, a, -dx * step)
        np.add.at(my, a, -dy * step)
        np.add.at(mx, b, dx * step)
        np.add.at(my, b, dy * step)
        x = np.clip(x + mx, x0 + r, x1 - r)
        y = np.clip(y + my, y0 + r, y1 - r)
    return x, y, _shrink_remaining(x, y, r, gap=gap, reach=reach)


def _shrink_remaining(x, y, r, *, gap: float, reach: float) -> np.ndarray:
    r = r.copy()
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(reach, output_type="ndarray")
    for a, b in pairs:
        dist = float(np.hypot(x[b] - x[a], y[b] - y[a]))
        need = r[a] + r[b] + gap
        if need > dist:
            factor = max(dist - gap, 0.0) / (r[a] + r[b])
            r[a] *= factor
            r[b] *= factor
    return r


def overlapping_pairs(discs, *, gap: float = 0.0) -> list[tuple[int, int]]:
    """Index pairs of discs ``(x, y, r)`` that come closer than ``gap`` (for tests/bench)."""
    if len(discs) < 2:
        return []
    pts = np.array([(d[0], d[1]) for d in discs])
    rs = np.array([d[2] for d in discs])
    found = []
    for a, b in cKDTree(pts).query_pairs(2 * float(rs.max()) + gap):
        if np.hypot(*(pts[a] - pts[b])) < rs[a] + rs[b] + gap - 1e-6:
            found.append((int(a), int(b)))
    return found
