"""The estimation entry points: :func:`estimate` and :func:`estimate_tables`.

Owns turning specs into SQL items, running the one aggregation query per call (all domain
tables of the call at once), and turning the returned aggregates into :class:`Result` rows
with R ``survey``'s estimates, standard errors, intervals, degrees of freedom and design
effects.  Formulas: :mod:`lnob.stats.variance`, :mod:`lnob.stats.intervals`, docs/stats.md.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict

from lnob.i18n import _
from lnob.stats import checks, glm
from lnob.stats.design import Design, ReplicateDesign
from lnob.stats.intervals import beta_ci, logit_ci, normal_ci, wald_ci
from lnob.stats.prepare import design_base, prepare
from lnob.stats.specs import Mean, Proportion, Ratio, Result, Total
from lnob.stats.sqlgen import (STRAT_NA, STRAT_SQ, STRAT_SS, STRAT_ZERO, Item, logit_query, patterns_query,
                               constant_dims_query, replicate_query, taylor_set_query,
                               unit_table_query)
from lnob.stats.variance import LonelyPSU, combine_stage, onestrat, qr_rank, stratum_fraction, svr_var

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
        stats, state = _taylor(table, design, prep, base, sets, items, deff)
    else:
        stats, state = _replicate(table, design, prep, base, sets, items, deff)
    if any(it.logit for it in items):
        _logit_pass(table, design, prep, base, sets, items, stats, state)
    # results
    out = []
    for ti, t in enumerate(tables):
        mask = _mask(len(dom_cols), sets[ti])
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


def _mask(n_dom: int, s: list[int]) -> int:
    mask = 0
    for i in range(n_dom):
        if i not in s:
            mask |= 1 << (n_dom - 1 - i)
    return mask


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
    """One aggregation query per distinct domain set (see ``taylor_set_query``): each query
    reads the rows once and keeps at most one domain set's unit sums in memory."""
    eng = table.engine
    d = eng.dialect
    stages = design.variance_stages
    n_dom = len(base.domain_cols)
    lonely_domain = None
    if design.adjust_domain_lonely and design.lonely_psu in ("average", "adjust"):
        lonely_domain = STRAT_NA if design.lonely_psu == "average" else STRAT_SQ
    by_dom: dict = {}
    col = None
    info_tables = _info_tables(eng, design, prep, stages)
    temp = list(info_tables.values())
    try:
        # domain sets whose columns are all constant within last-stage units (e.g. household
        # characteristics with households as units) share one table of unit sums
        # Domain sets are grouped by their columns that vary within last-stage units (e.g.
        # person characteristics when households are the units): the sets of one group share
        # a table of unit sums by those columns and the unit-level ones (constant within
        # units), computed once; one group's table is kept at a time.
        const: set = set()
        uniq = {}
        for s in sets:
            uniq.setdefault(_mask(n_dom, s), s)
        if len(uniq) > 2 and not base.row_units:
            boolean = {i for i, c in enumerate(base.domain_cols)
                       if str(table.columns.get(c, "")).lower().startswith("bool")}
            row = eng.execute(constant_dims_query(d, table.sql, base, stages, boolean))[0]
            const = {i for i in range(n_dom) if not row[i]}
        groups: dict = {}
        for mask, s in uniq.items():
            groups.setdefault(tuple(sorted(set(s) - const)), []).append((mask, s))
        for varying, members in groups.items():
            units = None
            if const and len(members) >= 3:
                units = d.quote(f"lnob_units_{uuid.uuid4().hex[:12]}")
                temp.append(units)
                dims = sorted(set(varying) | const)
                eng.execute(f"CREATE TEMPORARY TABLE {units} AS "
                            + unit_table_query(d, table.sql, base, dims, items, stages, deff))
            for mask, s in members:
                sql, layout = taylor_set_query(d, table.sql, base, s, items, stages, deff, info_tables,
                                               lonely_domain, units)
                if col is None:
                    col = {c: i for i, c in enumerate(layout.columns[layout.n_set:])}
                pos = {i: p for p, i in enumerate(s)}
                for r in eng.execute(sql):
                    key = (mask,) + tuple(r[pos[i]] if i in pos else None for i in range(n_dom))
                    by_dom.setdefault(key, {1: []})[1].append(r[layout.n_set:])
            if units:
                eng.execute(f"DROP TABLE IF EXISTS {units}")
                temp.remove(units)
    finally:
        for name in temp:
            eng.execute(f"DROP TABLE IF EXISTS {name}")
    kpos = 0
    out = {}
    for key, per_stage in by_dom.items():
        out[key] = [_taylor_item(j, it, per_stage, col, kpos, prep, design, deff) for j, it in enumerate(items)]
    return out, {"by_dom": by_dom, "col": col, "kpos": kpos}


