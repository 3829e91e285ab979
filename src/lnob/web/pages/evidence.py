"""Project pages of the evidence layer: the dashboard (included under /p/<slug>/).

Members (``project.view``) use ``dashboard/…``; the same pages without login are under
``public/…`` when the project's dashboard is public (:func:`is_public`), else they answer 404.

What each visitor sees (docs/dashboard.md):

* ``results.view`` (analyst, manager, owner): the stored estimates as computed, with the
  runner's reliability flags, every intersection, and the design-based gap table and
  furthest-behind search (computed from the analytics store on request);
* everyone else (viewer, public): the **protected release** only — the total, every
  one-dimension table and the configured two-way tables, passed through
  :func:`lnob.disclosure.protect` (:func:`release`).

Every chart is drawn on the server (SVG inside HTML, works without JavaScript) next to its data
table; ``evidence.js`` can turn it into a Vega-Lite chart on request (assets vendored).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import get_language

from lnob.core.roles import role_allows
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.access import project_view, public_view

MISSING = "_U"
#: two-way tables in the protected release unless survey_design["disclosure_release"]["pairs"] says
DEFAULT_PAIRS = (("sex", "disability"), ("urbanisation", "ethnic_group"))
FLAG_TEXT = {  # runner flags and disclosure flags -> what a reader is told
    "n<50": "fewer than 50 observations", "cv>30%": "coefficient of variation above 30 %",
    "df<8": "fewer than 8 degrees of freedom", "low-n": "fewer than 50 observations",
    "high-cv": "coefficient of variation above 30 %", "low-df": "fewer than 8 degrees of freedom",
    "suppressed": "suppressed to protect respondents", "primary": "too few respondents",
    "secondary": "hidden so that another suppressed figure cannot be worked out",
}


# --------------------------------------------------------------------------- who sees what
def is_public(project) -> bool:
    """A project's dashboard is public when its ``public`` flag is set (a Project field, when the
    model has one) or its slug is in the ``LNOB_PUBLIC_PROJECTS`` setting."""
    return bool(getattr(project, "public", False)) or project.slug in set(getattr(settings, "LNOB_PUBLIC_PROJECTS", ()))


def _public_project(request, slug):
    from lnob.core.models import Project
    from lnob.core.services import role_of

    project = Project.objects.select_related("organisation").filter(slug=slug).first()
    if project is None:
        raise Http404
    role = role_of(request.user, project) if request.user.is_authenticated else None
    # managers preview the public dashboard before making it public
    if not is_public(project) and not role_allows(role, "results.publish"):
        raise Http404
    return project


def _ctx(request, project, public: bool) -> dict:
    full = not public and role_allows(getattr(request, "project_role", None), "results.view")
    return {"project": project, "public": public, "full": full,
            "ns": "evidence-public" if public else "evidence",
            "can_manage": not public and role_allows(getattr(request, "project_role", None), "project.manage"),
            "quality_url": _quality_url(project, request, public)}


def _quality_url(project, request, public):
    if public or not role_allows(getattr(request, "project_role", None), "records.view"):
        return None
    try:
        return reverse("records-quality", args=[project.slug])
    except Exception:
        return None


# --------------------------------------------------------------------------- data
def _library():
    from lnob.indicators.definitions import load_library

    return load_library()


def _stored(project) -> dict:
    from lnob.indicators.models import IndicatorResult

    return {r.indicator: r for r in IndicatorResult.objects.filter(project=project)}


def _version(stored: dict) -> str:
    return hashlib.sha256(json.dumps(sorted((k, r.snapshot_hash, r.definition_hash) for k, r in stored.items()))
                          .encode()).hexdigest()[:16]


def policy_of(project):
    from lnob.disclosure import Policy

    return Policy.from_dict((project.survey_design or {}).get("disclosure"))


def pairs_of(project, dims: set) -> list[tuple[str, str]]:
    conf = (project.survey_design or {}).get("disclosure_release", {})
    pairs = [tuple(p) for p in conf.get("pairs", DEFAULT_PAIRS)]
    return [tuple(sorted(p)) for p in pairs if len(p) == 2 and set(p) <= dims]


def release(project, stored: dict) -> dict:
    """The protected release: {(indicator, groups key): row} for the total, every one-dimension
    table and the configured pairs, protected together per group of linked dimensions.

    Dimensions not joined by a published two-way table only share the total, so each
    connected group of dimensions (with the total and every indicator, for linking) is one
    :func:`protect` call; the union of the suppressions is published (docs/dashboard.md)."""
    from lnob.disclosure import Cell, protect
    from lnob.disclosure.model import domain_key

    policy = policy_of(project)
    key = f"lnob-evidence-release:{project.pk}:{_version(stored)}:{hashlib.sha256(repr(policy).encode()).hexdigest()[:12]}"
    got = cache.get(key)
    if got is not None:
        return got
    rows = [r for ir in stored.values() for r in ir.rows]
    dims = {d for r in rows for d in r["groups"]}
    pairs = pairs_of(project, dims)
    parent = {d: d for d in dims}

    def find(d):
        while parent[d] != d:
            d = parent[d]
        return d

    for a, b in pairs:
        parent[find(a)] = find(b)
    comps: dict[str, set] = {}
    for d in dims:
        comps.setdefault(find(d), set()).add(d)
    kinds = {k: ir.kind for k, ir in stored.items()}
    out: dict = {}
    for comp in comps.values():
        tables = {frozenset()} | {frozenset([d]) for d in comp} | {frozenset(p) for p in pairs if set(p) <= comp}
        sel = [r for r in rows if frozenset(r["groups"]) in tables]
        cells = [Cell(r["indicator"], r["groups"], r["estimate"], r["se"], r["ci_low"], r["ci_high"], int(r["n"]),
                      None, kinds.get(r["indicator"], "mean") if kinds.get(r["indicator"]) in
                      ("mean", "proportion", "ratio", "total") else "other") for r in sel]
        for r, p in zip(sel, protect(cells, policy)):
            k = (r["indicator"], domain_key(r["groups"]))
            row = {**r, "estimate": p.estimate, "se": p.se, "ci_low": p.ci_low, "ci_high": p.ci_high,
                   "n": p.n, "flags": list(p.flags), "population": None if p.suppressed else r["population"],
                   "suppressed": p.suppressed}
            if k in out and (out[k]["suppressed"] or not p.suppressed):
                continue  # the total appears in every call: keep it suppressed if any call did
            out[k] = row
    cache.set(key, out, 3600)
    return out


def rows_for(project, stored: dict, indicator: str, full: bool) -> list[dict]:
    if full:
        return [{**r, "suppressed": False} for r in stored[indicator].rows]
    return [r for (ind, _k), r in release(project, stored).items() if ind == indicator]


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def fmt_value(v, kind: str) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if kind == "proportion":
        return number_format(v * 100, 1) + " %"
    if kind == "total":
        return number_format(round(v), 0, force_grouping=True)
    return number_format(v, 2)


class Labels:
    """Titles of dimensions and categories in the reader's language (English fallback)."""

    def __init__(self, project, lib):
        from lnob.indicators.definitions import text_in
        from lnob.indicators.services import form_schema

        self.lib, self.text_in, self.lang = lib, text_in, _lang()
        schema, _v = form_schema(project)
        self.schema = schema
        self.dims = {d.id: d for d in lib.dimensions}

    def dim(self, d: str) -> str:
        return self.dims[d].label(self.lang) if d in self.dims else d

    def choices(self, d: str) -> list[dict]:
        dim = self.dims.get(d)
        if dim is None or self.schema is None or not dim.field:
            return []
        decl = self.lib.fields.get(dim.field)
        names = [dim.field] + [a.field for a in (decl.aliases if decl else []) if a.field]
        for f in self.schema.fields:
            if f.name in names and f.list_name:
                return self.schema.choices.get(f.list_name, [])
        return []

    def cat(self, d: str, code) -> str:
        if code == MISSING:
            return _("Not stated")
        dim = self.dims.get(d)
        for c in (dim.categories if dim else []):
            if c.code == code:
                return self.text_in(c.title, self.lang) or str(code)
        for c in self.choices(d):
            if str(c.get("name")) == str(code):
                lab = c.get("label")
                if isinstance(lab, dict):
                    return next((v for k, v in lab.items() if k.endswith(f"({self.lang})")), None) or \
                        next(iter(lab.values()), str(code))
                return str(lab or code)
        return str(code)

    def group(self, groups: dict) -> str:
        return ", ".join(self.cat(d, v) for d, v in sorted(groups.items())) or _("Everyone")

    def order(self, d: str) -> list:
        dim = self.dims.get(d)
        return [c.code for c in dim.categories] if dim and dim.categories else []


