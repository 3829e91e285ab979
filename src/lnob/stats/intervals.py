"""Confidence intervals and design effects, as R ``survey`` computes them.

* Means, totals, ratios (R ``confint``): θ ± z_{1−α/2} · SE (normal).
* Proportions (R ``svyciprop``), with t = t_{1−α/2, df} and df the design degrees of freedom:

  - ``logit``: expit(logit(p) ± t · SE_logit).  For linearisation designs
    SE_logit = SE/(p(1−p)) (the intercept-only ``svyglm`` sandwich); for replicate designs
    SE_logit comes from the replicate estimates logit(p_r) (``svyglm`` refits each replicate).
  - ``beta`` (Korn-Graubard): n_eff = p(1−p)/SE² · (t_{α/2, n−1}/t_{α/2, df})²,
    CI = [Beta_{α/2}(n_eff p, n_eff(1−p)+1), Beta_{1−α/2}(n_eff p+1, n_eff(1−p))].
  - ``wald`` (R's ``method="mean"``): p ± t · SE.

* Design effect (R ``deff=TRUE``, sampling without replacement of the same n):
  deff = V / V_srs with s² = n'/(n'−1) · Σw(x−x̄)²/Σw (``svyvar``) and

  - mean/proportion: V_srs = s² (N̂ − n')/(N̂ n');
  - total: V_srs = s² N̂² (N̂ − n')/(N̂ n');
  - ratio: the deff of the total of r = (y − R̂x)/X̂ (linearisation) or of y − R̂x (replicates).

  N̂ = Σw; n' counts rows with non-zero weight (linearisation) or all rows (replicates).
"""

from __future__ import annotations

import math

from statistics import NormalDist


def _sp():
    """scipy.special, imported on first use (t and beta quantiles only)."""
    from scipy import special

    return special


def _nan() -> float:
    return float("nan")


def normal_ci(est: float, se: float, level: float) -> tuple[float, float]:
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    return est - z * se, est + z * se


def _tq(p: float, df: float) -> float:
    if df is None or not df > 0 or math.isnan(df):
        return _nan()
    return float(_sp().stdtrit(df, p))


def wald_ci(p: float, se: float, df: float, level: float) -> tuple[float, float]:
    t = _tq(1 - (1 - level) / 2, df)
    return p - t * se, p + t * se


def logit_ci(p: float, se_logit: float, df: float, level: float) -> tuple[float, float]:
    if not 0 < p < 1:
        return (p, p) if p in (0.0, 1.0) else (_nan(), _nan())
    t = _tq(1 - (1 - level) / 2, df)
    eta = math.log(p / (1 - p))
    lo, hi = eta - t * se_logit, eta + t * se_logit
    return 1 / (1 + math.exp(-lo)), 1 / (1 + math.exp(-hi))


def beta_ci(p: float, var: float, n: int, df: float, level: float) -> tuple[float, float]:
    alpha = 1 - level
    if var is None or not var > 0:
        return _nan(), _nan()
    n_eff = p * (1 - p) / var
    ratio = _tq(alpha / 2, n - 1) / _tq(alpha / 2, df)
    n_eff = n_eff * ratio * ratio
    lo = float(_sp().betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2)) if p > 0 else 0.0
    hi = float(_sp().betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2)) if p < 1 else 1.0
    return lo, hi
