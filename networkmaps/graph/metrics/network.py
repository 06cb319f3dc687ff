"""Network-level figures of a round: size, density, components, path length,
clustering, centralisation, modularity, cores, reciprocity and E-I per grouping."""

from __future__ import annotations

import numpy as np

from networkmaps.graph.input import MergedGraph
from networkmaps.graph.metrics.paths import Paths, largest_component
from networkmaps.graph.metrics.structure import PERIPHERY_MAX_CORE, group_codes


def network_metrics(
    merged: MergedGraph,
    *,
    degree,
    triangles,
    clustering,
    sizes,
    labels,
    paths: Paths,
    modularity,
    community,
    core,
    core_size,
    groups,
) -> dict[str, float | int | None]:
    n, m = merged.n, merged.m
    largest = largest_component(labels, sizes)
    connected_triples = float((degree * (degree - 1) / 2).sum())
    network: dict[str, float | int | None] = {
        "members": n,
        "ties": m,
        "relationships": merged.relationships,
        "density": 2.0 * m / (n * (n - 1)) if n > 1 else 0.0,
        "components": int(sizes.shape[0]),
        "largest_component_share": (float(sizes[largest] / n) if largest is not None else None),
        "average_path_length": paths.average_path_length,
        "transitivity": float(triangles.sum() / connected_triples) if triangles.any() else 0.0,
        "average_clustering": float(clustering.mean()) if n else None,
        "degree_centralization": (
            float((degree.max() - degree).sum() / ((n - 1) * (n - 2))) if n > 2 else None
        ),
        "betweenness_centralization": (
            float((paths.betweenness.max() - paths.betweenness).sum() / (n - 1)) if n > 2 else None
        ),
        "modularity": modularity,
        "communities": int(community.max()) + 1 if n else 0,
        "reciprocity": reciprocity(merged),
        "isolates": int((degree == 0).sum()),
        "core_size": core_size,
        "periphery_size": int((core <= PERIPHERY_MAX_CORE).sum()),
    }
    for grouping, values in groups.items():
        codes = group_codes(merged.order, values)
        cu, cv = codes[merged.edge_u], codes[merged.edge_v]
        known = (cu >= 0) & (cv >= 0)
        external = int((known & (cu != cv)).sum())
        internal = int((known & (cu == cv)).sum())
        total = external + internal
        network[f"ei_{grouping}"] = (external - internal) / total if total else None
    return network


def reciprocity(merged: MergedGraph) -> float | None:
    """networkx reciprocity of the directed-type ties: share of arcs whose reverse exists."""
    arcs = merged.directed_source.shape[0]
    if not arcs:
        return None
    n = max(merged.n, 1)
    forward = merged.directed_source.astype(np.int64) * n + merged.directed_target
    backward = merged.directed_target.astype(np.int64) * n + merged.directed_source
    return float(np.isin(backward, forward).sum() / arcs)
