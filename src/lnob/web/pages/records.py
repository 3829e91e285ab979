"""Project pages of the records layer (included under /p/<slug>/ by lnob.web.urls).

* ``records/`` — the records, filterable by review state (``records.view``);
* ``records/<id>/`` — one record: answers (personal fields only for users who
  may see them: :func:`lnob.core.services.may_see_personal`), problems, review history; reviewers
  (``records.review``) change its state and comment;
* ``records/quality/`` — the data-quality page (``records.view``; "check now"
  needs ``records.review``);
* ``records/import/`` — upload a Kobo/ODK export (``forms.manage``).

Every view declares its rule with :func:`lnob.web.access.project_view`: anonymous
users are sent to the login page, users without the permission get 403.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from lnob.core.roles import role_allows
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.web.access import project_view


@project_view("records.view")
def record_list(request, project):
    from lnob.records.models import Record

    role = request.project_role
    state = request.GET.get("state", "")
    qs = Record.objects.filter(project=project).select_related("form").annotate(n_issues=Count("issues"))
    if state in Record.Review.values:
        qs = qs.filter(review_state=state)
    else:
        state = ""
    page = Paginator(qs.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(request, "lnob/records/list.html", {
        "project": project, "page": page, "state": state, "states": Record.Review.choices,
        "can_import": role_allows(role, "forms.manage"),
    })


def _answers(record, show_personal: bool):
    """(field path, label, value, personal) rows of a record, values as stored (text)."""
    from lnob.forms.personal import marks
    from lnob.forms.xlsform import FormSchema
    from lnob.records.quality import record_doc

    schema = FormSchema(record.form_version.survey_json)
    form_marks = marks(record.form)
    try:
        doc = record_doc(record.raw, schema)
    except Exception:
        return [], True
    rows = []

    def walk(obj, repeat, label):
        rpath = next((r.path for r in schema.repeats if r.key == repeat), "")
        for f in schema.fields_of(repeat):
            v = obj.get(f.path)
            if v is None or isinstance(v, (list, dict)) or str(v).strip() == "":
                continue
            where = f"{label}/{f.path[len(rpath) + 1:]}" if label else f.path
            personal = form_marks.get(f.path, f.personal)
            rows.append((where, f.labels.get("default") or next(iter(f.labels.values()), f.name)
                         if f.labels else f.name, str(v) if (show_personal or not personal) else None, personal))
        for r in schema.repeats:
            if r.parent == repeat:
                for i, item in enumerate(obj.get(r.path) or [], start=1):
                    if isinstance(item, dict):
                        walk(item, r.key, f"{label + '/' if label else ''}{r.name}[{i}]")

    walk(doc, None, "")
    return rows, False


def _personal_issue_fields(record) -> set[str]:
    """Personal fields as data-quality problems name them (``people/age`` for ``people[2]/age``)."""
    from lnob.forms.personal import marks
    from lnob.forms.xlsform import FormSchema

    schema = FormSchema(record.form_version.survey_json)
    form_marks = marks(record.form)
    repeats = {r.key: r for r in schema.repeats}
    out = set()
    for f in schema.fields:
        if not form_marks.get(f.path, f.personal):
            continue
        if f.repeat is None:
            out.add(f.path)
            continue
        chain, key = [], f.repeat
        while key is not None:
            chain.insert(0, repeats[key].name)
            key = repeats[key].parent
        out.add("/".join(chain + [f.path[len(repeats[f.repeat].path) + 1:]]))
    return out


@project_view("records.view")
@require_http_methods(["GET", "POST"])
def record_detail(request, project, pk: int):
    from lnob.audit.log import record as audit
    from lnob.records import review
    from lnob.records.models import Record

    role = request.project_role
    try:
        rec = Record.objects.select_related("form", "form_version").get(project=project, pk=pk)
    except Record.DoesNotExist:
        raise Http404 from None
    can_review = role_allows(role, "records.review")
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        state = request.POST.get("state", "")
        comment = request.POST.get("comment", "")
        try:
            if state and state != rec.review_state:
                review.set_state(rec, state, user=request.user, comment=comment)
                messages.success(request, _("The record is now %(state)s.") % {
                    "state": Record.Review(state).label})
            elif comment.strip():
                review.add_comment(rec, comment, user=request.user)
                messages.success(request, _("Your comment was added."))
            else:
                messages.error(request, _("Choose a new state or write a comment."))
        except LnobError as exc:
            messages.error(request, f"{exc.message} — {exc.hint}" if exc.hint else exc.message)
        return redirect("record-detail", slug=project.slug, pk=rec.pk)
    from lnob.core.services import may_see_personal

    show_personal = may_see_personal(request.user, project, role)
    answers, unreadable = _answers(rec, show_personal)
    issues = list(rec.issues.order_by("id"))
    if not show_personal:
        hidden = _personal_issue_fields(rec)
        for i in issues:
            i.hidden = re.sub(r"\[\d+\]", "", i.field) in hidden
    audit("microdata_view", project=project, target=rec.instance_id, request=request,
          personal=show_personal)
    return render(request, "lnob/records/detail.html", {
        "project": project, "record": rec, "answers": answers, "unreadable": unreadable,
        "issues": issues, "history": review.history(rec), "can_review": can_review,
        "states": Record.Review.choices, "show_personal": show_personal,
        "can_import": role_allows(role, "forms.manage"),
    })


def _hide_personal_keys(summary) -> None:
    """Duplicate groups show their key values: hide those of personal fields (a household head's name…)."""
    from lnob.records.analytics import table_name
    from lnob.records.export import personal_columns

    for f in summary.get("forms", []):
        if not f.get("duplicates"):
            continue
        personal = personal_columns(f["form"]).get(table_name(f["form"].form_id), set())
        hidden = [k in personal for k in f["keys"]]
        if any(hidden):
            f["duplicates"] = [(tuple(_("(personal)") if h else v for v, h in zip(values, hidden)), n, ids)
                               for values, n, ids in f["duplicates"]]


@project_view("records.view")
@require_http_methods(["GET", "POST"])
def quality(request, project):
    from lnob.records.quality import check_records, quality_summary

    role = request.project_role
    can_review = role_allows(role, "records.review")
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        res = check_records(project, recheck=request.POST.get("recheck") == "1")
        messages.success(request, _("Checked %(n)d records: %(i)d problems; %(s)d rules could not be evaluated.")
                         % {"n": res.records, "i": res.issues, "s": res.skipped})
        return redirect("records-quality", slug=project.slug)
    try:
        summary = quality_summary(project)
        error = None
    except LnobError as exc:  # e.g. the analytics store is busy
        summary, error = None, exc
    from lnob.core.services import may_see_personal

    if summary and not may_see_personal(request.user, project, role):
        _hide_personal_keys(summary)
    return render(request, "lnob/records/quality.html", {
        "project": project, "summary": summary, "error": error, "can_review": can_review,
        "can_import": role_allows(role, "forms.manage"),
    })


@project_view("forms.manage")
@require_http_methods(["GET", "POST"])
def import_upload(request, project):
    from lnob.records.imports import import_file
    from lnob.records.imports_read import max_size

    forms = list(project.forms.order_by("form_id"))
    ctx = {"project": project, "forms": forms, "max_size": max_size(), "result": None, "error": None,
           "can_import": True}
    if request.method == "POST":
        upload = request.FILES.get("file")
        form_id = request.POST.get("form") or None
        if upload is None:
            ctx["error"] = {"message": _("Choose a file to import."), "hint": None}
        elif upload.size > max_size():
            ctx["error"] = {"message": _("The file is too large (%(size)s bytes; the limit is %(limit)s).")
                            % {"size": f"{upload.size:,}", "limit": f"{max_size():,}"},
                            "hint": _("Split the export (e.g. by date) and import the parts."),
                            "where": upload.name}
        else:
            try:
                ctx["result"] = import_file(project, content=upload.read(), filename=upload.name, form_id=form_id,
                                            user=request.user)
            except LnobError as exc:
                ctx["error"] = exc.as_dict()
        status = 400 if ctx["error"] else 200
        return render(request, "lnob/records/import.html", ctx, status=status)
    return render(request, "lnob/records/import.html", ctx)


urlpatterns: list = [
    path("records/", record_list, name="records"),
    path("records/quality/", quality, name="records-quality"),
    path("records/import/", import_upload, name="records-import"),
    path("records/<int:pk>/", record_detail, name="record-detail"),
]
