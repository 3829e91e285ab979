"""Linearisation (Taylor) designs in :func:`lnob.stats.estimate_tables`: the SQL and the sums.

Two kinds of pass, each reading the rows and returning small aggregates only:

1. :func:`points` — **one** query for every domain of every domain table: per domain the
   weighted sums A = Σw(a − c·b), B = Σw·b, W = Σw, the counts n and n≠0 and the deff
   moments.  The rows are first summed by the full cross of the domain columns, then
   ``GROUPING SETS`` adds the small cross up into every table.  This gives the estimates
   R̂ = A/B + c of every domain before any variance is computed.
2. :func:`variance` — one query per domain set.  The estimates are known, so every row gets
   its linearised value directly, t = w·(a − R̂_d·b) for the row's domain d (a ``VALUES``
   list of the domain estimates is joined to the rows; for a total t = w·a).  Rows are summed
   per last-stage unit and domain into T_u — **one** sum per estimate instead of the
   A, B, W and n sums of a general linearisation point — and rolled up stage by stage:
   per first-stage stratum and domain the query returns m (PSUs with domain rows, counted
   as the non-NULL T: a unit without valid domain rows sums to NULL), ΣT and ``VAR_POP(T)``
   over those PSUs, and for multistage designs the later-stage contributions already summed
   (R ``onestrat`` per stage-stratum: w·(Σ_u T_u² − (Σ_u T_u)²/n), units without domain
   rows are zeros).  Proportions above ½ are linearised about 1, t = w·((a − b) − (R̂ − 1)·b),
   which keeps T exact near p = 1.  Logit intervals need the variance at a second point (the
   IRLS fit's μ̂): it is a second sum per estimate in the same query.

Domain sets whose unit-varying columns agree share one table of unit sums (A, B per estimate,
summed per last-stage unit by those columns and the unit-constant ones); the set's query then
reads that table instead of the rows.  At most one set's unit sums exist at a time: that
bounds the memory.  Formulas: :mod:`lnob.stats.variance` and docs/stats.md.
"""

from __future__ import annotations

import math
import uuid

from lnob.stats import checks
from lnob.stats.design import Design
from lnob.stats.sqlgen import (AggRegistry, Item, _group_by, base_cte, grouping_mask, grouping_parts,
                               unit_aggregates)
from lnob.stats.variance import LonelyPSU, combine_stage, deff as deff_of, onestrat, stratum_fraction

#: stage-k stratum kinds in the design-info tables (R ``onestrat``'s cases)
STRAT_ZERO, STRAT_SS, STRAT_SQ, STRAT_NA = 0, 1, 2, 3


# --------------------------------------------------------------------------- 1. the estimates
def points_query(d, relation: str, base, sets: list[list[int]], items: list[Item], deff: bool) -> tuple[str, list[str]]:
    """Per domain of every set: the item sums (``unit_aggregates``), via the full domain cross."""
    reg = AggRegistry()
    unit_aggregates(reg, items, deff)
    n_dom = len(base.domain_cols)
    cte = f"WITH base AS ({base_cte(d, relation, base)})"
    if n_dom == 0:
        return f"{cte} SELECT 0 AS g_, {', '.join(reg.select_list())} FROM base", ["g_"] + list(reg.exprs.values())
    g, dcols, having, _masks = grouping_parts(n_dom, sets)
    fine = f"fine AS (SELECT {', '.join(dcols + reg.select_list())} FROM base GROUP BY {', '.join(dcols)})"
    sums = [f"SUM({a}) AS {a}" for a in reg.exprs.values()]
    sql = (f"{cte}, {fine} SELECT {g} AS g_, {', '.join(dcols + sums)} FROM fine "
           f"{_group_by([], n_dom, sets)} HAVING {having}")
    return sql, ["g_"] + dcols + list(reg.exprs.values())


