"""The estimation entry points: :func:`estimate` and :func:`estimate_tables`.

Owns turning specs into SQL items, running the passes over the data (linearisation designs:
:mod:`lnob.stats.taylor` — one query for every domain's estimate, then one variance query per
domain set; replicate designs: one ``GROUPING SETS`` query), the logit-interval pass, and
turning the returned aggregates into :class:`Result` rows with R ``survey``'s estimates,
standard errors, intervals, degrees of freedom and design effects.  Formulas:
:mod:`lnob.stats.variance`, :mod:`lnob.stats.intervals`, docs/stats.md.
"""

from __future__ import annotations

import math
from collections import defaultdict

from lnob.i18n import _
from lnob.stats import checks, glm, taylor
from lnob.stats.design import Design, ReplicateDesign
from lnob.stats.intervals import beta_ci, logit_ci, normal_ci, wald_ci
from lnob.stats.prepare import design_base, prepare
from lnob.stats.specs import Mean, Proportion, Ratio, Result, Total
from lnob.stats.sqlgen import Item, grouping_mask, logit_query, patterns_query, replicate_query
from lnob.stats.variance import deff as deff_of
from lnob.stats.variance import qr_rank, svr_var

CI_METHODS = ("logit", "beta", "wald")


def _as_list(v) -> list:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return list(v)


def estimate(source, design, specs, by=None, *, level: float = 0.95, ci: str = "logit",
             deff: bool = False, max_levels: int = checks.MAX_LEVELS) -> list[Result]:
    """Estimates of ``specs`` overall (``by=None``) or by the domains of the crossed ``by``
    columns.  ``source`` is a :class:`~lnob.stats.engine.Table`; ``design`` a
    :class:`Design` or :class:`ReplicateDesign`."""
    return estimate_tables(source, design, specs, [_as_list(by)], level=level, ci=ci,
                           deff=deff, max_levels=max_levels)[0]


def estimate_tables(source, design, specs, tables, *, level: float = 0.95, ci: str = "logit",
                    deff: bool = False, max_levels: int = checks.MAX_LEVELS) -> list[list[Result]]:
    """Several domain tables in one pass: ``tables`` is a list of by-column lists (``[]`` is
    the whole population).  Returns one list of results per table, in order."""
    specs = list(specs) if isinstance(specs, (list, tuple)) else [specs]
    tables = [_as_list(t) for t in tables] or [[]]
    ci = "wald" if ci == "mean" else ci
    _check_options(specs, ci, level)
    table, d = source, source.engine.dialect
    # columns
    needs = []
    if design.weights:
        needs.append((design.weights, "--weight", True))
    if design.strata:
        needs.append((design.strata, "--strata", False))
    needs += [(c, "--cluster", False) for c in design.clusters]
    if isinstance(design, Design):
        needs += [(f, "--fpc", True) for f in design.fpc]
    else:
        needs += [(c, "--replicate-weights", True) for c in design.replicate_weights]
    for t in tables:
        needs += [(c, "--by", False) for c in t]
    for s in specs:
        opt = f"--{s.statistic}"
        needs += [(c, opt, not isinstance(s, Proportion)) for c in s.columns()]
    checks.check_columns(table, needs, types=False)
    if "rows" not in table.cache:
        table.cache["rows"] = table.engine.execute(f"SELECT COUNT(*) FROM {table.sql}")[0][0]
    if table.cache["rows"] == 0:
        raise checks.empty_data()
    checks.check_columns(table, needs)
    prop_vars = sorted({s.var for s in specs if isinstance(s, Proportion)})
    num_vars = sorted({c for s in specs if not isinstance(s, Proportion) for c in s.columns()})
    prep = prepare(table, design, prop_vars, num_vars, max_levels)
    # SQL items
    value_cols = sorted({c for s in specs for c in s.columns()})
    xname = {c: f"x{i}" for i, c in enumerate(value_cols)}

    def valid(*cols):  # "TRUE" for columns without missing values: items then share W and n
        return " AND ".join(f"{xname[c]} IS NOT NULL" for c in cols if c not in prep.complete) or "TRUE"

    items: list[Item] = []
    plan = []  # (spec, level, item index)
    for s in specs:
        if isinstance(s, Proportion):
            x = xname[s.var]
            for lev in prep.levels[s.var]:
                items.append(Item("ratio", f"CASE WHEN {x} = {d.literal(lev)} THEN 1.0 ELSE 0.0 END",
                                  "1.0", valid(s.var), logit=ci == "logit", prop=True))
                plan.append((s, lev, len(items) - 1))
        elif isinstance(s, Ratio):
            a, b = xname[s.num], xname[s.den]
            items.append(Item("ratio", d.double(a), d.double(b), valid(s.num, s.den),
                              prep.shifts.get(s.num, 0.0), prep.shifts.get(s.den, 0.0)))
            plan.append((s, None, len(items) - 1))
        else:
            x = xname[s.var]
            kind = "total" if isinstance(s, Total) else "ratio"
            items.append(Item(kind, d.double(x), "1.0" if kind == "ratio" else None,
                              valid(s.var), prep.shifts.get(s.var, 0.0), 1.0))
            plan.append((s, None, len(items) - 1))
    dom_cols = sorted({c for t in tables for c in t}, key=lambda c: [c in t for t in tables].index(True))
    sets = [[dom_cols.index(c) for c in t] for t in tables]
    reps = prep.replicates
    if isinstance(design, Design):  # numerical shift of the linearisation sums (see sqlgen)
        for (s, _lev, _j), it in zip(plan, items):
            # a mean (ratio) of a variable within [0, 1] is linearised like a proportion: about
            # 0 and, near 1, about 1 (exact zeros for domains where it is constant 0 or 1)
            num = s.num if isinstance(s, Ratio) else getattr(s, "var", None)
            lo, hi = prep.ranges.get(num, (None, None))
            if isinstance(s, (Mean, Ratio)) and lo is not None and lo >= 0 and hi <= 1:
                it.prop = True
        for it in items:
            if it.kind == "ratio" and it.b != "1.0" and it.shift_b and not it.prop:
                it.center = it.shift_a / it.shift_b
            elif it.kind == "ratio" and it.b == "1.0" and not it.prop:
                it.center = it.shift_a
    for it in items:
        it.positive = prep.positive_weights
    base = design_base(d, design, dom_cols, value_cols, reps, prep)
    if isinstance(design, Design):
        stats, state = taylor.points(table, prep, base, sets, items, deff), {}
    else:
        stats, state = _replicate(table, design, prep, base, sets, items, deff)
    if any(it.logit for it in items):
        _logit_pass(table, design, prep, base, sets, items, stats, state)
    if isinstance(design, Design):
        taylor.variance(table, design, prep, base, sets, items, stats, deff)
    # results
    out = []
    for ti, t in enumerate(tables):
        mask = grouping_mask(len(dom_cols), sets[ti])
        doms = sorted((k for k in stats if k[0] == mask), key=lambda k: _sort_key(k[1:]))
        rows = []
        for s, lev, j in plan:
            for k in doms:
                st = stats[k][j]
                if st is None:
                    continue
                domain = {c: k[1 + dom_cols.index(c)] for c in t}
                rows.append(_result(s, lev, domain, st, design, level, ci, deff))
        # order: spec, domain, level (plan order already groups levels inside a spec)
        order = {id(s): i for i, s in enumerate(specs)}
        rows.sort(key=lambda r: (order[id(_spec_of(r, specs))], _sort_key(tuple(r.domain.values())),
                                 _sort_key((r.level,))))
        out.append(rows)
    return out


