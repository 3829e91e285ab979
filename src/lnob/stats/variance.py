"""Variance formulas applied to the small aggregates the SQL returns.

Linearisation (R ``svyrecvar`` → ``multistage`` → ``onestage`` → ``onestrat``)
-------------------------------------------------------------------------------
For a stage-k stratum with n sampled units (design count), population size N (fpc) and,
inside the domain, m units with members whose linearised totals t_u have sum S and
within-present sum of squared deviations C:

    f      = (N − n)/N  (1 without fpc, 1 when N = ∞);  the stratum contributes 0 when f < 1e-7
    scale  = f · n/(n − 1)  (f when n = 1)
    v      = scale · Σ_{all n units} (t_u − S/n)²  =  scale · (C + S²(n − m)/(m n))

(units without domain members are zeros, R pads them).  Lonely strata (n = 1): ``fail``
raises, ``remove``/``certainty`` give 0, ``adjust`` gives scale·S² (centred at 0, the grand
mean), ``average`` leaves the stratum out and multiplies the stage sum by
(#strata present)/(#strata not lonely).  With ``adjust_domain_lonely`` a stratum with n > 1
but m = 1 inside a domain is treated the same way by ``adjust`` and ``average``.

Multistage (fpc at every stage): V = Σ_h v_h + Σ_{PSU i present} (n_h/N_h) · V_i, where V_i
is the same formula one stage down inside PSU i (its units are the second-stage units).

Replicates (R ``svrVar``): V = scale · Σ_r rscale_r (θ_r − θ̄)², θ̄ the mean of the replicates
with rscale_r > 0, or the full-sample θ when ``mse``; replicates whose θ_r is undefined
(empty domain under that replicate) are dropped, as R does.
"""

from __future__ import annotations

import math

NA = None  # marker for R's NA contribution (lonely stratum under "average")


def stratum_fraction(n: int, N: float | None) -> float:
    """R's f = (N − n)/N, 1 without fpc or with infinite N."""
    if N is None or math.isinf(N):
        return 1.0
    return (N - n) / N


def onestrat(n, N, m, S, C, rule: str, adjust_domain_lonely: bool):
    """Contribution of one stage-stratum (see module docstring); ``NA`` under average."""
    f = stratum_fraction(n, N)
    if f < 1e-7:
        return 0.0
    scale = f * n / (n - 1) if n > 1 else f
    if n > 1:
        if m == 1 and adjust_domain_lonely:
            if rule == "average":
                return NA
            if rule == "adjust":
                return scale * S * S
        ss = (C or 0.0) * m
        return scale * (ss + S * S * (n - m) / (m * n))
    if rule == "fail":
        raise LonelyPSU()
    if rule in ("remove", "certainty"):
        return 0.0
    if rule == "adjust":
        return scale * S * S
    return NA  # average


class LonelyPSU(Exception):
    """Raised by :func:`onestrat` under ``fail``; the caller names the strata."""


def combine_stage(contribs: list) -> float:
    """R ``onestage``: sum of stratum contributions, rescaled for ``average``."""
    if not contribs:
        return 0.0
    ok = [c for c in contribs if c is not NA]
    total = float(sum(ok))
    if len(ok) == len(contribs):
        return total
    if not ok:
        return float("nan")
    return total * len(contribs) / len(ok)


def svr_var(thetas, scale: float, rscales, mse: bool, coef: float) -> float:
    """R ``svrVar`` for one statistic."""
    import numpy as np

    th = np.asarray(thetas, dtype=float)
    rs = np.asarray(rscales, dtype=float)
    ok = ~np.isnan(th)
    th, rs = th[ok], rs[ok]
    if th.size == 0:
        return float("nan")
    center = coef if mse else float(np.mean(th[rs > 0]))
    return float(np.sum((th - center) ** 2 * rs) * scale)


def qr_rank(matrix, tol: float = 1e-5) -> int:
    """Rank as R's ``qr()`` (LINPACK dqrdc2, limited pivoting, tol=1e-5) would report it:
    columns are taken in order and one whose norm, after removing the earlier accepted
    columns, is below ``tol`` times its original norm is set aside."""
    import numpy as np

    x = np.array(matrix, dtype=float)
    if x.size == 0:
        return 0
    if x.ndim == 1:
        x = x[:, None]
    basis: list[np.ndarray] = []
    for j in range(x.shape[1]):
        col = x[:, j].copy()
        norm0 = float(np.linalg.norm(col))
        if norm0 == 0:
            continue
        for _ in range(2):  # re-orthogonalise once for stability
            for q in basis:
                col -= q * float(q @ col)
        r = float(np.linalg.norm(col))
        if r >= tol * norm0 and len(basis) < x.shape[0]:
            basis.append(col / r)
    return len(basis)


def _zero_if_rounding(value: float, scale: float) -> float:
    """A sum of squares computed from shifted moments is exactly zero (constant variable) when
    it is within rounding of zero; R then reports deff = NaN (0/0)."""
    return 0.0 if abs(value) <= 1e-12 * abs(scale) else value


def deff(it, est, var, A, B, W, nobs, tot, kind, var_total=None):
    """R ``deff=TRUE``: V / V_srs from the shifted moments Qaa, La (Qbb, Qab, Lb) that ``tot``
    reads by alias (docs/stats.md, "Design effect")."""
    al = it.aliases
    if nobs <= 1:
        return float("nan")
    Qaa, La = tot(al["Qaa"]), tot(al["La"])
    if it.kind == "ratio" and it.b != "1.0":
        Qbb, Qab, Lb = tot(al["Qbb"]), tot(al["Qab"]), tot(al["Lb"])
        th = est
        k = it.shift_a - th * it.shift_b
        ss = Qaa + th * th * Qbb + k * k * W - 2 * th * Qab + 2 * k * La - 2 * k * th * Lb
        ss -= (A - th * B) ** 2 / W
        ss = _zero_if_rounding(ss, Qaa + th * th * Qbb + k * k * W)
        svyvar = ss / W * nobs / (nobs - 1)
        if kind == "taylor":  # deff of the total of r = (y - R x)/X
            svyvar /= B * B
            v = var
        else:  # replicate: deff of the total of y - R x
            v = var_total
        vsrs = svyvar * W * W * (W - nobs) / (W * nobs)
    else:
        mean = A / W
        k = it.shift_a - mean
        ss = _zero_if_rounding(Qaa + 2 * k * La + k * k * W, Qaa + k * k * W)
        svyvar = ss / W * nobs / (nobs - 1)
        vsrs = svyvar * (W - nobs) / (W * nobs)
        if it.kind == "total":
            vsrs *= W * W
        v = var
    return v / vsrs if vsrs else float("nan")