def points(table, prep, base, sets, items, deff) -> dict:
    """{(mask, domain values…): [per item: None (no valid rows) or a dict of sums and est]}."""
    d = table.engine.dialect
    n_dom = len(base.domain_cols)
    sql, columns = points_query(d, table.sql, base, sets, items, deff)
    col = {c: i for i, c in enumerate(columns)}
    out = {}
    for r in table.engine.execute(sql):
        key = (int(r[0]),) + tuple(r[1:1 + n_dom])
        get = lambda a, r=r: float(r[col[a]] or 0.0)  # noqa: E731
        res = []
        for it in items:
            al = it.aliases
            n = int(get(al["n"]))
            if n == 0:
                res.append(None)
                continue
            A, W = get(al["A"]), get(al["W"])
            st = {"n": n, "W": W, "nz": int(get(al["nz"])), "se_logit": None, "B": None, "A": A}
            if it.kind == "total":
                st["est"] = A
            else:
                B = get(al["B"])
                st["est"] = A / B + it.center if B else float("nan")  # A holds Σw(a − center·b)
                st["A"], st["B"] = A + it.center * B, B
            if deff:
                st["moments"] = {v: get(v) for k, v in al.items() if k in ("Qaa", "La", "Qbb", "Qab", "Lb")}
            res.append(st)
        out[key] = res
    return out


# --------------------------------------------------------------------------- 2. the variances
def _lonely_kind(design: Design) -> int:
    return {"remove": STRAT_ZERO, "certainty": STRAT_ZERO, "adjust": STRAT_SQ}.get(design.lonely_psu, STRAT_NA)


def _info2_sql(d, relation: str, base, design: Design, prep, name: str) -> str:
    """The stage-2 strata table computed in the engine from the rows (a stage-2 stratum is a
    PSU: thousands of them, too many for a literal list): the same numbers as the Python
    loop of :func:`info_tables`, with the same floating-point operations in the same order."""
    strata = []
    for keys, (n, N) in prep.info[1].items():
        frac = 1.0
        if N is not None:
            frac *= n / N
        strata.append(f"({d.literal(keys[0])}, {d.double(repr(float(frac)))})")
    has_fpc = len(design.fpc) >= 2
    fp = "MIN(f2_)" if has_fpc else "CAST(NULL AS " + d.double_type + ")"
    if prep.fractions and has_fpc:
        N = "CASE WHEN fp_ = 0 THEN NULL ELSE n_ / fp_ END"  # NULL: infinite, f = 1
    else:
        N = "fp_"
    # (identifiers are case-insensitive: the population size is pop_, not N_)
    f = f"CASE WHEN pop_ IS NULL THEN {d.double('1')} ELSE (pop_ - n_) / pop_ END"
    return (f"CREATE TEMPORARY TABLE {name} AS WITH base AS ({base_cte(d, relation, base)}), "
            f"u AS (SELECT s_, c1_, c2_, {fp} AS f_ FROM base GROUP BY s_, c1_, c2_), "
            f"st AS (SELECT s_, c1_, COUNT(*) AS n_, MIN(f_) AS fp_ FROM u GROUP BY s_, c1_), "
            f"fr AS (SELECT * FROM (VALUES {', '.join(strata)}) AS v(fs_, frac_)), "
            f"nf AS (SELECT st.s_, st.c1_, st.n_, fr.frac_, {N} AS pop_ FROM st JOIN fr ON st.s_ = fr.fs_), "
            f"ff AS (SELECT s_, c1_, n_, frac_, {f} AS f_ FROM nf) "
            f"SELECT s_, c1_, n_, CASE WHEN f_ < 1e-7 THEN {d.double('0')} WHEN n_ > 1 THEN f_ * n_ / (n_ - 1) * frac_ "
            f"ELSE f_ * frac_ END AS w_, CASE WHEN f_ < 1e-7 THEN {STRAT_ZERO} WHEN n_ > 1 THEN {STRAT_SS} "
            f"ELSE {_lonely_kind(design)} END AS ty_ FROM ff")


def info_tables(eng, design: Design, prep, stages: int, relation: str | None = None, base=None) -> dict[int, str]:
    """Temporary tables of the stage-k strata (k >= 2): keys, design count n_, weight
    w_ = scale · Π_{a<k} n_a/N_a and kind ty_ (R ``onestrat``'s cases).  With ``relation``
    and ``base``, the stage-2 table is computed in the engine (:func:`_info2_sql`)."""
    d = eng.dialect
    out: dict[int, str] = {}
    try:
        for k in range(2, stages + 1):
            if k == 2 and relation is not None:
                name = d.quote(f"lnob_strata2_{uuid.uuid4().hex[:12]}")
                out[k] = name
                eng.execute(_info2_sql(d, relation, base, design, prep, name))
                continue
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
                    ty = STRAT_SS if n > 1 else _lonely_kind(design)
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


