"""The indicator runner: every indicator × every dimension and every intersection up to a depth.

One analysis table per unit (household, person) is materialised as a DuckDB temporary table:
the design columns (strata and cluster ids recoded as integers: the same partition of the
rows, cheaper to group by), one category column per dimension (``_U`` for "not stated / missing",
never imputed) and one value column per indicator (NULL outside the indicator's population
or when its outcome is missing).  Then **one** :func:`lnob.stats.estimate_tables` call per
unit computes every indicator for the whole population, each dimension and each crossing of
up to ``depth`` dimensions, with the project's survey design.  Domain estimation keeps every
PSU (R ``svyby``), so a group's standard error is the design-based one.

A proportion is the mean of a 0/1 outcome; its interval is the logit interval of R's
``svyciprop`` (expit(logit p ± t_df · SE/(p(1−p)))), with the design degrees of freedom.
"""

from __future__ import annotations

import itertools
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from lnob import __version__
from lnob.errors import InputError, Problem
from lnob.i18n import _
from lnob.indicators import expr as X
from lnob.indicators.binding import Binding, Resolved
from lnob.indicators.definitions import MISSING_CODE, Dimension, Indicator, Library, spec_hash
from lnob.indicators.wealth import pca_index, weighted_quantile_groups

VARIANCE = ("design", "ultimate-cluster")
#: reliability flags (suppression itself is the disclosure layer's job)
MIN_N, MAX_CV, MIN_DF = 50, 0.30, 8


@dataclass
class UnitSource:
    """An analysis table of one unit and its survey design."""

    unit: str
    table: str
    weight: str | None = None
    strata: str | None = None
    clusters: list[str] = field(default_factory=list)
    fpc: list[str] = field(default_factory=list)
    #: person tables: the column that names the person's household (household table: its key)
    household: str | None = None
    key: str = "_record_id"
    repeat: str | None = None

    @classmethod
    def from_design(cls, unit: str, spec: dict) -> "UnitSource":
        return cls(unit=unit, table=spec["table"], weight=spec.get("weight"), strata=spec.get("strata"),
                   clusters=list(spec.get("clusters") or []), fpc=list(spec.get("fpc") or []),
                   household=spec.get("household"), key=spec.get("key", "_record_id"), repeat=spec.get("repeat"))

    def design(self, variance: str = "design"):
        from lnob.stats import Design

        if variance == "ultimate-cluster":
            return Design(weights=self.weight, strata=self.strata, clusters=self.clusters[:1], lonely_psu="adjust")
        return Design(weights=self.weight, strata=self.strata, clusters=self.clusters, fpc=self.fpc,
                      lonely_psu="adjust")

    def design_columns(self) -> list[str]:
        return [c for c in [self.weight, self.strata, *self.clusters, *self.fpc] if c]


@dataclass
class Computed:
    indicator: Indicator
    rows: list[dict]
    definition_hash: str
    snapshot: dict
    seconds: float = 0.0


@dataclass
class RunResult:
    computed: list[Computed] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dimensions: dict[str, list[str]] = field(default_factory=dict)  # unit -> dimensions used
    seconds: float = 0.0


def _q(name: str) -> str:
    return X.quote_ident(name)


def _lit(v: str) -> str:
    return X.quote_literal(v)


def _is_builtin(where: str) -> bool:
    return where.startswith("indicators/library/")


