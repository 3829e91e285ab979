"""Coalition pages: the overview ``/c/<slug>/``, one indicator's pooled table
``/c/<slug>/indicators/<id>/`` (coalition roles, :func:`lnob.web.access.coalition_view`), and a
project's "publish to a coalition" page ``/p/<slug>/coalitions/`` (``results.publish``).

Coalition users see members' published aggregates and the pooled values, never records: a
coalition role gives no role on any project.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.access import coalition_view, project_view


def _fmt(value, kind: str, unit: str = "") -> str:
    if value is None:
        return "—"
    if kind == "proportion" or unit == "percent":
        return f"{value * 100:.1f} %"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _groups(groups: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(groups.items())) or _("Everyone")


@coalition_view("coalition.view")
def overview(request, coalition):
    from lnob.coalition.publishing import current_publications
    from lnob.coalition.services import members_of

    members = members_of(coalition)
    pubs = []
    if coalition.national:
        for pub in current_publications(coalition):
            pubs.append({"member": pub.member, "organisation": pub.organisation.name, "at": pub.published_at,
                         "by": pub.published_by, "cells": len(pub.rows),
                         "suppressed": sum(1 for r in pub.rows if "suppressed" in r["flags"]),
                         "indicators": sorted(pub.indicators)})
    else:
        for nat in members:
            for pub in current_publications(nat):
                pubs.append({"member": f"{nat.slug}: {pub.member}", "organisation": pub.organisation.name,
                             "at": pub.published_at, "by": pub.published_by, "cells": len(pub.rows),
                             "suppressed": sum(1 for r in pub.rows if "suppressed" in r["flags"]),
                             "indicators": sorted(pub.indicators)})
    parent = [m.coalition for m in coalition.parent_memberships.select_related("coalition")]
    return render(request, "lnob/coalition/overview.html",
                  {"coalition": coalition, "members": members, "publications": pubs, "parents": parent,
                   "indicators": list(coalition.indicators.all()), "role": request.coalition_role})


@coalition_view("coalition.view")
def indicator_page(request, coalition, indicator):
    from lnob.coalition.pooling import FLAG_LABELS, REASON_LABELS
    from lnob.coalition.views import pooled

    h = coalition.indicators.filter(indicator=indicator).first()
    if h is None:
        raise Http404
    view = pooled(coalition, indicator)
    members = sorted(view.members)
    rows = []
    for p in view.cells[indicator]:
        by = {m.member: m for m in p.members}
        cols = []
        for name in members:
            m = by.get(name)
            if m is None:
                cols.append({"value": "—", "ci": "", "note": _("not published")})
            elif m.problem():
                cols.append({"value": "—", "ci": "", "note": _(REASON_LABELS[m.problem()])})
            else:
                ci = (f"{_fmt(m.ci_low, p.kind, h.unit)} – {_fmt(m.ci_high, p.kind, h.unit)}"
                      if m.ci_low is not None and m.ci_high is not None else "")
                cols.append({"value": _fmt(m.estimate, p.kind, h.unit), "ci": ci,
                             "note": ", ".join(m.flags)})
        rows.append({"group": _groups(p.groups), "estimate": _fmt(p.estimate, p.kind, h.unit),
                     "ci": (f"{_fmt(p.ci_low, p.kind, h.unit)} – {_fmt(p.ci_high, p.kind, h.unit)}"
                            if p.estimate is not None else ""),
                     "se": _fmt(p.se, "mean") if p.se is not None else "—", "n": p.n if p.n is not None else "—",
                     "flags": [_(FLAG_LABELS[f]) for f in p.flags],
                     "missing": [f"{m} ({_(REASON_LABELS.get(r, r))})" for m, r in p.missing],
                     "members": cols})
    return render(request, "lnob/coalition/indicator.html",
                  {"coalition": coalition, "indicator": h, "title": h.title.get("en") or h.indicator,
                   "members": members, "rows": rows, "silent": view.silent})


@project_view("results.publish")
def project_coalitions(request, project):
    from lnob.coalition.models import Publication
    from lnob.coalition.publishing import publish
    from lnob.coalition.services import coalitions_of_project

    coalitions = coalitions_of_project(project)
    if request.method == "POST":
        slug = request.POST.get("coalition", "")
        if slug not in {c.slug for c in coalitions}:
            messages.error(request, _("The project's organisation is not a member of that coalition."))
        else:
            try:
                pub = publish(project.slug, slug)
            except LnobError as exc:
                messages.error(request, f"{exc.message} — {exc.hint}" if exc.hint else exc.message)
            else:
                messages.success(request, _("%(n)s cells published to %(c)s.") % {"n": len(pub.rows), "c": slug})
        return redirect("project-coalitions", project.slug)
    items = []
    for c in coalitions:
        last = Publication.objects.filter(coalition=c, project=project, current=True).first()
        items.append({"coalition": c, "last": last, "indicators": [h.indicator for h in c.indicators.all()]})
    return render(request, "lnob/coalition/project.html", {"project": project, "items": items})


urlpatterns = [
    path("", overview, name="coalition"),
    path("indicators/<slug:indicator>/", indicator_page, name="coalition-indicator"),
]