def _centered(it: Item) -> str:
    """a − center·b (the shifted value whose weighted sum is A)."""
    return f"({it.a}) - {it.center!r} * ({it.b})" if it.kind == "ratio" and it.center else f"({it.a})"


def unit_sums_query(d, relation: str, base, dims: list[int], items: list[Item], stages: int) -> str:
    """Per last-stage unit and the domain columns ``dims`` (constant within units apart from
    the set's varying ones): per item A = Σw(a − c·b) and B = Σw·b over valid rows, NULL
    when the unit has none; Z_ (only with zero weights) flags valid rows of non-zero weight."""
    reg = AggRegistry("h")
    _unit_columns(reg, items, not items[0].positive if items else False)
    gk = ["s_"] + [f"c{i}_" for i in range(1, stages + 1)] + [f"d{i}" for i in dims]
    return (f"WITH base AS ({base_cte(d, relation, base)}) SELECT {', '.join(gk + reg.select_list())} "
            f"FROM base GROUP BY {', '.join(gk)}")


def _unit_columns(reg: AggRegistry, items: list[Item], zero_weights: bool) -> None:
    for it in items:
        v = it.valid
        it.aliases["uA"] = reg.add(f"SUM(CASE WHEN {v} THEN w_ * ({_centered(it)}) END)")
        if it.kind == "ratio":
            it.aliases["uB"] = reg.add(f"SUM(CASE WHEN {v} THEN w_ * ({it.b}) END)")
        if zero_weights:
            it.aliases["uZ"] = reg.add(f"MAX(CASE WHEN {v} AND w_ <> 0 THEN 1 END)")


