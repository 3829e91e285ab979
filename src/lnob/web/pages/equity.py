"""Project pages of the equity layer: who is left behind (included under /p/<slug>/ by lnob.web.urls).

* ``left-behind/`` (``project.view``) — the furthest-behind findings of every indicator, ranked,
  each with its sentence, estimate, CI, n and q-value; the Alkire-Foster MPI of the project's
  deprivation indicators (H, A, M0 with CIs, contributions by indicator, decomposition by a
  chosen dimension); the data-gap matrix (indicators × disaggregations: official, community or
  both) with Open SDG's progress status; links to the per-indicator pages.
* ``left-behind/run/`` (``results.view``, POST) — run the furthest-behind search of every
  indicator whose search is not cached yet (it reads the microdata: seconds per indicator).
* ``left-behind/indicators/<indicator>/`` (``project.view``) — one indicator: the gap table of a
  chosen dimension (vs the total, a reference group the reader picks, the best-off group), the
  inequality summary measures of that dimension (ordered measures only for ordered
  dimensions), ESCAP's classification tree and D-index, the indicator's findings, community
  and official values.

Who sees what: members with ``results.view`` (analyst, manager, owner) see every figure as
computed.  Everyone else sees only figures of the **protected release**
(:func:`lnob.web.pages.evidence_data.release`, i.e. :func:`lnob.disclosure.protect`): a finding,
gap or group appears only when its group is published and not suppressed, with the published
values; MPI groups pass :func:`lnob.disclosure.protect` themselves; the tree (arbitrary unions of
groups) is for ``results.view`` only.  The computations and their cache:
:mod:`lnob.web.pages.equity_compute`; official statistics: :mod:`lnob.web.pages.equity_official`.
"""

from __future__ import annotations

import inspect
import math

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from lnob import l10n
from lnob.core.roles import role_allows
from lnob.errors import LnobError
from lnob.i18n import _, gettext_noop, pgettext
from lnob.web.access import project_view
from lnob.web.pages import equity_compute as ec
from lnob.web.pages.equity_official import gap_matrix, official_groups
from lnob.web.pages.evidence_charts import dimension_measures
from lnob.web.pages.evidence_data import (MISSING, Labels, _ind_title, _lang, _library, _stored,
                                          _total, flag_texts, fmt_ci, fmt_n, fmt_value, official_for,
                                          policy_of, release, rows_for)

ORDERED_KINDS = ("bands", "wealth_index")
ORDERED_REFERENCES = ("most-advantaged", "least-advantaged")
MEASURE_SETS = ("all", "ordered", "unordered")
#: measures shown, in order, with their names (docs/inequality.md)
MEASURE_NAMES = {
    "d": gettext_noop("Difference (best − worst group)"),
    "r": gettext_noop("Ratio (best / worst group)"),
    "par": gettext_noop("Population attributable risk"),
    "paf": gettext_noop("Population attributable fraction (%)"),
    "sii": gettext_noop("Slope index of inequality"),
    "rii": gettext_noop("Relative index of inequality"),
    "aci": gettext_noop("Absolute concentration index"),
    "rci": gettext_noop("Relative concentration index"),
    "bgv": gettext_noop("Between-group variance"),
    "bgsd": gettext_noop("Between-group standard deviation"),
    "cov": gettext_noop("Coefficient of variation"),
    "mdmw": gettext_noop("Mean difference from mean (weighted)"),
    "mdbw": gettext_noop("Mean difference from best (weighted)"),
    "idisw": gettext_noop("Index of disparity (weighted)"),
    "ti": gettext_noop("Theil index"),
    "mld": gettext_noop("Mean log deviation"),
    "dindex": gettext_noop("D-index (ESCAP, dissimilarity)"),
}
MAX_FINDINGS = 50  # on the project page
MAX_INDICATOR_FINDINGS = 250


def _full(request) -> bool:
    return role_allows(getattr(request, "project_role", None), "results.view")


def _pp(x, kind: str) -> str:
    """A gap as shown: percentage points for a proportion."""
    if x is None:
        return l10n.DASH
    if kind == "proportion":
        return pgettext("a difference in percentage points", "%(number)s pp") % {"number": l10n.number(x * 100, 1)}
    return l10n.number(x, 2)


