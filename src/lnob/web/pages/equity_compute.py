"""The computations behind the "who is left behind" pages, cached by provenance (no views here;
:mod:`lnob.web.pages.equity` owns the views and URLs).

What is reused, what is computed (docs/equity.md, "The web view"):

* group estimates, SEs, CIs, n and populations — the **stored run results**
  (:class:`lnob.indicators.models.IndicatorResult`); the inequality measures, the data-gap
  matrix and the official comparison need nothing else;
* gaps (contrast SEs), the furthest-behind search, the classification tree and the MPI need the
  microdata: the runner's analysis tables are rebuilt from the analytics store
  (:func:`lnob.equity.leftbehind.analysis_tables`) and the library functions run on them.

Their results are plain numbers (no text: sentences and formatting happen when a page is
drawn, in the reader's language) kept in a **provenance-keyed cache**: the key is a hash of the
project, the analysis, its parameters and, for every indicator involved, the stored definition
hash and data snapshot hash.  A new run with new data or a changed definition gives new keys, so
a cached result is never stale.  Entries live in Django's cache and in a JSON file under
``<workspace>/cache/equity/`` (shared by every server process, kept across restarts; safe to
delete).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from lnob.errors import LnobError

#: the furthest-behind search of the pages: intersections of two dimensions, groups of at least
#: 30 respondents, false discovery rate 5 % (Benjamini-Hochberg over every group examined)
DEPTH, MIN_N, FDR = 2, 30, 0.05
SEARCH_KINDS = ("proportion", "mean")
#: seconds a request may spend starting new searches (gunicorn's timeout is 120 s)
RUN_BUDGET = 60.0
CACHE_VERSION = 1


# --------------------------------------------------------------------------- the cache
def _cache_dir() -> Path:
    return Path(getattr(settings, "HOME", Path.cwd() / "lnob-data")) / "cache" / "equity"


def cache_key(project, stored: dict, indicators, *parts) -> str:
    prov = [(i, stored[i].definition_hash, stored[i].snapshot_hash) for i in sorted(indicators)]
    raw = json.dumps([CACHE_VERSION, project.pk, project.slug, prov, [str(p) for p in parts]])
    return "lnob-equity:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def cached(key: str):
    got = cache.get(key)
    if got is not None:
        return got
    path = _cache_dir() / f"{key.split(':')[1]}.json"
    if path.is_file():
        try:
            got = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        cache.set(key, got, 24 * 3600)
        return got
    return None


def remember(key: str, value):
    cache.set(key, value, 24 * 3600)
    folder = _cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{key.split(':')[1]}.tmp"
        tmp.write_text(json.dumps(value, allow_nan=False), encoding="utf-8")
        tmp.replace(folder / f"{key.split(':')[1]}.json")
    except OSError:  # pragma: no cover - a read-only workspace still works, from memory
        pass
    return value


def _f(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _est(e) -> dict:
    return {"estimate": _f(e.estimate), "se": _f(e.se), "ci_low": _f(e.ci_low), "ci_high": _f(e.ci_high),
            "n": int(e.n), "population": _f(e.population)}


def _contrast(c) -> dict | None:
    if c is None:
        return None
    return {"estimate": _f(c.estimate), "se": _f(c.se), "ci_low": _f(c.ci_low), "ci_high": _f(c.ci_high),
            "p": _f(c.p_value)}


# --------------------------------------------------------------------------- the analysis tables
class Tables:
    """The runner's analysis tables for some indicators, on a read-only connection to the
    analytics store (records without consent left out, as in every analysis)."""

    def __init__(self, project, indicators, dims=None):
        import duckdb

        from lnob.equity.leftbehind import analysis_tables
        from lnob.indicators.project_defs import library
        from lnob.indicators.services import consented_sources, form_schema, sources_of
        from lnob.records.services import default_store

        self.lib = library(project)
        sources = sources_of(project)
        schema, _v = form_schema(project)
        fmap = dict((project.survey_design or {}).get("indicators", {}).get("fields", {}))
        self.con = duckdb.connect(str(default_store().path), read_only=True)
        try:
            sources, _without = consented_sources(self.con, sources, schema)
            self.tables = analysis_tables(self.con, self.lib, sources, indicators, dimensions=dims, form=schema,
                                          field_map=fmap)
        except BaseException:
            self.con.close()
            raise

    def of(self, indicator):
        """(engine table, value column, design) of one indicator."""
        from lnob.stats import DuckDBEngine

        for t in self.tables.values():
            if indicator in t.columns:
                return DuckDBEngine(connection=self.con).table(t.table), t.columns[indicator], t.design
        raise KeyError(indicator)

    def close(self):
        self.con.close()


def search_dims(ir) -> list[str]:
    return sorted({d for r in ir.rows for d in r["groups"]})


def _search(tables, ind_id, ir, favourable) -> dict:
    from lnob.equity.furthest import furthest_behind
    from lnob.stats.contrast import Measure

    tab, col, design = tables.of(ind_id)
    dims = search_dims(ir)
    if not dims:
        return {"overall": None, "m": 0, "findings": [], "dims": []}
    s = furthest_behind(tab, design, Measure(col), [f"d_{d}" for d in dims], depth=DEPTH, min_n=MIN_N, fdr=FDR,
                        favourable=favourable, percent=ir.kind == "proportion")
    return {"overall": _est(s.overall), "m": s.m, "dims": dims,
            "findings": [{"group": {k[2:]: v for k, v in t.group.items()}, **_est(t.estimate),
                          "gap": _contrast(t.contrast), "p": _f(t.p_value), "q": _f(t.q_value)} for t in s.findings]}


def searches(project, stored: dict, lib, indicators=None, budget: float | None = None) -> dict:
    """indicator id -> the furthest-behind search (numbers), computing only what the cache lacks;
    the analysis tables are built once for all indicators that need computing.  With ``budget``
    (seconds), no new indicator is started once it is spent (the others stay uncomputed: a web
    request must end well before the server's 120 s timeout)."""
    import time

    t0 = time.monotonic()
    want = [k for k, ir in stored.items() if ir.kind in SEARCH_KINDS and (indicators is None or k in indicators)]
    out, todo = {}, []
    for k in want:
        got = cached(cache_key(project, stored, [k], "search", DEPTH, MIN_N, FDR))
        if got is None:
            todo.append(k)
        else:
            out[k] = got
    if todo:
        dims = sorted({d for k in todo for d in search_dims(stored[k])})
        tables = Tables(project, todo, dims)
        try:
            for n, k in enumerate(todo):
                if n and budget is not None and time.monotonic() - t0 > budget:
                    break  # at least one per call, so that pressing again always advances
                try:
                    fav = lib.indicator(k).higher_is_better
                except LnobError:
                    continue
                out[k] = remember(cache_key(project, stored, [k], "search", DEPTH, MIN_N, FDR),
                                  _search(tables, k, stored[k], fav))
        finally:
            tables.close()
    return out


# --------------------------------------------------------------------------- one indicator
def gaps_and_tree(project, stored: dict, lib, indicator: str, dim: str, reference: str | None, order) -> dict:
    """The gap table of ``dim`` (vs the total, the best-off group and ``reference``) and ESCAP's
    tree over the indicator's dimensions; a bad ``reference`` raises the library's error."""
    from lnob.equity.gaps import gaps
    from lnob.stats.contrast import Measure

    ir = stored[indicator]
    fav = lib.indicator(indicator).higher_is_better
    gkey = cache_key(project, stored, [indicator], "gaps", dim, reference or "", ",".join(order or []))
    tkey = cache_key(project, stored, [indicator], "tree")
    g, t = cached(gkey), cached(tkey)
    if g is not None and t is not None:
        return {"gaps": g, "tree": t}
    tables = Tables(project, [indicator], search_dims(ir))
    try:
        tab, col, design = tables.of(indicator)
        if g is None:
            gt = gaps(tab, design, Measure(col), f"d_{dim}", reference=reference, favourable=fav, order=order)
            g = remember(gkey, {
                "total": _est(gt.total), "best": gt.best[f"d_{dim}"],
                "reference": None if gt.reference is None else gt.reference[f"d_{dim}"],
                "groups": [{"code": x.group[f"d_{dim}"], **_est(x.estimate),
                            "vs": {tag: {kind: _contrast(c) for kind, c in v.items()} for tag, v in x.vs.items()}}
                           for x in gt.groups]})
        if t is None:
            circ = [f"d_{d}" for d in search_dims(ir)]
            t = remember(tkey, _tree(tab, design, Measure(col), circ, fav) if circ else None)
    finally:
        tables.close()
    return {"gaps": g, "tree": t}


def _tree(tab, design, measure, circumstances, favourable) -> dict:
    from lnob.equity.tree import classification_tree

    tree = classification_tree(tab, design, measure, circumstances, favourable=favourable)

    def node(nd):
        return {"rule": {k[2:]: list(v) for k, v in nd.rule.items()}, "n": nd.n, "estimate": _f(nd.estimate),
                "share": _f(nd.weight / tree.root.weight) if tree.root.weight else None,
                "condition": None if nd.condition is None else [nd.condition[0][2:], list(nd.condition[1])],
                "behind": nd is tree.furthest_behind, "ahead": nd is tree.furthest_ahead,
                "children": [node(c) for c in nd.children]}

    return {"root": node(tree.root), "d_index": _f(tree.d_index), "leaves": len(tree.leaves)}


# --------------------------------------------------------------------------- MPI
def mpi_settings(project) -> tuple[dict | None, str]:
    conf = (project.survey_design or {}).get("mpi") or {}
    return conf.get("weights"), str(conf.get("k", "1/3"))


def mpi_for(project, stored: dict, by: str | None) -> dict | None:
    """Alkire-Foster over the project's MPI deprivation indicators (global MPI weights, k = 1/3,
    unless the project's ``survey_design["mpi"]`` gives ``weights`` and ``k``), whole sample and
    by ``by``.  None when the project has fewer than two deprivation indicators."""
    from lnob.equity.leftbehind import MPI_DIMENSIONS, mpi_deprivations, project_mpi
    from lnob.equity.mpi import as_records

    weights, k = mpi_settings(project)
    available = [i for i in stored if i in MPI_DIMENSIONS or (weights and i in weights)]
    deps = mpi_deprivations(available, weights)
    if len(deps) < 2:
        return None
    ids = [d.column for d in deps]
    key = cache_key(project, stored, ids, "mpi", by or "", k, json.dumps({d.column: str(d.weight) for d in deps}))
    got = cached(key)
    if got is not None:
        return got
    tables = Tables(project, ids, [by] if by else [])
    try:
        t = next(iter(tables.tables.values()))
        if by and by not in t.dimensions:
            by = None
        res = project_mpi(tables.con, t, deps, k, by=by)
    finally:
        tables.close()
    recs = as_records(res, by)
    return remember(key, {"by": by, "k": k, "weights": {d.column: str(d.weight) for d in deps},
                          "whole": recs[0] if recs else None, "groups": recs[1:]})