def _spec_of(r: Result, specs):
    for s in specs:
        if s.statistic == r.statistic and s.label == r.variable:
            return s
    return specs[0]


def _sort_key(values):
    return tuple((v is None, type(v).__name__ if not isinstance(v, (int, float)) else "", v)
                 for v in values)


def _check_options(specs, ci, level):
    if not specs:
        raise checks.usage(_("nothing to estimate"), where="estimate",
                           hint=_("give at least one of --mean, --total, --proportion, --ratio"),
                           code="stats.no-estimates")
    for s in specs:
        if not isinstance(s, (Mean, Total, Proportion, Ratio)):
            raise checks.usage(_("unknown estimator {s!r}").format(s=s), where="specs",
                               hint=_("use Mean, Total, Proportion or Ratio"), code="stats.bad-spec")
    if ci not in CI_METHODS:
        raise checks.usage(_("unknown interval method {ci!r}").format(ci=ci), where="--ci",
                           hint=_("choose one of: ") + ", ".join(CI_METHODS), code="stats.bad-ci")
    if not 0 < level < 1:
        raise checks.usage(_("level must be between 0 and 1"), where="--level",
                           hint=_("e.g. --level 0.95"), code="stats.bad-level")


# --------------------------------------------------------------------------- linearisation
def _taylor(table, design: Design, prep, base, sets, items, deff):
    """Estimates and linearisation variances (no logit step): see :mod:`lnob.stats.taylor`."""
    stats = taylor.points(table, prep, base, sets, items, deff)
    taylor.variance(table, design, prep, base, sets, items, stats, deff)
    return stats, {}


