"""Views of the web platform shell: home, project page.

Every project view resolves the user's role first and refuses by default
(:mod:`lnob.core.roles`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from lnob.core import services
from lnob.core.models import Project
from lnob.core.roles import ROLE_LABELS, role_allows


def home(request):
    projects = []
    if request.user.is_authenticated:
        projects = list(
            services.projects_for(request.user).annotate(n_records=Count("records", distinct=True))
        )
    return render(request, "lnob/home.html", {"projects": projects})


@login_required
def project_detail(request, slug: str):
    try:
        project = Project.objects.select_related("organisation").get(slug=slug)
    except Project.DoesNotExist:
        raise Http404 from None
    role = services.role_of(request.user, project)
    if not role_allows(role, "project.view"):
        raise PermissionDenied
    forms = project.forms.annotate(n_records=Count("records")).prefetch_related("versions")
    return render(
        request,
        "lnob/project.html",
        {
            "project": project,
            "role": role,
            "role_label": ROLE_LABELS.get(role, ""),
            "forms": forms,
            "n_records": project.records.count(),
            "n_members": project.memberships.count(),
        },
    )