def flag_texts(flags) -> list[str]:
    return [_(FLAG_TEXT[f]) for f in flags if f in FLAG_TEXT and f not in ("primary", "secondary")] + \
        [_(FLAG_TEXT[f]) for f in flags if f in ("primary", "secondary")]


def _ind_title(ir, lang) -> str:
    from lnob.indicators.definitions import text_in

    return text_in(ir.title, lang) or ir.indicator


def _sdg_title(code: str, lang: str) -> tuple[str, bool]:
    from lnob import sdg

    try:
        t = sdg.catalogue().get(code).text(lang)
        return t.text, t.fallback
    except LnobError:
        return code, False


def _total(rows):
    return next((r for r in rows if not r["groups"]), None)


def _headline(project, stored, full, lang) -> list[dict]:
    out = []
    for k, ir in sorted(stored.items(), key=lambda kv: (kv[1].sdg[:1] or ["99"], kv[0])):
        t = _total(rows_for(project, stored, k, full))
        out.append({"id": k, "title": _ind_title(ir, lang), "sdg": ir.sdg, "kind": ir.kind, "row": t,
                    "value": fmt_value(t and t["estimate"], ir.kind),
                    "ci": t and t["ci_low"] is not None and f"{fmt_value(t['ci_low'], ir.kind)} – {fmt_value(t['ci_high'], ir.kind)}",
                    "flags": flag_texts(t["flags"]) if t else []})
    return out


