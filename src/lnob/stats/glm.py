"""R's intercept-only quasibinomial ``glm`` fit, as ``svyciprop(method="logit")`` runs it.

``svyciprop`` does not use logit(p̂) ± t·SE/(p(1−p)) literally: it fits
``svyglm(y ~ 1, family=quasibinomial)`` by iteratively reweighted least squares (R
``glm.fit``, tolerance 1e-8 on the relative change of the deviance) and uses the fitted
coefficient and its sandwich SE.  The fitted coefficient differs from logit(p̂) by the
convergence error (~1e-9), so this module replays the same iterations to agree with R to
1e-9 rather than ~1e-8.

With an intercept only, every iteration after the first is a scalar Newton step
η ← η + (P − μ)/μ'(η) with P = Σπy/Σπ (π the normalised prior weights), and the deviance is
−2[S₁ log μ + (S − S₁) log(1 − μ)].  The first iteration starts from R's per-row
``mustart = (π y + 0.5)/(π + 1)``, which needs three per-row sums computed in SQL
(:func:`lnob.stats.sqlgen.logit_query`):

* D0 = Σ π log((π + ½)/(π + 1))  (initial deviance = −2·D0),
* SW = Σ π·½(π + ½)/(π + 1)²       (Σ working weights),
* SZ = Σ ±π[½(π + ½)/(π + 1)² · log(2π + 1) + ½/(π + 1)]  (+ for y = 1, − for y = 0),

so that the first coefficient is SZ/SW.  Replicate refits start from the full-sample
coefficient with weights normalised to sum 1, so they are scalar from the start.
"""

from __future__ import annotations

import math

THRESH, MTHRESH = 30.0, -30.0
EPS = 2.220446049250313e-16
INVEPS = 1 / EPS
EPSILON, MAXIT = 1e-8, 25


def linkinv(eta: float) -> float:
    x = EPS if eta < MTHRESH else (INVEPS if eta > THRESH else math.exp(eta))
    return x / (1 + x)


def mu_eta(eta: float) -> float:
    if eta > THRESH or eta < MTHRESH:
        return EPS
    op = 1 + math.exp(eta)
    return math.exp(eta) / (op * op)


def deviance(S1: float, S: float, mu: float) -> float:
    dev = 0.0
    if S1 != 0:
        dev += S1 * -math.log(mu)
    if S - S1 != 0:
        dev += (S - S1) * -math.log(1 - mu)
    return 2 * dev


def iterate(S1: float, S: float, eta: float, devold: float, done: int = 0) -> float:
    """Scalar IRLS from coefficient ``eta`` (iteration ``done + 1`` onwards); returns the
    coefficient at convergence (or after R's 25 iterations)."""
    P = S1 / S
    for _it in range(done, MAXIT):
        mu = linkinv(eta)
        me = mu_eta(eta)
        eta = eta + (P - mu) / me
        dev = deviance(S1, S, linkinv(eta))
        if abs(dev - devold) / (abs(dev) + 0.1) < EPSILON:
            break
        devold = dev
    return eta


def fit_full(D0: float, SW: float, SZ: float, S1: float, S: float) -> float:
    """Coefficient of the full-sample fit started from R's ``mustart``."""
    if SW == 0 or S == 0:
        return float("nan")
    devold = -2 * D0
    eta = SZ / SW
    dev = deviance(S1, S, linkinv(eta))
    if abs(dev - devold) / (abs(dev) + 0.1) < EPSILON:
        return eta
    return iterate(S1, S, eta, dev, done=1)


def fit_from(P: float, start: float) -> float:
    """Replicate refit: weights summing to 1, ``start`` = full-sample coefficient."""
    if math.isnan(P):
        return float("nan")
    mu = linkinv(start)
    return iterate(P, 1.0, start, deviance(P, 1.0, mu))


def wald_ci(beta: float, se: float, df: float, level: float) -> tuple[float, float]:
    """R ``confint.svyglm(method="Wald", ddf=df)`` then ``expit``, with R's arithmetic: the t
    quantile goes through ``tlevel = 1 − 2Φ(t_{α/2,df})`` and back through ``qnorm``; a df
    ≤ 0 gives NaN and expit(±∞) follows R's exp(x)/(1 + exp(x))."""
    from scipy import special as sp

    if df is None or math.isnan(df) or df <= 0 or math.isnan(beta) or math.isnan(se):
        return float("nan"), float("nan")
    tlevel = 1 - 2 * float(sp.ndtr(float(sp.stdtrit(df, (1 - level) / 2))))
    a = (1 - tlevel) / 2
    lo = beta + se * float(sp.ndtri(a))
    hi = beta + se * float(sp.ndtri(1 - a))
    return _expit(lo), _expit(hi)


def _expit(x: float) -> float:
    if x == math.inf:
        return float("nan")
    if x == -math.inf:
        return 0.0
    try:
        e = math.exp(x)
    except OverflowError:
        return float("nan")
    return e / (1 + e) if not math.isinf(e) else float("nan")
