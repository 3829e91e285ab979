"""Summary measures of inequality (WHO HEAT / R ``healthequal``) and ESCAP's D-index.

Input: one row per population subgroup *j = 1..J* of an inequality dimension
(wealth quintile, region, sex…) with

* ``y_j`` — the subgroup estimate of the indicator (e.g. a percentage),
* ``pop_j`` — the subgroup population (only its share ``p_j = pop_j / Σ pop``
  matters, except in the Walter SE of PAR/PAF and the SII/RII fit, which use
  the counts as ``healthequal`` does),
* optionally ``se_j`` — the standard error of ``y_j`` (needed for the CIs of
  D, R, BGV, TI, MLD and the simulated CIs),
* ``order_j`` — for an *ordered* dimension, 1 = most disadvantaged … J = most
  advantaged (``healthequal``'s ``subgroup_order`` in increasing sequence),
* ``reference_j`` — optionally, one subgroup flagged as the reference (used by D
  and R of a non-ordered dimension, exactly as ``healthequal`` does).

The weighted mean is ``μ = Σ_j p_j y_j``.  ``scale`` is ``healthequal``'s
``scaleval``: 100 for percentages, 1000 for a rate per 1000, 1 for proportions.

Every measure follows the source of ``healthequal`` (WHO, AGPL-3; CRAN 1.0.0 and
the later GitHub sources, WHOequity/healthequal): which subgroups are compared,
favourable/adverse direction, which dimension types a measure applies to, and
when it is not defined.  Where we deliberately differ, it is about the *scale of
a reported SE* and is said in the measure's docstring and in
``docs/inequality.md``:

* PAF, TI and MLD: ``healthequal`` returns the SE on the unscaled (fraction)
  scale while the estimate is ×100 / ×1000; we report the SE on the scale of the
  estimate (so the CI is estimate ± z·SE on one scale).
* SII: the SE is on the indicator scale (healthequal 1.0.0 returned it as a
  proportion; 1.0.1 "fixed the scale of the reported se for SII").

No measure is ever looked up or hard-coded: all are computed from the inputs.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from lnob.errors import InputError, UsageError, did_you_mean
from lnob.i18n import _

#: Every measure, in the order of the CLI's JSON object.
MEASURES: tuple[str, ...] = (
    "d", "r", "par", "paf", "sii", "rii", "aci", "rci", "bgv", "bgsd", "cov",
    "mdmu", "mdmw", "mdbu", "mdbw", "idisu", "idisw", "ti", "mld", "dindex",
)

#: Measures healthequal defines only for ordered dimensions ("Applicability: Ordered").
ORDERED_ONLY = frozenset({"sii", "rii", "aci", "rci"})
#: Measures healthequal defines only for non-ordered dimensions
#: ("Applicability: Non-ordered dimensions of inequality with more than two subgroups").
NONORDERED_ONLY = frozenset(
    {"bgv", "bgsd", "cov", "mdmu", "mdmw", "mdbu", "mdbw", "idisu", "idisw", "ti", "mld"}
)
#: Measures for which healthequal stops with "Estimates must be available for
#: more than two subgroups" (or, for SII, whose HC1 variance needs J > 2).
MORE_THAN_TWO = frozenset({"par", "paf", "sii", "rii"}) | NONORDERED_ONLY

#: The constant healthequal substitutes for a zero estimate in TI and MLD.
ZERO_SUBSTITUTE = 0.000001

REQUIRED_COLUMNS = ("subgroup", "estimate", "population")
OPTIONAL_COLUMNS = ("se", "order", "reference")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class MeasureResult:
    """One summary measure: the estimate and, where defined, SE and confidence interval.

    ``ci_method`` is ``"analytic"`` (estimate ± z·SE, or exp(log ± z·SE) for R
    and RII), ``"simulation"`` (percentile interval of the measure over
    simulated subgroup estimates; no SE) or ``None`` (no interval).  ``note``
    says why something is missing.
    """

    measure: str
    estimate: float | None
    se: float | None = None
    lower: float | None = None
    upper: float | None = None
    ci_method: str | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        return {
            "measure": self.measure, "estimate": self.estimate, "se": self.se,
            "lower": self.lower, "upper": self.upper, "ci_method": self.ci_method,
            "note": self.note,
        }


@dataclass(frozen=True)
class InequalityResult:
    """All measures for one indicator × dimension."""

    ordered: bool
    favourable: bool
    scale: float
    conf_level: float
    mean: float
    subgroups: int
    measures: dict[str, MeasureResult] = field(default_factory=dict)

    def __getitem__(self, name: str) -> MeasureResult:
        return self.measures[name]

    def estimates(self) -> dict[str, float | None]:
        """``{measure: point estimate or None}`` for every name in :data:`MEASURES`."""
        return {m: self.measures[m].estimate for m in MEASURES}


@dataclass(frozen=True)
class SubgroupData:
    """Per-subgroup inputs as read from a file (``None`` = column absent)."""

    names: list[str]
    estimate: list[float]
    population: list[float]
    se: list[float | None] | None = None
    order: list[int | None] | None = None
    reference: list[int] | None = None
    source: str | None = None


# --------------------------------------------------------------------------- CSV input


def _number(text: str, *, column: str, line: int, path: str, allow_blank: bool = False) -> float | None:
    value = (text or "").strip()
    if value == "":
        if allow_blank:
            return None
        raise InputError(
            _("the %(column)s is missing") % {"column": column},
            code="equity.missing-value", where=f"{path}, line {line}, column '{column}'",
            hint=_("every subgroup needs a %(column)s") % {"column": column},
        )
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InputError(
            _("%(value)r is not a number") % {"value": value},
            code="equity.not-a-number", where=f"{path}, line {line}, column '{column}'",
            hint=_("write the %(column)s as a plain number such as 42.5 (a dot for decimals, no %% sign)")
            % {"column": column},
        )
    return number


def read_subgroups_csv(path: str | Path) -> SubgroupData:
    """Read ``subgroup, estimate, population[, se, order, reference]`` from a CSV file.

    Column names are matched case-insensitively; other columns are ignored.
    Blank ``se`` cells mean "no SE"; blank ``reference`` cells mean 0.
    Raises :class:`~lnob.errors.InputError` (codes ``equity.*``) for a missing or
    unreadable file, missing columns (with close matches), non-numeric values
    (with the line number) and negative populations.
    """
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise InputError(
            _("the file does not exist"), code="equity.file-not-found", where=where,
            hint=_("give the path of a CSV file with columns subgroup, estimate, population"),
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            _("the file cannot be read as UTF-8 text: %(reason)s") % {"reason": exc.__class__.__name__},
            code="equity.unreadable-csv", where=where,
            hint=_("save the table as CSV (UTF-8), comma-separated, one subgroup per line"),
        ) from None
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise InputError(
            _("the file is not valid CSV: %(reason)s") % {"reason": exc},
            code="equity.unreadable-csv", where=where,
            hint=_("save the table as CSV (UTF-8), comma-separated, one subgroup per line"),
        ) from None
    # keep physical line numbers: header is the first non-empty line
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(cell.strip() for cell in row)]
    if not numbered:
        raise InputError(
            _("the file is empty"), code="equity.unreadable-csv", where=where,
            hint=_("the first line must name the columns: subgroup,estimate,population"),
        )
    header_line, header = numbered[0]
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        suggestions = []
        for name in missing:
            dym = did_you_mean(name, [h.strip() for h in header if h.strip().lower() not in REQUIRED_COLUMNS])
            if dym:
                suggestions.append(f"for {name!r}: {dym}")
        hint = _("the file needs the columns %(cols)s (found: %(found)s)") % {
            "cols": ", ".join(REQUIRED_COLUMNS), "found": ", ".join(h.strip() for h in header) or "none"}
        if suggestions:
            hint += "; " + "; ".join(suggestions)
        raise InputError(
            _("missing column(s): %(cols)s") % {"cols": ", ".join(missing)},
            code="equity.missing-column", where=f"{where}, line {header_line}", hint=hint,
        )
    index = {name: columns.index(name) for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in columns}

    def cell(row: list[str], name: str) -> str:
        i = index[name]
        return row[i] if i < len(row) else ""

    names: list[str] = []
    estimate: list[float] = []
    population: list[float] = []
    se: list[float | None] | None = [] if "se" in index else None
    order: list[int | None] | None = [] if "order" in index else None
    reference: list[int] | None = [] if "reference" in index else None
    for line, row in numbered[1:]:
        name = cell(row, "subgroup").strip()
        if not name:
            raise InputError(
                _("the subgroup name is missing"), code="equity.missing-value",
                where=f"{where}, line {line}, column 'subgroup'", hint=_("name every subgroup"),
            )
        if name in names:
            raise InputError(
                _("subgroup %(name)r appears twice") % {"name": name}, code="equity.duplicate-subgroup",
                where=f"{where}, line {line}", hint=_("give one line per subgroup"),
            )
        names.append(name)
        estimate.append(_number(cell(row, "estimate"), column="estimate", line=line, path=where))
        pop = _number(cell(row, "population"), column="population", line=line, path=where)
        if pop < 0:
            raise InputError(
                _("the population is negative (%(value)s)") % {"value": cell(row, "population").strip()},
                code="equity.negative-population", where=f"{where}, line {line}, column 'population'",
                hint=_("populations are counts of people (or population shares) and cannot be negative"),
            )
        population.append(pop)
        if se is not None:
            value = _number(cell(row, "se"), column="se", line=line, path=where, allow_blank=True)
            if value is not None and value < 0:
                raise InputError(
                    _("the standard error is negative"), code="equity.negative-se",
                    where=f"{where}, line {line}, column 'se'", hint=_("a standard error is ≥ 0; leave it blank if unknown"),
                )
            se.append(value)
        if order is not None:
            raw = cell(row, "order").strip()
            if raw == "":
                order.append(None)
            else:
                value = _number(raw, column="order", line=line, path=where)
                if value != int(value):
                    raise InputError(
                        _("the order %(value)r is not a whole number") % {"value": raw},
                        code="equity.bad-order", where=f"{where}, line {line}, column 'order'",
                        hint=_("number the subgroups 1 (most disadvantaged) to J (most advantaged)"),
                    )
                order.append(int(value))
        if reference is not None:
            raw = cell(row, "reference").strip()
            if raw in ("", "0", "0.0"):
                reference.append(0)
            elif raw in ("1", "1.0"):
                reference.append(1)
            else:
                raise InputError(
                    _("the reference flag %(value)r is not 0 or 1") % {"value": raw},
                    code="equity.bad-reference", where=f"{where}, line {line}, column 'reference'",
                    hint=_("write 1 on the reference subgroup's line and 0 (or nothing) elsewhere"),
                )
    return SubgroupData(names, estimate, population, se, order, reference, source=where)


# --------------------------------------------------------------------------- helpers


def _z(conf_level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - conf_level) / 2))


def _finite(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _normal_ci(est: float | None, se: float | None, z: float) -> tuple[float | None, float | None]:
    if est is None or se is None:
        return None, None
    return est - z * se, est + z * se


def _analytic(name: str, est, se, z: float, note: str | None = None) -> MeasureResult:
    est_f, se_f = _finite(est), _finite(se)
    lo, hi = _normal_ci(est_f, se_f, z)
    return MeasureResult(name, est_f, se_f, lo, hi, "analytic" if se_f is not None else None, note)


def _first(indices) -> int:
    return int(indices[0])


def _compared_pair(y, *, ordered: bool, favourable: bool, order, reference) -> tuple[int, int, str]:
    """Indices ``(j1, j2)`` of the subgroups compared by D = y1 − y2 and R = y1 / y2.

    As healthequal's ``d()``/``r()``:

    * ordered, favourable: most advantaged (max order) vs most disadvantaged (min order);
    * ordered, adverse: most disadvantaged vs most advantaged (the reference flag is ignored);
    * non-ordered, no reference: highest vs lowest estimate (whatever the direction);
    * non-ordered, reference, favourable: reference vs the lowest other estimate;
    * non-ordered, reference, adverse: the highest other estimate vs the reference.

    Ties: the first subgroup in input order.
    """
    import numpy as np

    if ordered:
        lo, hi = int(np.argmin(order)), int(np.argmax(order))
        if favourable:
            return hi, lo, "most advantaged vs most disadvantaged"
        return lo, hi, "most disadvantaged vs most advantaged"
    if reference is None or int(np.sum(reference)) == 0:
        return int(np.argmax(y)), int(np.argmin(y)), "highest vs lowest estimate"
    ref = int(np.argmax(reference))
    others = np.array([j for j in range(len(y)) if j != ref])
    if favourable:
        j2 = _first(others[y[others] == y[others].min()])
        return ref, j2, "reference vs lowest other estimate"
    j1 = _first(others[y[others] == y[others].max()])
    return j1, ref, "highest other estimate vs reference"


def _ridit(pop_sorted):
    """Ridit rank of each subgroup (sorted by order): (Σ pop before + pop/2) / Σ pop."""
    import numpy as np

    cum = np.cumsum(pop_sorted)
    before = cum - pop_sorted
    return (before + 0.5 * pop_sorted) / cum[-1]


def _logit_fit(x, prop, w, *, max_iter: int = 200, tol: float = 1e-12):
    """Weighted logistic regression of ``prop`` on ``[1, x]`` with prior weights ``w`` (IRLS).

    The same maximum-likelihood fit as R's ``glm(..., family = quasibinomial("logit"))``
    (quasibinomial only changes the dispersion, which cancels in HC1).  Returns
    ``(beta, mu, X, w)``; raises ``ArithmeticError`` if it cannot converge.
    """
    import numpy as np
    from scipy.special import expit, logit

    X = np.column_stack([np.ones_like(x), x])
    mu = (w * prop + 0.5) / (w + 1.0)  # R's binomial mustart
    eta = logit(mu)
    dev_old = math.inf
    beta = np.zeros(2)
    for _i in range(max_iter):
        mu = expit(eta)
        var = mu * (1 - mu)
        if np.any(var <= 0):
            raise ArithmeticError("fitted probabilities of 0 or 1")
        zwork = eta + (prop - mu) / var
        W = w * var
        A = X.T @ (W[:, None] * X)
        beta = np.linalg.solve(A, X.T @ (W * zwork))
        eta = X @ beta
        mu = expit(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = float(-2 * np.sum(w * (np.where(prop > 0, prop * np.log(mu), 0)
                                         + np.where(prop < 1, (1 - prop) * np.log(1 - mu), 0))))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            break
        dev_old = dev
    else:  # pragma: no cover - IRLS on two parameters converges in a few steps
        raise ArithmeticError("IRLS did not converge")
    return beta, expit(X @ beta), X, w


def _vcov_hc1(X, prop, mu, w):
    """``sandwich::vcovHC(glm, type = "HC1")`` for a binomial-family GLM.

    bread = (X'WX)⁻¹·n_ok, meat = Σ (w_i (y_i − μ_i))² x_i x_i' / (n − k);
    V = n_ok² / (n (n − k)) · (X'WX)⁻¹ [Σ (w_i (y_i − μ_i))² x_i x_i'] (X'WX)⁻¹,
    with W = w μ(1 − μ) the IRLS weights, n rows, k = 2, n_ok rows of non-zero weight.
    (The dispersion of the quasibinomial family cancels.)
    """
    import numpy as np

    n, k = X.shape
    n_ok = int(np.sum(w > 0))
    if n - k <= 0:
        return None
    W = w * mu * (1 - mu)
    Ainv = np.linalg.inv(X.T @ (W[:, None] * X))
    ef = X * (w * (prop - mu))[:, None]
    meat = ef.T @ ef
    return (n_ok ** 2 / (n * (n - k))) * Ainv @ meat @ Ainv


# --------------------------------------------------------------------------- measures


def _sii_rii(y, pop, order, scale, z):
    """SII and RII as healthequal's ``sii()``/``rii()`` for disaggregated data.

    1. ``pop_j ← ceiling(pop_j)``; events ``e_j = round(y_j / scale · pop_j)``,
       non-events ``pop_j − e_j``; if any ``e_j < 0`` or ``e_j > pop_j`` → NA.
    2. Ridit rank ``r_j`` of the subgroups sorted by order (on the ceiled pops).
    3. ``glm(cbind(e, pop − e) ~ r, weights = pop, quasibinomial("logit"))`` — R
       multiplies the prior weights by the binomial totals, so each subgroup's
       proportion ``e_j / pop_j`` enters with weight ``pop_j²``.
    4. ``p0 = expit(b0)``, ``p1 = expit(b0 + b1)``; SII = scale·(p1 − p0),
       RII = p1 / p0 (``marginaleffects::avg_comparisons`` "difference" / "lnratio").
    5. SE by the delta method with the HC1 sandwich covariance (``vcov = "HC1"``):
       SII: ∇ = (p1(1−p1) − p0(1−p0), p1(1−p1)), SE reported × scale;
       ln RII: ∇ = ((1−p1) − (1−p0), 1−p1), SE on the log scale, CI = exp(ln RII ± z·SE).

    healthequal's ``rii()`` infers the scale from the largest estimate (≤1 → 1,
    ≤100 → 100, ≤1000 → 1000 …); we use the declared scale for both, which is the
    same whenever the largest estimate lies in (scale/10^…, scale] as usual.
    """
    import numpy as np

    idx = np.argsort(order, kind="stable")
    popc = np.ceil(pop[idx])
    events = np.round(y[idx] / scale * popc)  # R's round(): half to even, as numpy
    if np.any(events < 0) or np.any(events > popc):
        note = _("not defined: an estimate is below 0 or above the scale (healthequal returns NA)")
        return MeasureResult("sii", None, note=note), MeasureResult("rii", None, note=note)
    rank = _ridit(popc)
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = np.where(popc > 0, events / popc, 0.0)
    w = popc * popc
    try:
        beta, mu, X, w = _logit_fit(rank, prop, w)
        V = _vcov_hc1(X, prop, mu, w)
    except (ArithmeticError, np.linalg.LinAlgError):
        note = _("not defined: the logistic regression cannot be fitted (all events 0 or all 100%)")
        return MeasureResult("sii", None, note=note), MeasureResult("rii", None, note=note)
    from scipy.special import expit

    p0, p1 = float(expit(beta[0])), float(expit(beta[0] + beta[1]))
    sii = scale * (p1 - p0)
    sii_se = rii_se = None
    if V is not None:
        g = np.array([p1 * (1 - p1) - p0 * (1 - p0), p1 * (1 - p1)])
        sii_se = scale * math.sqrt(max(float(g @ V @ g), 0.0))
        gl = np.array([(1 - p1) - (1 - p0), 1 - p1])
        rii_se = math.sqrt(max(float(gl @ V @ gl), 0.0))
    sii_res = _analytic("sii", sii, sii_se, z)
    if p0 <= 0:
        return sii_res, MeasureResult("rii", None, note=_("not defined: the fitted value at rank 0 is 0"))
    rii = p1 / p0
    lo = hi = None
    if rii_se is not None:
        lo, hi = math.exp(math.log(rii) - z * rii_se), math.exp(math.log(rii) + z * rii_se)
    return sii_res, MeasureResult("rii", rii, rii_se, lo, hi, "analytic" if rii_se is not None else None,
                                  _("SE on the log scale"))


def _concentration(y, pop, order, mu, z, *, relative: bool):
    """ACI / RCI as healthequal's ``aci()``/``rci()`` (convenient regression).

    With subgroups sorted by order, ridit ranks ``r_j``, population shares ``p_j``,
    ``σ² = Σ p_j (r_j − ½)²`` and ``s_j = √pop_j``, fit by ordinary least squares
    (``glm(lhs ~ 0 + rhs + intercept, gaussian)``)::

        lhs_j = 2σ² · y_j · s_j            (ACI)   or   2σ² · (y_j / μ) · s_j   (RCI)
        rhs_j = r_j · s_j,  intercept_j = s_j

    The coefficient of ``rhs`` is the index (= 2·cov_p(y, r) for ACI, that over μ
    for RCI); its SE is the model-based OLS SE with residual variance RSS/(J − 2).
    """
    import numpy as np

    idx = np.argsort(order, kind="stable")
    ys, ps = y[idx], pop[idx]
    rank = _ridit(ps)
    shares = ps / ps.sum()
    sigma2 = float(np.sum(shares * (rank - 0.5) ** 2))
    s = np.sqrt(ps)
    lhs = 2 * sigma2 * (ys / mu if relative else ys) * s
    X = np.column_stack([rank * s, s])
    XtX = X.T @ X
    beta = np.linalg.solve(XtX, X.T @ lhs)
    name = "rci" if relative else "aci"
    df = len(ys) - 2
    se = None
    if df > 0:
        rss = float(np.sum((lhs - X @ beta) ** 2))
        se = math.sqrt(rss / df * float(np.linalg.inv(XtX)[0, 0]))
    return _analytic(name, float(beta[0]), se, z)


def _walter(y_ref: float, pop_ref: float, mu: float, pop_total: float, scale: float) -> float | None:
    """SE of the attributable fraction (as a fraction), Walter (1978), as healthequal codes it.

    c = (y_ref/scale)·pop_ref, d = pop_ref − c, a = (μ/scale)·N − c, b = N − a − pop_ref,
    N = a + b + c + d;  SE = √( c·N·(a·d·(N − c) + b·c²) / ((a + c)³ (c + d)³) ).
    """
    c = (y_ref / scale) * pop_ref
    d = pop_ref - c
    a = (mu / scale) * pop_total - c
    b = pop_total - a - pop_ref
    n = a + b + c + d
    denominator = (a + c) ** 3 * (c + d) ** 3
    if denominator == 0:
        return None
    value = (c * n * (a * d * (n - c) + b * c ** 2)) / denominator
    return math.sqrt(value) if value >= 0 else None


def _simulate(y, se, scale: float, simulations: int, seed: int):
    """Simulated subgroup estimates for the percentile CIs (healthequal's "simulated estimates").

    Each estimate is drawn from a normal distribution N(y_j, se_j²) truncated to
    [0, 100] when the scale is 100, otherwise to [0, ∞) — healthequal draws by
    rejection, which is the same distribution.  Returns a (simulations × J) array.
    """
    import numpy as np
    from scipy.stats import truncnorm

    rng = np.random.default_rng(seed)
    upper = 100.0 if scale == 100 else math.inf
    draws = np.empty((simulations, len(y)))
    for j, (m, s) in enumerate(zip(y, se)):
        if s <= 0:
            draws[:, j] = min(max(m, 0.0), upper)
            continue
        a, b = (0.0 - m) / s, (upper - m) / s
        draws[:, j] = truncnorm.rvs(a, b, loc=m, scale=s, size=simulations, random_state=rng)
    return draws


def _check_infinite(name: str, value, where: str | None, what: str) -> None:
    if value is not None and isinstance(value, float) and math.isinf(value):
        raise InputError(
            _("%(measure)s is infinite: it divides by %(what)s") % {"measure": name.upper(), "what": what},
            code="equity.nonpositive-estimate", where=where,
            hint=_("ratio and relative measures need positive estimates; check the estimates, "
                   "or read only the absolute measures (D, SII, BGV…) for this indicator"),
        )


# --------------------------------------------------------------------------- validation


def _validate(names, y, pop, se, order, reference, *, ordered: bool, scale: float, source: str | None):
    import numpy as np

    def where(extra: str | None = None) -> str:
        parts = [p for p in (source, extra) if p]
        return ", ".join(parts) if parts else "input"

    J = len(y)
    if not (len(pop) == J and (se is None or len(se) == J) and (order is None or len(order) == J)
            and (reference is None or len(reference) == J) and len(names) == J):
        raise UsageError(_("the per-subgroup inputs have different lengths"), code="equity.length-mismatch",
                         where=where(), hint=_("give one value per subgroup in every input"))
    if J < 2:
        raise InputError(
            _("%(n)d subgroup(s): inequality needs at least 2 subgroups") % {"n": J},
            code="equity.too-few-subgroups", where=where(),
            hint=_("give one line per subgroup of the dimension (e.g. the 5 wealth quintiles)"),
        )
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise UsageError(_("the scale must be a positive number"), code="equity.bad-scale", where="--scale",
                         hint=_("100 for percentages, 1000 for a rate per 1000, 1 for proportions"))
    for j in range(J):
        if not math.isfinite(y[j]):
            raise InputError(_("the estimate is not a finite number"), code="equity.not-a-number",
                             where=where(f"subgroup {names[j]!r}"), hint=_("give a number"))
        if not math.isfinite(pop[j]) or pop[j] < 0:
            raise InputError(_("the population is negative or not a number"), code="equity.negative-population",
                             where=where(f"subgroup {names[j]!r}"),
                             hint=_("populations are counts of people (or shares) and cannot be negative"))
    if float(np.sum(pop)) <= 0:
        raise InputError(_("every population is 0"), code="equity.zero-population", where=where("column 'population'"),
                         hint=_("give the number of people (or the population share) of each subgroup"))
    if reference is not None:
        flagged = [names[j] for j in range(J) if reference[j] == 1]
        if any(r not in (0, 1) for r in reference):
            raise InputError(_("the reference flags must be 0 or 1"), code="equity.bad-reference",
                             where=where("column 'reference'"), hint=_("write 1 on exactly one subgroup"))
        if len(flagged) > 1:
            raise InputError(
                _("%(n)d subgroups are flagged as reference: %(names)s") % {"n": len(flagged), "names": ", ".join(flagged)},
                code="equity.multiple-references", where=where("column 'reference'"),
                hint=_("flag exactly one reference subgroup with 1"),
            )
        if not flagged:
            raise InputError(
                _("a reference column is given but no subgroup is flagged"), code="equity.no-reference",
                where=where("column 'reference'"),
                hint=_("write 1 on the reference subgroup's line, or drop the column to compare highest vs lowest"),
            )
    if ordered:
        if order is None:
            raise InputError(
                _("an ordered dimension needs the order of the subgroups"), code="equity.missing-order",
                where=where(),
                hint=_("add a column 'order' numbering the subgroups 1 (most disadvantaged) to J (most advantaged), "
                       "or use --unordered"),
            )
        if any(o is None for o in order) or sorted(order) != list(range(1, J + 1)):
            raise InputError(
                _("the order must number the %(n)d subgroups 1 to %(n)d, each once") % {"n": J},
                code="equity.bad-order", where=where("column 'order'"),
                hint=_("1 = most disadvantaged … %(n)d = most advantaged; found %(found)s")
                % {"n": J, "found": ", ".join("blank" if o is None else str(o) for o in order)},
            )


# --------------------------------------------------------------------------- the API


def summary_measures(
    estimate: Sequence[float],
    population: Sequence[float],
    *,
    ordered: bool,
    favourable: bool = True,
    scale: float = 100.0,
    se: Sequence[float | None] | None = None,
    order: Sequence[int | None] | None = None,
    reference: Sequence[int] | None = None,
    names: Sequence[str] | None = None,
    conf_level: float = 0.95,
    simulations: int = 100,
    seed: int = 123456,
    source: str | None = None,
) -> InequalityResult:
    """Every summary measure of inequality for one indicator over one dimension.

    ``ordered`` — the dimension has a natural order (``order`` required, 1 =
    most disadvantaged); ``favourable`` — higher values are better (coverage) or
    not (mortality); ``scale`` — healthequal's ``scaleval``.  ``se`` enables the
    analytic SEs/CIs of D, R, BGV, TI, MLD and the simulated CIs (``simulations``
    draws, ``seed``) of BGSD, COV, MDMU, MDMW, MDBU, MDBW, IDISU, IDISW and the
    D-index; a ``None`` in ``se`` counts as "no SE" for every subgroup.

    A measure is ``None`` (with a note) where healthequal does not define it:
    ordered-only measures (SII, RII, ACI, RCI) for a non-ordered dimension,
    non-ordered-only measures (BGV … MLD) for an ordered one, measures needing
    more than two subgroups when J = 2, SII/RII when an estimate is outside
    [0, scale] or all estimates are equal, TI/MLD where a logarithm is undefined.
    Raises :class:`~lnob.errors.InputError` for invalid input and where a ratio
    would be infinite (a zero denominator), see ``docs/inequality.md``.
    """
    import numpy as np

    J = len(estimate)
    names = list(names) if names is not None else [f"#{j + 1}" for j in range(J)]
    y = np.asarray([float(v) for v in estimate], dtype=float)
    pop = np.asarray([float(v) for v in population], dtype=float)
    _validate(names, list(y), list(pop), se, order, reference, ordered=ordered, scale=scale, source=source)
    ref = None if reference is None else np.asarray(reference, dtype=int)
    ordr = None if order is None else np.asarray(order, dtype=float)
    se_arr = None
    if se is not None and all(s is not None for s in se):
        se_arr = np.asarray([float(s) for s in se], dtype=float)
    z = _z(conf_level)
    shares = pop / pop.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = float(np.sum(shares * y))
    where = source
    res: dict[str, MeasureResult] = {}

    def na(name: str, note: str) -> None:
        res[name] = MeasureResult(name, None, note=note)

    # ---- applicability
    for name in ORDERED_ONLY:
        if not ordered:
            na(name, _("ordered dimensions only"))
    for name in NONORDERED_ONLY:
        if ordered:
            na(name, _("non-ordered dimensions only"))
    if J <= 2:
        for name in MORE_THAN_TWO:
            if name not in res:
                na(name, _("needs more than two subgroups"))

    # ---- D and R
    j1, j2, how = _compared_pair(y, ordered=ordered, favourable=favourable, order=ordr, reference=ref)
    y1, y2 = float(y[j1]), float(y[j2])
    pair_note = f"{names[j1]} vs {names[j2]} ({how})"
    d_se = None
    if se is not None and se[j1] is not None and se[j2] is not None:
        d_se = math.sqrt(float(se[j1]) ** 2 + float(se[j2]) ** 2)
    res["d"] = _analytic("d", y1 - y2, d_se, z, pair_note)
    if y2 < 0 or y1 < 0 or (y2 == 0 and y1 != 0):
        raise InputError(
            _("R = %(a)s / %(b)s is not defined for a zero or negative estimate")
            % {"a": names[j1], "b": names[j2]},
            code="equity.nonpositive-estimate", where=where or "input",
            hint=_("R compares two subgroups' estimates and needs them positive; check the estimates of "
                   "%(a)s and %(b)s") % {"a": names[j1], "b": names[j2]},
        )
    if y2 == 0:  # 0 / 0
        na("r", _("not defined: both compared estimates are 0"))
    else:
        r = y1 / y2
        r_se = lo = hi = None
        if d_se is not None and r > 0:
            s1, s2 = float(se[j1]), float(se[j2])
            r_se = math.sqrt((1 / y2 ** 2) * (s1 ** 2 + r ** 2 * s2 ** 2)) / r
            lo, hi = math.exp(math.log(r) - z * r_se), math.exp(math.log(r) + z * r_se)
        res["r"] = MeasureResult("r", r, r_se, lo, hi, "analytic" if r_se is not None else None,
                                 pair_note + "; " + _("SE on the log scale"))

    # ---- PAR and PAF
    if "par" not in res:
        if ordered:
            jr = int(np.argmax(ordr))  # most advantaged, whatever the direction (healthequal)
        else:
            jr = _first(np.flatnonzero(y == (y.max() if favourable else y.min())))
        y_ref = float(y[jr])
        wrong_way = (favourable and y_ref - mu < 0) or (not favourable and y_ref - mu > 0)
        par = 0.0 if wrong_way else y_ref - mu
        if mu == 0:
            if not wrong_way and y_ref != 0:
                _check_infinite("paf", math.inf, where, _("a weighted mean of 0"))
            paf = 0.0 if wrong_way else math.nan
        else:
            paf = 0.0 if wrong_way else 100 * (y_ref - mu) / mu
        fraction_se = _walter(y_ref, float(pop[jr]), mu, float(pop.sum()), scale)
        note = _("reference: %(name)s") % {"name": names[jr]}
        par_se = None if fraction_se is None else abs(mu) * fraction_se
        res["par"] = _analytic("par", par, par_se, z, note)
        res["paf"] = _analytic("paf", paf, None if fraction_se is None else 100 * fraction_se, z, note)

    # ---- SII and RII
    if ordered and "sii" not in res:
        if len(set(y.tolist())) == 1:
            na("sii", _("not calculated: all estimates are equal (healthequal stops)"))
            na("rii", _("not calculated: all estimates are equal (healthequal stops)"))
        else:
            res["sii"], res["rii"] = _sii_rii(y, pop, ordr, scale, z)

    # ---- ACI and RCI
    if ordered:
        res["aci"] = _concentration(y, pop, ordr, mu, z, relative=False)
        if mu == 0:
            na("rci", _("not defined: the weighted mean is 0"))
        else:
            res["rci"] = _concentration(y, pop, ordr, mu, z, relative=True)

    # ---- simulation (percentile CIs)
    sims = None
    if se_arr is not None and simulations > 0:
        sims = _simulate(y, se_arr, scale, simulations, seed)
    q = ((1 - conf_level) / 2, 1 - (1 - conf_level) / 2)

    def simulated(name: str, fn: Callable, note: str | None = None) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = fn(y)
        value = float(value)
        _check_infinite(name, value, where, _("a weighted mean of 0"))
        if math.isnan(value):
            na(name, note or _("not defined: the weighted mean is 0"))
            return
        lo = hi = None
        method = None
        if sims is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                vals = np.array([fn(row) for row in sims], dtype=float)
            vals = vals[np.isfinite(vals)]
            if len(vals):
                lo, hi = (float(v) for v in np.quantile(vals, q))
                method = "simulation"
        res[name] = MeasureResult(name, value, None, lo, hi, method, note)

    def wmean(v):
        return float(np.sum(shares * v))

    def best(v):
        return float(v.max() if favourable else v.min())

    if not ordered and J > 2:
        # BGV: analytic SE (Ahn et al. 2018, as healthequal)
        bgv = float(np.sum(shares * (y - mu) ** 2))
        bgv_se = None
        if se_arr is not None:
            se2 = np.sum(shares ** 2 * se_arr ** 2 * (y - mu) ** 2)
            s2 = np.sum(shares ** 2 * se_arr ** 2)
            s4 = np.sum(shares ** 4 * se_arr ** 4)
            se4 = np.sum(shares ** 2 * (1 - shares) ** 2 * se_arr ** 4)
            bgv_se = math.sqrt(float(4 * se2 + 2 * (s2 ** 2 - s4 + se4)))
        res["bgv"] = _analytic("bgv", bgv, bgv_se, z)
        simulated("bgsd", lambda v: math.sqrt(np.sum(shares * (v - wmean(v)) ** 2)))
        simulated("cov", lambda v: 100 * math.sqrt(np.sum(shares * (v - wmean(v)) ** 2)) / wmean(v))
        simulated("mdmu", lambda v: np.sum(np.abs(v - wmean(v))) / J)
        simulated("mdmw", lambda v: np.sum(shares * np.abs(v - wmean(v))))
        simulated("mdbu", lambda v: np.sum(np.abs(v - best(v))) / J,
                  _("reference: best-performing subgroup"))
        simulated("mdbw", lambda v: np.sum(shares * np.abs(v - best(v))),
                  _("reference: best-performing subgroup"))
        simulated("idisu", lambda v: (100 / J) * np.sum(np.abs(v - wmean(v))) / wmean(v))
        simulated("idisw", lambda v: 100 * np.sum(shares * np.abs(v - wmean(v))) / wmean(v))
        res["ti"], res["mld"] = _theil(y, shares, se_arr, z)

    simulated("dindex", lambda v: np.sum(shares * np.abs(v - wmean(v))) / (2 * wmean(v)))

    measures = {m: res[m] for m in MEASURES}
    return InequalityResult(ordered=ordered, favourable=favourable, scale=float(scale), conf_level=conf_level,
                            mean=mu, subgroups=J, measures=measures)


def _theil(y, shares, se, z):
    """TI and MLD (×1000) with the analytic SEs of Ahn et al. (2018), as healthequal.

    Zero estimates are replaced by 10⁻⁶ first; ρ_j = y_j / μ.
    TI = 1000·Σ p_j ρ_j ln ρ_j,   SE = 1000·√Σ (1 + ln ρ_j − Σ_k p_k ρ_k (1 + ln ρ_k))² p_j² se_j² / μ²;
    MLD = 1000·Σ p_j (−ln ρ_j),   SE = 1000·√Σ p_j² se_j² / μ² · (1 − 1/ρ_j)².
    (healthequal returns the SE without the factor 1000.)  A negative ρ (negative
    estimate or mean) makes the logarithm undefined: the measure is None.
    """
    import numpy as np

    yz = np.where(y == 0, ZERO_SUBSTITUTE, y)
    mu = float(np.sum(shares * yz))
    if mu == 0 or np.any(yz / mu <= 0):
        note = _("not defined: needs positive estimates (the logarithm of a negative share)")
        return MeasureResult("ti", None, note=note), MeasureResult("mld", None, note=note)
    rho = yz / mu
    ti = 1000 * float(np.sum(shares * rho * np.log(rho)))
    mld = 1000 * float(np.sum(shares * -np.log(rho)))
    ti_se = mld_se = None
    if se is not None:
        prep = float(np.sum(rho * (1 + np.log(rho)) * shares))
        ti_se = 1000 * math.sqrt(float(np.sum((1 + np.log(rho) - prep) ** 2 * shares ** 2 * se ** 2 / mu ** 2)))
        mld_se = 1000 * math.sqrt(float(np.sum(se ** 2 * shares ** 2 / mu ** 2 * (1 - 1 / rho) ** 2)))
    return _analytic("ti", ti, ti_se, z), _analytic("mld", mld, mld_se, z)