# --------------------------------------------------------------------------- charts
def dot_chart(rows: list[dict], kind: str, labels: Labels, overall=None) -> dict:
    """Rows of a server-drawn dot-and-interval chart: positions in 0..100 on a common scale."""
    vals = [x for r in rows for x in (r["estimate"], r["ci_low"], r["ci_high"]) if x is not None]
    if overall is not None and overall.get("estimate") is not None:
        vals.append(overall["estimate"])
    lo = 0.0 if kind == "proportion" or not vals or min(vals) >= 0 else min(vals)
    hi = 1.0 if kind == "proportion" else (max(vals) if vals else 1.0) or 1.0
    span = (hi - lo) or 1.0

    def pos(v):
        return None if v is None else round(100 * (v - lo) / span, 2)

    out = []
    for r in rows:
        out.append({"label": labels.group(r["groups"]), "groups": r["groups"], "x": pos(r["estimate"]),
                    "x1": pos(r["ci_low"]), "x2": pos(r["ci_high"]), "value": fmt_value(r["estimate"], kind),
                    "ci": "" if r["ci_low"] is None else f"{fmt_value(r['ci_low'], kind)} – {fmt_value(r['ci_high'], kind)}",
                    "n": r["n"], "flags": flag_texts(r["flags"]), "suppressed": r.get("suppressed", False)})
    def tick(v):
        return number_format(v * 100, 0) + " %" if kind == "proportion" else number_format(v, 1)

    ticks = [tick(lo + span * i / 2) for i in range(3)]  # three: they fit a phone's column
    return {"rows": out, "overall": pos(overall and overall.get("estimate")), "ticks": ticks}


def vega_spec(chart: dict, title: str, measure: str) -> str:
    """A Vega-Lite spec of the same chart (data inline), for evidence.js."""
    data = [{"group": r["label"], "estimate": r["x"], "low": r["x1"], "high": r["x2"], "value": r["value"],
             "ci": r["ci"], "reliability": "; ".join(r["flags"]) or _("reliable")}
            for r in chart["rows"] if r["x"] is not None]
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "title": title, "width": "container",
            "data": {"values": data}, "encoding": {"y": {"field": "group", "type": "nominal", "sort": None, "title": None}},
            "layer": [{"mark": {"type": "rule", "color": "#444"},
                       "encoding": {"x": {"field": "low", "type": "quantitative", "title": measure,
                                          "scale": {"domain": [0, 100]}, "axis": {"labels": False}},
                                    "x2": {"field": "high"}}},
                      {"mark": {"type": "point", "filled": True, "size": 70},
                       "encoding": {"x": {"field": "estimate", "type": "quantitative"},
                                    "shape": {"field": "reliability", "type": "nominal", "title": _("Reliability")},
                                    "color": {"field": "reliability", "type": "nominal", "legend": None},
                                    "tooltip": [{"field": "group"}, {"field": "value", "title": _("Estimate")},
                                                {"field": "ci", "title": _("95 % CI")},
                                                {"field": "reliability", "title": _("Reliability")}]}}]}
    return json.dumps(spec, ensure_ascii=False)


