"""Stable force-directed map coordinates (pure: no Django).

Coordinates live in the fixed box [-BOX, BOX]² so every consumer (the
WebGL map, the poster, exports) can scale them without knowing the graph.

A fresh layout (no ``previous``):

1. each connected component is laid out on its own with igraph's
   Fruchterman–Reingold (exact O(n²) forces up to ``EXACT_MAX`` nodes,
   igraph's grid approximation above that) and rescaled so the median
   distance to a nearest neighbour is one unit, so every component is drawn
   at the same density;
2. components are packed as circles, largest in the middle, the rest
   spiralling around it, so the picture uses the space;
3. isolates sit on rings just outside the packed components, not flung
   to the far edge of the canvas;
4. everything is scaled to fill the box.

With ``previous`` (the last round's positions) known people start where
they were and a short, cooled run nudges them: igraph's per-vertex bounds
keep each within ``STABLE_STEP`` of the box width per axis, and after
fitting away any overall growth no one moves more than ``MAX_DISPLACEMENT``
(4.2% of the box width). New people start at their placed neighbours'
centroid and move freely; new isolates take the widest gaps on the outer
ring and wholly new components are fitted into free space. Only if those
new pieces cannot fit inside the box is the whole map scaled down to make
room, which can move people further.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Sequence

import igraph as ig
import numpy as np
from scipy.spatial import cKDTree

BOX = 1000.0
# Exact forces cost n² per iteration: ~2.7 s for 1,500 nodes at 500 iterations.
EXACT_MAX = 1500
# Largest per-axis move of a person who was on the previous map, as a
# fraction of the box width; the Euclidean bound is this times √2.
STABLE_STEP = 0.03
MAX_DISPLACEMENT = STABLE_STEP * 2 * BOX * math.sqrt(2)

# Grid FR runs at this node spacing (igraph units) when following a round.
_GRID_SPACING = 0.1
_COMPONENT_GAP = 1.5  # units (typical node spacing) between packed components
_RING_GAP = 2.0  # units between the components and the first isolate ring
_RING_SPACING = 1.2  # units between neighbouring isolates on a ring


def compute_layout(
    *,
    nodes: list[int],
    edges: list[tuple[int, int]],
    previous: dict[int, tuple[float, float]] | None = None,
    seed: int = 0,
) -> dict[int, tuple[float, float]]:
    """Return ``{node: (x, y)}`` inside [-BOX, BOX]² for every node.

    Edges are treated as undirected; self-ties and repeats are ignored. The
    result depends only on the arguments (same input in any order, same
    picture). ``previous`` may hold people who have since left, or
    positions that are not finite numbers; both are ignored.
    """
    # Sorted, so the picture does not depend on the order rows came back in.
    order = sorted(nodes)
    index = {node: i for i, node in enumerate(order)}
    if len(index) != len(nodes):
        raise ValueError("nodes contains duplicates")
    pairs = set()
    for a, b in edges:
        if a not in index or b not in index:
            raise ValueError(f"edge ({a}, {b}) names a node that is not in nodes")
        ia, ib = index[a], index[b]
        if ia != ib:
            pairs.add((ia, ib) if ia < ib else (ib, ia))
    if not nodes:
        return {}
    graph = ig.Graph(n=len(nodes), edges=sorted(pairs))

    ig.set_random_number_generator(random.Random(seed))
    try:
        before = {
            node: p
            for node, p in (previous or {}).items()
            if node in index and len(p) == 2 and all(map(math.isfinite, p))
        }
        known = [i for i, node in enumerate(order) if node in before]
        if known:
            prev = np.array([before[order[i]] for i in known], dtype=float)
            positions = _follow_previous(graph, known, prev, np.random.default_rng(seed))
        else:
            positions = _fit_box(_fresh(graph))
    finally:
        # igraph's default generator is the `random` module itself.
        ig.set_random_number_generator(random)

    return {
        node: (round(float(x), 2), round(float(y), 2))
        for node, (x, y) in zip(order, positions, strict=True)
    }


# --- fresh layout -----------------------------------------------------------


def _fresh(graph: ig.Graph) -> np.ndarray:
    """Positions in units (typical node spacing 1), centred near the origin."""
    n = graph.vcount()
    positions = np.zeros((n, 2))
    components = [c for c in graph.connected_components() if len(c) > 1]
    isolates = [v for v in range(n) if graph.degree(v) == 0]

    shapes = []
    for members in components:
        local = _component_shape(graph.induced_subgraph(members))
        shapes.append((members, local, _radius(local)))
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
        axes = (k * half[0] + _RING_GAP, k * half[1] + _RING_GAP)
    else:
        axes = (0.0, 0.0)
    if isolates:
        positions[isolates] = _rings(len(isolates), *axes)
    return positions


def _component_shape(sub: ig.Graph) -> np.ndarray:
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
    spacing = _median_spacing(local)
    if spacing > 0:
        local /= spacing
    return local - local.mean(axis=0)


def _median_spacing(points: np.ndarray) -> float:
    """Median distance from a point to its nearest neighbour."""
    if len(points) < 2:
        return 0.0
    distances, _ = cKDTree(points).query(points, k=2)
    return float(np.median(distances[:, 1]))


def _radius(local: np.ndarray) -> float:
    return float(np.linalg.norm(local, axis=1).max()) + 0.5


def _pack(radii: Sequence[float], gap: float = _COMPONENT_GAP) -> list[np.ndarray]:
    """Centres for circles: the first (largest) at the origin, the rest on a
    spiral around it, each at the first spot where it overlaps nothing."""
    order = sorted(range(len(radii)), key=lambda i: -radii[i])
    centres: list[np.ndarray] = [np.zeros(2)] * len(radii)
    if not order:
        return centres
    placed = _CircleIndex(cell=2 * radii[order[1]] + gap if len(order) > 1 else 1.0)
    first = order[0]
    placed.add(0.0, 0.0, radii[first])
    spiral = _Spiral(start=radii[first], radius=radii[order[1]] if len(order) > 1 else 1.0)
    for i in order[1:]:
        r = radii[i]
        if abs(r - spiral.radius) > 1e-9:
            # Smaller pieces may fit in gaps the bigger ones left: start over.
            spiral = _Spiral(start=radii[first], radius=r)
        while True:
            x, y = spiral.next()
            if not placed.collides(x, y, r + gap):
                break
        placed.add(x, y, r)
        centres[i] = np.array([x, y])
    return centres


class _Spiral:
    """Archimedean spiral walk outward, one turn per circle diameter."""

    def __init__(self, *, start: float, radius: float):
        self.radius = radius
        self.pitch = (2 * radius + _COMPONENT_GAP) / (2 * math.pi)
        self.theta = max(start, 0.0) / self.pitch

    def next(self) -> tuple[float, float]:
        rho = self.pitch * self.theta
        self.theta += min(0.5, max(self.radius, 0.25) / max(rho, 1e-9))
        return rho * math.cos(self.theta), rho * math.sin(self.theta)


class _CircleIndex:
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


def _rings(count: int, ax: float, ay: float, spacing: float = _RING_SPACING) -> np.ndarray:
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


def _fit_box(positions: np.ndarray) -> np.ndarray:
    if len(positions) == 0:
        return positions
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    half = float((hi - lo).max()) / 2
    centred = positions - (lo + hi) / 2
    return centred * (BOX / half) if half > 0 else centred


# --- following the previous round -------------------------------------------


def _follow_previous(
    graph: ig.Graph, known: list[int], prev: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    n = graph.vcount()
    positions = np.full((n, 2), np.nan)
    positions[known] = prev
    is_known = np.zeros(n, dtype=bool)
    is_known[known] = True
    unit = _box_unit(positions)

    _place_by_neighbours(graph, positions, unit, rng)
    _place_new_components(graph, positions, unit)
    _place_new_isolates(graph, positions, unit)

    for members in graph.connected_components():
        if len(members) > 1:
            _settle(graph.induced_subgraph(members), members, positions, is_known)

    # Only new pieces that found no room inside the box can push past it.
    overflow = float(np.abs(positions).max()) / BOX
    if overflow > 1:
        positions /= overflow
    return positions


def _box_unit(positions: np.ndarray) -> float:
    """Length of one layout unit (typical node spacing) in box coordinates."""
    placed = positions[~np.isnan(positions[:, 0])]
    spacing = _median_spacing(placed)
    return spacing if spacing > 0 else BOX / 20


def _place_by_neighbours(
    graph: ig.Graph, positions: np.ndarray, unit: float, rng: np.random.Generator
) -> None:
    """New people start at the centroid of their placed neighbours, wave by wave."""
    adjacency = graph.get_adjlist()
    waiting = [v for v in range(graph.vcount()) if np.isnan(positions[v, 0])]
    while waiting:
        placed_now = []
        for v in waiting:
            anchors = [u for u in adjacency[v] if not np.isnan(positions[u, 0])]
            if anchors:
                placed_now.append((v, positions[anchors].mean(axis=0)))
        if not placed_now:
            return
        for v, centre in placed_now:
            positions[v] = centre + rng.normal(scale=0.3 * unit, size=2)
        done = {v for v, _ in placed_now}
        waiting = [v for v in waiting if v not in done]


def _place_new_components(graph: ig.Graph, positions: np.ndarray, unit: float) -> None:
    """Components with nobody from the previous round: lay out fresh, then
    fit each into free space, scanning outward from the middle."""
    new = [c for c in graph.connected_components() if len(c) > 1 and np.isnan(positions[c[0], 0])]
    if not new:
        return
    obstacles = _CircleIndex(cell=4 * unit)
    for x, y in positions[~np.isnan(positions[:, 0])]:
        obstacles.add(float(x), float(y), unit / 2)
    shapes = []
    for members in new:
        local = _component_shape(graph.induced_subgraph(members)) * unit
        shapes.append((members, local, _radius(local / unit) * unit))
    shapes.sort(key=lambda s: -s[2])
    # Search from the outer part of the map so a new group does not look
    # like part of an existing cluster.
    placed = positions[~np.isnan(positions[:, 0])]
    start = 0.75 * float(np.linalg.norm(placed, axis=1).max()) if len(placed) else 0.0
    for members, local, radius in shapes:
        spiral = _Spiral(start=start, radius=radius)
        limit = BOX * math.sqrt(2) + radius
        while True:
            x, y = spiral.next()
            inside = abs(x) + radius <= BOX and abs(y) + radius <= BOX
            if (inside and not obstacles.collides(x, y, radius)) or math.hypot(x, y) > limit:
                break
        positions[members] = local + (x, y)
        obstacles.add(x, y, radius)


def _place_new_isolates(graph: ig.Graph, positions: np.ndarray, unit: float) -> None:
    """New isolates take the widest gaps on the outermost ring."""
    new = [v for v in range(graph.vcount()) if np.isnan(positions[v, 0])]
    if not new:
        return
    placed = positions[~np.isnan(positions[:, 0])]
    norms = np.linalg.norm(placed, axis=1) if len(placed) else np.zeros(0)
    radius = float(norms.max()) if len(norms) else 0.0
    if radius < unit:
        positions[new] = _rings(len(new), unit, unit, unit * _RING_SPACING)
        return
    on_ring = placed[norms >= radius - unit]
    angles = sorted(float(a) for a in np.arctan2(on_ring[:, 1], on_ring[:, 0]))
    # Gaps between consecutive ring angles; split the widest one each time.
    gaps = [
        (angles[(i + 1) % len(angles)] - angles[i]) % (2 * math.pi) or 2 * math.pi
        for i in range(len(angles))
    ]
    heap = [(-gap, start) for gap, start in zip(gaps, angles, strict=True)]
    heapq.heapify(heap)
    for v in new:
        gap, start = heapq.heappop(heap)
        gap = -gap
        middle = start + gap / 2
        positions[v] = (radius * math.cos(middle), radius * math.sin(middle))
        heapq.heappush(heap, (-gap / 2, start))
        heapq.heappush(heap, (-gap / 2, middle))
    np.clip(positions, -BOX, BOX, out=positions)


def _settle(sub: ig.Graph, members: list[int], positions: np.ndarray, is_known: np.ndarray):
    """Short, bounded Fruchterman–Reingold run on one component.

    Box coordinates are converted to igraph's force units first. For exact
    FR that is the scale at which the forces on the current picture balance
    (virial: Σ edge³ = number of repelling pairs). The grid variant's
    balance is very dense and slow to compute, so it runs at a sparser
    scale; the uniform expansion that causes is fitted away afterwards.
    """
    n = sub.vcount()
    current = positions[members]
    known = is_known[members]
    exact = n <= EXACT_MAX
    spacing = _median_spacing(current) or 1.0
    if exact:
        e = np.asarray(sub.get_edgelist())
        cubes = float((np.linalg.norm(current[e[:, 0]] - current[e[:, 1]], axis=1) ** 3).sum())
        scale = (cubes / (n * (n - 1) / 2)) ** (1 / 3) if cubes > 0 else spacing
    else:
        scale = spacing / _GRID_SPACING
    start = current / scale
    box = BOX / scale
    step = STABLE_STEP * 2 * box

    def run(lo: np.ndarray, hi: np.ndarray, temp: float, niter: int, seed: np.ndarray):
        layout = sub.layout_fruchterman_reingold(
            seed=seed.tolist(),
            niter=niter,
            start_temp=temp,
            grid=not exact,
            minx=lo[:, 0].tolist(),
            maxx=hi[:, 0].tolist(),
            miny=lo[:, 1].tolist(),
            maxy=hi[:, 1].tolist(),
        )
        return np.clip(np.array(layout.coords, dtype=float), lo, hi)

    free_lo, free_hi = np.full((n, 2), -box), np.full((n, 2), box)
    moved = start
    if not known.all():
        # First let newcomers find their place around a fixed map.
        lo = np.where(known[:, None], start, free_lo)
        hi = np.where(known[:, None], start, free_hi)
        moved = run(lo, hi, temp=5 * spacing / scale, niter=100 if exact else 50, seed=start)
    lo = np.where(known[:, None], np.maximum(start - step, -box), free_lo)
    hi = np.where(known[:, None], np.minimum(start + step, box), free_hi)
    moved = run(lo, hi, temp=step / 10, niter=50 if exact else 30, seed=moved) * scale

    # Undo any overall growth or drift, then hold everyone to the promise.
    moved = _fit_to(moved, current, known)
    shift = moved - current
    length = np.linalg.norm(shift, axis=1)
    too_far = known & (length > MAX_DISPLACEMENT)
    moved[too_far] = (
        current[too_far] + shift[too_far] * (MAX_DISPLACEMENT / length[too_far])[:, None]
    )
    positions[members] = np.clip(moved, -BOX, BOX)


def _fit_to(moved: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scale and translate ``moved`` so its ``mask`` rows best match ``target``."""
    a, b = moved[mask], target[mask]
    if len(a) < 2:
        return moved
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    spread = float(((a - ca) ** 2).sum())
    s = float(((a - ca) * (b - cb)).sum()) / spread if spread > 0 else 1.0
    return (moved - ca) * s + cb