def _info_tables(eng, design: Design, prep, stages: int) -> dict[int, str]:
    """Temporary tables of the stage-k strata (k >= 2) for ``taylor_set_query``: keys, design
    count n_, weight w_ = scale · Π_{a<k} n_a/N_a and kind ty_ (R ``onestrat``'s cases)."""
    d = eng.dialect
    out: dict[int, str] = {}
    try:
        for k in range(2, stages + 1):
            rows = []
            for keys, (n, N) in prep.info[k].items():
                frac = 1.0
                for a in range(1, k):
                    na, Na = prep.info[a][keys[:a]]
                    if Na is not None:
                        frac *= na / Na
                f = stratum_fraction(n, N)
                if f < 1e-7:
                    ty, w = STRAT_ZERO, 0.0
                else:
                    w = (f * n / (n - 1) if n > 1 else f) * frac
                    if n > 1:
                        ty = STRAT_SS
                    else:
                        ty = {"remove": STRAT_ZERO, "certainty": STRAT_ZERO,
                              "adjust": STRAT_SQ}.get(design.lonely_psu, STRAT_NA)
                rows.append("(" + ", ".join([d.literal(v) for v in keys]
                                            + [str(int(n)), d.double(repr(float(w))), str(ty)]) + ")")
            name = d.quote(f"lnob_strata{k}_{uuid.uuid4().hex[:12]}")
            cols = ["s_"] + [f"c{i}_" for i in range(1, k)] + ["n_", "w_", "ty_"]
            out[k] = name
            for i in range(0, max(len(rows), 1), 2000):
                values = ", ".join(rows[i:i + 2000])
                if i == 0:
                    eng.execute(f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM (VALUES {values}) "
                                f"AS v({', '.join(cols)})")
                else:
                    eng.execute(f"INSERT INTO {name} VALUES {values}")
    except BaseException:
        for name in out.values():
            eng.execute(f"DROP TABLE IF EXISTS {name}")
        raise
    return out


def _taylor_item(j, it, per_stage, col, kpos, prep, design, deff):
    al = it.aliases
    s1 = per_stage[1]
    tot = lambda a: sum((r[col[a]] or 0.0) for r in s1)  # noqa: E731
    A, W, n, nz = tot(al["A"]), tot(al["W"]), int(tot(al["n"])), int(tot(al["nz"]))
    if n == 0:
        return None
    if it.kind == "total":
        B, est, var = None, A, _taylor_var(j, it, per_stage, col, kpos, prep, design, 0.0, None)
    else:
        B = tot(al["B"])
        est = A / B + it.center if B else float("nan")  # A holds Σw(a − center·b)
        var = _taylor_var(j, it, per_stage, col, kpos, prep, design, est - it.center, B)
        A = A + it.center * B
    mz_i = col[f"mz{j}"]
    strata_nz = [r[mz_i] for r in s1 if r[mz_i]]
    df = float(sum(strata_nz) - len(strata_nz))
    st = {"est": est, "var": var, "n": n, "W": W, "df": df, "se_logit": None, "A": A, "B": B}
    if deff:
        st["deff"] = _deff(it, est, var, A, B, W, nz, tot, "taylor")
    return st