def heat(rows, a, b, kind, labels: Labels) -> dict:
    """A two-way table: rows = categories of a, columns = categories of b, cells shaded in 5 classes."""
    cells = {(r["groups"][a], r["groups"][b]): r for r in rows if set(r["groups"]) == {a, b}}
    ra = sorted({k[0] for k in cells}, key=str)
    cb = sorted({k[1] for k in cells}, key=str)
    vals = [r["estimate"] for r in cells.values() if r["estimate"] is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0, 1)
    out = []
    for x in ra:
        line = []
        for y in cb:
            r = cells.get((x, y))
            if r is None:
                line.append({"text": "", "cls": "heat-none", "flags": []})
                continue
            e = r["estimate"]
            cls = "heat-sup" if e is None else f"heat{min(4, int(5 * (e - lo) / ((hi - lo) or 1)))}"
            line.append({"text": _("suppressed") if e is None else fmt_value(e, kind), "cls": cls,
                         "flags": flag_texts(r["flags"]), "n": r["n"]})
        out.append({"label": labels.cat(a, x), "cells": line})
    return {"cols": [labels.cat(b, y) for y in cb], "rows": out}


def inequality(rows, dim, kind, favourable, labels: Labels) -> dict | None:
    from lnob.equity.inequality import summary_measures

    grp = [r for r in rows if list(r["groups"]) == [dim] and r["groups"][dim] != MISSING]
    if len(grp) < 2:
        return None
    if any(r["estimate"] is None for r in grp):
        return {"note": _("Not shown: a group of this dimension is suppressed.")}
    order = labels.order(dim)
    ordered = labels.dims.get(dim) is not None and labels.dims[dim].kind in ("bands", "wealth_index") and \
        all(r["groups"][dim] in order for r in grp)
    grp.sort(key=lambda r: order.index(r["groups"][dim]) if ordered else str(r["groups"][dim]))
    scale = 100.0 if kind == "proportion" else 1.0
    try:
        res = summary_measures([r["estimate"] * scale for r in grp], [r["population"] or 0 for r in grp],
                               ordered=ordered, favourable=favourable, scale=scale,
                               se=[r["se"] * scale if r["se"] is not None else None for r in grp],
                               order=list(range(1, len(grp) + 1)) if ordered else None,
                               names=[str(r["groups"][dim]) for r in grp])
    except LnobError as exc:
        return {"note": exc.message}
    names = {"d": _("Difference (best − worst group)"), "r": _("Ratio (best / worst group)"),
             "paf": _("Population attributable fraction (%)"), "sii": _("Slope index of inequality"),
             "rii": _("Relative index of inequality"), "ti": _("Theil index"), "mld": _("Mean log deviation"),
             "dindex": _("D-index (ESCAP, dissimilarity)")}
    out = []
    for m, label in names.items():
        mr = res.measures.get(m)
        if mr is None or mr.estimate is None:
            continue
        ci = "" if mr.lower is None else f"{number_format(mr.lower, 3)} – {number_format(mr.upper, 3)}"
        out.append({"label": label, "value": number_format(mr.estimate, 3), "ci": ci})
    return {"measures": out, "ordered": ordered}


