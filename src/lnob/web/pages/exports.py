"""Exports and personal data (included under /p/<slug>/ by lnob.web.urls).

* ``records/export/`` — microdata release (``records.export``): choose a form, one of its
  tables, a format, quasi-identifiers (pre-selected by name), k and optionally l on a
  sensitive field; **check** shows the risk summary (:func:`lnob.records.release.risk_summary`);
  the user then starts the export "as is" or "with local suppression" — a background job
  (``records.export``) — and downloads the file from the same page.  The confirmation carries
  a signed copy of the checked choices, so no export starts without its summary being shown.
* ``records/export/<job_id>/download/`` — the finished file (``records.export``; an export
  holding personal fields only for users who may see them); audited.
* ``forms/<form_id>/personal/`` — mark or unmark a field as personal (``forms.manage``, POST).
* ``settings/personal-data/`` — owners grant or withdraw a member's access to personal data
  (``project.manage``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from lnob.core.roles import role_allows
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.access import project_view

SALT = "lnob.records.export"
#: how long a checked risk summary stays valid for starting the export (seconds)
CHECK_VALID = 3600
FORMAT_LABELS = {"csv": "CSV (ZIP)", "xlsx": "Excel (XLSX)", "parquet": "Parquet (ZIP)"}


def _may_see_personal(request, project) -> bool:
    from lnob.core.services import may_see_personal

    return may_see_personal(request.user, project, request.project_role)


def _choices(project, form_id: str | None, table: str | None, include_personal: bool):
    """The forms, the chosen form, its tables in the store, the chosen table and its columns."""
    from lnob.records.release import available_columns, reading, release_tables
    from lnob.records.services import default_store

    forms = list(project.forms.order_by("form_id"))
    form = next((f for f in forms if f.form_id == form_id), forms[0] if forms else None)
    out = {"forms": forms, "form": form, "tables": [], "table": None, "columns": [], "left_out": []}
    if form is None:
        return out
    store = default_store()
    if not store.path.exists():  # nothing synced yet (and web processes never create the store)
        return out
    with reading(store) as con:
        existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        out["tables"] = [t for t in release_tables(form) if t in existing]
        if out["tables"]:
            out["table"] = table if table in out["tables"] else out["tables"][0]
            cols, out["left_out"] = available_columns(con, project, form, out["table"], include_personal)
            out["columns"] = [c for c, _t in cols if not c.startswith("_")]
    return out


def _jobs(project, see_personal: bool):
    from lnob.jobs.models import Job

    jobs = list(Job.objects.filter(project=project, kind="records.export").select_related("user")[:20])
    for job in jobs:
        result = job.result or {}
        job.downloadable = (job.status == Job.Status.DONE and bool(result.get("file"))
                            and (see_personal or not result.get("include_personal")))
        job.micro = (job.args or {}).get("microdata")
        job.micro_result = result.get("microdata")
    return jobs


def _error(exc: LnobError) -> dict:
    return {"message": exc.message, "where": exc.where, "hint": exc.hint, "code": exc.code}


@project_view("records.export")
@require_http_methods(["GET", "POST"])
def export_page(request, project):
    from lnob.records.export import FORMATS
    from lnob.records.release import DEFAULT_K, DEFAULT_L, ReleaseSpec, risk_summary, suggest_quasi

    see_personal = _may_see_personal(request, project)
    data = request.POST if request.method == "POST" else request.GET
    include_personal = see_personal and data.get("include_personal") == "1"
    ctx = {"project": project, "formats": [(f, FORMAT_LABELS[f]) for f in FORMATS], "see_personal": see_personal,
           "include_personal": include_personal, "error": None, "summary": None, "token": None,
           "default_k": DEFAULT_K, "default_l": DEFAULT_L, "can_import": role_allows(request.project_role,
                                                                                      "forms.manage")}
    try:
        ctx.update(_choices(project, data.get("form"), data.get("table"), include_personal))
    except LnobError as exc:  # e.g. the analytics store is busy
        ctx.update({"forms": [], "form": None, "tables": [], "table": None, "columns": [], "left_out": []})
        ctx["error"] = _error(exc)
    action = request.POST.get("action") if request.method == "POST" else None
    status = 200
    if action == "run":
        try:
            checked = signing.loads(request.POST.get("token", ""), salt=SALT, max_age=CHECK_VALID)
        except signing.BadSignature:
            ctx["error"] = {"message": _("Check the risk first: the export starts only after its risk summary "
                                         "has been shown (the check is valid for an hour)."), "hint": None}
            return render(request, "lnob/records/export.html", ctx | {"jobs": _jobs(project, see_personal)},
                          status=400)
        if checked.get("project") != project.slug or checked.get("user") != request.user.pk:
            raise PermissionDenied
        if checked.get("include_personal") and not see_personal:
            raise PermissionDenied
        mode = request.POST.get("mode")
        if mode not in ("suppress", "as-is"):
            ctx["error"] = {"message": _("Choose how to release: with local suppression or as it is."),
                            "hint": None}
            status = 400
        else:
            from lnob.jobs.queue import enqueue

            micro = dict(checked["spec"], suppress=mode == "suppress")
            job = enqueue("records.export", {"format": checked["format"], "form_id": micro["form_id"],
                                             "include_personal": bool(checked.get("include_personal")),
                                             "microdata": micro}, project=project, user=request.user)
            messages.success(request, _("Export #%(id)d has started. It is listed below; reload the page to see "
                                        "its progress.") % {"id": job.pk})
            url = reverse("records-export", kwargs={"slug": project.slug})
            return redirect(f"{url}?form={micro['form_id']}")
    elif action == "check":
        fmt = request.POST.get("format", "csv")
        spec = ReleaseSpec(form_id=request.POST.get("form", ""), table=request.POST.get("table") or None,
                           quasi=request.POST.getlist("quasi"), k=request.POST.get("k", ""),
                           sensitive=request.POST.get("sensitive") or None,
                           l=request.POST.get("l") if request.POST.get("sensitive") else None)
        ctx.update({"chosen": set(spec.quasi), "k": spec.k, "sensitive": spec.sensitive, "l": spec.l,
                    "format": fmt})
        try:
            if fmt not in FORMATS:
                raise LnobError(_("unknown export format %(f)r") % {"f": fmt}, where="format",
                                hint=", ".join(FORMATS), code="records.export-format")
            summary = risk_summary(project, spec, include_personal=include_personal)
        except LnobError as exc:
            ctx["error"] = _error(exc)
            status = 400
        else:
            spec.k, spec.l, spec.table, spec.quasi = summary.k, summary.l, summary.table, summary.quasi
            ctx["summary"] = summary
            ctx["token"] = signing.dumps({"project": project.slug, "user": request.user.pk, "format": fmt,
                                          "include_personal": include_personal, "spec": spec.as_args()}, salt=SALT)
    if "chosen" not in ctx:
        ctx.update({"chosen": set(suggest_quasi(ctx["columns"])), "k": DEFAULT_K, "sensitive": None, "l": None,
                    "format": "csv"})
    ctx["jobs"] = _jobs(project, see_personal)
    return render(request, "lnob/records/export.html", ctx, status=status)


@project_view("records.export")
def export_download(request, project, job_id: int):
    from lnob.audit.log import record
    from lnob.jobs.kinds import export_dir
    from lnob.jobs.models import Job

    job = Job.objects.filter(project=project, kind="records.export", pk=job_id, status=Job.Status.DONE).first()
    if job is None:
        raise Http404
    result = job.result or {}
    if result.get("include_personal") and not _may_see_personal(request, project):
        raise PermissionDenied
    root = export_dir().resolve()
    file = (root / str(result.get("file", ""))).resolve()
    if root not in file.parents or not file.is_file():
        raise Http404
    record("export", actor=request.user, project=project, target=file.name, request=request, download=True,
           job=job.pk, format=result.get("format"), personal=bool(result.get("include_personal")),
           microdata=bool(result.get("microdata")), via="web")
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name)


@project_view("forms.manage")
@require_http_methods(["GET", "POST"])
def form_personal(request, project, form_id: str):
    """Mark a field personal, not personal, or as in the XLSForm (POST ``field``, ``mark``)."""
    from lnob.forms.personal import set_mark

    form = project.forms.filter(form_id=form_id).first()
    if form is None:
        raise Http404
    if request.method == "POST":
        mark = request.POST.get("mark")
        field = request.POST.get("field", "")
        value = {"personal": True, "not-personal": False, "xlsform": None}
        if mark not in value:
            messages.error(request, _("Choose whether the field is personal."))
        else:
            try:
                personal = set_mark(form, field, value[mark], user=request.user)
            except LnobError as exc:
                messages.error(request, exc.message + (" — " + exc.hint if exc.hint else ""))
            else:
                messages.success(request, (_("%(f)s is now treated as personal.") if personal
                                           else _("%(f)s is no longer treated as personal.")) % {"f": field})
    return redirect(reverse("form", kwargs={"slug": project.slug, "form_id": form.form_id}) + "#questions")


@project_view("project.manage")
@require_http_methods(["GET", "POST"])
def personal_grants(request, project):
    """Owners see who may see personal data and grant it to (or withdraw it from) analysts."""
    from lnob.core.models import Membership
    from lnob.core.roles import ROLE_LABELS
    from lnob.core.services import set_personal_grant

    members = Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    if request.method == "POST":
        m = members.filter(pk=request.POST.get("membership") or 0).first() if (
            request.POST.get("membership") or "").isdigit() else None
        if m is None:
            raise Http404
        if not role_allows(m.role, "records.view") or role_allows(m.role, "records.view_personal"):
            messages.error(request, _("Only analysts can be granted personal data: managers and owners see it "
                                      "anyway, other roles do not read records."))
        else:
            granted = request.POST.get("granted") == "1"
            set_personal_grant(project, m.user, granted, actor=request.user)
            messages.success(request, (_("%(u)s may now see and export personal fields.") if granted else
                                       _("%(u)s may no longer see personal fields.")) % {"u": m.user.username})
        return redirect("personal-grants", slug=project.slug)
    rows = []
    for m in members:
        rows.append({"m": m, "role": _(ROLE_LABELS[m.role]),
                     "by_role": role_allows(m.role, "records.view_personal"),
                     "grantable": role_allows(m.role, "records.view")
                     and not role_allows(m.role, "records.view_personal")})
    return render(request, "lnob/personal_grants.html", {"project": project, "rows": rows})


urlpatterns = [
    path("records/export/", export_page, name="records-export"),
    path("records/export/<int:job_id>/download/", export_download, name="records-export-download"),
    path("forms/<str:form_id>/personal/", form_personal, name="form-personal"),
    path("settings/personal-data/", personal_grants, name="personal-grants"),
]
