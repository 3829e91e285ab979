"""Design-based gaps and the furthest-behind search for the evidence dashboard (members with
``results.view``): the runner's analysis table is rebuilt from the analytics store on request
and passed to :mod:`lnob.equity.gaps` and :mod:`lnob.equity.furthest`."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404

from lnob import l10n
from lnob.i18n import _, pgettext
from lnob.web.pages.evidence_data import Labels, _library, _version, fmt_n, fmt_value


# --------------------------------------------------------------------------- gaps (members with results.view)
class _Got(Exception):
    pass


def analysis_table(project, indicator: str, dims: list[str]):
    """(DuckDB connection, table name, design, kind): the runner's analysis table for one
    indicator — value column ``y0`` and one ``d_<dimension>`` column per dimension — copied
    when the runner has built it (its progress callback), before any estimate is computed."""
    import duckdb

    from lnob.indicators.runner import Runner
    from lnob.indicators.services import consented_sources, form_schema, sources_of
    from lnob.records.services import default_store

    lib = _library(project)
    ind = lib.indicator(indicator)
    sources = sources_of(project)
    schema, _v = form_schema(project)
    fmap = dict((project.survey_design or {}).get("indicators", {}).get("fields", {}))
    con = duckdb.connect(str(default_store().path), read_only=True)
    sources, _without = consented_sources(con, sources, schema)  # never analyse records without consent
    src = sources[ind.unit]

    def grab(stage, done, total):
        if stage == f"{ind.unit}: estimates":
            con.execute("CREATE OR REPLACE TEMP TABLE ev_analysis AS SELECT * FROM " + f'"_lnob_ind_{ind.unit}"')
            raise _Got

    runner = Runner(con, lib, sources, form=schema, field_map=fmap, depth=0, dimensions=dims, indicators=[indicator],
                    force=True, progress=grab)
    try:
        runner.run()
    except _Got:
        return con, "ev_analysis", src.design(), ind
    con.close()
    raise Http404


def _analysis(project, stored, indicator: str, dim: str) -> dict:
    """The numbers of :func:`gaps_and_behind`, in no language (cached per data version)."""
    from lnob.equity.furthest import furthest_behind
    from lnob.equity.gaps import gaps
    from lnob.stats import DuckDBEngine
    from lnob.stats.contrast import Measure

    ir = stored[indicator]
    search = sorted({d for r in ir.rows for d in r["groups"]})
    key = f"lnob-evidence-gaps:{project.pk}:{_version(stored)}:{indicator}:{dim}"
    got = cache.get(key)
    if got is not None:
        return got
    con, table, design, ind = analysis_table(project, indicator, search)
    fav = ind.higher_is_better
    try:
        tab = DuckDBEngine(connection=con).table(table)
        gt = gaps(tab, design, Measure("y0"), f"d_{dim}", favourable=fav)
        s = furthest_behind(tab, design, Measure("y0"), [f"d_{d}" for d in search], depth=2, min_n=30,
                            fdr=0.05, favourable=fav, percent=ir.kind == "proportion")
    finally:
        con.close()

    def contrast(c):
        return None if c is None or c.estimate is None else (c.estimate, c.ci_low, c.ci_high, c.p_value)

    out = {"favourable": fav, "best": gt.best[f"d_{dim}"], "total": gt.total.estimate,
           "overall": s.overall.estimate, "tests": s.m, "n_behind": len(s.findings),
           "groups": [{"code": g.group[f"d_{dim}"], "estimate": g.estimate.estimate, "n": g.estimate.n,
                       "vs_total": contrast(g.vs.get("total", {}).get("difference")),
                       "vs_best": contrast(g.vs.get("best", {}).get("difference")),
                       "ratio_best": contrast(g.vs.get("best", {}).get("ratio"))} for g in gt.groups],
           "findings": [({k[2:]: v for k, v in t.group.items()}, t.estimate.estimate, t.estimate.ci_low,
                         t.estimate.ci_high) for t in s.findings[:15]]}
    cache.set(key, out, 3600)
    return out


def gaps_and_behind(project, stored, indicator: str, dim: str, labels: Labels) -> dict:
    """Design-based gaps of every group of ``dim`` (vs the total and the best-off group) and the
    furthest-behind search over the indicator's dimensions, depth 2, BH at 5 % (lnob.equity),
    as texts in the reader's language."""
    kind = stored[indicator].kind
    a = _analysis(project, stored, indicator, dim)

    def contrast(c):
        if c is None:
            return {"value": l10n.DASH, "ci": ""}
        est, low, high, p = c
        scale = 100 if kind == "proportion" else 1
        value = l10n.number(est * scale, 1)
        if kind == "proportion":
            value = pgettext("a difference in percentage points", "%(number)s pp") % {"number": value}
        return {"value": value, "ci": l10n.interval(l10n.number(low * scale, 1), l10n.number(high * scale, 1)),
                "p": p}

    rows = [{"label": labels.cat(dim, g["code"]), "value": fmt_value(g["estimate"], kind), "n": fmt_n(g["n"]),
             "vs_total": contrast(g["vs_total"]), "vs_best": contrast(g["vs_best"]),
             "ratio_best": contrast(g["ratio_best"]) if kind != "proportion" else None} for g in a["groups"]]
    findings = [_("%(who)s: %(value)s (95 %% CI %(low)s – %(high)s), against %(overall)s overall")
                % {"who": labels.group(groups), "value": fmt_value(est, kind), "low": fmt_value(low, kind),
                   "high": fmt_value(high, kind), "overall": fmt_value(a["overall"], kind)}
                for groups, est, low, high in a["findings"]]
    return {"rows": rows, "best": labels.cat(dim, a["best"]), "total": fmt_value(a["total"], kind),
            "findings": findings, "tests": a["tests"], "tests_text": l10n.count(a["tests"]),
            "n_behind": a["n_behind"], "n_behind_text": l10n.count(a["n_behind"]), "favourable": a["favourable"]}
