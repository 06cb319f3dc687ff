"""The link-prediction model learns the program's own round-to-round tie formation."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from networkmaps.graph.weaving import likelihood
from networkmaps.graph.weaving.likelihood import Snapshot


def rounds(seed: int, n: int = 150):
    """Ties in round t+1 form mostly among pairs with shared contacts in the same group."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    pairs = {(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.04}
    snap = Snapshot.build(n, np.array(sorted(pairs)), codes=[group])
    two = (snap.adj @ snap.adj).toarray()
    later = set(pairs)
    for a in range(n):
        for b in range(a + 1, n):
            if (a, b) not in pairs and two[a, b] > 0:
                p = 0.02 + 0.1 * two[a, b] * (group[a] == group[b])
                if rng.random() < p:
                    later.add((a, b))
    return snap, Snapshot.build(n, np.array(sorted(later))).adj


def test_the_model_ranks_pairs_that_go_on_to_form_ties_above_those_that_do_not():
    before, after = rounds(0)
    model = likelihood.fit(before, after)
    assert model is not None
    test_before, test_after = rounds(1)
    rows, cols, _ = likelihood.candidate_pairs(test_before, far_sample=0)
    y = likelihood.labels(test_after, rows, cols)
    chance = model.chance(test_before, rows, cols)
    assert ((chance >= 0) & (chance <= 1)).all()
    assert roc_auc_score(y, chance) > 0.7


def test_calibration_is_reported_on_held_out_pairs():
    before, after = rounds(2)
    model = likelihood.fit(before, after)
    near = model.calibration["near"]
    assert near["held_out"] > 0 and 0 <= near["brier"] < 0.25
    for row in near["bins"]:
        assert row["from"] <= row["predicted"] <= row["to"] + 1e-9


def test_no_new_ties_means_no_model():
    before, _ = rounds(3)
    assert likelihood.fit(before, before.adj) is None


def test_groupings_without_any_known_value_are_harmless():
    before, after = rounds(4)
    n = before.adj.shape[0]
    before.codes = [np.full(n, -1), np.zeros(n, dtype=np.int64)]
    model = likelihood.fit(before, after)
    assert model is not None
    rows, cols, _ = likelihood.candidate_pairs(before, far_sample=0)
    assert np.isfinite(model.chance(before, rows, cols)).all()