# --------------------------------------------------------------------------- the map
def map_for(project, rows, dim, kind, labels: Labels, title: str, ident="map"):
    from lnob.maps import Value, choropleth, pick, project_boundaries, region_codes
    from lnob.maps.choropleth import describe

    grp = [r for r in rows if list(r["groups"]) == [dim] and r["groups"][dim] != MISSING]
    if not grp:
        return None
    codes = region_codes([r["groups"][dim] for r in grp], labels.choices(dim))
    bounds = pick(codes.values(), project=project_boundaries(settings.MEDIA_ROOT, project.slug))
    if bounds is None or not set(codes.values()) & bounds.codes:
        return None
    values, names, table = {}, {}, []
    for r in grp:
        code = codes[r["groups"][dim]]
        name = labels.cat(dim, r["groups"][dim])
        names[code] = name
        text = _("suppressed") if r["estimate"] is None else fmt_value(r["estimate"], kind)
        values[code] = Value(r["estimate"], text, name, r["estimate"] is None, tuple(r["flags"]))
        table.append({"name": name, "code": code, "value": text, "flags": flag_texts(r["flags"]),
                      "ci": "" if r["ci_low"] is None else f"{fmt_value(r['ci_low'], kind)} – {fmt_value(r['ci_high'], kind)}",
                      "n": r["n"], "on_map": code in bounds.codes})
    hi, lo = describe(values, names, lambda v: fmt_value(v, kind))
    desc = _("Map of %(n)d regions with data; other regions were not surveyed.") % {"n": len(values)}
    if hi:
        desc += " " + _("Highest: %(hn)s (%(hv)s). Lowest: %(ln)s (%(lv)s).") % {
            "hn": hi[0], "hv": hi[1], "ln": lo[0], "lv": lo[1]}
    svg, legend = choropleth(bounds, values, title=title, desc=desc, fmt=lambda v: fmt_value(v, kind),
                             no_data=_("not surveyed"), suppressed=_("suppressed"), ident=ident)
    return {"svg": svg, "legend": legend, "table": sorted(table, key=lambda t: t["name"]), "desc": desc,
            "citation": bounds.citation, "dimension": dim, "label": labels.dim(dim)}


def geo_dimension(rows, labels: Labels):
    """The first dimension whose categories map to shipped or project boundaries."""
    dims = [d for d in dict.fromkeys(k for r in rows for k in r["groups"]) if labels.dims.get(d) is not None
            and "geography" in (labels.dims[d].factors or [])]
    return next((d for d in dims if any(c.get("iso") for c in labels.choices(d))), dims[0] if dims else None)


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

    lib = _library()
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


def gaps_and_behind(project, stored, indicator: str, dim: str, labels: Labels) -> dict:
    """Design-based gaps of every group of ``dim`` (vs the total and the best-off group) and the
    furthest-behind search over the indicator's dimensions, depth 2, BH at 5 % (lnob.equity)."""
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
    kind, fav = ir.kind, ind.higher_is_better
    try:
        tab = DuckDBEngine(connection=con).table(table)
        gt = gaps(tab, design, Measure("y0"), f"d_{dim}", favourable=fav)
        s = furthest_behind(tab, design, Measure("y0"), [f"d_{d}" for d in search], depth=2, min_n=30,
                            fdr=0.05, favourable=fav, percent=kind == "proportion")
    finally:
        con.close()

    def contrast(c):
        if c is None or c.estimate is None:
            return {"value": "–", "ci": ""}
        scale = 100 if kind == "proportion" else 1
        unit = _(" pp") if kind == "proportion" else ""
        return {"value": number_format(c.estimate * scale, 1) + unit,
                "ci": f"{number_format(c.ci_low * scale, 1)} – {number_format(c.ci_high * scale, 1)}",
                "p": c.p_value}

    best = labels.cat(dim, gt.best[f"d_{dim}"])
    rows = []
    for g in gt.groups:
        code = g.group[f"d_{dim}"]
        rows.append({"label": labels.cat(dim, code), "value": fmt_value(g.estimate.estimate, kind),
                     "n": g.estimate.n, "vs_total": contrast(g.vs.get("total", {}).get("difference")),
                     "vs_best": contrast(g.vs.get("best", {}).get("difference")),
                     "ratio_best": contrast(g.vs.get("best", {}).get("ratio")) if kind != "proportion" else None})
    findings = []
    for t in s.findings[:15]:
        groups = {k[2:]: v for k, v in t.group.items()}
        findings.append(_("%(who)s: %(value)s (95 %% CI %(low)s – %(high)s), against %(overall)s overall")
                        % {"who": labels.group(groups), "value": fmt_value(t.estimate.estimate, kind),
                           "low": fmt_value(t.estimate.ci_low, kind), "high": fmt_value(t.estimate.ci_high, kind),
                           "overall": fmt_value(s.overall.estimate, kind)})
    out = {"rows": rows, "best": best, "total": fmt_value(gt.total.estimate, kind), "findings": findings,
           "tests": s.m, "n_behind": len(s.findings), "favourable": fav}
    cache.set(key, out, 3600)
    return out


