"""Exports, imports and background jobs."""

from __future__ import annotations

from typing import Annotated

from django.http import FileResponse
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from lnob.api.access import allows, project_for, rule
from lnob.api.errors import Conflict, Forbidden
from lnob.api.projects import ERRORS, Limit, Offset, Slug, may_see_personal
from lnob.api.schemas import MAX_ID, ErrorOut, ExportIn, JobOut, JobPage, Text
from lnob.errors import InputError, NotFound
from lnob.i18n import _

router = Router(tags=["jobs"])

JobId = Annotated[int, Path(ge=1, le=MAX_ID)]


def job_out(job) -> dict:
    d = job.as_dict()
    if job.kind == "records.export" and job.status == "done" and job.project_id:
        d["download"] = f"/api/projects/{job.project.slug}/exports/{job.pk}/download"
    elif job.kind == "publish.brief" and job.status == "done" and job.project_id:
        d["download"] = f"/api/projects/{job.project.slug}/briefs/{job.pk}/download"
    return d


def _page(qs, limit, offset) -> dict:
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [job_out(j) for j in qs.select_related("project", "user")[offset:offset + limit]]}


@router.post("/projects/{slug}/exports", response={202: JobOut, **ERRORS},
             summary="Start an export (a background job); download it when done")
@rule("records.export")
def export_start(request, slug: Slug, body: ExportIn):
    from lnob.jobs.queue import enqueue

    project = project_for(request, slug, "records.export")
    if body.include_personal and not may_see_personal(request.user, project):
        raise Forbidden(_("your role does not allow exporting personal fields"), where="include_personal",
                        hint=_("leave include_personal false, or ask an owner for access to personal data"))
    if body.form_id:
        from lnob.forms.services import get_form

        get_form(project, body.form_id)
    job = enqueue("records.export", {"format": body.format, "form_id": body.form_id,
                                     "include_personal": body.include_personal}, project=project, user=request.user)
    return Status(202, job_out(job))


@router.get("/projects/{slug}/exports", response={200: JobPage, **ERRORS}, summary="The project's exports")
@rule("records.export")
def export_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0):
    from lnob.jobs.models import Job

    project = project_for(request, slug, "records.export")
    return _page(Job.objects.filter(project=project, kind="records.export"), limit, offset)


@router.get("/projects/{slug}/exports/{job_id}/download", response={409: ErrorOut, **ERRORS},
            summary="Download a finished export (audit-logged)",
            openapi_extra={"responses": {"200": {"description": "the export file (ZIP or XLSX)",
                                                 "content": {"application/octet-stream": {}}}}})
@rule("records.export")
def export_download(request, slug: Slug, job_id: JobId):
    from lnob.audit.log import record
    from lnob.jobs.kinds import export_dir
    from lnob.jobs.models import Job

    project = project_for(request, slug, "records.export")
    job = Job.objects.filter(project=project, kind="records.export", pk=job_id).first()
    if job is None:
        raise NotFound(_("no export %(id)s in project %(p)s") % {"id": job_id, "p": slug}, where=str(job_id),
                       code="api.unknown-export")
    if job.status != "done":
        raise Conflict(_("the export is not ready (%(s)s)") % {"s": job.status}, where=str(job_id),
                       hint=_("poll GET /api/jobs/%(id)s until its status is done") % {"id": job_id})
    result = job.result or {}
    if result.get("include_personal") and not may_see_personal(request.user, project):
        raise Forbidden(_("this export holds personal fields, which your role may not see"), where=str(job_id))
    root = export_dir().resolve()
    path = (root / str(result.get("file", ""))).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(_("the export file is gone"), where=str(job_id), hint=_("start a new export"),
                       code="api.export-gone")
    record("export", actor=request.user, project=project, target=path.name, request=request, download=True,
           job=job.pk, format=result.get("format"), personal=bool(result.get("include_personal")))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@router.post("/projects/{slug}/imports", response={202: JobOut, **ERRORS},
             summary="Import a Kobo/ODK export file (a background job)")
@rule("forms.manage")
def import_start(request, slug: Slug, file: File[UploadedFile],
                 form_id: Annotated[str | None, Form(max_length=255, pattern=r"^[^\x00/]*$")] = None):
    import secrets
    from pathlib import Path as FsPath

    from django.conf import settings

    from lnob.jobs.kinds import upload_dir
    from lnob.jobs.queue import enqueue

    project = project_for(request, slug, "forms.manage")
    limit = int(getattr(settings, "IMPORT_MAX_SIZE", 200 * 1024 * 1024))
    if file.size is not None and file.size > limit:
        raise InputError(_("the file is too large"), where=file.name, code="records.import-too-large")
    name = FsPath(file.name or "upload").name.replace("\x00", "")[:200] or "upload"
    stored = f"{secrets.token_hex(8)}-{name}"
    with (upload_dir() / stored).open("wb") as fh:
        for chunk in file.chunks():
            fh.write(chunk)
    job = enqueue("records.import", {"file": stored, "filename": name, "form_id": form_id}, project=project,
                  user=request.user)
    return Status(202, job_out(job))


@router.get("/projects/{slug}/jobs", response={200: JobPage, **ERRORS}, summary="The project's background jobs")
@rule("results.view")
def job_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0,
             status: Annotated[str | None, Query(pattern="^(queued|running|done|failed)$")] = None,
             kind: Annotated[Text | None, Query(max_length=64)] = None):
    from lnob.jobs.models import Job

    project = project_for(request, slug, "results.view")
    qs = Job.objects.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return _page(qs, limit, offset)


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS},
            summary="A job's status and progress (your own jobs, or any job of a project where you have results.view)")
@rule(None)
def job_detail(request, job_id: JobId):
    from lnob.jobs.models import Job

    job = Job.objects.select_related("project", "user").filter(pk=job_id).first()
    visible = job is not None and (
        job.user_id == request.user.pk or request.user.is_superuser
        or (job.project_id is not None and allows(request, job.project, "results.view"))
    )
    if not visible:
        raise NotFound(_("no job %(id)s that you can see") % {"id": job_id}, where=str(job_id),
                       code="jobs.unknown-job")
    return job_out(job)
