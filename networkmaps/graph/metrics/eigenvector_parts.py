"""Eigenvector centrality only where it means something: inside the largest part (pure).

On a disconnected network the power-iteration limit gives 0 to everyone outside the part
with the largest leading eigenvalue, so a member with 10 ties in a smaller part reads
"0.000". netlead instead computes eigenvector centrality within the largest connected
part (unit length inside it, networkx's ``eigenvector_centrality`` of that part) and
leaves it blank (None) for everyone outside it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from networkmaps.graph.metrics.centrality import _perron
from networkmaps.graph.metrics.paths import largest_component


def eigenvector_largest_part(adjacency: sp.csr_matrix) -> list[float | None]:
    """Per position of ``adjacency``: eigenvector centrality within the largest connected
    part (ties to the part holding the lowest position), None outside it."""
    n = adjacency.shape[0]
    if n == 0:
        return []
    count, labels = connected_components(adjacency, directed=False)
    sizes = np.bincount(labels, minlength=count)
    largest = largest_component(labels, sizes)
    members = np.flatnonzero(labels == largest)
    out: list[float | None] = [None] * n
    if members.shape[0] < 2:
        return out
    _, vector = _perron(adjacency[members][:, members])
    for position, value in zip(members.tolist(), vector.tolist(), strict=True):
        out[position] = value
    return out