def variance_query(d, relation: str, base, dset: list[int], items: list[Item], npoints: list[int],
                   stages: int, info: dict[int, str], rvalues: list[tuple], lonely_domain: int | None,
                   average: bool, units: str | None) -> tuple[str, list[str]]:
    """The per-set variance query (module docstring).  ``npoints[j]``: linearisation points of
    item j (0 for none, 1, or 2 with a logit interval); ``rvalues``: one tuple per domain of
    the set, its domain values then (r, k) per point in item order, so that
    t = w·((a − c·b − k·b) − r·b).  Returns the SQL and its column names (one row per domain
    and first-stage stratum: the set's domain columns, s_, then per item m, mz and per point
    ST, VT and, for multistage designs, X, Y (and NA under ``average``))."""
    dcols = [f"d{i}" for i in dset]
    zero_w = not (items[0].positive if items else True)
    pts = [(j, p) for j, n in enumerate(npoints) for p in range(n)]
    pname = lambda j, p: f"{j}_{p}"  # noqa: E731
    rcols = [f"kd{i}" for i in dset] + [c for j, p in pts for c in (f"r{pname(j, p)}", f"k{pname(j, p)}")]
    values = ", ".join("(" + ", ".join([d.literal(v) for v in row[:len(dset)]]
                                       + [d.double(repr(float(x))) for x in row[len(dset):]]) + ")"
                       for row in rvalues)
    on = " AND ".join(f"b.d{i} = rv.kd{i}" for i in dset) or "TRUE"
    ctes = [f"base AS ({base_cte(d, relation, base)})",
            f"rv AS (SELECT * FROM (VALUES {values}) AS v({', '.join(rcols)}))"]
    keys_k = lambda k: ["s_"] + [f"c{i}_" for i in range(1, k + 1)]  # noqa: E731
    ukeys = keys_k(stages)
    tcols, zcols = {}, {}
    if units:
        sel = [f"b.{c}" for c in ukeys + dcols]
        for j, p in pts:
            it = items[j]
            A, r, k = f"b.{it.aliases['uA']}", f"rv.r{pname(j, p)}", f"rv.k{pname(j, p)}"
            if it.kind == "ratio":
                B = f"b.{it.aliases['uB']}"
                expr = f"({A} - {k} * {B}) - {r} * {B}"
            else:
                expr = A
            tcols[(j, p)] = f"t{pname(j, p)}"
            sel.append(f"{expr} AS t{pname(j, p)}")
        for j, it in enumerate(items):
            if zero_w and npoints[j]:
                zcols[j] = f"z{j}"
                sel.append(f"b.{it.aliases['uZ']} AS z{j}")
        ctes.append(f"u{stages} AS (SELECT {', '.join(sel)} FROM {units} b JOIN rv ON {on})")
    else:
        reg = AggRegistry("t")
        for j, p in pts:
            it = items[j]
            r, k = f"rv.r{pname(j, p)}", f"rv.k{pname(j, p)}"
            if it.kind == "ratio" and it.b == "1.0":  # a mean: (a − c − k) − r, the same numbers
                val = f"(({_centered(it)}) - {k}) - {r}"
            elif it.kind == "ratio":
                val = f"(({_centered(it)}) - {k} * ({it.b})) - {r} * ({it.b})"
            else:
                val = f"({it.a})"
            tcols[(j, p)] = reg.add(f"SUM(CASE WHEN {it.valid} THEN b.w_ * ({val}) END)")
        for j, it in enumerate(items):
            if zero_w and npoints[j]:
                zcols[j] = reg.add(f"MAX(CASE WHEN {it.valid} AND b.w_ <> 0 THEN 1 END)")
        gk = [f"b.{c}" for c in ukeys + dcols]
        where = " AND ".join(f"b.{c} IS NOT NULL" for c in dcols)
        ctes.append(f"u{stages} AS (SELECT {', '.join(gk + reg.select_list())} FROM base b JOIN rv ON {on}"
                    + (f" WHERE {where}" if where else "") + f" GROUP BY {', '.join(gk)})")
    first = {j: tcols[(j, 0)] for j in range(len(items)) if npoints[j]}
    deep = stages > 1
    uniq_t = list(dict.fromkeys(tcols.values()))  # the same estimate asked twice shares its sums
    counts = lonely_domain is not None or average
    for k in range(stages, 1, -1):
        # sum the stage-k units per stage-k stratum (a stage-(k−1) unit) and domain, then join
        # the stratum's design facts to the (much smaller) sums
        keys = keys_k(k - 1)
        sel = [f"u.{c} AS {c}" for c in keys + dcols]
        sel += [f"SUM(u.{t}) AS {t}" for t in uniq_t] + [f"SUM(u.{t} * u.{t}) AS q{t}" for t in uniq_t]
        sel += [f"COUNT(u.{t}) AS c{t}" for t in uniq_t if counts]
        sel += [f"MAX(u.{c}) AS {c}" for c in dict.fromkeys(zcols.values())]
        if k < stages:
            sel += [f"SUM(u.{p}{t}) AS {p}b{t}" for t in uniq_t for p in ("x", "y") + (("na",) if average else ())]
        ctes.append(f"a{k - 1} AS (SELECT {', '.join(sel)} FROM u{k} u GROUP BY {', '.join(f'u.{c}' for c in keys + dcols)})")
        sel = [f"a.{c} AS {c}" for c in keys + dcols] + [f"a.{t} AS {t}" for t in uniq_t]
        sel += [f"a.{c} AS {c}" for c in dict.fromkeys(zcols.values())]
        firsts = {t: first[j] for (j, _p), t in tcols.items()}
        for t in uniq_t:
            kind = "i.ty_"
            if lonely_domain is not None:
                kind = f"(CASE WHEN i.ty_ = {STRAT_SS} AND a.c{firsts[t]} = 1 THEN {lonely_domain} ELSE i.ty_ END)"
            g = f"(CASE WHEN {kind} = {STRAT_SS} THEN -1.0 / i.n_ WHEN {kind} = {STRAT_SQ} THEN 1.0 ELSE 0.0 END)"
            x = f"(CASE WHEN {kind} = {STRAT_SS} THEN i.w_ * COALESCE(a.q{t}, 0.0) ELSE 0.0 END)"
            y = f"(i.w_ * {g} * COALESCE(a.{t}, 0.0) * COALESCE(a.{t}, 0.0))"
            below = lambda c: f" + COALESCE(a.{c}, 0.0)" if k < stages else ""  # noqa: E731
            sel.append(f"{x}{below('xb' + t)} AS x{t}")
            sel.append(f"{y}{below('yb' + t)} AS y{t}")
            if average:
                na = f"(CASE WHEN a.c{t} > 0 AND {kind} = {STRAT_NA} THEN 1 ELSE 0 END)"
                sel.append(f"{na}{below('nab' + t)} AS na{t}")
        on_i = " AND ".join(f"i.{c} = a.{c}" for c in keys)
        ctes.append(f"u{k - 1} AS (SELECT {', '.join(sel)} FROM a{k - 1} a JOIN {info[k]} i ON {on_i})")
    sel, names = dcols + ["s_"], dcols + ["s_"]
    for j in range(len(items)):
        if not npoints[j]:
            continue
        sel.append(f"COUNT({first[j]}) AS m{j}")
        sel.append(f"COUNT({zcols[j]}) AS mz{j}" if j in zcols else f"COUNT({first[j]}) AS mz{j}")
        names += [f"m{j}", f"mz{j}"]
        for p in range(npoints[j]):
            t = tcols[(j, p)]
            sel += [f"SUM({t}) AS S{pname(j, p)}", f"VAR_POP({t}) AS V{pname(j, p)}"]
            names += [f"S{pname(j, p)}", f"V{pname(j, p)}"]
            if deep:
                sel += [f"SUM(x{t}) AS X{pname(j, p)}", f"SUM(y{t}) AS Y{pname(j, p)}"]
                names += [f"X{pname(j, p)}", f"Y{pname(j, p)}"]
                if average and p == 0:
                    sel.append(f"SUM(na{t}) AS NA{j}")  # first point: same rows at every point
                    names.append(f"NA{j}")
    sql = "WITH " + ",\n".join(ctes) + f"\nSELECT {', '.join(sel)} FROM u1 GROUP BY {', '.join(dcols + ['s_'])}"
    return sql, names