def _q(q) -> str:
    if q is None:
        return l10n.DASH
    return "< " + l10n.number(0.001, 3) if q < 0.001 else l10n.number(q, 3)


# --------------------------------------------------------------------------- sentences
def sentence_labels(labels: Labels, groups) -> dict:
    """How each category of the groups reads in a sentence (lnob.equity.furthest.Label)."""
    from lnob.equity.furthest import Label

    out: dict = {}
    fixed = {("sex", "F"): (_("women"), "noun"), ("sex", "M"): (_("men"), "noun"),
             ("urbanisation", "U"): (_("urban"), "area"), ("urbanisation", "R"): (_("rural"), "area"),
             ("disability", "PD"): (_("with a disability"), "qualifier"),
             ("disability", "PWD"): (_("without a disability"), "qualifier"),
             ("ethnic_group", "MINORITY"): (_("ethnic-minority"), "adjective")}
    for g in groups:
        for d, code in g.items():
            if code in (MISSING, "_N"):
                lab = Label(_("who did not state their %(dimension)s") % {"dimension": labels.dim(d).lower()})
            elif (d, code) in fixed:
                lab = Label(*fixed[(d, code)])
            elif d in ("ethnicity", "ethnic_group"):
                lab = Label(labels.cat(d, code), "adjective")
            elif d == "province":
                lab = Label(labels.cat(d, code), "place")
            else:
                lab = Label(_("with %(dimension)s: %(category)s") % {"dimension": labels.dim(d).lower(),
                                                                       "category": labels.cat(d, code)})
            out.setdefault(d, {})[code] = lab
    return out


_TITLE_OK = None


def finding_sentence(f: dict, overall: dict, title: str, kind: str, labels: dict) -> str:
    from lnob.equity.furthest import sentence
    from lnob.stats.contrast import DomainEstimate

    global _TITLE_OK
    if _TITLE_OK is None:
        _TITLE_OK = "what_is_title" in inspect.signature(sentence).parameters
    nan = float("nan")

    def de(r):
        return DomainEstimate({}, r["estimate"] if r["estimate"] is not None else nan, r.get("se") or nan,
                              r["ci_low"] if r["ci_low"] is not None else nan,
                              r["ci_high"] if r["ci_high"] is not None else nan, r["n"] or 0, None, None)

    kw = {"what_is_title": True} if _TITLE_OK else {}
    what = title if _TITLE_OK else _("on “%(title)s”") % {"title": title}
    return sentence(f["group"], de(f), de(overall), what, labels=labels, percent=kind == "proportion", **kw)


def _visible(project, stored, full: bool):
    """For readers without results.view: the published (not suppressed) rows of the protected
    release, keyed by (indicator, domain key); None for the others (everything is shown)."""
    if full:
        return None
    return {k: r for k, r in release(project, stored).items() if not r["suppressed"]}


def findings_rows(project, stored, searches: dict, full: bool, labels: Labels, lang: str,
                  limit: int = MAX_FINDINGS) -> tuple:
    """The ranked findings as shown, and how many were left out as unpublished."""
    from lnob.equity.leftbehind import rank_findings

    from lnob.disclosure.model import domain_key as dkey

    vis = _visible(project, stored, full)
    items, hidden = [], 0
    for ind, s in searches.items():
        if not s.get("overall"):
            continue
        ir = stored[ind]
        overall = s["overall"]
        if vis is not None:
            t = vis.get((ind, dkey({})))
            if t is None:
                hidden += len(s["findings"])
                continue
            overall = t
        srows = {dkey(r["groups"]): r for r in ir.rows}
        for f in s["findings"]:
            shown = f
            r = srows.get(dkey(f["group"]))
            if r is not None:  # the stored row: the dashboard's own figures (logit CI for a proportion)
                shown = {**f, "estimate": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                         "flags": r.get("flags") or []}
            if vis is not None:
                r = vis.get((ind, dkey(f["group"])))
                if r is None:
                    hidden += 1
                    continue
                shown = {**f, "estimate": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                         "flags": r.get("flags") or []}
            gap = f["gap"] or {}
            items.append({"indicator": ind, "kind": ir.kind, "f": shown, "overall": overall,
                          "gap": gap.get("estimate"), "q": f["q"], "overall_value": s["overall"]["estimate"],
                          "relative": ir.kind != "proportion", "unreliable": bool(shown.get("flags"))})
    ranked = rank_findings(items)
    sl = sentence_labels(labels, [it["f"]["group"] for it in ranked[:limit]])
    rows = []
    for it in ranked[:limit]:
        ir, f, kind = stored[it["indicator"]], it["f"], it["kind"]
        title = _ind_title(ir, lang)
        rows.append({"indicator": it["indicator"], "title": title, "group": labels.group(f["group"]),
                     "groups": f["group"],
                     "sentence": finding_sentence(f, it["overall"], title, kind, sl),
                     "value": fmt_value(f["estimate"], kind), "ci": fmt_ci(f, kind), "n": fmt_n(f["n"]),
                     "gap": _pp(it["gap"], kind), "q": _q(it["q"]), "flags": flag_texts(f.get("flags") or [])})
    return rows, hidden, len(ranked)


