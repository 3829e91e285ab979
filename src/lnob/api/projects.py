"""Projects, forms and records."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query, Router

from lnob.api.access import allows, project_for, rule
from lnob.api.schemas import (MAX_ID, ErrorOut, FormDetail, FormOut, MeOut, ProjectOut, ProjectPage, RecordOut,
                              RecordPage, Text)
from lnob.errors import LnobError, NotFound
from lnob.i18n import _

router = Router(tags=["projects"])

#: largest page
MAX_LIMIT = 200
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}

Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", max_length=63)]
FormId = Annotated[str, Path(pattern=r"^[^\x00/]{1,255}$", max_length=255)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def _project(p, role) -> dict:
    return {"slug": p.slug, "name": p.name, "organisation": p.organisation.name, "description": p.description,
            "role": role, "created_at": p.created_at}


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The token's user and their projects")
@rule(None)
def me(request):
    from lnob.core.services import projects_for, role_of

    user = request.user
    return {"username": user.get_username(), "superuser": user.is_superuser,
            "projects": [{"slug": p.slug, "name": p.name, "role": role_of(user, p)}
                         for p in projects_for(user).order_by("slug")]}


@router.get("/projects", response={200: ProjectPage, **ERRORS}, summary="Projects the user can see")
@rule(None)
def project_list(request, limit: Limit = 50, offset: Offset = 0):
    from lnob.core.services import projects_for, role_of

    qs = projects_for(request.user).order_by("slug")
    items = [_project(p, role_of(request.user, p)) for p in qs[offset:offset + limit]]
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": items}


@router.get("/projects/{slug}", response={200: ProjectOut, **ERRORS}, summary="One project")
@rule("project.view")
def project_detail(request, slug: Slug):
    p = project_for(request, slug, "project.view")
    return _project(p, request.project_role)


def _form(f) -> dict:
    v = f.current_version
    return {"form_id": f.form_id, "title": f.title, "current_version": v.version if v else None,
            "versions": getattr(f, "n_versions", None) if hasattr(f, "n_versions") else f.versions.count(),
            "records": getattr(f, "n_records", None) if hasattr(f, "n_records") else f.records.count()}


@router.get("/projects/{slug}/forms", response={200: list[FormOut], **ERRORS}, summary="The project's forms")
@rule("project.view")
def form_list(request, slug: Slug):
    from lnob.forms.services import list_forms

    return [_form(f) for f in list_forms(project_for(request, slug, "project.view"))]


@router.get("/projects/{slug}/forms/{form_id}", response={200: FormDetail, **ERRORS},
            summary="A form: versions and fields (personal fields marked)")
@rule("project.view")
def form_detail(request, slug: Slug, form_id: FormId):
    from lnob.forms.services import get_form
    from lnob.forms.xlsform import FormSchema

    form = get_form(project_for(request, slug, "project.view"), form_id)
    out = _form(form)
    versions = list(form.versions.all())
    out["version_list"] = [{"version": v.version, "created_at": v.created_at, "languages": v.languages or []}
                           for v in versions]
    fields = FormSchema(versions[0].survey_json).fields if versions else []
    from lnob.forms.personal import personal_paths

    personal = personal_paths(form, fields)
    out["fields"] = [{"path": f.path, "name": f.name, "column": f.column, "type": f.type, "kind": f.kind,
                      "repeat": f.repeat, "personal": f.path in personal} for f in fields]
    return out


class _Shaper:
    """Parses records and leaves out personal fields unless the user may see them."""

    def __init__(self, show_personal: bool) -> None:
        self.show_personal = show_personal
        self._schemas: dict[int, tuple] = {}

    def _schema(self, fv):
        if fv.pk not in self._schemas:
            from lnob.forms.xlsform import FormSchema

            from lnob.forms.personal import marks

            schema = FormSchema(fv.survey_json)
            form_marks = marks(fv.form)
            personal = {(f.repeat, f.column) for f in schema.fields if form_marks.get(f.path, f.personal)}
            self._schemas[fv.pk] = (schema, personal)
        return self._schemas[fv.pk]

    def __call__(self, r) -> dict:
        from lnob.records.parse import parse_record

        schema, personal = self._schema(r.form_version)
        out = {"id": r.pk, "instance_id": r.instance_id, "form_id": r.form.form_id, "version": r.form_version.version,
               "source": r.source, "review_state": r.review_state, "received_at": r.received_at,
               "values": None, "repeats": {}, "hidden": [], "error": None}
        try:
            parsed = parse_record(r.raw, schema)
        except LnobError as exc:
            out["error"] = exc.as_dict()
            return out
        drop = set() if self.show_personal else personal
        out["values"] = {k: v for k, v in parsed.values.items() if (None, k) not in drop}
        out["repeats"] = {key: [{k: v for k, v in row.items() if (key, k) not in drop} for row in rows]
                          for key, rows in parsed.repeats.items()}
        out["hidden"] = sorted(f"{rep}/{col}" if rep else col for rep, col in drop)
        return out


def may_see_personal(user, project) -> bool:
    from lnob.core.services import may_see_personal as allowed

    return allowed(user, project)


def _audit_view(request, project, what: str, n: int, personal: bool) -> None:
    from lnob.audit.log import record

    record("microdata_view", actor=request.user, project=project, target=what, request=request, records=n,
           personal=personal, via="api")


@router.get("/projects/{slug}/records", response={200: RecordPage, **ERRORS},
            summary="Records (parsed values; personal fields only with records.view_personal)")
@rule("records.view")
def record_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0,
                form: Annotated[Text | None, Query(max_length=255)] = None,
                after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="only records with a larger id")] = None,
                review_state: Annotated[str | None, Query(pattern="^(received|has_issues|approved|rejected)$")] = None):
    from lnob.records.models import Record

    project = project_for(request, slug, "records.view")
    qs = Record.objects.filter(project=project).select_related("form", "form_version").order_by("id")
    if form:
        from lnob.forms.services import get_form

        qs = qs.filter(form=get_form(project, form))
    if after is not None:
        qs = qs.filter(pk__gt=after)
    if review_state:
        qs = qs.filter(review_state=review_state)
    show = may_see_personal(request.user, project)
    shape = _Shaper(show)
    rows = list(qs[offset:offset + limit])
    count = qs.count()
    items = [shape(r) for r in rows]
    if items:
        _audit_view(request, project, "api:records", len(items), show)
    more = offset + len(rows) < count
    return {"count": count, "limit": limit, "offset": offset, "items": items,
            "next_after": rows[-1].pk if rows and more else None}


@router.get("/projects/{slug}/records/{record_id}", response={200: RecordOut, **ERRORS}, summary="One record")
@rule("records.view")
def record_detail(request, slug: Slug, record_id: Annotated[int, Path(ge=1, le=MAX_ID)]):
    from lnob.records.models import Record

    project = project_for(request, slug, "records.view")
    r = Record.objects.filter(project=project, pk=record_id).select_related("form", "form_version").first()
    if r is None:
        raise NotFound(_("no record %(id)s in project %(p)s") % {"id": record_id, "p": slug}, where=str(record_id),
                       code="records.unknown-record")
    show = may_see_personal(request.user, project)
    _audit_view(request, project, f"api:record:{r.pk}", 1, show)
    return _Shaper(show)(r)
