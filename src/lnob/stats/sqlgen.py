"""SQL generation: the single place where estimation is compiled to SQL.

Every query reads the source table once and returns small aggregates only:

* :func:`profile_query` — row count, missing/negative weights, missing design columns,
  distinct counts of categorical variables and means used as numerical shifts (one pass).
* :func:`levels_query` — the categories of the proportion variables.
* :func:`design_info_query` — per stage and per stage-stratum: number of sampled units n and
  the fpc range (the design's ``sampsize``/``popsize``).
* :func:`unit_aggregates` — the per-domain sums every estimator needs (A = Σw(a − c·b),
  B = Σw·b, W, n, deff moments); the linearisation queries built on them are in
  :mod:`lnob.stats.taylor`.
* :func:`replicate_query` — for replicate designs, per domain the weighted totals under the
  full-sample weight and under each replicate weight.
* :func:`patterns_query` — distinct replicate-factor patterns per domain (for R's ``degf``).
* :func:`logit_query` — the per-row sums of R's first IRLS step for logit intervals.

The SQL uses only ANSI constructs plus :class:`~lnob.stats.dialect.Dialect` spellings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lnob.stats.dialect import Dialect


@dataclass
class Item:
    """One estimated quantity: the ratio Σw·a/Σw·b (or the total Σw·a) over valid rows."""

    kind: str  # "total" | "ratio"
    a: str
    b: str | None
    valid: str
    shift_a: float = 0.0
    shift_b: float = 0.0
    aliases: dict = field(default_factory=dict)
    logit: bool = False  # proportion with a logit interval (R's IRLS replay)
    center: float = 0.0  # linearisation sums use a − center·b (a shift close to the estimate)
    prop: bool = False  # a proportion level: also the moments of the complement A − B
    positive: bool = False  # no zero weights: nz (rows with weight ≠ 0) = n


class AggRegistry:
    """Deduplicated aggregate expressions -> column aliases."""

    def __init__(self, prefix: str = "q"):
        self.prefix = prefix
        self.exprs: dict[str, str] = {}

    def add(self, expr: str) -> str:
        if expr not in self.exprs:
            self.exprs[expr] = f"{self.prefix}{len(self.exprs)}"
        return self.exprs[expr]

    def select_list(self) -> list[str]:
        return [f"{e} AS {a}" for e, a in self.exprs.items()]


@dataclass
class BaseSpec:
    """The columns the base CTE exposes, with their SQL source expressions."""

    weight: str | None
    strata: str | None
    clusters: list[str]
    domain_cols: list[str]
    value_cols: list[str]
    extra: dict[str, str] = field(default_factory=dict)  # alias -> expression
    row_units: bool = False  # no clusters: every row is a PSU
    fpc_weights: int = 0  # no weights but an fpc: derive weights from the first k fpc (R)
    fpc_fraction: bool = False


def base_cte(d: Dialect, relation: str, spec: BaseSpec, where: str | None = None) -> str:
    q = d.quote
    cols = []
    if not spec.fpc_weights:
        cols.append(f"{d.double(q(spec.weight)) if spec.weight else d.double('1')} AS w_")
    cols.append(f"{q(spec.strata) if spec.strata else '1'} AS s_")
    if spec.row_units:
        cols.append("ROW_NUMBER() OVER () AS c1_")
    for k, c in enumerate(spec.clusters, start=1):
        cols.append(f"{q(c)} AS c{k}_")
    for i, c in enumerate(spec.domain_cols):
        cols.append(f"{q(c)} AS d{i}")
    for i, c in enumerate(spec.value_cols):
        cols.append(f"{q(c)} AS x{i}")
    for alias, expr in spec.extra.items():
        cols.append(f"{expr} AS {alias}")
    sql = f"SELECT {', '.join(cols)} FROM {relation}"
    if where:
        sql += f" WHERE {where}"
    if spec.fpc_weights:
        sql = _fpc_weights(sql, spec)
    return sql


def _fpc_weights(inner: str, spec: BaseSpec) -> str:
    """R's weights when only the fpc is given: w = Π_k N_k/n_k (or Π_k 1/f_k for fractions),
    n_k the number of sampled stage-k units in the row's stage-k stratum."""
    k_max = spec.fpc_weights
    if spec.fpc_fraction:
        w = " * ".join(f"(1.0 / f{k}_)" for k in range(1, k_max + 1))
        return f"SELECT *, {w} AS w_ FROM ({inner}) b0"
    ranks = []
    for k in range(1, k_max + 1):
        part = ", ".join(["s_"] + [f"c{i}_" for i in range(1, k)])
        ranks.append(f"DENSE_RANK() OVER (PARTITION BY {part} ORDER BY c{k}_) AS rk{k}_")
    terms = []
    for k in range(1, k_max + 1):
        part = ", ".join(["s_"] + [f"c{i}_" for i in range(1, k)])
        terms.append(f"(f{k}_ / MAX(rk{k}_) OVER (PARTITION BY {part}))")
    return (f"SELECT *, {' * '.join(terms)} AS w_ FROM "
            f"(SELECT *, {', '.join(ranks)} FROM ({inner}) b0) b1")