def constant_dims_query(d, relation: str, base, stages: int, boolean: set[int] = frozenset()) -> str:
    """For each domain column d{i}: the number of last-stage units in which it is not constant
    (NULL counts as a value).  ``boolean``: indices of boolean columns (compared as 0/1)."""
    keys = ", ".join(["s_"] + [f"c{i}_" for i in range(1, stages + 1)])
    n_dom = len(base.domain_cols)
    v = lambda i: f"CASE WHEN d{i} THEN 1 ELSE 0 END" if i in boolean else f"d{i}"  # noqa: E731
    inner = ", ".join(
        f"CASE WHEN COUNT(d{i}) = 0 OR (COUNT(d{i}) = COUNT(*) AND MIN({v(i)}) = MAX({v(i)})) "
        f"THEN 0 ELSE 1 END AS v{i}"
        for i in range(n_dom))
    outer = ", ".join(f"SUM(v{i})" for i in range(n_dom))
    return f"WITH base AS ({base_cte(d, relation, base)}) SELECT {outer} FROM (SELECT {inner} FROM base GROUP BY {keys}) z"


def _point(it: Item, value: float) -> tuple[float, float]:
    """(r, k) for linearising item ``it`` at the (uncentred) ratio ``value``."""
    if it.kind != "ratio" or not math.isfinite(value):
        return 0.0, 0.0
    rel = value - it.center
    k = 1.0 if it.prop and rel > 0.5 else 0.0  # proportions near 1: about 1 (exact near p = 1)
    return rel - k, k


def variance(table, design: Design, prep, base, sets, items, stats, deff) -> None:
    """Fill ``var``, ``df`` (and ``se_logit`` at ``m1``, ``deff``) of every domain in ``stats``."""
    eng, d = table.engine, table.engine.dialect
    stages = design.variance_stages
    n_dom = len(base.domain_cols)
    lonely_domain = None
    if design.adjust_domain_lonely and design.lonely_psu in ("average", "adjust"):
        lonely_domain = STRAT_NA if design.lonely_psu == "average" else STRAT_SQ
    average = design.lonely_psu == "average" or lonely_domain == STRAT_NA
    info = info_tables(eng, design, prep, stages, table.sql, base)
    temp = list(info.values())
    uniq: dict = {}
    for s in sets:
        uniq.setdefault(grouping_mask(n_dom, s), s)
    try:
        # domain sets are grouped by their columns that vary within last-stage units: the sets of
        # a group (3 or more) share one table of unit sums by those columns and the unit-constant ones
        const: set = set()
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
                eng.execute(f"CREATE TEMPORARY TABLE {units} AS "
                            + unit_sums_query(d, table.sql, base, sorted(set(varying) | const), items, stages))
            for mask, s in members:
                _one_set(eng, d, table, design, prep, base, s, mask, items, stats, stages, info,
                         lonely_domain, average, units, deff)
            if units:
                eng.execute(f"DROP TABLE IF EXISTS {units}")
                temp.remove(units)
    finally:
        for name in temp:
            eng.execute(f"DROP TABLE IF EXISTS {name}")


