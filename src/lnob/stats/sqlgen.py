"""SQL generation: the single place where estimation is compiled to SQL.

Every query reads the source table once and returns small aggregates only:

* :func:`profile_query` — row count, missing/negative weights, missing design columns,
  distinct counts of categorical variables and means used as numerical shifts (one pass).
* :func:`levels_query` — the categories of the proportion variables.
* :func:`design_info_query` — per stage and per stage-stratum: number of sampled units n and
  the fpc range (the design's ``sampsize``/``popsize``).
* :func:`taylor_set_query` — for linearisation designs, one query per domain set: per domain
  and first-stage stratum, the number of PSUs with domain members m and the sums, variances
  and covariance (``VAR_POP``/``COVAR_POP``) of the PSU sums A = Σw(a − c·b) and B = Σw·b.
  Python turns them into the sum S and the within-stratum sum of squares C of the
  linearised totals t = (A − R'B)/ΣB and then into Σ_h scale_h · (C_h + S_h²(n_h − m_h)/(m_h n_h)):
  units without domain members count as zeros without being materialised.  Later stages of a
  multistage design come back already summed, as coefficients of a quadratic in R'.  One
  query per domain set keeps only that set's unit sums in memory (a single ``GROUPING SETS``
  query over many sets holds them all at once).
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
    masks = []
    for s in sets:
        mask = 0
        for i in range(n_dom):
            if i not in s:
                mask |= 1 << (n_dom - 1 - i)
        masks.append(mask)
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


# --------------------------------------------------------------------------- one domain set
#: stage-k stratum kinds in the design-info tables of :func:`taylor_set_query`
STRAT_ZERO, STRAT_SS, STRAT_SQ, STRAT_NA = 0, 1, 2, 3


@dataclass
class SetLayout:
    """How to read the rows of :func:`taylor_set_query` (one row per domain and stratum)."""

    n_set: int  # domain columns of the set, first in each row
    columns: list[str]


def taylor_set_query(
    d: Dialect,
    relation: str,
    base: BaseSpec,
    dset: list[int],
    items: list[Item],
    stages: int,
    deff: bool,
    info_tables: dict[int, str] | None = None,
    lonely_domain: int | None = None,
    units: str | None = None,
) -> tuple[str, SetLayout]:
    """The linearisation query for ONE domain set (the columns ``d{i}`` for i in ``dset``).

    Reads the rows once, sums them per last-stage unit and domain, and rolls the unit sums
    up stage by stage.  Per (domain, first-stage stratum) it returns what the first-stage
    formula needs (m, mz, Σ A, Σ B and the within-stratum ``VAR_POP``/``COVAR_POP`` of the
    PSU sums A and B over the PSUs with domain members, as :func:`taylor_query` did) and,
    for the later stages of a multistage design, the stage contributions already summed
    over the stage strata below each first-stage stratum, as coefficients of a quadratic in
    the linearisation point R (so that one pass serves any R):

    for a stage-k stratum with design count n and scale·Π(ancestor n/N) = w, the
    contribution w·Σ_{n units}(t_u − S/n)² = w·(Σt_u² − S²/n) with t_u = A_u − R·B_u (units
    without members are zeros) is returned as

        X0 = Σ w·ΣA_u²,  X1 = Σ w·ΣA_uB_u,  X2 = Σ w·ΣB_u²,
        Y0 = Σ w·g·(ΣA)²,  Y1 = Σ w·g·ΣA·ΣB,  Y2 = Σ w·g·(ΣB)²,   g = −1/n

    (a lonely unit under R's ``adjust``: X = 0, g = 1)
    (and XD0, XD1, YD0, YD1 with D = A − B instead of A for proportions, used near p = 1
    as S = ΣD − (R − 1)ΣB; NA counts strata that R's
    ``average`` rule leaves undefined).  ``info_tables[k]`` is a table with the stage-k
    strata keys (s_, c1_ .. c{k-1}_) and n_ (design count), w_ (weight) and ty_
    (``STRAT_*``).  ``lonely_domain``: the kind given to an ordinary stratum with a single
    unit inside the domain (R ``adjust.domain.lonely``), or None.  ``units``: a table from
    :func:`unit_table_query` holding the set's domain columns (constant within last-stage
    units), read instead of the rows.
    """
    dcols = [f"d{i}" for i in dset]
    reg = AggRegistry()
    unit_aggregates(reg, items, deff)
    carry = sorted(set(reg.exprs.values()))
    ctes = [f"base AS ({base_cte(d, relation, base)})"]
    where = " AND ".join(f"{c} IS NOT NULL" for c in dcols)
    src = f"(SELECT * FROM base WHERE {where}) b" if where else "base"
    keys_k = lambda k: ["s_"] + [f"c{i}_" for i in range(1, k + 1)]  # noqa: E731
    gk = keys_k(stages) + dcols
    if units:
        ctes.append(f"u{stages} AS (SELECT * FROM {units}" + (f" WHERE {where})" if where else ")"))
    else:
        ctes.append(f"u{stages} AS (SELECT {', '.join(gk + reg.select_list())} FROM {src} "
                    f"GROUP BY {', '.join(gk)})")
    item_terms = []
    for it in items:
        ts = ["X0", "Y0", "NA"]
        if it.kind == "ratio":
            ts += ["X1", "X2", "Y1", "Y2"] + (["XD0", "XD1", "YD0", "YD1"] if it.prop else [])
        item_terms.append(ts)
    deep_cols = [f"{t}{j}" for j, ts in enumerate(item_terms) for t in ts]
    for k in range(stages, 1, -1):
        keys = keys_k(k - 1)
        on = " AND ".join(f"i.{c} = u.{c}" for c in keys)
        sel = [f"u.{c} AS {c}" for c in keys + dcols] + [f"SUM(u.{c}) AS {c}" for c in carry]
        for j, it in enumerate(items):
            terms = _stage_terms(d, it, j, lonely_domain)
            for t in item_terms[j]:
                name, expr = f"{t}{j}", terms[t]
                if k < stages:
                    expr = f"{expr} + SUM(u.{name})"
                sel.append(f"{expr} AS {name}")
        group = [f"u.{c}" for c in keys + dcols] + ["i.n_", "i.w_", "i.ty_"]
        ctes.append(f"u{k - 1} AS (SELECT {', '.join(sel)} FROM u{k} u JOIN {info_tables[k]} i ON {on} "
                    f"GROUP BY {', '.join(group)})")
    sel = dcols + ["s_"]
    stage_cols: list[str] = []
    for j, it in enumerate(items):
        n_a, nz_a, A = it.aliases["n"], it.aliases["nz"], it.aliases["A"]
        pa = f"CASE WHEN {n_a} > 0 THEN {A} END"
        sel.append(f"SUM(CASE WHEN {n_a} > 0 THEN 1 ELSE 0 END) AS m{j}")
        sel.append(f"SUM(CASE WHEN {nz_a} > 0 THEN 1 ELSE 0 END) AS mz{j}")
        sel.append(f"SUM({A}) AS SA{j}")
        sel.append(f"VAR_POP({pa}) AS VA{j}")
        stage_cols += [f"m{j}", f"mz{j}", f"SA{j}", f"VA{j}"]
        if it.kind == "ratio":
            B = it.aliases["B"]
            pb = f"CASE WHEN {n_a} > 0 THEN {B} END"
            sel.append(f"SUM({B}) AS SB{j}")
            sel.append(f"VAR_POP({pb}) AS VB{j}")
            sel.append(f"COVAR_POP({pa}, {pb}) AS CAB{j}")
            stage_cols += [f"SB{j}", f"VB{j}", f"CAB{j}"]
            if it.prop:
                pd = f"CASE WHEN {n_a} > 0 THEN {A} - {B} END"
                sel.append(f"VAR_POP({pd}) AS VD{j}")
                sel.append(f"COVAR_POP({pd}, {pb}) AS CDB{j}")
                stage_cols += [f"VD{j}", f"CDB{j}"]
    sel += [f"SUM({c}) AS {c}" for c in carry]
    if stages > 1:
        sel += [f"SUM({c}) AS {c}" for c in deep_cols]
    else:
        deep_cols = []
    sql = ("WITH " + ",\n".join(ctes) + f"\nSELECT {', '.join(sel)} FROM u1 GROUP BY {', '.join(dcols + ['s_'])}")
    return sql, SetLayout(len(dcols), dcols + ["s_"] + stage_cols + carry + deep_cols)


def constant_dims_query(d: Dialect, relation: str, base: BaseSpec, stages: int,
                        boolean: set[int] = frozenset()) -> str:
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


def unit_table_query(d: Dialect, relation: str, base: BaseSpec, dims: list[int], items: list[Item],
                     stages: int, deff: bool) -> str:
    """The last-stage unit sums of every item with the domain columns ``dims`` (constant
    within units), for the domain sets made of those columns only (see ``units`` in
    :func:`taylor_set_query`)."""
    reg = AggRegistry()
    unit_aggregates(reg, items, deff)
    gk = ["s_"] + [f"c{i}_" for i in range(1, stages + 1)] + [f"d{i}" for i in dims]
    return (f"WITH base AS ({base_cte(d, relation, base)}) SELECT {', '.join(gk + reg.select_list())} "
            f"FROM base GROUP BY {', '.join(gk)}")


def _stage_terms(d: Dialect, it: Item, j: int, lonely_domain: int | None) -> dict[str, str]:
    """SQL for one item's stage-k contribution terms (see :func:`taylor_set_query`), over
    the units ``u`` of one stage-k stratum joined to its design facts ``i``.

    Units without domain members have A = B = 0, so plain sums of products over all the
    stratum's units with rows in the set give Σ_{n units}(t − S/n)² = Σt² − S²/n (the
    m·Var + S²(n − m)/(m n) of the module docstring) without ``VAR_POP`` or m."""
    A, nsum = f"u.{it.aliases['A']}", f"SUM(u.{it.aliases['n']})"
    kind = "i.ty_"
    if lonely_domain is not None:
        m = f"SUM(CASE WHEN u.{it.aliases['n']} > 0 THEN 1 ELSE 0 END)"
        kind = f"(CASE WHEN i.ty_ = {STRAT_SS} AND {m} = 1 THEN {lonely_domain} ELSE i.ty_ END)"
    # X: w·Σ products over units (ordinary strata);  Y: w·g·(product of sums), g = −1/n or
    # +1 for a lonely unit centred at 0 (R "adjust")
    x = lambda e: f"(CASE WHEN {kind} = {STRAT_SS} THEN i.w_ * SUM({e}) ELSE 0.0 END)"  # noqa: E731
    g = (f"(CASE WHEN {kind} = {STRAT_SS} THEN -1.0 / i.n_ WHEN {kind} = {STRAT_SQ} THEN 1.0 "
         f"ELSE 0.0 END)")
    y = lambda a, b: f"(i.w_ * {g} * SUM({a}) * SUM({b}))"  # noqa: E731
    out = {"X0": x(f"{A} * {A}"), "Y0": y(A, A),
           "NA": f"(CASE WHEN {nsum} > 0 AND {kind} = {STRAT_NA} THEN 1 ELSE 0 END)"}
    if it.kind == "ratio":
        B = f"u.{it.aliases['B']}"
        out.update({"X1": x(f"{A} * {B}"), "X2": x(f"{B} * {B}"), "Y1": y(A, B), "Y2": y(B, B)})
        if it.prop:
            D = f"({A} - {B})"
            out.update({"XD0": x(f"{D} * {D}"), "XD1": x(f"{D} * {B}"), "YD0": y(D, D), "YD1": y(D, B)})
    return out
