"""A small demo (600 households, seed 1) with its indicators run, shared by the module's tests
and removed from the test database afterwards."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    from django.conf import settings

    from lnob.core import services
    from lnob.core.models import Project
    from lnob.demo import build_demo
    from lnob.indicators.services import run_project

    with django_db_blocker.unblock():
        build_demo(settings.HOME, households=600, seed=1)
        run_project("demo")
        project = Project.objects.get(slug="demo")
        users = {}
        for role in ("viewer", "analyst", "manager", "owner"):
            users[role] = services.create_user("ev_" + role, "a-long-passphrase", validate=False)
            services.grant_role(users[role], project, role)
    yield project, users
    # remove it again, so that later test modules see an empty database
    with django_db_blocker.unblock():
        from django.contrib.auth import get_user_model

        from lnob.core.models import Organisation
        from lnob.forms.models import Form
        from lnob.records.models import Record

        Record.objects.filter(project=project).delete()
        Form.objects.filter(project=project).delete()
        org = project.organisation
        project.delete()
        if not org.projects.exists():
            org.delete()
        get_user_model().objects.filter(username__in=[u.username for u in users.values()] + ["demo"]).delete()
