"""Project pages of the indicators layer (included under /p/<slug>/ by lnob.web.urls).

* ``indicators/`` — the project's indicators (ready-made and its own) with SDG codes, kind,
  unit, dimensions and last run, linked to the dashboard (``project.view``); managers
  (``indicators.edit``) get a "run now" button;
* ``indicators/run/`` — POST: queue an ``indicators.run`` job (``indicators.edit``);
* ``indicators/definitions/`` — the project's own definitions (latest version) and every
  version (``project.view``);
* ``indicators/definitions/<n>/`` — one version, with its changes from the one before;
* ``indicators/definitions/edit/`` — the editor (``indicators.edit``): the text is checked
  against the project's form and data (:func:`lnob.indicators.project_defs.check`, the code
  ``lnob run`` uses); errors are listed with line and field next to the text and nothing is
  saved; a valid text becomes the next version.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from lnob.core.roles import role_allows
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.access import project_view

#: shown in the editor when a project has no definitions yet
STARTER = """format: 1
# The project's own indicators and dimensions, added to the ready-made library.
# The format is described in docs/indicators.md; expressions in docs/expressions.md.
indicators: []
"""


def _lines(text: str, errors_by_line: dict) -> list[dict]:
    return [{"n": i, "text": line, "errors": errors_by_line.get(i, [])}
            for i, line in enumerate(text.splitlines(), start=1)]


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@project_view("project.view")
def indicator_list(request, project):
    from lnob.indicators import project_defs
    from lnob.indicators.definitions import load_library
    from lnob.indicators.jobs import KIND
    from lnob.indicators.models import IndicatorResult
    from lnob.jobs.models import Job

    lang = _language()
    version = project_defs.latest(project)
    error = None
    try:
        lib = project_defs.library(project)
    except LnobError as exc:  # e.g. a stored version the catalogue no longer accepts
        error, lib = exc.as_dict(), load_library()
    results = {r.indicator: r for r in IndicatorResult.objects.filter(project=project)
               .only("indicator", "computed_at", "provenance")}
    own_prefix = version.source + ":" if version is not None else None
    rows = []
    for ind in lib.indicators:
        r = results.get(ind.id)
        rows.append({
            "id": ind.id, "title": ind.label(lang), "sdg": ind.sdg, "kind": ind.kind, "unit": ind.unit,
            "dimensions": ind.dimensions, "own": bool(own_prefix and ind.where.startswith(own_prefix)),
            "module": ind.module, "computed_at": r.computed_at if r else None,
            "has_results": r is not None,
        })
    dims = [{"id": d.id, "title": d.label(lang), "unit": d.unit, "sdmx": d.sdmx, "factors": d.factors,
             "own": bool(own_prefix and d.where.startswith(own_prefix))} for d in lib.dimensions]
    role = request.project_role
    last_job = Job.objects.filter(project=project, kind=KIND).order_by("-created_at", "-id").first()
    return render(request, "lnob/indicators/list.html", {
        "project": project, "rows": rows, "dims": dims, "version": version, "error": error,
        "can_edit": role_allows(role, "indicators.edit"), "can_jobs": role_allows(role, "results.view"),
        "last_job": last_job, "n_own": sum(1 for r in rows if r["own"]),
    })


@project_view("indicators.edit")
@require_POST
def run_now(request, project):
    from lnob.indicators.jobs import KIND
    from lnob.jobs.models import Job
    from lnob.jobs.queue import enqueue

    waiting = Job.objects.filter(project=project, kind=KIND,
                                 status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    if waiting is not None:
        messages.info(request, _("An indicator run is already waiting or running (job %(id)d).") % {"id": waiting.pk})
    else:
        job = enqueue(KIND, {"force": request.POST.get("force") == "1"}, project=project, user=request.user)
        messages.success(request, _("The indicator run was queued as job %(id)d; the worker computes it in the "
                                    "background.") % {"id": job.pk})
    return redirect("indicators", slug=project.slug)


def _versions(project):
    from lnob.indicators.models import DefinitionVersion

    return list(DefinitionVersion.objects.filter(project=project).select_related("created_by").order_by("-number"))


@project_view("project.view")
def definitions(request, project):
    versions = _versions(project)
    current = versions[0] if versions else None
    return render(request, "lnob/indicators/definitions.html", {
        "project": project, "versions": versions, "current": current,
        "lines": _lines(current.text, {}) if current else [],
        "can_edit": role_allows(request.project_role, "indicators.edit"),
    })


@project_view("project.view")
def version_detail(request, project, number: int):
    from lnob.indicators import project_defs
    from lnob.indicators.models import DefinitionVersion

    v = DefinitionVersion.objects.filter(project=project, number=number).select_related("created_by").first()
    if v is None:
        raise Http404
    before = DefinitionVersion.objects.filter(project=project, number__lt=number).order_by("-number").first()
    changes = project_defs.diff(before.text if before else "", v.text, f"v{before.number}" if before else "-",
                                f"v{v.number}")
    diff_rows = [{"text": line, "kind": "add" if line.startswith("+") and not line.startswith("+++")
                  else "del" if line.startswith("-") and not line.startswith("---")
                  else "hunk" if line.startswith("@@") else "ctx"} for line in changes]
    return render(request, "lnob/indicators/version.html", {
        "project": project, "version": v, "before": before, "lines": _lines(v.text, {}), "diff": diff_rows,
        "latest": project_defs.latest(project), "can_edit": role_allows(request.project_role, "indicators.edit"),
    })


@project_view("indicators.edit")
@require_http_methods(["GET", "POST"])
def definitions_edit(request, project):
    from lnob.indicators import project_defs

    current = project_defs.latest(project)
    ctx = {"project": project, "current": current, "errors": [], "warnings": [], "lines": [], "comment": ""}
    if request.method == "GET":
        ctx["text"] = current.text if current else STARTER
        return render(request, "lnob/indicators/edit.html", ctx)
    text = project_defs.normalise(request.POST.get("text", ""))
    comment = request.POST.get("comment", "").strip()
    ctx.update(text=text, comment=comment)
    try:
        version, created = project_defs.save(project, text, user=request.user, comment=comment)
    except project_defs.DefinitionsRejected as exc:
        problems = exc.problems
    except LnobError as exc:
        problems = [exc]
    else:
        if created:
            messages.success(request, _("Saved as version %(n)d. Run the indicators to update the results.")
                             % {"n": version.number})
        else:
            messages.info(request, _("Nothing changed: the text is the same as version %(n)d.") % {"n": version.number})
        return redirect("indicator-definitions", slug=project.slug)
    errors = []
    by_line: dict[int, list] = {}
    for p in problems:
        line, column = project_defs.line_of(p.where)
        ident, key = project_defs.context_of(text, line)
        item = {"code": p.code, "message": p.message, "hint": p.hint, "where": p.where, "line": line,
                "column": column, "item": ident, "field": key}
        errors.append(item)
        if line:
            by_line.setdefault(line, []).append(item)
    ctx.update(errors=errors, lines=_lines(text, by_line))
    return render(request, "lnob/indicators/edit.html", ctx, status=400)


urlpatterns: list = [
    path("indicators/", indicator_list, name="indicators"),
    path("indicators/run/", run_now, name="indicators-run"),
    path("indicators/definitions/", definitions, name="indicator-definitions"),
    path("indicators/definitions/edit/", definitions_edit, name="indicator-definitions-edit"),
    path("indicators/definitions/<int:number>/", version_detail, name="indicator-definitions-version"),
]
