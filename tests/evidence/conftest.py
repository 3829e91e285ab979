"""A small demo (600 households, seed 1) with its indicators run, shared by the module's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
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
    # left in the test database (dropped at the end of the run): records protect the project
    return project, users
