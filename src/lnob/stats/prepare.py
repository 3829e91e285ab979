"""Design preparation: everything computed once per (table, design) and cached on the table.

Owns the profile pass (row count, weights, missing design values, categorical distinct
counts, numerical shifts), the design counts per stage-stratum (R's ``sampsize`` and
``popsize``, with R's fpc conventions and checks), the nesting and lonely-PSU checks, and for
replicate designs the replicate columns, ``scale`` and ``rscales`` (JKn factors derived from
the strata).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lnob.i18n import _
from lnob.stats import checks
from lnob.stats.design import Design, ReplicateDesign
from lnob.stats.sqlgen import BaseSpec, base_cte, design_info_query


@dataclass
class Prepared:
    """Design facts for one table."""

    rows: int
    shifts: dict = field(default_factory=dict)  # numeric column -> mean (deff shift)
    ranges: dict = field(default_factory=dict)  # numeric column -> (min, max)
    complete: set = field(default_factory=set)  # estimated columns without missing values
    positive_weights: bool = False  # no zero weights: rows with weight > 0 = all rows
    distinct: dict = field(default_factory=dict)  # proportion column -> count distinct
    levels: dict = field(default_factory=dict)  # proportion column -> sorted categories
    info: dict = field(default_factory=dict)  # stage -> {stratum key tuple: (n, N or None)}
    lonely: dict = field(default_factory=dict)  # stage -> [stratum keys with one unit]
    replicates: list = field(default_factory=list)
    scale: float = 1.0
    rscales: list = field(default_factory=list)
    fractions: bool = False  # fpc given as sampling fractions


def design_base(d, design, domain_cols=(), value_cols=(), reps=(), prep=None) -> BaseSpec:
    """The base CTE columns for a design: w_, s_, c1_.., f1_.. (fpc), r1_.. (replicates).

    With ``prep`` and a design with fpc but no weights, the weights are derived from the fpc
    as R's ``svydesign`` does (w = Π_k N_k/n_k)."""
    extra = {}
    fpc_weights = 0
    if isinstance(design, Design):
        k = design.variance_stages
        clusters = list(design.clusters[:k])
        for i, f in enumerate(design.fpc[:k], start=1):
            extra[f"f{i}_"] = d.double(d.quote(f))
        if prep is not None and design.fpc and not design.weights:
            fpc_weights = len(design.fpc)
    else:
        clusters = list(design.clusters[:1])
    for i, c in enumerate(reps, start=1):
        extra[f"r{i}_"] = d.double(d.quote(c))
    return BaseSpec(design.weights, design.strata, clusters, list(domain_cols), list(value_cols),
                    extra, row_units=not clusters, fpc_weights=fpc_weights,
                    fpc_fraction=bool(prep is not None and prep.fractions))


def replicate_columns(table, design: ReplicateDesign) -> list[str]:
    if design.replicate_weights:
        return list(design.replicate_weights)
    cols = [c for c in table.columns if c.startswith(design.prefix) and c != design.weights]
    if not cols:
        raise checks.usage(
            _("no column starts with {p!r}").format(p=design.prefix),
            where="--replicate-weights",
            hint=_("give the prefix shared by the replicate weight columns"),
            code="stats.no-replicates",
        )
    return cols