# --------------------------------------------------------------------------- replicates
def _replicate(table, design: ReplicateDesign, prep, base, sets, items, deff):
    import numpy as np

    eng, d = table.engine, table.engine.dialect
    R = len(prep.replicates)
    sql, columns, masks, reg = replicate_query(d, table.sql, base, sets, items, R, deff)
    rows = eng.execute(sql)
    n_dom = len(base.domain_cols)
    col = {c: i for i, c in enumerate(columns)}
    # degrees of freedom: rank of the replicate weights of the domain's valid rows, minus 1
    dfs = {}
    for valid in sorted({it.valid for it in items}):
        psql, _m = patterns_query(d, table.sql, base, sets, valid, R)
        pats = defaultdict(list)
        for r in eng.execute(psql):
            pats[(r[0],) + tuple(r[1:1 + n_dom])].append(r[1 + n_dom:])
        dfs[valid] = {k: qr_rank(np.array(v, dtype=float)) - 1 for k, v in pats.items()}
    rs = np.array(prep.rscales, dtype=float)
    out = {}
    for r in rows:
        key = (r[0],) + tuple(r[1:1 + n_dom])
        res = []
        for it in items:
            al = it.aliases
            get = lambda a: r[col[a]] or 0.0  # noqa: E731
            A, W, n = get(al["A"]), get(al["W"]), int(get(al["n"]))
            if n == 0:
                res.append(None)
                continue
            Ar = np.array([get(a) for a in al["Ar"]], dtype=float)
            B = Br = None
            with np.errstate(divide="ignore", invalid="ignore"):
                if it.kind == "ratio":
                    B = get(al["B"])
                    Br = np.array([get(a) for a in al["Br"]], dtype=float)
                    est = A / B if B else float("nan")
                    thetas = Ar / Br
                else:
                    est, thetas = A, Ar
            var = svr_var(thetas, prep.scale, rs, design.mse, est)
            se_logit = None
            if it.kind == "ratio" and 0 < est < 1:
                with np.errstate(divide="ignore", invalid="ignore"):
                    lt = np.log(thetas / (1 - thetas))
                se_logit = math.sqrt(svr_var(lt, prep.scale, rs, design.mse, math.log(est / (1 - est))))
            st = {"est": est, "var": var, "n": n, "W": W, "se_logit": se_logit, "A": A,
                  "df": float(dfs[it.valid].get(key, float("nan"))), "thetas": thetas}
            if deff:
                vt = None
                if it.kind == "ratio" and it.b != "1.0":
                    vt = svr_var(Ar - est * Br, prep.scale, rs, design.mse, A - est * B)
                st["deff"] = deff_of(it, est, var, A, B, W, n, get, "replicate", vt)
            res.append(st)
        out[key] = res
    return out, {"rscales": rs}


# --------------------------------------------------------------------------- logit (svyglm)
def _logit_pass(table, design, prep, base, sets, items, stats, state):
    """Replay R's IRLS fit for every proportion with a logit interval (see lnob.stats.glm)."""
    d = table.engine.dialect
    n_dom = len(base.domain_cols)
    masks = [grouping_mask(n_dom, s) for s in sets]
    const_of, var_const = {}, {}
    for j, it in enumerate(items):
        if it.logit:
            const_of[j] = var_const.setdefault(it.valid, f"kc{len(var_const)}")
    domains = {}
    for key, res in stats.items():
        if key[0] not in masks:
            continue
        si = masks.index(key[0])
        consts = {}
        for j, c in const_of.items():
            st = res[j]
            if st is not None and st["W"]:
                consts[c] = st["n"] / st["W"]
        if len(consts) < len(var_const):
            consts = {c: consts.get(c, 1.0) for c in var_const.values()}
        domains.setdefault(si, []).append((tuple(key[1 + i] for i in sets[si]), consts))
    sql, columns = logit_query(d, table.sql, base, sets, domains, items, const_of)
    col = {c: i for i, c in enumerate(columns)}
    for r in table.engine.execute(sql):
        key = (r[0],) + tuple(r[1:1 + n_dom])
        res = stats.get(key)
        if res is None:
            continue
        for j in const_of:
            st = res[j]
            if st is None or not st["W"]:
                continue
            it = items[j]
            c = st["n"] / st["W"]
            al = it.aliases
            sz = 2 * r[col[al["G"]]] - r[col[al["Gall"]]]
            beta = glm.fit_full(r[col[al["D0"]]], r[col[al["SW"]]], sz, c * st["A"], c * st["W"])
            st["beta"] = beta
            if isinstance(design, Design):  # the variance pass linearises at μ̂ too (lnob.stats.taylor)
                st["m1"] = glm.linkinv(beta)
            else:
                betas = [glm.fit_from(float(p), beta) for p in st["thetas"]]
                v = svr_var(betas, prep.scale, state["rscales"], design.mse, beta)
                st["se_logit"] = math.sqrt(v)


# --------------------------------------------------------------------------- results
def _result(spec, lev, domain, st, design, level, ci, deff) -> Result:
    est, var = st["est"], st["var"]
    se = math.sqrt(var) if var is not None and var >= 0 else float("nan")
    df = st["df"]
    if isinstance(spec, Proportion):
        if ci == "logit" and st.get("beta") is not None:
            lo, hi = glm.wald_ci(st["beta"], st["se_logit"], df, level)
        elif ci == "logit":
            se_logit = st["se_logit"]
            if se_logit is None:
                se_logit = se / (est * (1 - est)) if 0 < est < 1 else float("nan")
            lo, hi = logit_ci(est, se_logit, df, level)
        elif ci == "beta":
            lo, hi = beta_ci(est, var, st["n"], df, level)
        else:
            lo, hi = wald_ci(est, se, df, level)
    else:
        lo, hi = normal_ci(est, se, level)
    return Result(
        statistic=spec.statistic, variable=spec.label, level=_clean(lev), domain=domain,
        estimate=est, se=se, ci_low=lo, ci_high=hi, n=st["n"], population=st["W"], df=df,
        deff=st.get("deff") if deff else None,
    )


def _clean(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v
