"""Linearised contrasts between domain estimates of one survey (R ``svyby`` + ``svycontrast``).

A group and the total, or two groups, are estimated from the same sample, so their estimates
are correlated: the SE of a difference is not √(se₁² + se₂²).  This module computes the SE of
a contrast from the *joint* influence functions of the two domain estimates.

For a domain k (``{}`` = the whole population) and an indicator a_i (a numeric value for a
mean, 1[y_i = c] for the share of category c), the estimate is θ_k = Σ_{i∈k} w_i a_i / B_k,
B_k = Σ_{i∈k} w_i, over the rows where a is not missing.  Its influence value is

    u_k,i = 1[i ∈ k] (a_i − θ_k) / B_k          (zero outside the domain)

and a smooth function g(θ_1, θ_2) has the linearised value z_i = ∂g/∂θ_1 u_1,i + ∂g/∂θ_2 u_2,i:

* difference θ_1 − θ_2:   z = u_1 − u_2
* ratio θ_1/θ_2:           z = u_1/θ_2 − θ_1 u_2/θ_2²     (delta method, R ``svycontrast``)

Var(g) is the design variance of the total Σ w_i z_i: per-PSU totals, then the stratified
(multistage, fpc, lonely-PSU) formula of :mod:`lnob.stats.variance` — one SQL pass for all
contrasts of a call.  This equals R's ``svycontrast`` on ``svyby(..., covmat=TRUE)`` (or on
``svyratio`` with ``covmat=TRUE`` when a contrast involves the total).  For replicate designs
the covariance comes from the replicate estimates (R ``svrVar``); g is applied through its
gradient, as ``svycontrast`` does.

Intervals: a difference uses θ̂ ± z·SE; a ratio uses the log scale,
exp(ln R̂ ± z·SE/R̂) (SE/R̂ is the delta-method SE of ln R̂), which stays positive.  The
p-value is the two-sided normal test of no difference (ratio: ln R = 0, on the log scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from lnob.errors import UsageError
from lnob.i18n import _
from lnob.stats import checks
from lnob.stats.design import Design
from lnob.stats.estimate import _replicate, _taylor, estimate_tables
from lnob.stats.prepare import design_base, prepare
from lnob.stats.specs import Mean, Proportion
from lnob.stats.sqlgen import Item
from lnob.stats.variance import svr_var

KINDS = ("difference", "ratio")
CHUNK = 150  # contrasts per variance query


@dataclass(frozen=True)
class Measure:
    """What is compared: the mean of ``var`` (``level=None``) or the share of ``var == level``."""

    var: str
    level: object = None

    @property
    def spec(self):
        return Mean(self.var) if self.level is None else Proportion(self.var)


@dataclass
class DomainEstimate:
    """A domain's estimate with what the contrasts need (B = Σw over its valid rows)."""

    domain: dict
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    population: float
    df: float


@dataclass
class Contrast:
    """g(group, reference): a difference or a ratio, with its linearised SE."""

    kind: str
    group: dict
    reference: dict
    group_estimate: DomainEstimate | None
    reference_estimate: DomainEstimate | None
    estimate: float = float("nan")
    se: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    z: float = float("nan")
    p_value: float = float("nan")
    extra: dict = field(default_factory=dict)


def domain_key(domain: dict) -> tuple:
    return tuple(sorted((str(k), _norm(v)) for k, v in (domain or {}).items()))