def _taylor_var(j, it, per_stage, col, kpos, prep, design, R: float, Bs) -> float:
    """Σ over stages of the stratum contributions (R ``multistage``) for item j, linearised
    at ratio R (relative to ``it.center``): unit totals t = (A − R·B)/Bs, or A for totals.
    Per stratum S = ΣA − RΣB and C = Var(A) + R²Var(B) − 2R·Cov(A, B) (all over Bs)."""
    rule, adl = design.lonely_psu, design.adjust_domain_lonely
    m_i, SA_i, VA_i = col[f"m{j}"], col[f"SA{j}"], col[f"VA{j}"]
    ratio = it.kind == "ratio"
    if ratio:
        if not Bs:
            return float("nan")
        SB_i, VB_i, CAB_i = col[f"SB{j}"], col[f"VB{j}"], col[f"CAB{j}"]

    complement = it.prop and R > 0.5  # better conditioned for proportions near 1

    def sc(r):
        if not ratio:
            return r[SA_i], r[VA_i] or 0.0
        S = (r[SA_i] - R * r[SB_i]) / Bs
        vb = r[VB_i] or 0.0
        if complement:
            rr, va, cab = R - 1, r[col[f"VD{j}"]] or 0.0, r[col[f"CDB{j}"]] or 0.0
        else:
            rr, va, cab = R, r[VA_i] or 0.0, r[CAB_i] or 0.0
        C = (va + rr * rr * vb - 2 * rr * cab) / (Bs * Bs)
        return S, max(C, 0.0)

    try:
        contribs = []
        for r in per_stage[1]:
            m = r[m_i]
            if not m:
                continue
            nh, Nh = prep.info[1][(r[kpos],)]
            contribs.append(onestrat(nh, Nh, m, *sc(r), rule, adl))
        var = combine_stage(contribs)
        if design.variance_stages > 1:
            var += _deep_var(j, ratio, complement, per_stage[1], col, R, Bs)
    except LonelyPSU:  # pragma: no cover - prevented by the design check
        raise checks.lonely(sorted(prep.lonely.get(1, []), key=repr), 1)
    return var


def _deep_var(j, ratio, complement, rows, col, R, Bs) -> float:
    """Stages 2.. of R ``multistage`` from the quadratic terms of ``taylor_set_query``."""
    tot = lambda t: sum((r[col[f"{t}{j}"]] or 0.0) for r in rows)  # noqa: E731
    if tot("NA") > 0:
        return float("nan")
    if not ratio:
        return max(tot("X0") + tot("Y0"), 0.0)
    if complement:  # p near 1: expand in R − 1 around D = A − B (no cancellation)
        rr = R - 1
        p = tot("XD0") - 2 * rr * tot("XD1") + rr * rr * tot("X2")
        q = tot("YD0") - 2 * rr * tot("YD1") + rr * rr * tot("Y2")
    else:
        p = tot("X0") - 2 * R * tot("X1") + R * R * tot("X2")
        q = tot("Y0") - 2 * R * tot("Y1") + R * R * tot("Y2")
    return max(p + q, 0.0) / (Bs * Bs)


def _zero_if_rounding(value: float, scale: float) -> float:
    """A sum of squares computed from shifted moments is exactly zero (constant variable) when
    it is within rounding of zero; R then reports deff = NaN (0/0)."""
    return 0.0 if abs(value) <= 1e-12 * abs(scale) else value


def _deff(it, est, var, A, B, W, nobs, tot, kind, var_total=None):
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
                st["deff"] = _deff(it, est, var, A, B, W, n, get, "replicate", vt)
            res.append(st)
        out[key] = res
    return out, {"rscales": rs}


# --------------------------------------------------------------------------- logit (svyglm)
def _logit_pass(table, design, prep, base, sets, items, stats, state):
    """Replay R's IRLS fit for every proportion with a logit interval (see lnob.stats.glm)."""
    d = table.engine.dialect
    n_dom = len(base.domain_cols)
    masks = [_mask(n_dom, s) for s in sets]
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
            if isinstance(design, Design):
                m1 = glm.linkinv(beta)
                per_stage = state["by_dom"][key]
                v = _taylor_var(j, it, per_stage, state["col"], state["kpos"], prep, design,
                                m1 - it.center, st["B"])
                st["se_logit"] = math.sqrt(v) / glm.mu_eta(beta) if v >= 0 else float("nan")
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
