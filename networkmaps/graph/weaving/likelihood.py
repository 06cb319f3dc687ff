"""How likely an introduction is to become a tie: a link-prediction model fitted on the
program's own round-to-round tie formation (pure: numpy, scipy, scikit-learn; no Django).

Features of an untied pair (i, j) in one round's network A, with the ties new in that
round R (A minus the round before; all of A when there is no round before):

- common neighbours, Adamic–Adar (Σ 1/log d), resource allocation (Σ 1/d), Jaccard;
- log(1 + dᵢ·dⱼ) (preferential attachment), log(1 + min d), log(1 + max d);
- recency: common neighbours through a new tie (R·A + A·R), log(1 + new ties) of the
  less and the more active of the two;
- shared groups (cohort, sector, region, organisation, custom attributes with known and
  equal values);
- whether the two were tied the round before (a tie not seen this round often returns).

The model is scikit-learn's logistic regression on standardised features, fitted on the
pairs untied in round t−1 labelled by whether they are tied in round t. Training pairs
are every untied pair at distance two plus a uniform sample of the farther ones, the
sample weighted by how many far pairs it stands for, so predicted chances stay calibrated
for the whole population of untied pairs. Calibration is reported on a held-out quarter:
Brier score and, in bins of predicted chance, the mean prediction against the share that
formed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

FEATURES = (
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "jaccard",
    "log_degree_product",
    "log_min_degree",
    "log_max_degree",
    "recent_common_neighbours",
    "log_min_new_ties",
    "log_max_new_ties",
    "shared_groups",
    "tied_the_round_before",
)
FAR_SAMPLE = 20_000  # untied pairs beyond distance two, sampled uniformly
MAX_NEAR = 400_000  # distance-two pairs kept for fitting (sampled beyond this)
MIN_POSITIVES = 5
REGULARISATION = 0.1  # scikit-learn's C: smaller is smoother
CALIBRATION_BINS = (0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0)


@dataclass
class Snapshot:
    """One round's network in index space, with the ties new in that round."""

    adj: sp.csr_matrix  # symmetric 0/1
    recent: sp.csr_matrix  # symmetric 0/1: ties not in the round before
    codes: list[np.ndarray] = field(default_factory=list)  # per grouping, -1 unknown
    before: sp.csr_matrix | None = None  # symmetric 0/1: the round before's ties

    @classmethod
    def build(
        cls,
        n: int,
        pairs: np.ndarray,
        previous: np.ndarray | None = None,
        codes: list[np.ndarray] | None = None,
    ) -> Snapshot:
        adj = _symmetric(n, pairs)
        if previous is None or not len(previous):
            return cls(adj=adj, recent=adj, codes=list(codes or []))
        before = _symmetric(n, previous)
        recent = (adj - adj.multiply(before)).tocsr()
        recent.eliminate_zeros()
        return cls(adj=adj, recent=recent, codes=list(codes or []), before=before)


