"""The jobs page of a project: background jobs with their progress (included under /p/<slug>/)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from lnob.web.access import project_view


@project_view("results.view")
def job_list(request, project):
    from lnob.jobs.models import Job

    qs = Job.objects.filter(project=project).select_related("user")
    status = request.GET.get("status")
    if status in Job.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    statuses = [(value, label, Job.objects.filter(project=project, status=value).count())
                for value, label in Job.Status.choices]
    return render(request, "lnob/jobs/list.html",
                  {"project": project, "page": page, "status": status, "statuses": statuses})


urlpatterns = [
    path("jobs/", job_list, name="project-jobs"),
]
