"""Spectral centralities of the merged graph: eigenvector (networkx's power-iteration
limit) and PageRank, solved exactly rather than to networkx's tolerance."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

PAGERANK_ALPHA = 0.85


def eigenvector_centrality(adjacency_matrix: sp.csr_matrix, labels, sizes) -> np.ndarray:
    """Limit of networkx's power iteration x <- (A + I) x from all ones (module docstring).

    That limit is the all-ones vector projected on the eigenspace of the largest
    eigenvalue: the Perron vector of the component with the largest leading eigenvalue,
    or, when several components tie, their Perron vectors weighted by their sums.
    """
    n = labels.shape[0]
    if adjacency_matrix.nnz == 0:
        # No ties: A + I is the identity and the all-ones start never moves.
        return np.full(n, 1.0 / np.sqrt(n)) if n else np.zeros(0)
    result = np.zeros(n)
    degree = np.diff(adjacency_matrix.indptr)
    # A component's leading eigenvalue is at most its largest degree, so components are
    # tried from the highest such bound down until no later one can reach the best.
    bound = np.zeros(sizes.shape[0])
    np.maximum.at(bound, labels, degree)
    by_label = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    best = -1.0
    winners: list[tuple[float, np.ndarray, np.ndarray]] = []
    for c in np.argsort(-bound, kind="stable"):
        if bound[c] < best * (1 - 1e-9):
            break
        members = by_label[starts[c] : starts[c + 1]]
        value, vector = _perron(adjacency_matrix[members][:, members])
        if value > best * (1 + 1e-9):
            best = value
            winners = [w for w in winners if w[0] >= best * (1 - 1e-9)]
        if value >= best * (1 - 1e-9):
            winners.append((value, members, vector))
    for _, members, vector in winners:
        result[members] = vector * vector.sum()
    return result / np.linalg.norm(result)


def _perron(block: sp.csr_matrix) -> tuple[float, np.ndarray]:
    """Leading eigenvalue and positive unit eigenvector of a connected component."""
    size = block.shape[0]
    if size == 1:
        return 0.0, np.ones(1)
    if size <= 500:
        values, vectors = np.linalg.eigh(block.toarray())
        value, vector = values[-1], vectors[:, -1]
    else:
        values, vectors = eigsh(block, k=1, which="LA", v0=np.ones(size), tol=0)
        value, vector = values[0], vectors[:, 0]
    vector = np.abs(vector)
    return float(value), vector / np.linalg.norm(vector)


def pagerank_vector(weights: sp.csr_matrix, alpha: float = PAGERANK_ALPHA) -> np.ndarray:
    """networkx pagerank of an undirected weighted graph, iterated to machine precision.
    Members without ties spread their rank evenly, as in networkx."""
    n = weights.shape[0]
    if n == 0:
        return np.zeros(0)
    strength = np.asarray(weights.sum(axis=1)).ravel()
    dangling = strength == 0
    inverse = np.divide(1.0, strength, out=np.zeros(n), where=~dangling)
    # Symmetric weights: the transposed transition matrix is W scaled by column.
    transition_t = weights.multiply(inverse[np.newaxis, :]).tocsr()
    x = np.full(n, 1.0 / n)
    for _ in range(10_000):
        previous = x
        x = alpha * (transition_t @ previous + previous[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(x - previous).sum() < n * 1e-15:
            break
    return x