@dataclass
class Model:
    """Logistic regressions for pairs at distance two (``near``) and farther (``far``):
    what predicts a tie among people with a shared contact differs from what predicts one
    among strangers, and a linear model cannot learn both at once."""

    near: _Fitted
    far: _Fitted | None
    far_rate: float  # share of far pairs that formed, when too few did to fit on
    calibration: dict[str, Any]

    def chance(self, snapshot: Snapshot, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        x = features(snapshot, rows, cols)
        out = np.full(len(rows), self.far_rate)
        near = x[:, 0] > 0  # log1p(common neighbours)
        if near.any():
            out[near] = self.near.predict(x[near])
        if self.far is not None and (~near).any():
            out[~near] = self.far.predict(x[~near])
        return out


@dataclass
class _Fitted:
    scaler: StandardScaler
    regression: LogisticRegression
    calibration: dict[str, Any]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.regression.predict_proba(self.scaler.transform(x))[:, 1]

    def coefficients(self, names: list[str]) -> dict[str, float]:
        return dict(zip(names, self.regression.coef_[0].round(4).tolist(), strict=True))


def _symmetric(n: int, pairs: np.ndarray) -> sp.csr_matrix:
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    m.data[:] = 1.0
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def _pair_values(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows[k], cols[k]] for every k, without densifying."""
    if not len(rows):
        return np.zeros(0)
    return np.asarray(matrix[rows, cols]).ravel()


def features(snapshot: Snapshot, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The FEATURES of each pair (rows[k], cols[k]), one row per pair."""
    a = snapshot.adj
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    degree = np.asarray(a.sum(axis=1)).ravel()
    new = np.asarray(snapshot.recent.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        aa_w = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
        ra_w = np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)
    left, right = a[rows], a[cols]
    both = left.multiply(right).tocsr()
    cn = np.asarray(both.sum(axis=1)).ravel()
    aa = np.asarray(both @ aa_w).ravel()
    ra = np.asarray(both @ ra_w).ravel()
    di, dj = degree[rows], degree[cols]
    union = di + dj - cn
    jaccard = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
    recent_left, recent_right = snapshot.recent[rows], snapshot.recent[cols]
    recent_cn = np.asarray(
        recent_left.multiply(right).sum(axis=1) + left.multiply(recent_right).sum(axis=1)
    ).ravel()
    ni, nj = new[rows], new[cols]
    same = [(codes[rows] >= 0) & (codes[rows] == codes[cols]) for codes in snapshot.codes]
    shared = np.sum(same, axis=0) if same else np.zeros(len(rows))
    return np.column_stack(
        [
            np.log1p(cn),
            aa,
            ra,
            jaccard,
            np.log1p(di * dj),
            np.log1p(np.minimum(di, dj)),
            np.log1p(np.maximum(di, dj)),
            np.log1p(recent_cn),
            np.log1p(np.minimum(ni, nj)),
            np.log1p(np.maximum(ni, nj)),
            shared,
            _pair_values(snapshot.before, rows, cols) if snapshot.before is not None else 0 * cn,
            *[flag.astype(float) for flag in same],
            # Shared contacts mean more inside a group the two share than across it, and
            # sharing a small group more than sharing a large one.
            *[ra * flag for flag in same],
            *[flag / size for flag, size in zip(same, _shared_sizes(snapshot, rows), strict=True)],
        ]
    )


def feature_names(snapshot: Snapshot) -> list[str]:
    """FEATURES, then "same group k" for each grouping of the snapshot."""
    k = range(len(snapshot.codes))
    return [
        *FEATURES,
        *(f"same_group_{g}" for g in k),
        *(f"ra_same_group_{g}" for g in k),
        *(f"one_over_size_same_group_{g}" for g in k),
    ]


def _shared_sizes(snapshot: Snapshot, rows: np.ndarray) -> list[np.ndarray]:
    """Per grouping: the size of row's group (1 where unknown, so a ratio stays finite)."""
    out = []
    for codes in snapshot.codes:
        sizes = np.bincount(codes[codes >= 0], minlength=int(codes.max(initial=-1)) + 2)
        mine = codes[rows]
        out.append(np.where(mine >= 0, sizes[np.maximum(mine, 0)], 1).astype(float))
    return out


def candidate_pairs(
    snapshot: Snapshot, *, far_sample: int = FAR_SAMPLE, max_near: int = MAX_NEAR, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Untied pairs (i < j) to fit on: all at distance two (sampled beyond ``max_near``) and
    a uniform sample of the rest, with the weight each pair stands for."""
    rng = np.random.default_rng(seed)
    a = snapshot.adj
    n = a.shape[0]
    two = (a @ a).tocsr()
    two = (two - two.multiply(a)).tocoo()
    keep = two.row < two.col
    near_r, near_c = two.row[keep].astype(np.int64), two.col[keep].astype(np.int64)
    near_w = np.ones(len(near_r))
    if len(near_r) > max_near:
        pick = rng.choice(len(near_r), max_near, replace=False)
        near_w = np.full(max_near, len(near_r) / max_near)
        near_r, near_c = near_r[pick], near_c[pick]
    total = n * (n - 1) // 2
    far_total = total - len(two.row[keep]) - a.nnz // 2
    if far_total <= 0 or far_sample <= 0:
        return near_r, near_c, near_w
    draws = min(far_sample * 2, max(total, 1))
    fr = rng.integers(0, n, draws)
    fc = rng.integers(0, n, draws)
    low, high = np.minimum(fr, fc), np.maximum(fr, fc)
    ok = low != high
    low, high = low[ok], high[ok]
    # Not tied and not at distance two: a far pair.
    ok = (_pair_values(a, low, high) == 0) & (_pair_values(two.tocsr(), low, high) == 0)
    low, high = low[ok][:far_sample], high[ok][:far_sample]
    far_w = np.full(len(low), far_total / max(len(low), 1))
    return (
        np.concatenate([near_r, low]),
        np.concatenate([near_c, high]),
        np.concatenate([near_w, far_w]),
    )


def labels(after: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return (_pair_values(after, rows, cols) > 0).astype(np.int64)


def fit(before: Snapshot, after: sp.csr_matrix, *, seed: int = 0) -> Model | None:
    """Fit on round t−1 (``before``) → round t (``after``, symmetric 0/1, same index space).

    Returns None when fewer than MIN_POSITIVES pairs at distance two formed: there is
    nothing to learn."""
    rows, cols, weight = candidate_pairs(before, seed=seed)
    y = labels(after, rows, cols)
    x = features(before, rows, cols)
    near = x[:, 0] > 0
    if y[near].sum() < MIN_POSITIVES or y[near].all():
        return None
    fitted_near = fit_on(x[near], y[near], weight[near], seed=seed)
    far_y, far_w = y[~near], weight[~near]
    far_rate = float(np.average(far_y, weights=far_w)) if len(far_y) else 0.0
    fitted_far = None
    if far_y.sum() >= MIN_POSITIVES and not far_y.all():
        fitted_far = fit_on(x[~near], far_y, far_w, seed=seed)
    calibration = {
        "near": fitted_near.calibration,
        "far": fitted_far.calibration if fitted_far else {"rate": far_rate},
    }
    return Model(near=fitted_near, far=fitted_far, far_rate=far_rate, calibration=calibration)


def fit_on(x: np.ndarray, y: np.ndarray, weight: np.ndarray, *, seed: int = 0) -> _Fitted:
    """The logistic regression on given feature rows, labels and weights; a quarter is held
    out first to report calibration, then the model is refitted on everything."""
    rng = np.random.default_rng(seed)
    held = rng.random(len(y)) < 0.25
    if y[held].sum() == 0 or y[~held].sum() == 0:
        held[:] = False
    scaler = StandardScaler().fit(x[~held])
    regression = LogisticRegression(C=REGULARISATION, max_iter=1000)
    regression.fit(scaler.transform(x[~held]), y[~held], sample_weight=weight[~held])
    calibration = _calibration(regression, scaler, x[held], y[held], weight[held])
    scaler = StandardScaler().fit(x)
    regression = LogisticRegression(C=REGULARISATION, max_iter=1000)
    regression.fit(scaler.transform(x), y, sample_weight=weight)
    calibration["pairs"] = int(len(y))
    calibration["formed"] = int(y.sum())
    return _Fitted(scaler=scaler, regression=regression, calibration=calibration)


def _calibration(regression, scaler, x, y, weight) -> dict[str, Any]:
    if not len(y):
        return {"held_out": 0, "brier": None, "brier_base": None, "bins": []}
    p = regression.predict_proba(scaler.transform(x))[:, 1]
    brier = float(np.average((p - y) ** 2, weights=weight))
    rate = float(np.average(y, weights=weight))
    # What always predicting the base rate would score: the bar a useful model clears.
    brier_base = rate * (1 - rate)
    bins = []
    edges = CALIBRATION_BINS
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (p >= low) & (p < high if high < 1 else p <= high)
        if inside.any():
            w = weight[inside]
            bins.append(
                {
                    "from": low,
                    "to": high,
                    "pairs": int(inside.sum()),
                    "predicted": float(np.average(p[inside], weights=w)),
                    "formed": float(np.average(y[inside], weights=w)),
                }
            )
    return {"held_out": int(len(y)), "brier": brier, "brier_base": brier_base, "bins": bins}