# --------------------------------------------------------------------------- MPI
def _mpi_view(project, stored, by, full, labels: Labels, lang) -> dict | None:
    from lnob.disclosure import Cell, protect

    res = ec.mpi_for(project, stored, by)
    if res is None or res["whole"] is None:
        return None
    whole, groups = res["whole"], res["groups"]
    by = res["by"]
    suppressed = set()
    if not full:  # the MPI's own table through disclosure control
        recs = [whole] + groups
        cells = []
        for r in recs:
            g = {} if r is whole else {by: r[by]}
            for m, kind in (("H", "proportion"), ("A", "ratio"), ("M0", "proportion")):
                s = r[m]
                cells.append(Cell(f"mpi_{m}", g, s["estimate"], s["se"], s["ci_low"], s["ci_high"], int(r["n"]), None,
                                  kind))
        for c, p in zip(cells, protect(cells, policy_of(project))):
            if p.suppressed:
                suppressed.add(c.groups.get(by) if c.groups else None)

    def stat(s, pct=True):
        f = (lambda v: l10n.percent(v, 1)) if pct else (lambda v: l10n.number(v, 3))
        ci = "" if s["ci_low"] is None else l10n.interval(f(s["ci_low"]), f(s["ci_high"]))
        return {"value": f(s["estimate"]), "ci": ci,
                "se": l10n.number(s["se"] * (100 if pct else 1), 2) if s["se"] is not None else l10n.DASH}

    if None in suppressed:
        return {"suppressed": True}
    contrib = []
    for ind, share in sorted(whole["contribution"].items(), key=lambda kv: -(kv[1] or 0)):
        title = _ind_title(stored[ind], lang) if ind in stored else ind
        contrib.append({"title": title, "weight": res["weights"].get(ind, ""),
                        "uncensored": l10n.percent(whole["uncensored_headcount"][ind], 1),
                        "censored": l10n.percent(whole["censored_headcount"][ind], 1),
                        "share": l10n.percent(share, 1), "x": round(100 * (share or 0), 2)})
    rows = []
    for r in groups:
        code = r[by]
        if code in suppressed:
            rows.append({"label": labels.cat(by, code), "suppressed": True})
            continue
        rows.append({"label": labels.cat(by, code), "n": fmt_n(r["n"]), "H": stat(r["H"]), "A": stat(r["A"]),
                     "M0": stat(r["M0"], False), "share": l10n.percent(r["population_share"], 1),
                     "contribution": l10n.percent(r["group_contribution"], 1),
                     "x": round(100 * (r["group_contribution"] or 0), 2)})
    return {"H": stat(whole["H"]), "A": stat(whole["A"]), "M0": stat(whole["M0"], False), "n": fmt_n(whole["n"]),
            "k": res["k"], "contrib": contrib, "groups": rows, "by": by, "by_label": labels.dim(by) if by else ""}


def _mpi_dims(stored, labels) -> list:
    from lnob.equity.leftbehind import MPI_DIMENSIONS

    for i in MPI_DIMENSIONS:
        if i in stored:
            dims = sorted({d for r in stored[i].rows for d in r["groups"] if len(r["groups"]) == 1})
            return [(d, labels.dim(d)) for d in dims]
    return []


