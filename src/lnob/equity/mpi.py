"""Alkire-Foster multidimensional poverty (the OPHI global MPI method) with design-based SEs.

Person i is deprived in indicator j (g_ij = 1) when the 0/1 column says so, or when a raw
achievement x_ij is below its cutoff z_j.  With weights w_j summing to 1, the deprivation
score is c_i = Σ_j w_j g_ij; i is poor when c_i ≥ k.  The censored score is
c_i(k) = c_i·1[c_i ≥ k].

* H  = share of poor                         = survey mean of 1[poor]
* A  = average score of the poor             = survey ratio Σw c_i(k) / Σw 1[poor]
* M0 = H·A                                   = survey mean of c_i(k)
* M1 = mean of Σ_j w_j (z_j − x_ij)/z_j over deprived j of the poor (normalised gaps)
* M2 = the same with squared normalised gaps
* censored headcount h_j = mean of g_ij·1[poor]; M0 = Σ_j w_j h_j; contribution of j = w_j h_j / M0
* uncensored headcount = mean of g_ij
* subgroups: M0 = Σ_g (N_g/N) M0_g; contribution of g = (N_g/N) M0_g / M0

Weights and k are exact fractions and identification compares integers: with L the least
common multiple of their denominators, person i is poor when Σ_j (L·w_j) g_ij ≥ L·k, so
k = 1/3 with three weights of 1/3 identifies a person deprived in one indicator as poor
(1/3 ≥ 1/3) with no rounding.  Rows with a missing deprivation (or raw value) are left out
of every estimate (a domain that keeps every PSU, R's ``na.rm=TRUE``).

Standard errors, intervals and degrees of freedom come from :mod:`lnob.stats` (any
linearisation or replicate design, DuckDB or PostgreSQL); the computation is SQL over a
temporary view.  See docs/equity.md.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce

from lnob.errors import InputError, UsageError
from lnob.i18n import _


@dataclass(frozen=True)
class Deprivation:
    """One indicator: a 0/1 ``column`` (1 = deprived), or a ``raw`` achievement column with a
    ``cutoff`` (deprived when raw < cutoff; needed for M1 and M2)."""

    column: str | None
    weight: Fraction
    raw: str | None = None
    cutoff: float | None = None

    @property
    def name(self) -> str:
        return self.column or self.raw or ""


@dataclass
class Stat:
    estimate: float
    se: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict:
        return {"estimate": _finite(self.estimate), "se": _finite(self.se),
                "ci_low": _finite(self.ci_low), "ci_high": _finite(self.ci_high)}


@dataclass
class MPIResult:
    """The MPI of the whole sample (``group`` is ``None``) or of one subgroup."""

    group: dict | None
    H: Stat
    A: Stat
    M0: Stat
    M1: Stat | None = None
    M2: Stat | None = None
    censored_headcount: dict = field(default_factory=dict)
    uncensored_headcount: dict = field(default_factory=dict)
    contribution: dict = field(default_factory=dict)
    n: int = 0
    population: float = float("nan")
    population_share: float = 1.0
    group_contribution: float = 1.0


def _finite(x):
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return x


def parse_fraction(text, where: str) -> Fraction:
    """``"1/3"``, ``"0.25"`` or ``"1"`` as an exact fraction (decimals are read exactly)."""
    if isinstance(text, Fraction):
        return text
    if isinstance(text, int):
        return Fraction(text)
    s = str(text).strip()
    try:
        if "/" in s:
            num, den = s.split("/", 1)
            value = Fraction(int(num.strip()), int(den.strip()))
        else:
            value = Fraction(s)
    except (ValueError, ZeroDivisionError):
        raise UsageError(_("{v!r} is not a number or a fraction").format(v=s), where=where,
                         hint=_("write a number (0.25) or a fraction (1/3)"),
                         code="equity.bad-fraction") from None
    return value


def parse_deprivation(spec: str) -> Deprivation:
    """``COL=WEIGHT`` as given to ``lnob mpi --deprivation``."""
    if "=" not in spec:
        raise UsageError(_("bad deprivation {s!r}").format(s=spec), where="--deprivation",
                         hint=_("write COL=WEIGHT, e.g. --deprivation water=1/6"),
                         code="equity.bad-deprivation")
    col, w = spec.rsplit("=", 1)
    col = col.strip()
    if not col:
        raise UsageError(_("bad deprivation {s!r}").format(s=spec), where="--deprivation",
                         hint=_("write COL=WEIGHT, e.g. --deprivation water=1/6"),
                         code="equity.bad-deprivation")
    return Deprivation(col, parse_fraction(w, f"--deprivation {spec}"))


def check_weights(deprivations: list[Deprivation], k: Fraction) -> None:
    if not deprivations:
        raise UsageError(_("no deprivation indicators"), where="--deprivation",
                         hint=_("give every indicator as --deprivation COL=WEIGHT"),
                         code="equity.no-deprivations")
    names = [d.name for d in deprivations]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise UsageError(_("indicator {c!r} is given twice").format(c=dup[0]), where="--deprivation",
                         hint=_("give each indicator once"), code="equity.duplicate-deprivation")
    for d in deprivations:
        if d.weight <= 0:
            raise UsageError(_("the weight of {c!r} must be positive").format(c=d.name),
                             where=f"--deprivation {d.name}", hint=_("e.g. 1/4"),
                             code="equity.bad-weight")
    total = sum((d.weight for d in deprivations), Fraction(0))
    if total != 1:
        raise UsageError(
            _("the indicator weights sum to {s} ({f}), not 1").format(s=str(total), f=f"{float(total):.6g}"),
            where="--deprivation",
            hint=_("make the weights sum to exactly 1; use fractions such as 1/3 instead of 0.33"),
            code="equity.weights-sum")
    if not (0 < k <= 1):
        raise UsageError(_("k must be in (0, 1], not {k}").format(k=str(k)), where="--k",
                         hint=_("k is the poverty cutoff on the weighted deprivation score, e.g. --k 1/3"),
                         code="equity.bad-k")


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


def _check_binary(table, dep: Deprivation) -> None:
    """Every non-missing value of a 0/1 column is 0 or 1; else name the first bad row."""
    d = table.engine.dialect
    q = d.quote(dep.column)
    ctype = table.columns.get(dep.column, "")
    numeric = d.is_numeric_type(ctype)
    cond = "v NOT IN (0, 1)" if numeric else f"CAST(v AS {d.text_type}) NOT IN ('0', '1')"
    sql = (f"SELECT rn, v FROM (SELECT ROW_NUMBER() OVER () AS rn, {q} AS v FROM {table.sql}) t "
           f"WHERE v IS NOT NULL AND {cond} ORDER BY rn LIMIT 1")
    rows = table.engine.execute(sql)
    if rows:
        rn, v = rows[0]
        raise InputError(
            _("deprivation column {c!r} holds {v!r} in data row {r}; it must be 0 or 1").format(
                c=dep.column, v=v, r=rn),
            where=_("{c}, data row {r}").format(c=dep.column, r=rn),
            hint=_("code 1 = deprived and 0 = not deprived (leave the cell empty if unknown)"),
            code="equity.not-binary")


def mpi(source, design, deprivations, k, *, by: str | None = None, level: float = 0.95) -> list[MPIResult]:
    """Alkire-Foster measures for the whole sample, then for each ``by`` group."""
    from lnob.stats import Mean, Ratio, estimate_tables
    from lnob.stats import checks

    deprivations = list(deprivations)
    k = parse_fraction(k, "--k")
    check_weights(deprivations, k)
    table, eng = source, source.engine
    d = eng.dialect
    needs = []
    for dep in deprivations:
        if dep.column:
            needs.append((dep.column, "--deprivation", False))
        if dep.raw:
            needs.append((dep.raw, "--deprivation", True))
    if by:
        needs.append((by, "--by", False))
    checks.check_columns(table, needs, types=False)
    for dep in deprivations:
        if dep.raw:
            checks.check_columns(table, [(dep.raw, "--deprivation", True)])
            if dep.cutoff is None or not dep.cutoff > 0:
                raise UsageError(_("the cutoff of {c!r} must be a positive number").format(c=dep.raw),
                                 where=dep.raw, hint=_("normalised gaps divide by the cutoff"),
                                 code="equity.bad-cutoff")
        if dep.column:
            _check_binary(table, dep)
    L = reduce(_lcm, [dep.weight.denominator for dep in deprivations] + [k.denominator], 1)
    K = int(k * L)
    gexpr, valid = [], []
    for dep in deprivations:
        if dep.column:
            c = d.quote(dep.column)
            valid.append(f"{c} IS NOT NULL")
            if d.is_numeric_type(table.columns.get(dep.column, "")):
                gexpr.append(f"(CASE WHEN {c} = 1 THEN 1 ELSE 0 END)")
            else:
                gexpr.append(f"(CASE WHEN CAST({c} AS {d.text_type}) = '1' THEN 1 ELSE 0 END)")
        else:
            x = d.quote(dep.raw)
            valid.append(f"{x} IS NOT NULL")
            gexpr.append(f"(CASE WHEN {d.double(x)} < {float(dep.cutoff)!r} THEN 1 ELSE 0 END)")
    ok = " AND ".join(valid)
    score = " + ".join(f"{int(dep.weight * L)} * {g}" for dep, g in zip(deprivations, gexpr))
    poor = f"(CASE WHEN ({score}) >= {K} THEN 1 ELSE 0 END)"
    cols = {"poor": poor, "ck": f"({poor} * {d.double(f'({score})')} / {float(L)!r})"}
    names = {}
    for j, (dep, g) in enumerate(zip(deprivations, gexpr)):
        names[dep.name] = j
        cols[f"g{j}"] = d.double(g)
        cols[f"h{j}"] = d.double(f"({g} * {poor})")
    gaps = all(dep.raw for dep in deprivations)
    if gaps:
        m1, m2 = [], []
        for dep, g in zip(deprivations, gexpr):
            x, z = d.double(d.quote(dep.raw)), float(dep.cutoff)
            gap = f"(CASE WHEN {x} < {z!r} THEN ({z!r} - {x}) / {z!r} ELSE 0.0 END)"
            w = float(dep.weight)
            m1.append(f"{w!r} * {gap}")
            m2.append(f"{w!r} * {gap} * {gap}")
        cols["m1"] = f"({poor} * ({' + '.join(m1)}))"
        cols["m2"] = f"({poor} * ({' + '.join(m2)}))"
    prefix = "lnob_mpi_" + uuid.uuid4().hex[:8] + "_"
    sel = ", ".join(f"CASE WHEN {ok} THEN {e} END AS {d.quote(prefix + a)}" for a, e in cols.items())
    view = "lnob_mpi_" + uuid.uuid4().hex[:12]
    eng.execute(f"CREATE TEMPORARY VIEW {d.quote(view)} AS SELECT *, {sel} FROM {table.sql}")
    try:
        vt = eng.table(view)
        P = lambda a: prefix + a  # noqa: E731
        specs = [Mean(P("poor")), Mean(P("ck")), Ratio(P("ck"), P("poor"))]
        specs += [Mean(P(f"g{j}")) for j in range(len(deprivations))]
        specs += [Mean(P(f"h{j}")) for j in range(len(deprivations))]
        if gaps:
            specs += [Mean(P("m1")), Mean(P("m2"))]
        tables = [[]] + ([[by]] if by else [])
        res = estimate_tables(vt, design, specs, tables, level=level)
    finally:
        try:
            eng.execute(f"DROP VIEW IF EXISTS {d.quote(view)}")
        except Exception:  # pragma: no cover - the view is temporary anyway
            pass
    out = []
    for ti, rows in enumerate(res):
        groups = {}
        for r in rows:
            key = tuple(r.domain.items())
            groups.setdefault(key, {})[(r.statistic, r.variable)] = r
        for key, got in groups.items():
            st = lambda stat, var: got.get((stat, P(var)) if stat != "ratio" else (stat, f"{P('ck')}/{P('poor')}"))  # noqa: E731
            H, M0, A = st("mean", "poor"), st("mean", "ck"), st("ratio", None)
            if H is None or M0 is None:
                continue
            res_ = MPIResult(group=dict(key) if ti else None, H=_stat(H), A=_stat(A), M0=_stat(M0),
                             n=H.n, population=H.population)
            for dep in deprivations:
                j = names[dep.name]
                res_.uncensored_headcount[dep.name] = st("mean", f"g{j}").estimate
                h = st("mean", f"h{j}").estimate
                res_.censored_headcount[dep.name] = h
                res_.contribution[dep.name] = (float(dep.weight) * h / M0.estimate
                                               if M0.estimate else float("nan"))
            if gaps:
                res_.M1, res_.M2 = _stat(st("mean", "m1")), _stat(st("mean", "m2"))
            out.append(res_)
    if out:
        whole = out[0]
        for r in out[1:]:
            r.population_share = r.population / whole.population if whole.population else float("nan")
            r.group_contribution = (r.population_share * r.M0.estimate / whole.M0.estimate
                                    if whole.M0.estimate else float("nan"))
    return out


def _stat(r) -> Stat:
    if r is None:
        return Stat(float("nan"), float("nan"), float("nan"), float("nan"))
    return Stat(r.estimate, r.se, r.ci_low, r.ci_high)


def as_records(results: list[MPIResult], by: str | None) -> list[dict]:
    """The JSON shape of ``lnob mpi --format json``."""
    out = []
    for r in results:
        rec = {}
        if by:
            rec[by] = None if r.group is None else r.group.get(by)
        rec.update(H=r.H.as_dict(), A=r.A.as_dict(), M0=r.M0.as_dict())
        if r.M1 is not None:
            rec.update(M1=r.M1.as_dict(), M2=r.M2.as_dict())
        rec["censored_headcount"] = {c: _finite(v) for c, v in r.censored_headcount.items()}
        rec["uncensored_headcount"] = {c: _finite(v) for c, v in r.uncensored_headcount.items()}
        rec["contribution"] = {c: _finite(v) for c, v in r.contribution.items()}
        rec["n"] = r.n
        rec["population"] = _finite(r.population)
        rec["population_share"] = _finite(r.population_share)
        rec["group_contribution"] = _finite(r.group_contribution)
        out.append(rec)
    return out
