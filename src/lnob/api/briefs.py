"""Advocacy briefs as background jobs (``publish.brief``): start one, list them, download the file.

A brief holds only disclosure-controlled figures, so any member may ask for one
(``project.view``, as the dashboard's brief button); writing it is a ``publication``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import FileResponse
from ninja import Path, Router, Schema, Status
from pydantic import Field

from lnob.api.access import project_for, rule
from lnob.api.errors import Conflict
from lnob.api.projects import ERRORS, Limit, Offset, Slug
from lnob.api.schemas import MAX_ID, ErrorOut, JobOut, JobPage
from lnob.errors import NotFound
from lnob.i18n import _

router = Router(tags=["briefs"])

JobId = Annotated[int, Path(ge=1, le=MAX_ID)]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,63}$")]
Group = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,63}=[^\x00=]{1,100}$")]


class BriefIn(Schema):
    format: Literal["pdf", "html"] = "pdf"
    lang: Literal["en", "hi", "vi", "bn"] = "en"
    template: Literal["local", "vnr"] = "local"
    #: indicator ids (default: the ones with most findings)
    indicators: Annotated[list[Ident], Field(max_length=20)] = []
    #: groups to focus on, ``dimension=category``
    groups: Annotated[list[Group], Field(max_length=10)] = []


def brief_job_out(job) -> dict:
    d = job.as_dict()
    if job.status == "done" and job.project_id:
        d["download"] = f"/api/projects/{job.project.slug}/briefs/{job.pk}/download"
    return d


@router.post("/projects/{slug}/briefs", response={202: JobOut, **ERRORS},
             summary="Write an advocacy brief in the background (disclosure-controlled figures only)")
@rule("project.view")
def brief_start(request, slug: Slug, body: BriefIn):
    from lnob.jobs.briefs import KIND
    from lnob.jobs.queue import enqueue

    project = project_for(request, slug, "project.view")
    job = enqueue(KIND, {"format": body.format, "lang": body.lang, "template": body.template,
                         "indicators": list(body.indicators), "groups": list(body.groups)},
                  project=project, user=request.user)
    return Status(202, brief_job_out(job))


@router.get("/projects/{slug}/briefs", response={200: JobPage, **ERRORS}, summary="The project's brief jobs")
@rule("project.view")
def brief_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0):
    from lnob.jobs.briefs import KIND
    from lnob.jobs.models import Job

    project = project_for(request, slug, "project.view")
    qs = Job.objects.filter(project=project, kind=KIND)
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [brief_job_out(j) for j in qs.select_related("project", "user")[offset:offset + limit]]}


@router.get("/projects/{slug}/briefs/{job_id}/download", response={409: ErrorOut, **ERRORS},
            summary="Download a finished brief",
            openapi_extra={"responses": {"200": {"description": "the brief (PDF or HTML)",
                                                 "content": {"application/pdf": {}, "text/html": {}}}}})
@rule("project.view")
def brief_download(request, slug: Slug, job_id: JobId):
    from lnob.jobs.briefs import KIND, brief_dir
    from lnob.jobs.models import Job

    project = project_for(request, slug, "project.view")
    job = Job.objects.filter(project=project, kind=KIND, pk=job_id).first()
    if job is None:
        raise NotFound(_("no brief %(id)s in project %(p)s") % {"id": job_id, "p": slug}, where=str(job_id),
                       code="api.unknown-brief")
    if job.status != "done":
        raise Conflict(_("the brief is not ready (%(s)s)") % {"s": job.status}, where=str(job_id),
                       hint=_("poll GET /api/jobs/%(id)s until its status is done") % {"id": job_id})
    root = brief_dir().resolve()
    path = (root / str((job.result or {}).get("file", ""))).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(_("the brief file is gone"), where=str(job_id), hint=_("ask for a new brief"),
                       code="api.brief-gone")
    ctype = "application/pdf" if path.suffix == ".pdf" else "text/html; charset=utf-8"
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=ctype)