# --------------------------------------------------------------------------- official statistics
def official_for(project, stored, lang) -> list[dict]:
    """Community totals next to official values from files in ``<media>/official/<slug>/``."""
    from pathlib import Path

    from lnob.equity.official import CommunityEstimate, compare, read_official

    folder = Path(settings.MEDIA_ROOT) / "official" / project.slug
    if not folder.is_dir():
        return []
    out = []
    for f in sorted(folder.iterdir()):
        try:
            data = read_official(f)
        except LnobError:
            continue
        for k, ir in stored.items():
            if data.indicator not in ir.sdg:
                continue
            t = _total(ir.rows)
            scale = 100 if ir.kind == "proportion" else 1
            com = CommunityEstimate(data.indicator, None, t["estimate"] * scale, t["ci_low"] * scale,
                                    t["ci_high"] * scale, t["se"] * scale if t["se"] is not None else None)
            for c in compare([com], data, year_tolerance=100):
                out.append({"indicator": _ind_title(ir, lang), "sdg": data.indicator,
                            "community": number_format(com.estimate, 1),
                            "official": "–" if c.official is None else number_format(c.official.value, 1),
                            "year": c.official.year if c.official else "", "direction": c.direction,
                            "source": f.name})
    return out


# --------------------------------------------------------------------------- views
def _overview(request, project, public=False):
    stored = _stored(project)
    lang = _lang()
    heads = _headline(project, stored, _ctx(request, project, public)["full"], lang)
    goals = {}
    for h in heads:
        for code in h["sdg"]:
            g = code.split(".")[0]
            goals.setdefault(g, set()).add(h["id"])
    goal_list = []
    for g in sorted(goals, key=lambda x: int(x) if x.isdigit() else 99):
        title, fb = _sdg_title(g, lang)
        goal_list.append({"code": g, "title": title, "fallback": fb, "n": len(goals[g])})
    ctx = _ctx(request, project, public)
    ctx.update(heads=heads, goals=goal_list, official=official_for(project, stored, lang) if ctx["full"] else [],
               computed=max((r.computed_at for r in stored.values()), default=None))
    return render(request, "lnob/evidence/overview.html", ctx)


def _goal(request, project, goal, public=False):
    from lnob import sdg

    lang = _lang()
    try:
        g = sdg.catalogue().goal(goal)
    except LnobError:
        raise Http404 from None
    stored = _stored(project)
    ctx = _ctx(request, project, public)
    heads = [h for h in _headline(project, stored, ctx["full"], lang) if any(c.split(".")[0] == g.code for c in h["sdg"])]
    for h in heads:
        h["codes"] = [{"code": c, "title": _sdg_title(c, lang)[0]} for c in h["sdg"] if c.split(".")[0] == g.code]
    t = g.text(lang)
    ctx.update(goal=g, goal_title=t.text, fallback=t.fallback, heads=heads)
    return render(request, "lnob/evidence/goal.html", ctx)


def _indicator_ctx(request, project, indicator, public):
    stored = _stored(project)
    if indicator not in stored:
        raise Http404
    ctx = _ctx(request, project, public)
    ir = stored[indicator]
    lang = _lang()
    lib = _library()
    labels = Labels(project, lib)
    rows = rows_for(project, stored, indicator, ctx["full"])
    dims = sorted({d for r in rows for d in r["groups"]}, key=lambda d: labels.dim(d))
    ctx.update(stored=stored, ir=ir, rows=rows, labels=labels, lang=lang, dims=[(d, labels.dim(d)) for d in dims],
               title=_ind_title(ir, lang), total=_total(rows), kind=ir.kind,
               codes=[{"code": c, "title": _sdg_title(c, lang)[0], "goal": c.split(".")[0]} for c in ir.sdg])
    try:
        ctx["favourable"] = lib.indicator(indicator).higher_is_better
    except LnobError:
        ctx["favourable"] = True
    return ctx