def _one_set(eng, d, table, design, prep, base, s, mask, items, stats, stages, info, lonely_domain, average,
             units, deff) -> None:
    doms = [k for k in stats if k[0] == mask]
    if not doms:
        return
    npoints = [0] * len(items)
    for k in doms:
        for j, st in enumerate(stats[k]):
            if st is not None:
                npoints[j] = max(npoints[j], 2 if st.get("m1") is not None else 1)
    if not any(npoints):
        return
    rvalues = []
    for k in doms:
        row = [k[1 + i] for i in s]
        for j, st in enumerate(stats[k]):
            for p in range(npoints[j]):
                value = float("nan") if st is None else (st["est"] if p == 0 else st.get("m1", float("nan")))
                row += list(_point(items[j], value))
        rvalues.append(tuple(row))
    sql, names = variance_query(d, table.sql, base, s, items, npoints, stages, info, rvalues, lonely_domain,
                                average, units)
    col = {c: i for i, c in enumerate(names)}
    per_dom: dict = {}
    n_set = len(s)
    pos = {i: p for p, i in enumerate(s)}
    for r in eng.execute(sql):
        key = (mask,) + tuple(r[pos[i]] if i in pos else None for i in range(len(base.domain_cols)))
        per_dom.setdefault(key, []).append(r)
    for key in doms:
        rows = per_dom.get(key, [])
        for j, st in enumerate(stats[key]):
            if st is None:
                continue
            it = items[j]
            strata_nz = [r[col[f"mz{j}"]] for r in rows if r[col[f"mz{j}"]]]
            st["df"] = float(sum(strata_nz) - len(strata_nz))
            Bs = st["B"] if it.kind == "ratio" else None
            st["var"] = _var(rows, col, n_set, j, 0, it, prep, design, Bs)
            if st.get("m1") is not None:
                from lnob.stats import glm

                v = _var(rows, col, n_set, j, 1, it, prep, design, Bs)
                st["se_logit"] = math.sqrt(v) / glm.mu_eta(st["beta"]) if v >= 0 else float("nan")
            if deff:
                st["deff"] = deff_of(it, st["est"], st["var"], st["A"], st["B"], st["W"], st["nz"],
                                     lambda a, m=st["moments"]: m.get(a, 0.0), "taylor")


def _var(rows, col, n_set, j, p, it, prep, design, Bs) -> float:
    """Σ over stages of the stratum contributions (R ``multistage``) for item j at point p:
    per first-stage stratum S = ΣT/Bs and C = VAR_POP(T)/Bs² (ratios; totals: ΣT, VAR_POP(T))."""
    ratio = it.kind == "ratio"
    if ratio and not Bs:
        return float("nan")
    scale = Bs * Bs if ratio else 1.0
    m_i, S_i, V_i = col[f"m{j}"], col[f"S{j}_{p}"], col[f"V{j}_{p}"]
    rule, adl = design.lonely_psu, design.adjust_domain_lonely
    try:
        contribs = []
        for r in rows:
            m = r[m_i]
            if not m:
                continue
            nh, Nh = prep.info[1][(r[n_set],)]
            S = float(r[S_i] or 0.0) / (Bs if ratio else 1.0)
            C = float(r[V_i] or 0.0) / scale
            contribs.append(onestrat(nh, Nh, m, S, max(C, 0.0), rule, adl))
        var = combine_stage(contribs)
    except LonelyPSU:  # pragma: no cover - prevented by the design check
        raise checks.lonely(sorted(prep.lonely.get(1, []), key=repr), 1)
    if design.variance_stages > 1:
        if f"NA{j}" in col and sum(float(r[col[f"NA{j}"]] or 0) for r in rows) > 0:
            return float("nan")
        deep = sum(float(r[col[f"X{j}_{p}"]] or 0.0) + float(r[col[f"Y{j}_{p}"]] or 0.0) for r in rows)
        var += max(deep, 0.0) / scale
    return var