def grouping_mask(n_dom: int, s: list[int]) -> int:
    """The value of ``GROUPING(d0, ..., d<n_dom-1>)`` on the rows of domain set ``s``: bit
    (n_dom − 1 − i) is 1 when d_i is not in the set."""
    mask = 0
    for i in range(n_dom):
        if i not in s:
            mask |= 1 << (n_dom - 1 - i)
    return mask


def grouping_parts(n_dom: int, sets: list[list[int]]):
    """``(g_ expression, GROUP BY suffix builder, HAVING clause, masks)`` for domain sets.

    Each set is a list of domain-column indices.  ``g_`` is ``GROUPING(d0, ..., dm)``: bit
    (m − i) is 1 when d_i is not in the row's set.  Rows whose set has a NULL domain value
    belong to no domain (R drops NA levels of ``by``) and are filtered out.
    """
    if n_dom == 0:
        return "0", None, "", [0]
    dcols = [f"d{i}" for i in range(n_dom)]
    g = f"GROUPING({', '.join(dcols)})"
    masks = [grouping_mask(n_dom, s) for s in sets]
    having = " AND ".join(f"(GROUPING(d{i}) = 1 OR d{i} IS NOT NULL)" for i in range(n_dom))
    return g, dcols, having, masks


def _group_by(keys: list[str], n_dom: int, sets: list[list[int]]) -> str:
    if n_dom == 0:
        return "GROUP BY " + ", ".join(keys) if keys else ""
    parts = []
    for s in sets:
        cols = keys + [f"d{i}" for i in s]
        parts.append("(" + ", ".join(cols) + ")")
    return "GROUP BY GROUPING SETS (" + ", ".join(parts) + ")"


def unit_aggregates(reg: AggRegistry, items: list[Item], deff: bool, weight: str = "w_") -> None:
    """Register the per-unit sums each item needs (A, B, W, n, nz and deff moments)."""
    for it in items:
        v = it.valid
        a = it.a
        if it.kind == "ratio" and it.center:
            a = f"({it.a}) - {it.center!r} * ({it.b})"
        it.aliases["A"] = reg.add(f"SUM(CASE WHEN {v} THEN {weight} * ({a}) ELSE 0.0 END)")
        it.aliases["W"] = reg.add(f"SUM(CASE WHEN {v} THEN {weight} ELSE 0.0 END)")
        if it.kind == "ratio":
            if it.b == "1.0":
                it.aliases["B"] = it.aliases["W"]
            else:
                it.aliases["B"] = reg.add(f"SUM(CASE WHEN {v} THEN {weight} * ({it.b}) ELSE 0.0 END)")
        it.aliases["n"] = reg.add(f"COUNT(CASE WHEN {v} THEN 1 END)")
        if it.positive and weight == "w_":
            it.aliases["nz"] = it.aliases["n"]
        else:
            it.aliases["nz"] = reg.add(f"COUNT(CASE WHEN {v} AND {weight} <> 0 THEN 1 END)")
        if deff:
            a1 = f"(({it.a}) - ({it.shift_a!r}))"
            it.aliases["Qaa"] = reg.add(f"SUM(CASE WHEN {v} THEN {weight} * {a1} * {a1} ELSE 0.0 END)")
            it.aliases["La"] = reg.add(f"SUM(CASE WHEN {v} THEN {weight} * {a1} ELSE 0.0 END)")
            if it.kind == "ratio" and it.b != "1.0":
                b1 = f"(({it.b}) - ({it.shift_b!r}))"
                it.aliases["Qbb"] = reg.add(
                    f"SUM(CASE WHEN {v} THEN {weight} * {b1} * {b1} ELSE 0.0 END)"
                )
                it.aliases["Qab"] = reg.add(
                    f"SUM(CASE WHEN {v} THEN {weight} * {a1} * {b1} ELSE 0.0 END)"
                )
                it.aliases["Lb"] = reg.add(f"SUM(CASE WHEN {v} THEN {weight} * {b1} ELSE 0.0 END)")


