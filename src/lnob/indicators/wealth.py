"""Asset-based wealth index (DHS method): first principal component, weighted quantiles.

As in the DHS wealth index (Rutstein & Johnson 2004, "The DHS Wealth Index"):

1. every asset is a 0/1 indicator per household (missing answers are 0, as DHS codes them);
2. indicators that do not vary are dropped; the rest are standardised (weighted mean 0,
   weighted standard deviation 1, with the household sampling weights);
3. the index is the score on the first principal component of their weighted correlation
   matrix, oriented so that owning more assets gives a higher score (the sum of the
   loadings is positive);
4. households are cut into quantiles of the *population*: the cut points are weighted
   quantiles with weight = household weight × household size, so that each quintile holds
   a fifth of the people (DHS's de jure population quintiles).  Ties at a cut point go to
   the lower group.

Households with every asset missing get no score and no quantile (they appear as the
"not stated" category, never imputed).  Computed in NumPy over the household table.
"""

from __future__ import annotations

import numpy as np


def pca_index(items: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores on the first principal component of the standardised 0/1 ``items`` (rows =
    households) and the loadings (NaN for dropped constant items)."""
    x = np.nan_to_num(items.astype(float), nan=0.0)
    w = weights / weights.sum()
    mean = w @ x
    sd = np.sqrt(w @ (x - mean) ** 2)
    keep = sd > 1e-12
    z = (x[:, keep] - mean[keep]) / sd[keep]
    corr = (z * w[:, None]).T @ z
    vals, vecs = np.linalg.eigh(corr)
    v = vecs[:, np.argmax(vals)]
    if v.sum() < 0:
        v = -v
    loadings = np.full(items.shape[1], np.nan)
    loadings[keep] = v
    return z @ v, loadings


def weighted_quantile_groups(score: np.ndarray, weights: np.ndarray, k: int = 5) -> np.ndarray:
    """Group 1..k of each score: cut points at the weighted k-quantiles."""
    order = np.argsort(score, kind="stable")
    cw = np.cumsum(weights[order])
    total = cw[-1]
    groups = np.empty(score.size, dtype=np.int64)
    # a household's group is fixed by the weight share below and including it
    share = cw / total
    g = np.minimum(np.ceil(share * k - 1e-9).astype(np.int64), k)
    g = np.maximum(g, 1)
    # ties: equal scores share the group of the first of them
    s_sorted = score[order]
    first = np.r_[True, s_sorted[1:] != s_sorted[:-1]]
    idx = np.maximum.accumulate(np.where(first, np.arange(score.size), 0))
    g = g[idx]
    groups[order] = g
    return groups