class Runner:
    def __init__(self, con, lib: Library, sources: dict[str, UnitSource], *, form=None, field_map=None,
                 depth: int = 2, dimensions: list[str] | None = None, indicators: list[str] | None = None,
                 variance: str = "design", level: float = 0.95, progress=None, previous=None, force=False,
                 stats_engine=None) -> None:
        if variance not in VARIANCE:
            raise InputError(_("unknown variance method %(v)r") % {"v": variance}, where="--variance",
                             hint=_("choose design or ultimate-cluster"), code="indicators.bad-variance")
        if not 0 <= depth <= 4:
            raise InputError(_("depth must be 0 to 4"), where="--depth", hint=_("2 gives every two-way intersection"),
                             code="indicators.bad-depth")
        self.con, self.lib, self.sources, self.form = con, lib, sources, form
        self.field_map = field_map or {}
        self.depth, self.variance, self.level = depth, variance, level
        self.want_dims = dimensions
        self.want_inds = indicators
        self.progress = progress or (lambda stage, done, total: None)
        self.previous = previous or {}
        self.force = force
        #: where the estimates run: None = DuckDB, on ``con`` itself; or an engine with
        #: ``from_duckdb(con, table)`` (lnob.stats.spark.SparkEngine) that receives a copy of
        #: each analysis table and runs the same compiled statistics
        self.stats_engine = stats_engine
        self.result = RunResult()
        self.explicit = set(indicators or [])
        if dimensions:
            for d in dimensions:
                lib.dimension(d)
        for i in indicators or []:
            lib.indicator(i)

    # ------------------------------------------------------------------ helpers
    def _columns(self, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()
        if not rows:
            raise InputError(_("the analysis table %(t)r does not exist") % {"t": table}, where=table,
                             hint=_("run 'lnob demo' or sync the project's records first"), code="indicators.no-table")
        return dict(rows)

    def _warn(self, code, message, where, hint, level="warning"):
        self.result.problems.append(Problem(code, message, where, hint, level))

    def _binding(self, unit: str, extra=None) -> Binding:
        src = self.sources[unit]
        return Binding(self.lib, self._cols[unit], self.form, self.field_map, repeat_first=src.repeat, extra=extra)

    # ------------------------------------------------------------------ run
    def run(self) -> RunResult:
        t0 = time.perf_counter()
        with self._prepared() as (extra, wealth, heads):
            for unit in ("household", "person"):
                if unit in self.sources:
                    self._run_unit(unit, extra, wealth, heads)
        self.result.seconds = time.perf_counter() - t0
        return self.result

    def analysis_table(self, unit: str, name: str) -> list[Indicator]:
        """Build the analysis table of ``unit`` as the temporary table ``name``, kept on the
        connection after the call, without computing any estimate.  Its columns: the design
        columns, ``d_<dimension>`` per dimension (``_U`` for missing) and, per returned
        indicator j in order, ``y<j>`` (and ``z<j>``, a ratio's denominator), NULL outside
        the indicator's population.  Indicators skipped (missing questions) are not returned."""
        if unit not in self.sources:
            raise InputError(_("no %(u)s table in the project's survey design") % {"u": unit}, where=unit,
                             hint=_("add the unit's table to the survey design"), code="indicators.no-table")
        with self._prepared() as (extra, wealth, heads):
            prep = self._prepare_unit(unit, extra, wealth, heads, snapshot=False)
            if prep is None:
                return []
            todo, dim_sql, joins = prep
            self._build_table(unit, todo, dim_sql, joins, name)
        return [ind for ind, _parts, _h in todo]

    @contextmanager
    def _prepared(self):
        """What every unit's table needs — the session settings, the household members' facts,
        the wealth index and the household heads — as ``(extra, wealth, heads)``; the helper
        tables are dropped and the settings restored afterwards."""
        self._cols = {u: self._columns(s_.table) for u, s_ in self.sources.items()}
        self._tmp = []
        restore = self._session()
        try:
            extra = self._members()
            yield extra, self._wealth(extra), self._heads(extra)
        finally:
            for t in self._tmp:
                self.con.execute(f"DROP TABLE IF EXISTS {_q(t)}")
            restore()

    def _session(self):
        """DuckDB settings for the run, restored afterwards: without insertion order the
        analysis tables are built in parallel (nothing here depends on row order)."""
        try:
            old = self.con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
            self.con.execute("SET preserve_insertion_order = false")
        except Exception:  # not DuckDB, or an older one: leave the connection as it is
            return lambda: None

        def restore():
            self.con.execute(f"SET preserve_insertion_order = {'true' if old else 'false'}")

        return restore

    def _members(self) -> dict[str, Resolved]:
        """Household variables computed from the members (any / count of a person condition)."""
        if not self.lib.members or "person" not in self.sources or not self.sources["person"].household:
            return {}
        b = self._binding("person")
        cols, out = [], {}
        for m in self.lib.members.values():
            if b.missing(m.cond.fields()):
                continue
            sql = b.compile(m.cond, expect="boolean")
            agg = f"COALESCE(BOOL_OR({sql}), FALSE)" if m.how == "any" else f"COUNT(*) FILTER (WHERE {sql})"
            cols.append(f"{agg} AS {_q('m_' + m.name)}")
            out[m.name] = Resolved(m.name, f"mb.{_q('m_' + m.name)}", "boolean" if m.how == "any" else "integer", None,
                                   f"members.{m.how}")
        if not cols:
            return {}
        hk = self.sources["person"].household
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _lnob_members AS SELECT s.{_q(hk)} AS k_, COUNT(*) AS size_, "
                         f"{', '.join(cols)} FROM {_q(self.sources['person'].table)} s GROUP BY s.{_q(hk)}")
        self._tmp.append("_lnob_members")
        return out

    def _dims_for(self, unit: str) -> list[Dimension]:
        out = []
        for d in self.lib.dimensions:
            if self.want_dims is not None and d.id not in self.want_dims:
                continue
            if d.unit == unit or (unit == "person" and d.unit == "household") or (unit == "household" and d.household):
                out.append(d)
        return out

    def _wealth(self, extra) -> dict[str, str]:
        """Wealth-index dimensions: the quantile of each household, in a temporary table."""
        import numpy as np

        out = {}
        wanted = [d for d in self.lib.dimensions if d.kind == "wealth_index"
                  and (self.want_dims is None or d.id in self.want_dims)]
        if not wanted or "household" not in self.sources:
            return out
        src = self.sources["household"]
        b = self._binding("household", extra)
        for d in wanted:
            if d.asset_field:
                r = b.resolve(d.asset_field)
                if r is None:
                    self._warn("indicators.dimension-unavailable", _("dimension %(d)r needs the question %(f)r, which the form does not have")
                               % {"d": d.id, "f": d.asset_field}, d.where, _("map it with a field map"))
                    continue
                choices = [c for c in (r.choices or []) if c not in d.asset_exclude]
                items = [X.parse(f"selected(`{d.asset_field}`, {_lit(c)})") for c in choices]
            else:
                items = d.assets
            miss = b.missing(set().union(*(e.fields() for e in items)) if items else set())
            if miss or len(items) < 2:
                self._warn("indicators.dimension-unavailable", _("dimension %(d)r needs questions the form does not have: %(f)s")
                           % {"d": d.id, "f": ", ".join(miss)}, d.where, _("map them with a field map"))
                continue
            sqls = [f"CAST({b.compile(e, expect='boolean')} AS INTEGER)" for e in items]
            size = "COALESCE(mb.size_, 1)" if "_lnob_members" in self._tmp else "1"
            join = "LEFT JOIN _lnob_members mb ON mb.k_ = s." + _q(src.key) if "_lnob_members" in self._tmp else ""
            w = f"s.{_q(src.weight)}" if src.weight else "1.0"
            rows = self.con.execute(f"SELECT s.{_q(src.key)}, {w}, {size}, {', '.join(sqls)} FROM {_q(src.table)} s {join}").fetchnumpy()
            keys = list(rows.values())[0]
            arrs = list(rows.values())
            weights = np.asarray(arrs[1], dtype=float)
            size_a = np.asarray(arrs[2], dtype=float)
            mat = np.column_stack([np.ma.filled(np.ma.asarray(a).astype(float), np.nan) for a in arrs[3:]])
            ok = ~np.all(np.isnan(mat), axis=1)
            q = np.full(keys.size, -1, dtype=np.int64)
            if ok.sum() > 1:
                score, _load = pca_index(mat[ok], weights[ok])
                q[ok] = weighted_quantile_groups(score, weights[ok] * size_a[ok], d.quantiles)
            codes = np.array([MISSING_CODE] + [c.code for c in d.categories], dtype=object)
            name = f"_lnob_wealth_{d.id}"
            self.con.register("_lnob_w_in", {"k_": keys, "q_": codes[np.where(q < 0, 0, q)]})
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(name)} AS SELECT * FROM _lnob_w_in")
            self.con.unregister("_lnob_w_in")
            self._tmp.append(name)
            out[d.id] = name
        return out

    def _category_sql(self, d: Dimension, b: Binding) -> str | None:
        if d.kind == "choices":
            r = b.resolve(d.field)
            if r is None:
                return None
            if not r.choices:
                return f"COALESCE(CAST({r.sql} AS VARCHAR), {_lit(MISSING_CODE)})"
            d.categories = d.categories or []
            whens = " ".join(f"WHEN {r.sql} = {_lit(c)} THEN {_lit(c)}" for c in r.choices)
            return f"(CASE {whens} ELSE {_lit(MISSING_CODE)} END)"
        if b.missing(d.fields()):
            return None
        whens = " ".join(f"WHEN {b.compile(c.when, expect='boolean')} THEN {_lit(c.code)}" for c in d.categories)
        return f"(CASE {whens} ELSE {_lit(MISSING_CODE)} END)"

    def _heads(self, extra) -> dict[str, str]:
        """Person dimensions lifted to households: the category of the household head."""
        if "person" not in self.sources or "household" not in self.sources or not self.sources["person"].household:
            return {}
        dims = [d for d in self._dims_for("household") if d.household == "head" and d.unit == "person"]
        if not dims:
            return {}
        b = self._binding("person", extra)
        cols, out = [], {}
        head = dims[0].head
        if b.missing(head.fields()):
            return {}
        hsql = b.compile(head, expect="boolean")
        for d in dims:
            sql = self._category_sql(d, b)
            if sql is None:
                continue
            cols.append(f"MIN({sql}) FILTER (WHERE {hsql}) AS {_q('h_' + d.id)}")
            out[d.id] = f"hd.{_q('h_' + d.id)}"
        if cols:
            hk = self.sources["person"].household
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _lnob_heads AS SELECT s.{_q(hk)} AS k_, {', '.join(cols)} "
                             f"FROM {_q(self.sources['person'].table)} s {self._member_join('person')} GROUP BY s.{_q(hk)}")
            self._tmp.append("_lnob_heads")
        return out

    def _member_join(self, unit: str) -> str:
        if "_lnob_members" not in self._tmp:
            return ""
        src = self.sources[unit]
        k = src.key if unit == "household" else src.household
        return f"LEFT JOIN _lnob_members mb ON mb.k_ = s.{_q(k)}" if k else ""

    # ------------------------------------------------------------------ one unit
    def _prepare_unit(self, unit: str, extra, wealth, heads, snapshot: bool = True):
        """(indicators to compute as (indicator, compiled parts, definition hash), dimension
        SQL, joins), or None when there is nothing to compute; sets ``self._snap``."""
        src = self.sources[unit]
        ext = dict(extra) if (unit == "household" or src.household) else {}
        b = self._binding(unit, ext)
        inds = [i for i in self.lib.indicators if i.unit == unit
                and (self.want_inds is None or i.id in self.want_inds)]
        if not inds:
            return None
        # dimensions
        dim_sql: dict[str, str] = {}
        joins = [self._member_join(unit)] if ext else []
        for d in self._dims_for(unit):
            if d.kind == "wealth_index":
                if d.id in wealth:
                    k = src.key if unit == "household" else src.household
                    if k:
                        joins.append(f"LEFT JOIN {_q(wealth[d.id])} w_{d.id} ON w_{d.id}.k_ = s.{_q(k)}")
                        dim_sql[d.id] = f"COALESCE(w_{d.id}.q_, {_lit(MISSING_CODE)})"
                continue
            if unit == "household" and d.unit == "person":
                if d.id in heads:
                    dim_sql[d.id] = f"COALESCE({heads[d.id]}, {_lit(MISSING_CODE)})"
                continue
            sql = self._category_sql(d, b)
            if sql is None:
                self._warn("indicators.dimension-unavailable",
                           _("dimension %(d)r is not available for %(u)s indicators: the form lacks %(f)s")
                           % {"d": d.id, "u": unit, "f": ", ".join(b.missing(d.fields())) or d.field}, d.where,
                           _("map the questions with a field map, or ignore this dimension"))
                continue
            dim_sql[d.id] = sql
        if unit == "household" and heads and "_lnob_heads" in self._tmp:
            joins.append(f"LEFT JOIN _lnob_heads hd ON hd.k_ = s.{_q(src.key)}")
        # indicators: resolve and compile
        compiled = []
        for ind in inds:
            miss = b.missing(ind.fields())
            if miss:
                if _is_builtin(ind.where) and ind.id not in self.explicit:
                    self._warn("indicators.module-missing",
                               _("skipped %(i)r: the form lacks the questions %(f)s") % {"i": ind.id, "f": ", ".join(miss)},
                               ind.where, _("map them with a field map (--fields) if the form asks them under other names"))
                    continue
                if _is_builtin(ind.where):
                    raise InputError(_("indicator %(i)r needs questions the form does not have: %(f)s")
                                     % {"i": ind.id, "f": ", ".join(miss)}, where=ind.where,
                                     hint=_("map them with a field map (--fields) if the form asks them under other names"),
                                     code="indicators.module-missing")
            parts = {}
            for key, e in ind.expressions().items():
                expect = "boolean" if key == "population" or (key == "outcome" and ind.kind == "proportion") else "numeric"
                if ind.kind == "ratio" and key in ("numerator", "denominator"):
                    expect = ["numeric", "boolean"]
                parts[key] = (b.compile(e, expect=expect), e.type)
            compiled.append((ind, parts))
        # snapshot of the data used: the columns any indicator or dimension of the library reads
        # for this unit (not only this run's selection, so that a run of a few indicators
        # recognises the results of a full run as current)
        used = set(src.design_columns())
        for ind in self.lib.indicators:
            if ind.unit != unit:
                continue
            for n in ind.fields():
                r = b.resolve(n)
                if r and r.origin in self._cols[unit]:
                    used.add(r.origin)
        for d in self.lib.dimensions:
            if not (d.unit == unit or (unit == "person" and d.unit == "household")
                    or (unit == "household" and d.household)):
                continue
            for n in d.fields():
                r = b.resolve(n)
                if r and r.origin in self._cols[unit]:
                    used.add(r.origin)
        snapshot = self._snapshot(unit, sorted(used)) if snapshot else {"hash": None}
        self._snap = snapshot
        dims_sig = {k: dim_sql[k] for k in sorted(dim_sql)}
        todo = []
        for ind, parts in compiled:
            h = spec_hash({"definition": ind.spec, "sql": {k: v[0] for k, v in parts.items()}, "dimensions": dims_sig,
                           "depth": self.depth, "variance": self.variance, "level": self.level,
                           "design": src.design_columns(), "engine": f"lnob {__version__} / lnob.stats"})
            prev = self.previous.get(ind.id)
            if not self.force and prev and prev == (h, snapshot["hash"]):
                self.result.unchanged.append(ind.id)
                continue
            todo.append((ind, parts, h))
        if not todo:
            return None
        return todo, dim_sql, joins

    def _build_table(self, unit: str, todo, dim_sql: dict, joins: list, tname: str) -> None:
        src = self.sources[unit]
        joins = list(joins)
        ids = {}  # strata and cluster ids become integer codes: the same partition, cheaper to group by
        for i, c in enumerate(dict.fromkeys(c for c in [src.strata, *src.clusters] if c)):
            if self._cols[unit].get(c, "").upper() in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT"):
                continue
            m = f"_lnob_ids_{unit}_{i}"
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(m)} AS SELECT v_, CAST(ROW_NUMBER() OVER () AS INTEGER) AS id_ "
                             f"FROM (SELECT DISTINCT s.{_q(c)} AS v_ FROM {_q(src.table)} s WHERE s.{_q(c)} IS NOT NULL) z")
            self._tmp.append(m)
            joins.append(f"LEFT JOIN {_q(m)} i{i} ON i{i}.v_ = s.{_q(c)}")
            ids[c] = f"i{i}.id_"
        sel = [f"{ids.get(c, 's.' + _q(c))} AS {_q(c)}" for c in dict.fromkeys(src.design_columns())]
        for k, sql in dim_sql.items():
            sel.append(f"{sql} AS {_q('d_' + k)}")
        for j, (ind, parts, _h) in enumerate(todo):
            pop = parts["population"][0] if "population" in parts else "TRUE"
            if ind.kind == "ratio":
                for key, col in (("numerator", f"y{j}"), ("denominator", f"z{j}")):
                    sql, t = parts[key]
                    val = f"(CASE WHEN {sql} THEN 1.0 WHEN NOT ({sql}) THEN 0.0 END)" if t == "boolean" else f"CAST({sql} AS DOUBLE)"
                    sel.append(f"CAST(CASE WHEN {pop} THEN {val} END AS DOUBLE) AS {col}")
            else:
                sql, t = parts["outcome"]
                val = f"(CASE WHEN {sql} THEN 1.0 WHEN NOT ({sql}) THEN 0.0 END)" if t == "boolean" else f"CAST({sql} AS DOUBLE)"
                sel.append(f"CAST(CASE WHEN {pop} THEN {val} END AS DOUBLE) AS y{j}")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(tname)} AS SELECT {', '.join(sel)} FROM {_q(src.table)} s "
                         + " ".join(joins))

    def _run_unit(self, unit: str, extra, wealth, heads) -> None:
        from lnob.stats import Mean, Ratio, Total, estimate_tables
        from lnob.stats.engine import DuckDBEngine

        prep = self._prepare_unit(unit, extra, wealth, heads)
        if prep is None:
            return
        todo, dim_sql, joins = prep
        src, snapshot = self.sources[unit], self._snap
        # the analysis table
        self.progress(f"{unit}: table", 0, 1)
        tname = f"_lnob_ind_{unit}"
        self._tmp.append(tname)
        self._build_table(unit, todo, dim_sql, joins, tname)
        self.progress(f"{unit}: table", 1, 1)
        # dimensions that do not split the data
        used_dims = []
        counts = self.con.execute("SELECT " + ", ".join(f"COUNT(DISTINCT {_q('d_' + k)}), MIN({_q('d_' + k)})"
                                                        for k in dim_sql) + f" FROM {_q(tname)}").fetchone() if dim_sql else ()
        for i, k in enumerate(dim_sql):
            n_cats, first = counts[2 * i], counts[2 * i + 1]  # the columns are never NULL (_U)
            if n_cats < 2:
                self._warn("indicators.dimension-constant",
                           _("dimension %(d)r has a single category (%(c)s) in the data; it is left out")
                           % {"d": k, "c": first if n_cats else "-"}, self.lib.dimension(k).where,
                           _("a disaggregation needs at least two groups; check the question and its answers"))
                continue
            used_dims.append(k)
        self.result.dimensions[unit] = used_dims
        tables = [[]]
        for r in range(1, self.depth + 1):
            tables += [list(c) for c in itertools.combinations(used_dims, r)]
        specs = []
        for j, (ind, _parts, _h) in enumerate(todo):
            specs.append(Ratio(f"y{j}", f"z{j}") if ind.kind == "ratio" else
                         Total(f"y{j}") if ind.kind == "total" else Mean(f"y{j}"))
        if self.stats_engine is not None:
            table = self.stats_engine.from_duckdb(self.con, tname)
        else:
            table = DuckDBEngine(connection=self.con).table(tname)
        self.progress(f"{unit}: estimates", 0, len(todo))
        t1 = time.perf_counter()
        try:
            res = estimate_tables(table, src.design(self.variance), specs, [[f"d_{k}" for k in t] for t in tables],
                                  level=self.level, ci="wald")
        finally:
            if self.stats_engine is not None:
                self.stats_engine.drop(table)
        secs = time.perf_counter() - t1
        self.progress(f"{unit}: estimates", len(todo), len(todo))
        by_var: dict[str, list] = {}
        for t_rows in res:
            for r in t_rows:
                by_var.setdefault(r.variable, []).append(r)
        for j, (ind, _parts, h) in enumerate(todo):
            label = specs[j].label
            allowed = set(ind.dimensions) if ind.dimensions is not None else None
            rows = []
            total_seen = False
            for r in by_var.get(label, []):
                groups = {k[2:]: v for k, v in r.domain.items()}
                if allowed is not None and not set(groups) <= allowed:
                    continue
                if not groups:
                    total_seen = r.n > 0
                rows.append(_row(ind, groups, r, self.level))
            if not total_seen:
                self._warn("indicators.empty-population",
                           _("indicator %(i)r has no data: its population is empty (or its outcome is always missing)")
                           % {"i": ind.id}, ind.where,
                           _("check the population filter and the outcome against the form's answers"), level="error")
                continue
            self.result.computed.append(Computed(ind, rows, h, snapshot, secs / max(len(todo), 1)))

    def _snapshot(self, unit: str, used: list[str]) -> dict:
        """What the unit's results depend on: row count, last record, the form versions and a
        hash of the columns used (design, indicator and dimension questions) — a change in a
        column no indicator reads does not make the results stale."""
        src = self.sources[unit]
        cols = self._cols[unit]
        key = src.key if src.key in cols else None
        hashed = [c for c in cols if c in set(used)] or list(cols)
        parts = ["COUNT(*)", f"MAX({_q(key)})" if key else "NULL",
                 f"BIT_XOR(HASH({', '.join(_q(c) for c in hashed)}))",
                 "STRING_AGG(DISTINCT CAST(\"_form_version\" AS VARCHAR), ',')" if "_form_version" in cols else "NULL"]
        n, mx, hsh, versions = self.con.execute(f"SELECT {', '.join(parts)} FROM {_q(src.table)}").fetchone()
        snap = {"table": src.table, "rows": int(n), "max_record_id": mx, "columns": hashed, "columns_hash": str(hsh),
                "form_versions": sorted((versions or "").split(",")) if versions else []}
        snap["hash"] = spec_hash(snap)
        return snap