def replicate_query(
    d: Dialect,
    relation: str,
    base: BaseSpec,
    sets: list[list[int]],
    items: list[Item],
    n_rep: int,
    deff: bool,
) -> tuple[str, list[str], list[int], AggRegistry]:
    """Per domain: A, B under the full weight (w_) and under every replicate (r1_..rR_)."""
    n_dom = len(base.domain_cols)
    g, dcols, having, masks = grouping_parts(n_dom, sets)
    reg = AggRegistry()
    unit_aggregates(reg, items, deff)
    for it in items:
        it.aliases["Ar"] = []
        it.aliases["Br"] = []
        for r in range(1, n_rep + 1):
            w = f"r{r}_"
            it.aliases["Ar"].append(
                reg.add(f"SUM(CASE WHEN {it.valid} THEN {w} * ({it.a}) ELSE 0.0 END)")
            )
            if it.kind == "ratio":
                it.aliases["Br"].append(
                    reg.add(f"SUM(CASE WHEN {it.valid} THEN {w} * ({it.b}) ELSE 0.0 END)")
                )
    dsel = dcols or []
    sel = [f"{g} AS g_"] + dsel + reg.select_list()
    sql = f"WITH base AS ({base_cte(d, relation, base)}) SELECT {', '.join(sel)} FROM base "
    sql += _group_by([], n_dom, sets)
    if having:
        sql += f" HAVING {having}"
    return sql, ["g_"] + dsel + list(reg.exprs.values()), masks, reg


def logit_query(
    d: Dialect,
    relation: str,
    base: BaseSpec,
    sets: list[list[int]],
    domains: dict,
    items: list[Item],
    const_of: dict,
) -> tuple[str, list[str]]:
    """Second pass for R's first IRLS iteration (see :mod:`lnob.stats.glm`).

    ``domains``: set index -> list of (domain values of the set's columns, {const column: c})
    with c = n/Σw of the domain's valid rows, so that π = c·w are R's normalised weights.
    ``const_of``: item index -> const column name (one per proportion variable).  The
    logarithms are computed once per row and variable; per level only a filtered sum of
    g(π) is needed, since SZ_c = 2·Σ_{y=c} g(π) − Σ g(π).
    """
    n_dom = len(base.domain_cols)
    reg = AggRegistry("z")
    consts = sorted({c for c in const_of.values()})
    per_row = []
    for c in consts:
        pi = f"(k.{c} * w_)"
        q = f"(0.5 * ({pi} + 0.5) / (({pi} + 1.0) * ({pi} + 1.0)))"
        per_row.append(f"{pi} * LN(({pi} + 0.5) / ({pi} + 1.0)) AS l_{c}")
        per_row.append(f"{pi} * {q} AS q_{c}")
        per_row.append(f"{pi} * ({q} * LN(2.0 * {pi} + 1.0) + 0.5 / ({pi} + 1.0)) AS g_{c}")
    for j, it in enumerate(items):
        if not it.logit:
            continue
        c, v = const_of[j], it.valid
        it.aliases["D0"] = reg.add(f"SUM(CASE WHEN {v} THEN l_{c} ELSE 0.0 END)")
        it.aliases["SW"] = reg.add(f"SUM(CASE WHEN {v} THEN q_{c} ELSE 0.0 END)")
        it.aliases["Gall"] = reg.add(f"SUM(CASE WHEN {v} THEN g_{c} ELSE 0.0 END)")
        it.aliases["G"] = reg.add(f"SUM(CASE WHEN {v} AND ({it.a}) = 1.0 THEN g_{c} ELSE 0.0 END)")
    selects = []
    for si, s in enumerate(sets):
        rows = domains.get(si) or []
        if not rows:
            continue
        kcols = [f"kd{i}" for i in s] + consts
        values = ", ".join(
            "(" + ", ".join([d.literal(v) for v in dv] + [d.double(repr(float(c[k]))) for k in consts]) + ")"
            for dv, c in rows
        )
        mask = 0
        for i in range(n_dom):
            if i not in s:
                mask |= 1 << (n_dom - 1 - i)
        on = " AND ".join(f"base.d{i} = k.kd{i}" for i in s) or "TRUE"
        inner = (f"SELECT base.*, {', '.join(f'k.kd{i}' for i in s) + ', ' if s else ''}"
                 f"{', '.join(per_row)} FROM base JOIN (VALUES {values}) AS k({', '.join(kcols)}) ON {on}")
        # a typed NULL for the columns outside the set (grouped on: MIN(boolean) is not
        # PostgreSQL)
        nulls = [f"CASE WHEN FALSE THEN d{i} END" for i in range(n_dom) if i not in s]
        dsel = [f"kd{i} AS d{i}" if i in s else f"CASE WHEN FALSE THEN d{i} END AS d{i}"
                for i in range(n_dom)]
        sel = [f"{mask} AS g_"] + dsel + [f"{e} AS {a}" for e, a in reg.exprs.items()]
        group = ", ".join([f"kd{i}" for i in s] + nulls)
        sql = f"SELECT {', '.join(sel)} FROM ({inner}) z"
        if group:
            sql += f" GROUP BY {group}"
        selects.append(sql)
    sql = f"WITH base AS ({base_cte(d, relation, base)})\n" + "\nUNION ALL\n".join(selects)
    return sql, ["g_"] + [f"d{i}" for i in range(n_dom)] + list(reg.exprs.values())