def prepare(table, design, prop_vars, num_vars, max_levels: int) -> Prepared:
    """Profile + design facts, cached on ``table`` per design and variable set."""
    key = (design, tuple(sorted(prop_vars)), tuple(sorted(num_vars)), max_levels)
    if key in table.cache:
        return table.cache[key]
    eng, d = table.engine, table.engine.dialect
    q = d.quote
    reps = replicate_columns(table, design) if isinstance(design, ReplicateDesign) else []
    design_cols = [c for c in [design.strata, *design.clusters] if c]
    if isinstance(design, Design):
        design_cols += list(design.fpc)
    design_cols += reps
    sel = ["COUNT(*)"]
    if design.weights:
        w = q(design.weights)
        sel += [f"SUM(CASE WHEN {w} IS NULL THEN 1 ELSE 0 END)", f"MIN({w})"]
    sel += [f"SUM(CASE WHEN {q(c)} IS NULL THEN 1 ELSE 0 END)" for c in design_cols]
    fpcs = list(design.fpc) if isinstance(design, Design) else []
    sel += [f"MIN({q(f)}), MAX({q(f)})" for f in fpcs]
    sel += [f"COUNT(DISTINCT {q(v)})" for v in prop_vars]
    sel += [f"AVG({d.double(q(v))})" for v in num_vars]
    sel += [f"MIN({d.double(q(v))}), MAX({d.double(q(v))})" for v in num_vars]
    sel += [f"SUM(CASE WHEN {q(v)} IS NULL THEN 1 ELSE 0 END)" for v in [*prop_vars, *num_vars]]
    row = list(eng.execute(f"SELECT {', '.join(sel)} FROM {table.sql}")[0])
    p = {"rows": row.pop(0)}
    if design.weights:
        p["w_null"], p["w_min"] = row.pop(0), row.pop(0)
    p["design_nulls"] = {c: row.pop(0) for c in design_cols}
    fpc_range = [(row.pop(0), row.pop(0)) for _f in fpcs]
    checks.check_profile(p, design)
    prep = Prepared(rows=p["rows"])
    prep.distinct = {v: row.pop(0) for v in prop_vars}
    prep.shifts = {v: (row.pop(0) or 0.0) for v in num_vars}
    prep.ranges = {v: (row.pop(0), row.pop(0)) for v in num_vars}
    prep.complete = {v for v in [*prop_vars, *num_vars] if not row.pop(0)}
    prep.positive_weights = not design.weights or (p["w_min"] is not None and p["w_min"] > 0)
    for v, n in prep.distinct.items():
        if n > max_levels:
            raise checks.too_many_levels(v, n)
        rows = eng.execute(
            f"SELECT {q(v)} FROM {table.sql} WHERE {q(v)} IS NOT NULL GROUP BY {q(v)} ORDER BY {q(v)}"
        )
        prep.levels[v] = [r[0] for r in rows]
    if isinstance(design, Design):
        _taylor_info(table, design, prep, fpc_range)
    else:
        _replicate_info(table, design, prep, reps)
    table.cache[key] = prep
    return prep


def _taylor_info(table, design: Design, prep: Prepared, fpc_range) -> None:
    eng, d = table.engine, table.engine.dialect
    stages = design.variance_stages
    base = design_base(d, design)
    rel = table.sql
    if design.strata and design.clusters and not design.nest:
        sql = (f"WITH base AS ({base_cte(d, rel, base)}) SELECT c1_ FROM base GROUP BY c1_ "
               f"HAVING COUNT(DISTINCT s_) > 1 ORDER BY c1_ LIMIT 3")
        bad = [r[0] for r in eng.execute(sql)]
        if bad:
            raise checks.not_nested(bad)
    fractions = False
    if design.fpc:
        lo = min(r[0] for r in fpc_range)
        hi = max(r[1] for r in fpc_range)
        any_big, all_ge1 = hi > 1, lo >= 1
        if any_big != all_ge1:
            raise checks.fpc_error(
                _("fpc values mix population sizes (> 1) and sampling fractions (< 1)"),
                where="--fpc",
                hint=_("give every fpc as population counts, or every fpc as fractions <= 1"),
            )
        if lo < 0:
            raise checks.fpc_error(_("fpc must not be negative"), where="--fpc",
                                   hint=_("check the fpc column"))
        fractions = not any_big
        prep.fractions = fractions
    for k in range(1, stages + 1):
        has_fpc = len(design.fpc) >= k
        sql = design_info_query(d, rel, base, k, f"f{k}_" if has_fpc else None)
        rows = eng.execute(sql)
        info, lonely = {}, []
        for r in rows:
            keys = tuple(r[:k])
            n = int(r[k])
            N = None
            if has_fpc:
                fmin, fmax = r[k + 1], r[k + 2]
                if fmin != fmax:
                    where_s = keys[0] if k == 1 else keys[1:]
                    raise checks.fpc_error(
                        _("fpc {col!r} varies within stratum {s!r} (from {a} to {b})").format(
                            col=design.fpc[k - 1], s=where_s, a=fmin, b=fmax),
                        where=f"--fpc {design.fpc[k - 1]}",
                        hint=_("the fpc must be constant within each stratum at each stage"),
                    )
                N = (math.inf if fmin == 0 else n / fmin) if fractions else float(fmin)
                if N < n:
                    raise checks.fpc_error(
                        _("fpc {col!r} says {N} units but {n} were sampled in stratum {s!r}").format(
                            col=design.fpc[k - 1], N=fmin, n=n, s=keys[0] if k == 1 else keys[1:]),
                        where=f"--fpc {design.fpc[k - 1]}",
                        hint=_("the fpc is the population size (or sampling fraction) of the stratum"),
                    )
            info[keys] = (n, N)
            f = 1.0 if N is None or math.isinf(N) else (N - n) / N
            if n == 1 and f >= 1e-7:
                lonely.append(keys[0] if k == 1 else keys[1:])
        prep.info[k] = info
        prep.lonely[k] = lonely
        if k == 1 and sum(v[0] for v in info.values()) == 1 and not (design.nest and design.strata):
            raise checks.fpc_error(
                _("the design has only one primary sampling unit"), where="--cluster",
                hint=_("a variance needs at least two PSUs"),
            )
        if lonely and design.lonely_psu == "fail":
            raise checks.lonely(sorted(lonely, key=repr), k)