def _norm(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def domain_estimates(source, design, measure: Measure, domains, *, level: float = 0.95,
                     ci: str = "logit") -> dict[tuple, DomainEstimate]:
    """Estimates of ``measure`` for every domain (dicts column -> value; ``{}`` = all), in one
    pass (one domain table per distinct column set).  Missing domains are absent."""
    sets = []
    for dom in domains:
        cols = sorted(dom or {})
        if cols not in sets:
            sets.append(cols)
    sets = sets or [[]]
    tables = estimate_tables(source, design, [measure.spec], sets, level=level, ci=ci)
    out = {}
    for rows in tables:
        for r in rows:
            if measure.level is not None and _norm(r.level) != _norm(measure.level):
                continue
            key = domain_key(r.domain)
            out[key] = DomainEstimate(dict(r.domain), r.estimate, r.se, r.ci_low, r.ci_high,
                                      r.n, r.population, r.df)
    if measure.level is not None and not any(True for _k in out):
        levels = prepare_levels(source, design, measure)
        raise UsageError(
            _("{var!r} has no category {lev!r}").format(var=measure.var, lev=measure.level),
            where=measure.var, hint=_("its categories are: {c}").format(c=", ".join(map(str, levels[:20]))),
            code="stats.unknown-level")
    return out


def prepare_levels(source, design, measure: Measure) -> list:
    q = source.engine.dialect.quote
    rows = source.engine.execute(
        f"SELECT {q(measure.var)} FROM {source.sql} WHERE {q(measure.var)} IS NOT NULL "
        f"GROUP BY {q(measure.var)} ORDER BY {q(measure.var)} LIMIT 101")
    return [r[0] for r in rows]


def contrasts(source, design, measure: Measure, pairs, *, kind: str = "difference",
              level: float = 0.95, ci: str = "logit", estimates: dict | None = None) -> list[Contrast]:
    """Contrasts g(θ_group, θ_reference) for each ``(group, reference)`` pair of domains
    (dicts column -> value; ``{}`` is the whole population).  ``kind``: ``difference``
    (group − reference) or ``ratio`` (group / reference).  ``estimates`` may pass the result
    of :func:`domain_estimates` to avoid recomputing it.  A pair whose domain has no rows
    gives NaN."""
    if kind not in KINDS:
        raise UsageError(_("unknown contrast {k!r}").format(k=kind), where="kind",
                         hint=_("choose one of: ") + ", ".join(KINDS), code="stats.bad-contrast")
    pairs = [(dict(a or {}), dict(b or {})) for a, b in pairs]
    if estimates is None:
        doms = []
        for a, b in pairs:
            doms += [a, b]
        estimates = domain_estimates(source, design, measure, doms, level=level, ci=ci)
    out = []
    combos = []  # per contrast: [(domain, coefficient)] or None
    for a, b in pairs:
        ea, eb = estimates.get(domain_key(a)), estimates.get(domain_key(b))
        c = Contrast(kind, a, b, ea, eb)
        out.append(c)
        if ea is None or eb is None or not ea.population or not eb.population:
            combos.append(None)
            continue
        ta, tb = ea.estimate, eb.estimate
        if kind == "difference":
            c.estimate = ta - tb
            combos.append([(a, ta, ea.population, 1.0), (b, tb, eb.population, -1.0)])
        else:
            c.estimate = ta / tb if tb else float("nan")
            if not tb:
                combos.append(None)
                continue
            combos.append([(a, ta, ea.population, 1.0 / tb), (b, tb, eb.population, -ta / (tb * tb))])
    variances = combo_variances(source, design, measure, combos)
    zq = NormalDist().inv_cdf(1 - (1 - level) / 2)
    for c, v in zip(out, variances):
        if v is None or math.isnan(c.estimate):
            continue
        c.se = math.sqrt(v) if v >= 0 else float("nan")
        if kind == "difference":
            c.ci_low, c.ci_high = c.estimate - zq * c.se, c.estimate + zq * c.se
            c.z = c.estimate / c.se if c.se > 0 else float("nan")
        elif c.estimate > 0:
            sl = c.se / c.estimate
            c.ci_low, c.ci_high = math.exp(math.log(c.estimate) - zq * sl), math.exp(math.log(c.estimate) + zq * sl)
            c.z = math.log(c.estimate) / sl if sl > 0 else float("nan")
        if not math.isnan(c.z):
            c.p_value = 2 * (1 - NormalDist().cdf(abs(c.z)))
    return out


def _cond(d, domain: dict) -> str:
    if not domain:
        return "TRUE"
    return " AND ".join(f"{d.quote(k)} = {d.literal(v)}" for k, v in sorted(domain.items()))


def _value(d, measure: Measure) -> str:
    x = d.quote(measure.var)
    if measure.level is None:
        return d.double(x)
    return f"(CASE WHEN {x} = {d.literal(measure.level)} THEN 1.0 ELSE 0.0 END)"


def combo_variances(source, design, measure: Measure, combos) -> list:
    """Design variance of Σ_k c_k θ_k (linearised) for each combination
    ``[(domain, θ_k, B_k, c_k), ...]`` (``None`` entries give ``None``)."""
    idx = [i for i, c in enumerate(combos) if c]
    if not idx:
        return [None] * len(combos)
    if len(idx) > CHUNK:  # keep each query's select list moderate
        res = [None] * len(combos)
        for start in range(0, len(idx), CHUNK):
            part = idx[start:start + CHUNK]
            got = combo_variances(source, design, measure, [combos[i] for i in part])
            for i, v in zip(part, got):
                res[i] = v
        return res
    table, d = source, source.engine.dialect
    checks.check_columns(table, [(measure.var, measure.var, measure.level is None)])
    prep = prepare(table, design, [], [], checks.MAX_LEVELS)
    valid = f"{d.quote(measure.var)} IS NOT NULL"
    a = _value(d, measure)
    res = [None] * len(combos)
    if isinstance(design, Design):
        base = design_base(d, design, [], [], [], prep)
        items = []
        for j, i in enumerate(idx):
            terms = []
            for dom, theta, B, coef in combos[i]:
                k = coef / B
                terms.append(f"(CASE WHEN {_cond(d, dom)} THEN {k!r} * ({a} - {float(theta)!r}) ELSE 0.0 END)")
            base.extra[f"z{j}_"] = f"(CASE WHEN {valid} THEN {' + '.join(terms)} ELSE 0.0 END)"
            items.append(Item("total", f"z{j}_", None, "TRUE"))
        stats, _state = _taylor(table, design, prep, base, [[]], items, False)
        row = stats.get((0,)) or [None] * len(items)
        for j, i in enumerate(idx):
            st = row[j]
            res[i] = None if st is None else st["var"]
        return res
    # replicate designs: θ_k under every replicate, then svrVar of the linear combination
    base = design_base(d, design, [], [], prep.replicates, prep)
    doms, items = {}, []
    for i in idx:
        for dom, _t, _b, _c in combos[i]:
            key = domain_key(dom)
            if key in doms:
                continue
            k = len(doms)
            doms[key] = k
            cond = _cond(d, dom)
            base.extra[f"a{k}_"] = f"(CASE WHEN {valid} AND {cond} THEN {a} ELSE 0.0 END)"
            base.extra[f"b{k}_"] = f"(CASE WHEN {valid} AND {cond} THEN 1.0 ELSE 0.0 END)"
            items.append(Item("ratio", f"a{k}_", f"b{k}_", "TRUE"))
    stats, _state = _replicate(table, design, prep, base, [[]], items, False)
    row = stats.get((0,))
    import numpy as np

    for i in idx:
        th = None
        full = 0.0
        for dom, theta, _b, coef in combos[i]:
            st = row[doms[domain_key(dom)]]
            th = coef * st["thetas"] if th is None else th + coef * st["thetas"]
            full += coef * theta
        res[i] = svr_var(np.asarray(th, dtype=float), prep.scale, prep.rscales, design.mse, full)
    return res