def _indicator(request, project, indicator, public=False):
    ctx = _indicator_ctx(request, project, indicator, public)
    rows, labels, kind = ctx["rows"], ctx["labels"], ctx["kind"]
    dims = [d for d, _l in ctx["dims"]]
    by = request.GET.get("by") or (dims[0] if dims else "")
    if by and by not in dims:
        raise Http404
    total = ctx["total"]
    ctx["headline"] = {"value": fmt_value(total and total["estimate"], kind),
                       "ci": total and total["ci_low"] is not None and
                       f"{fmt_value(total['ci_low'], kind)} – {fmt_value(total['ci_high'], kind)}",
                       "n": total and total["n"], "flags": flag_texts(total["flags"]) if total else []}
    if by:
        grp = [r for r in rows if list(r["groups"]) == [by]]
        grp.sort(key=lambda r: (r["estimate"] is None, -(r["estimate"] or 0)))
        chart = dot_chart(grp, kind, labels, total)
        measure = _("Percent") if kind == "proportion" else _("Value")
        ctx.update(by=by, by_label=labels.dim(by), chart=chart,
                   spec=vega_spec(chart, f"{ctx['title']} — {labels.dim(by)}", measure),
                   ineq=inequality(rows, by, kind, ctx["favourable"], labels))
    geo = geo_dimension(rows, labels)
    if geo:
        ctx["map"] = map_for(project, rows, geo, kind, labels, f"{ctx['title']} — {labels.dim(geo)}")
    template = "lnob/evidence/_bygroup.html" if request.headers.get("HX-Request") else "lnob/evidence/indicator.html"
    return render(request, template, ctx)


def _map(request, project, indicator, public=False):
    ctx = _indicator_ctx(request, project, indicator, public)
    geo = geo_dimension(ctx["rows"], ctx["labels"])
    ctx["map"] = geo and map_for(project, ctx["rows"], geo, ctx["kind"], ctx["labels"],
                                 f"{ctx['title']} — {ctx['labels'].dim(geo)}", ident="bigmap")
    return render(request, "lnob/evidence/map.html", ctx)


def _intersections(request, project, indicator, public=False):
    ctx = _indicator_ctx(request, project, indicator, public)
    rows, labels = ctx["rows"], ctx["labels"]
    pairs = sorted({tuple(sorted(r["groups"])) for r in rows if len(r["groups"]) == 2})
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not a and pairs:
        a, b = pairs[0]
    pair = tuple(sorted((a, b))) if a and b else None
    ctx.update(a=a, b=b, pairs=[(p, f"{labels.dim(p[0])} × {labels.dim(p[1])}") for p in pairs],
               dim_names={d: n for d, n in ctx["dims"]})
    if pair and a != b:
        if pair not in pairs:
            ctx["unavailable"] = True
        else:
            ctx["heat"] = heat(rows, a, b, ctx["kind"], labels)
            ctx["a_label"], ctx["b_label"] = labels.dim(a), labels.dim(b)
    template = "lnob/evidence/_heat.html" if request.headers.get("HX-Request") else "lnob/evidence/intersections.html"
    return render(request, template, ctx)


def _csv(request, project, indicator, public=False):
    ctx = _indicator_ctx(request, project, indicator, public)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["indicator", "groups", "estimate", "se", "ci_low", "ci_high", "n", "flags"])
    for r in ctx["rows"]:
        w.writerow([indicator, ";".join(f"{k}={v}" for k, v in sorted(r["groups"].items())), r["estimate"], r["se"],
                    r["ci_low"], r["ci_high"], r["n"], ";".join(r["flags"])])
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    kind = "public" if public or not ctx["full"] else "full"
    resp["Content-Disposition"] = f'attachment; filename="{project.slug}-{indicator}-{kind}.csv"'
    return resp


@project_view("project.view")
def overview(request, project):
    return _overview(request, project)


@project_view("project.view")
def goal_page(request, project, goal):
    return _goal(request, project, goal)


@project_view("project.view")
def indicator_page(request, project, indicator):
    return _indicator(request, project, indicator)


@project_view("project.view")
def map_page(request, project, indicator):
    return _map(request, project, indicator)


@project_view("project.view")
def intersections(request, project, indicator):
    return _intersections(request, project, indicator)


@project_view("project.view")
def data_csv(request, project, indicator):
    return _csv(request, project, indicator)


