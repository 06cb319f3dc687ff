"""A fresh layout: components drawn at one density, packed as circles, isolates on rings."""

from __future__ import annotations

import math
from collections.abc import Sequence

import igraph as ig
import numpy as np
from scipy.spatial import cKDTree

from networkmaps.graph.layout.box import BOX, COMPONENT_GAP, EXACT_MAX, RING_GAP, RING_SPACING


def fresh_layout(graph: ig.Graph) -> np.ndarray:
    """Positions in units (typical node spacing 1), centred near the origin."""
    n = graph.vcount()
    positions = np.zeros((n, 2))
    components = [c for c in graph.connected_components() if len(c) > 1]
    isolates = [v for v in range(n) if graph.degree(v) == 0]

    shapes = []
    for members in components:
        local = component_shape(graph.induced_subgraph(members))
        shapes.append((members, local, radius_of(local)))
    centres = _pack([radius for _, _, radius in shapes])
    for (members, local, _), centre in zip(shapes, centres, strict=True):
        positions[members] = local + centre

    core = np.array([v for members in components for v in members], dtype=int)
    if len(core):
        lo, hi = positions[core].min(axis=0), positions[core].max(axis=0)
        positions[core] -= (lo + hi) / 2
        # The smallest ellipse of the core's proportions that holds it, so the
        # rings hug a wide core instead of leaving empty bands above and below.
        half = np.maximum((hi - lo) / 2, 0.5)
        k = float(np.sqrt(((positions[core] / half) ** 2).sum(axis=1)).max())
        axes = (k * half[0] + RING_GAP, k * half[1] + RING_GAP)
    else:
        axes = (0.0, 0.0)
    if isolates:
        positions[isolates] = rings(len(isolates), *axes)
    return positions


def component_shape(sub: ig.Graph) -> np.ndarray:
    """Lay out one connected component, centred, typical node spacing 1."""
    n = sub.vcount()
    if n == 2:
        return np.array([[-0.5, 0.0], [0.5, 0.0]])
    if n <= EXACT_MAX:
        coords = sub.layout_fruchterman_reingold(niter=500, grid=False).coords
    else:
        # The grid variant only repels nearby vertices: fast, a little less tidy.
        niter = 500 if n <= 50_000 else 300
        coords = sub.layout_fruchterman_reingold(niter=niter, grid=True).coords
    local = np.array(coords, dtype=float)
    spacing = median_spacing(local)
    if spacing > 0:
        local /= spacing
    return local - local.mean(axis=0)


def median_spacing(points: np.ndarray) -> float:
    """Median distance from a point to its nearest neighbour."""
    if len(points) < 2:
        return 0.0
    distances, _ = cKDTree(points).query(points, k=2)
    return float(np.median(distances[:, 1]))


def radius_of(local: np.ndarray) -> float:
    return float(np.linalg.norm(local, axis=1).max()) + 0.5


def _pack(radii: Sequence[float], gap: float = COMPONENT_GAP) -> list[np.ndarray]:
    """Centres for circles: the first (largest) at the origin, the rest on a
    spiral around it, each at the first spot where it overlaps nothing."""
    order = sorted(range(len(radii)), key=lambda i: -radii[i])
    centres: list[np.ndarray] = [np.zeros(2)] * len(radii)
    if not order:
        return centres
    placed = CircleIndex(cell=2 * radii[order[1]] + gap if len(order) > 1 else 1.0)
    first = order[0]
    placed.add(0.0, 0.0, radii[first])
    spiral = Spiral(start=radii[first], radius=radii[order[1]] if len(order) > 1 else 1.0)
    for i in order[1:]:
        r = radii[i]
        if abs(r - spiral.radius) > 1e-9:
            # Smaller pieces may fit in gaps the bigger ones left: start over.
            spiral = Spiral(start=radii[first], radius=r)
        while True:
            x, y = spiral.next()
            if not placed.collides(x, y, r + gap):
                break
        placed.add(x, y, r)
        centres[i] = np.array([x, y])
    return centres


class Spiral:
    """Archimedean spiral walk outward, one turn per circle diameter."""

    def __init__(self, *, start: float, radius: float):
        self.radius = radius
        self.pitch = (2 * radius + COMPONENT_GAP) / (2 * math.pi)
        self.theta = max(start, 0.0) / self.pitch

    def next(self) -> tuple[float, float]:
        rho = self.pitch * self.theta
        self.theta += min(0.5, max(self.radius, 0.25) / max(rho, 1e-9))
        return rho * math.cos(self.theta), rho * math.sin(self.theta)


class CircleIndex:
    """Uniform-grid hash of circles for overlap tests."""

    def __init__(self, cell: float):
        self.cell = max(cell, 1e-6)
        self.cells: dict[tuple[int, int], list[tuple[float, float, float]]] = {}

    def _span(self, x: float, y: float, r: float):
        c = self.cell
        for gx in range(math.floor((x - r) / c), math.floor((x + r) / c) + 1):
            for gy in range(math.floor((y - r) / c), math.floor((y + r) / c) + 1):
                yield gx, gy

    def add(self, x: float, y: float, r: float) -> None:
        for key in self._span(x, y, r):
            self.cells.setdefault(key, []).append((x, y, r))

    def collides(self, x: float, y: float, r: float) -> bool:
        for key in self._span(x, y, r):
            for ox, oy, orad in self.cells.get(key, ()):
                if (ox - x) ** 2 + (oy - y) ** 2 < (orad + r) ** 2:
                    return True
        return False


def rings(count: int, ax: float, ay: float, spacing: float = RING_SPACING) -> np.ndarray:
    """``count`` points on concentric ellipses from semi-axes (ax, ay)
    outward, spread evenly around each, starting at the top."""
    points = np.zeros((count, 2))
    done = 0
    a, b = max(ax, spacing), max(ay, spacing)
    while done < count:
        # Ramanujan's approximation of the ellipse's perimeter.
        perimeter = math.pi * (3 * (a + b) - math.sqrt((3 * a + b) * (a + 3 * b)))
        take = min(max(1, int(perimeter / spacing)), count - done)
        angles = -math.pi / 2 + 2 * math.pi * np.arange(take) / take
        points[done : done + take] = np.c_[a * np.cos(angles), b * np.sin(angles)]
        done += take
        a, b = a + spacing, b + spacing
    return points


def fit_box(positions: np.ndarray) -> np.ndarray:
    if len(positions) == 0:
        return positions
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    half = float((hi - lo).max()) / 2
    centred = positions - (lo + hi) / 2
    return centred * (BOX / half) if half > 0 else centred
