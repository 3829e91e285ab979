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
import io

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from lnob import l10n
from lnob.core.roles import role_allows
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.access import project_view, public_view
# the data, charts and gaps live in sibling modules; their names stay importable from here
from lnob.web.pages.evidence_charts import dot_chart, geo_dimension, heat, inequality, map_for, vega_spec  # noqa: F401
from lnob.web.pages.evidence_data import (  # noqa: F401
    DEFAULT_PAIRS, FLAG_TEXT, MISSING, Labels, _headline, _ind_title, _lang, _library, _sdg_title, _stored,
    _total, _version, flag_texts, fmt_ci, fmt_n, fmt_value, is_public, official_for, pairs_of, policy_of,
    release, rows_for)
from lnob.web.pages.evidence_gaps import analysis_table, gaps_and_behind  # noqa: F401


# --------------------------------------------------------------------------- who sees what
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
        goal_list.append({"code": g, "title": title, "fallback": fb, "n": len(goals[g]),
                          "n_text": l10n.count(len(goals[g]))})
    ctx = _ctx(request, project, public)
    computed = max((r.computed_at for r in stored.values()), default=None)
    ctx.update(heads=heads, goals=goal_list, official=official_for(project, stored, lang, ctx["full"]),
               computed=computed, computed_text=computed and l10n.date(computed))
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
    lib = _library(project)
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
    ctx["headline"] = {"value": fmt_value(total and total["estimate"], kind), "ci": fmt_ci(total, kind),
                       "n": fmt_n(total and total["n"]), "flags": flag_texts(total["flags"]) if total else []}
    if by:
        grp = [r for r in rows if list(r["groups"]) == [by]]
        grp.sort(key=lambda r: (r["estimate"] is None, -(r["estimate"] or 0)))
        chart = dot_chart(grp, kind, labels, total)
        measure = _("Percent") if kind == "proportion" else _("Value")
        ctx.update(by=by, by_label=labels.dim(by), chart=chart,
                   spec=vega_spec(chart, f"{ctx['title']} — {labels.dim(by)}", measure, kind),
                   ineq=inequality(rows, by, kind, ctx["favourable"], labels))
    ctx["official"] = official_for(project, ctx["stored"], ctx["lang"], ctx["full"], indicator=indicator)
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
                    messages.success(request, _("Boundaries saved: %(n)s regions.") % {"n": l10n.count(len(b.regions))})
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
                    messages.success(request, _("Official series for indicator %(i)s saved (%(n)s values).")
                                     % {"i": data.indicator or "?", "n": l10n.count(len(data.observations))})
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