# --------------------------------------------------------------------------- views
@project_view("project.view")
def project_page(request, project):
    stored = _stored(project)
    lib = _library(project)
    labels = Labels(project, lib)
    lang = _lang()
    full = _full(request)
    cached, missing = {}, []
    for k, ir in stored.items():
        if ir.kind not in ec.SEARCH_KINDS:
            continue
        got = ec.cached(ec.cache_key(project, stored, [k], "search", ec.DEPTH, ec.MIN_N, ec.FDR))
        if got is None:
            missing.append(k)
        else:
            cached[k] = got
    rows, hidden, total = findings_rows(project, stored, cached, full, labels, lang)
    mdims = _mpi_dims(stored, labels)
    by = request.GET.get("by") or ""
    ctx = {"project": project, "full": full, "findings": rows, "hidden": hidden, "n_findings": total,
           "missing": [(k, _ind_title(stored[k], lang)) for k in sorted(missing)],
           "tests": sum(s["m"] for s in cached.values()),
           "mpi_dims": mdims, "by": by, "gap_matrix": gap_matrix(project, stored, lib, labels, lang),
           "indicators": sorted(((k, _ind_title(ir, lang)) for k, ir in stored.items()), key=lambda x: x[1]),
           "depth": ec.DEPTH, "min_n": ec.MIN_N, "fdr": l10n.number(ec.FDR * 100, 0)}
    if by and by not in dict(mdims):
        ctx["by_error"] = _("%(d)r is not a dimension of the MPI indicators; choose one from the list.") % {"d": by}
        by = ""
    try:
        ctx["mpi"] = _mpi_view(project, stored, by or None, full, labels, lang) if stored else None
    except LnobError as exc:
        ctx["mpi_error"] = exc
    return render(request, "lnob/equity/project.html", ctx)


@project_view("results.view")
def run_search(request, project):
    """Compute the furthest-behind search of every indicator whose search is not cached (or of
    the ``indicator`` fields posted)."""
    if request.method == "POST":
        stored = _stored(project)
        only = [i for i in request.POST.getlist("indicator") if i in stored] or None
        try:
            done = ec.searches(project, stored, _library(project), only, budget=ec.RUN_BUDGET)
            left = [k for k, ir in stored.items() if ir.kind in ec.SEARCH_KINDS and k not in done
                    and (only is None or k in only)]
            if left:
                messages.info(request, _("The search has run for %(n)d indicators; %(m)d remain: run it again.")
                              % {"n": len(done), "m": len(left)})
            else:
                messages.success(request, _("The search has run for %(n)d indicators.") % {"n": len(done)})
        except LnobError as exc:
            messages.error(request, exc.message + (f" — {exc.hint}" if exc.hint else ""))
    return redirect("equity", slug=project.slug)


def _ordered(labels: Labels, dim: str, codes) -> list | None:
    """The dimension's order (most disadvantaged first) when it is ordered and every group has a place."""
    d = labels.dims.get(dim)
    if d is None or d.kind not in ORDERED_KINDS:
        return None
    order = [c for c in labels.order(dim) if c in codes]
    return order if set(order) == set(codes) and len(order) >= 2 else None


def _inequality(rows, dim, kind, favourable, order, which) -> dict:
    from lnob.equity.inequality import ORDERED_ONLY

    res, note = dimension_measures(rows, dim, kind, favourable, order)
    if res is None:
        return {"note": note or _("Fewer than two groups: no inequality to measure.")}
    ordered = order is not None
    out = []
    for m, label in MEASURE_NAMES.items():
        if which == "ordered" and m not in ORDERED_ONLY or which == "unordered" and m in ORDERED_ONLY:
            continue
        mr = res.measures.get(m)
        if mr is None:
            continue
        if mr.estimate is None or not math.isfinite(mr.estimate):
            out.append({"label": _(label), "value": l10n.DASH, "ci": "", "note": mr.note or ""})
            continue
        ci = "" if mr.lower is None else l10n.interval(l10n.number(mr.lower, 3), l10n.number(mr.upper, 3))
        out.append({"label": _(label), "value": l10n.number(mr.estimate, 3), "ci": ci, "note": ""})
    return {"measures": out, "ordered": ordered}


