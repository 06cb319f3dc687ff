"""Following the previous round: known people start where they were and move a little."""

from __future__ import annotations

import heapq
import math

import igraph as ig
import numpy as np

from networkmaps.graph.layout.box import (
    BOX,
    EXACT_MAX,
    GRID_SPACING,
    MAX_DISPLACEMENT,
    RING_SPACING,
    STABLE_STEP,
)
from networkmaps.graph.layout.fresh import (
    CircleIndex,
    Spiral,
    component_shape,
    median_spacing,
    radius_of,
    rings,
)


def follow_previous(
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
    spacing = median_spacing(placed)
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
    obstacles = CircleIndex(cell=4 * unit)
    for x, y in positions[~np.isnan(positions[:, 0])]:
        obstacles.add(float(x), float(y), unit / 2)
    shapes = []
    for members in new:
        local = component_shape(graph.induced_subgraph(members)) * unit
        shapes.append((members, local, radius_of(local / unit) * unit))
    shapes.sort(key=lambda s: -s[2])
    # Search from the outer part of the map so a new group does not look
    # like part of an existing cluster.
    placed = positions[~np.isnan(positions[:, 0])]
    start = 0.75 * float(np.linalg.norm(placed, axis=1).max()) if len(placed) else 0.0
    for members, local, radius in shapes:
        spiral = Spiral(start=start, radius=radius)
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
        positions[new] = rings(len(new), unit, unit, unit * RING_SPACING)
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
    spacing = median_spacing(current) or 1.0
    if exact:
        e = np.asarray(sub.get_edgelist())
        cubes = float((np.linalg.norm(current[e[:, 0]] - current[e[:, 1]], axis=1) ** 3).sum())
        scale = (cubes / (n * (n - 1) / 2)) ** (1 / 3) if cubes > 0 else spacing
    else:
        scale = spacing / GRID_SPACING
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