@project_view("results.view")
def gaps_page(request, project, indicator):
    ctx = _indicator_ctx(request, project, indicator, False)
    dims = [d for d, _l in ctx["dims"]]
    by = request.GET.get("by") or (dims[0] if dims else "")
    if by not in dims or ctx["kind"] not in ("proportion", "mean"):
        ctx["not_available"] = True
    else:
        ctx.update(by=by, by_label=ctx["labels"].dim(by),
                   gaps=gaps_and_behind(project, ctx["stored"], indicator, by, ctx["labels"]))
    template = "lnob/evidence/_gaps.html" if request.headers.get("HX-Request") else "lnob/evidence/gaps.html"
    return render(request, template, ctx)


@project_view("project.manage")
def sources_page(request, project):
    """Upload the project's own map boundaries (GeoJSON) or an official statistics file."""
    from pathlib import Path

    from lnob.maps import project_boundaries, save_project_boundaries

    if request.method == "POST":
        upload = request.FILES.get("boundaries") or request.FILES.get("official")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
        elif upload.size > 20 * 1024 * 1024:
            messages.error(request, _("The file is too large (limit 20 MB)."))
        else:
            try:
                if "boundaries" in request.FILES:
                    b = save_project_boundaries(settings.MEDIA_ROOT, project.slug, upload.read(),
                                                code_key=request.POST.get("code_key") or None, source=upload.name)
                    messages.success(request, _("Boundaries saved: %(n)d regions.") % {"n": len(b.regions)})
                else:
                    from lnob.equity.official import read_official

                    folder = Path(settings.MEDIA_ROOT) / "official" / project.slug
                    folder.mkdir(parents=True, exist_ok=True)
                    name = Path(upload.name).name
                    target = folder / name
                    target.write_bytes(upload.read())
                    try:
                        data = read_official(target)
                    except LnobError:
                        target.unlink()
                        raise
                    messages.success(request, _("Official series for indicator %(i)s saved (%(n)d values).")
                                     % {"i": data.indicator or "?", "n": len(data.observations)})
            except LnobError as exc:
                messages.error(request, exc.message + (f" — {exc.hint}" if exc.hint else ""))
        return redirect("evidence-sources", slug=project.slug)
    ctx = _ctx(request, project, False)
    b = project_boundaries(settings.MEDIA_ROOT, project.slug)
    folder = Path(settings.MEDIA_ROOT) / "official" / project.slug
    ctx.update(boundaries=b, official_files=sorted(p.name for p in folder.iterdir()) if folder.is_dir() else [])
    return render(request, "lnob/evidence/sources.html", ctx)


@public_view
def public_overview(request, slug):
    return _overview(request, _public_project(request, slug), True)


@public_view
def public_goal(request, slug, goal):
    return _goal(request, _public_project(request, slug), goal, True)


@public_view
def public_indicator(request, slug, indicator):
    return _indicator(request, _public_project(request, slug), indicator, True)


@public_view
def public_map(request, slug, indicator):
    return _map(request, _public_project(request, slug), indicator, True)


@public_view
def public_intersections(request, slug, indicator):
    return _intersections(request, _public_project(request, slug), indicator, True)


@public_view
def public_csv(request, slug, indicator):
    return _csv(request, _public_project(request, slug), indicator, True)


urlpatterns = [
    path("dashboard/", overview, name="evidence"),
    path("dashboard/sources/", sources_page, name="evidence-sources"),
    path("dashboard/goals/<str:goal>/", goal_page, name="evidence-goal"),
    path("dashboard/indicators/<slug:indicator>/", indicator_page, name="evidence-indicator"),
    path("dashboard/indicators/<slug:indicator>/map/", map_page, name="evidence-map"),
    path("dashboard/indicators/<slug:indicator>/intersections/", intersections, name="evidence-intersections"),
    path("dashboard/indicators/<slug:indicator>/gaps/", gaps_page, name="evidence-gaps"),
    path("dashboard/indicators/<slug:indicator>/data.csv", data_csv, name="evidence-csv"),
    path("public/", public_overview, name="evidence-public"),
    path("public/goals/<str:goal>/", public_goal, name="evidence-public-goal"),
    path("public/indicators/<slug:indicator>/", public_indicator, name="evidence-public-indicator"),
    path("public/indicators/<slug:indicator>/map/", public_map, name="evidence-public-map"),
    path("public/indicators/<slug:indicator>/intersections/", public_intersections,
         name="evidence-public-intersections"),
    path("public/indicators/<slug:indicator>/data.csv", public_csv, name="evidence-public-csv"),
]
