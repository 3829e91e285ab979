"""Two organisations' demo projects (different seeds, 300 households each, two indicators run),
built for each test module that uses them and removed from the test database afterwards.

The demo builder always writes project ``demo``; after the first build and run the project is
renamed and moved to organisation A, so the second build creates a fresh ``demo`` for B.
Organisation B's project has a stricter disclosure policy (threshold 40), so some of its cells
are suppressed where A's are published.
"""

from __future__ import annotations

import pytest

INDICATORS = ["basic_sanitation", "child_marriage"]
DIMENSIONS = ["sex", "ethnicity", "urbanisation", "province"]


# Module scope, not package: pytest-django runs database tests before the others, so a package
# fixture would keep these records alive (and visible to other packages' tests) until the
# coalition package's last, database-free test.
@pytest.fixture(scope="module")
def members(django_db_setup, django_db_blocker):
    from django.conf import settings

    from lnob.core.models import Organisation, Project
    from lnob.demo import build_demo
    from lnob.indicators.services import run_project

    made = []
    with django_db_blocker.unblock():
        for seed, org_slug, slug, policy in ((1, "org-a", "org-a-survey", None),
                                             (2, "org-b", "org-b-survey", {"threshold": 40,
                                                                          "sensitive_threshold": 40})):
            build_demo(settings.HOME, households=300, seed=seed)
            run_project("demo", indicators=INDICATORS, depth=1)
            org = Organisation.objects.create(slug=org_slug, name=org_slug.upper(), country="VN")
            project = Project.objects.get(slug="demo")
            project.slug, project.organisation = slug, org
            if policy:
                project.survey_design = {**project.survey_design, "disclosure": policy}
            project.save()
            made.append(project)
    yield made
    with django_db_blocker.unblock():
        from lnob.forms.models import Form
        from lnob.records.models import Record

        for project in made:
            Record.objects.filter(project=project).delete()
            Form.objects.filter(project=project).delete()
            org = project.organisation
            project.delete()
            org.delete()
        Organisation.objects.filter(projects__isnull=True).delete()
