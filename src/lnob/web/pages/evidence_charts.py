"""Charts, tables and the map of the evidence dashboard, drawn on the server: dot-and-interval
charts (and the same chart as a Vega-Lite spec for ``evidence.js``), two-way heat tables,
summary measures of inequality and the choropleth map (lnob.maps)."""

from __future__ import annotations

import json

from django.conf import settings

from lnob import l10n
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.pages.evidence_data import MISSING, Labels, fmt_ci, fmt_n, flag_texts, fmt_value


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
                    "ci": fmt_ci(r, kind), "n": fmt_n(r["n"]), "flags": flag_texts(r["flags"]),
                    "suppressed": r.get("suppressed", False)})

    def tick(v):
        return l10n.percent(v, 0) if kind == "proportion" else l10n.number(v, 1)

    ticks = [tick(lo + span * i / 2) for i in range(3)]  # three: they fit a phone's column
    return {"rows": out, "overall": pos(overall and overall.get("estimate")), "ticks": ticks}


def vega_spec(chart: dict, title: str, measure: str, kind: str = "") -> str:
    """A Vega-Lite spec of the same chart (data inline), for evidence.js.

    Positions are on the chart's 0..100 scale, which is the percentage itself for a proportion
    (its axis is labelled); tooltips show the same formatted texts as the table, and
    ``config.locale`` gives Vega the reader's decimal separator, grouping and digits."""
    data = [{"group": r["label"], "estimate": r["x"], "low": r["x1"], "high": r["x2"], "value": r["value"],
             "ci": r["ci"], "reliability": "; ".join(r["flags"]) or _("reliable")}
            for r in chart["rows"] if r["x"] is not None]
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "title": title, "width": "container",
            "config": {"locale": {"number": l10n.vega_locale()}},
            "data": {"values": data}, "encoding": {"y": {"field": "group", "type": "nominal", "sort": None, "title": None}},
            "layer": [{"mark": {"type": "rule", "color": "#444"},
                       "encoding": {"x": {"field": "low", "type": "quantitative", "title": measure,
                                          "scale": {"domain": [0, 100]},
                                          "axis": {"format": ",.0f"} if kind == "proportion" else {"labels": False}},
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
                         "flags": flag_texts(r["flags"]), "n": fmt_n(r["n"])})
        out.append({"label": labels.cat(a, x), "cells": line})
    return {"cols": [labels.cat(b, y) for y in cb], "rows": out}


def dimension_measures(rows, dim, kind, favourable, order: list | None):
    """HEAT summary measures (:func:`lnob.equity.inequality.summary_measures`) of the
    one-dimension groups of ``dim`` in ``rows`` (missing identity left out), as ``(result, note)``:
    ``(None, None)`` with fewer than two groups, ``(None, text)`` when a group is suppressed or the
    measures cannot be computed.  ``order`` (most disadvantaged first) makes the dimension ordered;
    proportions are measured on the 0–100 scale."""
    from lnob.equity.inequality import summary_measures

    grp = [r for r in rows if list(r["groups"]) == [dim] and r["groups"][dim] != MISSING]
    if len(grp) < 2:
        return None, None
    if any(r["estimate"] is None for r in grp):
        return None, _("Not shown: a group of this dimension is suppressed.")
    ordered = order is not None
    grp.sort(key=lambda r: order.index(r["groups"][dim]) if ordered else str(r["groups"][dim]))
    scale = 100.0 if kind == "proportion" else 1.0
    try:
        return summary_measures([r["estimate"] * scale for r in grp], [r["population"] or 0 for r in grp],
                                ordered=ordered, favourable=favourable, scale=scale,
                                se=[r["se"] * scale if r["se"] is not None else None for r in grp],
                                order=list(range(1, len(grp) + 1)) if ordered else None,
                                names=[str(r["groups"][dim]) for r in grp]), None
    except LnobError as exc:
        return None, exc.message


def inequality(rows, dim, kind, favourable, labels: Labels) -> dict | None:
    order = labels.order(dim)
    ordered = labels.dims.get(dim) is not None and labels.dims[dim].kind in ("bands", "wealth_index") and \
        all(r["groups"][dim] in order for r in rows if list(r["groups"]) == [dim] and r["groups"][dim] != MISSING)
    res, note = dimension_measures(rows, dim, kind, favourable, order if ordered else None)
    if res is None:
        return {"note": note} if note else None
    names = {"d": _("Difference (best − worst group)"), "r": _("Ratio (best / worst group)"),
             "paf": _("Population attributable fraction (%)"), "sii": _("Slope index of inequality"),
             "rii": _("Relative index of inequality"), "ti": _("Theil index"), "mld": _("Mean log deviation"),
             "dindex": _("D-index (ESCAP, dissimilarity)")}
    out = []
    for m, label in names.items():
        mr = res.measures.get(m)
        if mr is None or mr.estimate is None:
            continue
        ci = "" if mr.lower is None else l10n.interval(l10n.number(mr.lower, 3), l10n.number(mr.upper, 3))
        out.append({"label": label, "value": l10n.number(mr.estimate, 3), "ci": ci})
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
                      "ci": fmt_ci(r, kind), "n": fmt_n(r["n"]), "on_map": code in bounds.codes})
    hi, lo = describe(values, names, lambda v: fmt_value(v, kind))
    desc = _("Map of %(n)s regions with data; other regions were not surveyed.") % {"n": l10n.count(len(values))}
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