def _replicate_info(table, design: ReplicateDesign, prep: Prepared, reps: list[str]) -> None:
    eng, d = table.engine, table.engine.dialect
    R = len(reps)
    if R < 2:
        raise checks.usage(_("at least two replicate weight columns are needed"),
                           where="--replicate-weights", hint=_("check the prefix"),
                           code="stats.no-replicates")
    prep.replicates = reps
    prep.scale = design.scale(R)
    if design.rscales is not None:
        if len(design.rscales) != R:
            raise checks.usage(_("rscales has {a} values for {b} replicates").format(a=len(design.rscales), b=R),
                               where="rscales", hint=_("give one factor per replicate"),
                               code="stats.bad-rscales")
        prep.rscales = list(design.rscales)
    elif design.type == "jkn":
        prep.rscales = _jkn_rscales(table, design, reps)
    else:
        prep.rscales = [1.0] * R


def _jkn_rscales(table, design: ReplicateDesign, reps: list[str]) -> list[float]:
    """(n_h − 1)/n_h for the stratum h in which each replicate has zero weights."""
    eng, d = table.engine, table.engine.dialect
    if not design.strata:
        raise checks.usage(_("JKn replicates need the strata to know each replicate's n_h"),
                           where="--replicate-type jkn", hint=_("add --strata (and --cluster)"),
                           code="stats.jkn-needs-strata")
    base = design_base(d, design, reps=reps)
    rel = table.sql
    info = {r[0]: int(r[1]) for r in eng.execute(design_info_query(d, rel, base, 1, None))}
    sel = []
    for i in range(1, len(reps) + 1):
        cond = f"r{i}_ = 0 AND w_ > 0"
        sel += [f"MIN(CASE WHEN {cond} THEN s_ END)", f"MAX(CASE WHEN {cond} THEN s_ END)"]
    row = eng.execute(f"WITH base AS ({base_cte(d, rel, base)}) SELECT {', '.join(sel)} FROM base")[0]
    out = []
    for i, col in enumerate(reps):
        lo, hi = row[2 * i], row[2 * i + 1]
        if lo is None or lo != hi:
            raise checks.usage(
                _("replicate {c!r} does not drop units from exactly one stratum").format(c=col),
                where="--replicate-type jkn",
                hint=_("JKn replicates set the weights of one PSU of one stratum to zero"),
                code="stats.bad-jkn",
            )
        n_h = info[lo]
        out.append((n_h - 1) / n_h)
    return out