def _tree_rows(tree, labels: Labels, kind) -> list:
    rows = []

    def walk(nd, depth):
        cond = ""
        if nd["condition"]:
            d, cats = nd["condition"]
            cond = "%s: %s" % (labels.dim(d), l10n.join([labels.cat(d, c) for c in cats], "plain"))
        rows.append({"depth": depth, "indent": range(depth), "condition": cond or _("Everyone"),
                     "value": fmt_value(nd["estimate"], kind), "n": fmt_n(nd["n"]),
                     "share": l10n.percent(nd["share"], 0), "behind": nd["behind"], "ahead": nd["ahead"],
                     "leaf": not nd["children"]})
        for c in nd["children"]:
            walk(c, depth + 1)

    walk(tree["root"], 0)
    return rows


def _gap_rows(g, dim, kind, labels: Labels, pub, shown: dict, total_ok: bool = True) -> list:
    """Rows of the gap table; ``pub`` (readers without results.view): the published groups;
    ``shown``: the group rows the reader may see (code -> stored or released row), whose
    estimate, CI and n are the dashboard's (a proportion's CI is the logit interval)."""
    def ok(code):
        return pub is None or code in pub

    def cmp_(c):
        if c is None:
            return None
        ci = "" if c["ci_low"] is None else l10n.interval(_pp(c["ci_low"], kind), _pp(c["ci_high"], kind))
        return {"value": _pp(c["estimate"], kind), "ci": ci}

    def ratio(c):
        if c is None or c["estimate"] is None:
            return None
        ci = "" if c["ci_low"] is None else l10n.interval(l10n.number(c["ci_low"], 2), l10n.number(c["ci_high"], 2))
        return {"value": l10n.number(c["estimate"], 2), "ci": ci}

    rows = []
    for x in g["groups"]:
        if not ok(x["code"]):
            continue
        y = shown.get(x["code"], x)
        row = {"label": labels.cat(dim, x["code"]), "value": fmt_value(y["estimate"], kind), "ci": fmt_ci(y, kind),
               "n": fmt_n(y["n"]), "is_best": x["code"] == g["best"], "is_ref": x["code"] == g["reference"]}
        for tag, other in (("total", ""), ("best", g["best"]), ("reference", g["reference"])):
            vs = x["vs"].get(tag)
            if vs is None or not (total_ok if tag == "total" else ok(other)):
                row[tag] = None
                continue
            row[tag] = {"d": cmp_(vs.get("difference")), "r": ratio(vs.get("ratio"))}
        rows.append(row)
    return rows


def _analysis(ctx, project, stored, lib, labels: Labels, lang, indicator, rows, codes, order) -> None:
    """Gaps (with the reader's reference), the tree and the findings of one indicator into ``ctx``."""
    by, reference, full, kind = ctx["by"], ctx["reference"], ctx["full"], ctx["kind"]
    ref = reference or None
    if ref is not None and ref not in codes and ref not in ORDERED_REFERENCES + ("total", "best"):
        ctx["reference_error"] = _("There is no group “%(ref)s” in “%(dim)s”: choose one of: %(groups)s.") % {
            "ref": ref, "dim": labels.dim(by), "groups": l10n.join([labels.cat(by, c) for c in codes], "plain")}
        ref = None
    if ref in ORDERED_REFERENCES and order is None:
        ctx["reference_error"] = _("“%(ref)s” needs an ordered dimension; “%(dim)s” has no natural order. "
                                   "Choose a group as the reference.") % {
            "ref": _("most advantaged group") if ref == "most-advantaged" else _("least advantaged group"),
            "dim": labels.dim(by)}
        ref = None
    try:
        got = ec.gaps_and_tree(project, stored, lib, indicator, by, ref, order if ref in ORDERED_REFERENCES else None)
    except LnobError as exc:
        if exc.code not in ("equity.unknown-reference", "equity.not-ordered", "equity.bad-order"):
            raise
        ctx["reference_error"] = exc.message + (" — " + exc.hint if exc.hint else "")
        got = ec.gaps_and_tree(project, stored, lib, indicator, by, None, None)
    pub = None
    if not full:
        rel = release(project, stored)
        pub = {r["groups"][by] for (i, _k), r in rel.items()
               if i == indicator and list(r["groups"]) == [by] and not r["suppressed"]}
    g = got["gaps"]
    shown = {r["groups"][by]: r for r in rows if list(r["groups"]) == [by]}
    def name(code):  # a group that is not published is not named either
        return labels.cat(by, code) if pub is None or code in pub else _("a group that is not published")

    total_ok = full or bool(ctx["total"] and ctx["total"]["estimate"] is not None)
    ctx["gaps"] = {"rows": _gap_rows(g, by, kind, labels, pub, shown, total_ok), "best": name(g["best"]),
                   "reference": name(g["reference"]) if g["reference"] is not None else None,
                   "hidden": pub is not None and any(x["code"] not in pub for x in g["groups"])}
    if full and got["tree"]:
        ctx["tree"] = {"rows": _tree_rows(got["tree"], labels, kind),
                       "d_index": l10n.number(got["tree"]["d_index"], 3), "leaves": got["tree"]["leaves"]}
    s = ec.searches(project, stored, lib, [indicator]).get(indicator)
    if s is not None:
        f, hidden, n = findings_rows(project, stored, {indicator: s}, full, labels, lang, MAX_INDICATOR_FINDINGS)
        ctx.update(findings=f, hidden=hidden, n_findings=n, tests=s["m"], depth=ec.DEPTH, min_n=ec.MIN_N,
                   fdr=l10n.number(ec.FDR * 100, 0))