def _num(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) or math.isinf(v) else v


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _logit_ci(p: float, se_logit: float, df: float, level: float) -> tuple[float, float]:
    """R ``svyciprop(method="logit")``: expit(logit p ± t_df · SE_logit); NaN when df ≤ 0."""
    from lnob.stats.intervals import _tq

    t = _tq(1 - (1 - level) / 2, df)
    if t != t:
        return float("nan"), float("nan")
    lg = math.log(p / (1 - p))
    return _expit(lg - t * se_logit), _expit(lg + t * se_logit)


def _row(ind: Indicator, groups: dict, r, level: float) -> dict:
    est, se, df = r.estimate, r.se, r.df
    lo, hi = r.ci_low, r.ci_high
    if ind.kind == "proportion":
        if 0 < est < 1 and se == se:
            lo, hi = _logit_ci(est, se / (est * (1 - est)), df, level)
        elif est in (0.0, 1.0):
            lo = hi = est
    flags = []
    if r.n < MIN_N:
        flags.append(f"n<{MIN_N}")
    if est and se == se and abs(se / est) > MAX_CV:
        flags.append(f"cv>{int(MAX_CV * 100)}%")
    if not df >= MIN_DF:
        flags.append(f"df<{MIN_DF}")
    return {"indicator": ind.id, "sdg": list(ind.sdg), "groups": groups, "estimate": _num(est), "se": _num(se),
            "ci_low": _num(lo), "ci_high": _num(hi), "n": int(r.n), "population": _num(r.population), "flags": flags}