def patterns_query(
    d: Dialect, relation: str, base: BaseSpec, sets: list[list[int]], valid: str, n_rep: int
) -> tuple[str, list[int]]:
    """Distinct rows of replicate factors r_k/w (rounded) per domain: their rank is R's degf+1."""
    n_dom = len(base.domain_cols)
    g, dcols, having, masks = grouping_parts(n_dom, sets)
    pats = [
        f"{d.round(f'CASE WHEN w_ <> 0 THEN r{r}_ / w_ ELSE r{r}_ END', 10)} AS p{r}"
        for r in range(1, n_rep + 1)
    ]
    pcols = [f"p{r}" for r in range(1, n_rep + 1)]
    inner = f"SELECT *, {', '.join(pats)} FROM ({base_cte(d, relation, base)}) b0 WHERE {valid}"
    dsel = dcols or []
    sel = [f"{g} AS g_"] + dsel + pcols
    sql = f"WITH base AS ({inner}) SELECT {', '.join(sel)} FROM base {_group_by(pcols, n_dom, sets)}"
    if having:
        sql += f" HAVING {having}"
    return sql, masks


def design_info_query(d: Dialect, relation: str, base: BaseSpec, stage: int, fpc_alias: str | None) -> str:
    """Stage-``stage`` strata: keys, number of distinct units n (and min/max fpc if any)."""
    skeys = ["s_"] + [f"c{i}_" for i in range(1, stage)]
    unit_keys = ["s_"] + [f"c{i}_" for i in range(1, stage + 1)]
    gk = ", ".join(unit_keys)
    if fpc_alias:
        inner = f"SELECT {gk}, MIN({fpc_alias}) AS fmin_, MAX({fpc_alias}) AS fmax_ FROM base GROUP BY {gk}"
        outer = f"SELECT {', '.join(skeys)}, COUNT(*), MIN(fmin_), MAX(fmax_) FROM units"
    else:
        inner = f"SELECT DISTINCT {gk} FROM base"
        outer = f"SELECT {', '.join(skeys)}, COUNT(*) FROM units"
    return (
        f"WITH base AS ({base_cte(d, relation, base)}), units AS ({inner}) "
        f"{outer} GROUP BY {', '.join(skeys)}"
    )