@project_view("project.view")
def indicator_page(request, project, indicator):
    stored = _stored(project)
    if indicator not in stored:
        raise Http404
    lib = _library(project)
    labels = Labels(project, lib)
    lang = _lang()
    full = _full(request)
    ir = stored[indicator]
    kind = ir.kind
    try:
        fav = lib.indicator(indicator).higher_is_better
    except LnobError:
        fav = True
    rows = rows_for(project, stored, indicator, full)
    dims = sorted({d for r in ir.rows for d in r["groups"] if len(r["groups"]) == 1}, key=labels.dim)
    by = request.GET.get("by") or (dims[0] if dims else "")
    if by and by not in dims:
        raise Http404
    which = request.GET.get("measures") or "all"
    reference = (request.GET.get("reference") or "").strip()
    codes = sorted({r["groups"][by] for r in ir.rows if list(r["groups"]) == [by]}, key=str) if by else []
    order = _ordered(labels, by, codes) if by else None
    ctx = {"project": project, "full": full, "ir": ir, "title": _ind_title(ir, lang), "kind": kind,
           "dims": [(d, labels.dim(d)) for d in dims], "by": by, "by_label": labels.dim(by) if by else "",
           "which": which, "reference": reference, "ordered": order is not None,
           "references": [(c, labels.cat(by, c)) for c in (order or codes)],
           "total": _total(rows), "total_value": fmt_value((_total(rows) or {}).get("estimate"), kind),
           "total_ci": fmt_ci(_total(rows), kind)}
    if which not in MEASURE_SETS:
        ctx["measures_error"] = _("Unknown choice of measures %(m)r: choose all, ordered or unordered.") % {"m": which}
        which = ctx["which"] = "all"
    if by:
        if which == "ordered" and order is None:
            ctx["measures_error"] = _(
                "“%(dim)s” has no natural order, so the ordered measures (slope and relative index of inequality, "
                "concentration indices) are not defined for it. Choose an ordered dimension, such as the wealth "
                "quintile or the age group, or all measures.") % {"dim": labels.dim(by)}
        else:
            ctx["ineq"] = _inequality(rows, by, kind, fav, order, which)
    if kind in ec.SEARCH_KINDS and by:
        try:
            _analysis(ctx, project, stored, lib, labels, lang, indicator, rows, codes, order)
        except LnobError as exc:  # no survey design, no analytics store, a form that changed...
            ctx["compute_error"] = exc
    elif kind not in ec.SEARCH_KINDS:
        ctx["not_available"] = True
    ctx["official"] = official_for(project, stored, lang, full, indicator)
    ctx["official_groups"] = official_groups(project, stored, lib, indicator, by, rows, labels) if by else []
    template = "lnob/equity/_indicator_body.html" if request.headers.get("HX-Request") else "lnob/equity/indicator.html"
    return render(request, template, ctx)


urlpatterns = [
    path("left-behind/", project_page, name="equity"),
    path("left-behind/run/", run_search, name="equity-run"),
    path("left-behind/indicators/<slug:indicator>/", indicator_page, name="equity-indicator"),
]
