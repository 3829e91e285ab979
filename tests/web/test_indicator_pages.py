"""The indicators pages: the list, the definition editor (bad input → errors with line and field,
nothing saved; valid text → a new version the runner uses), version history, "run now", permissions.

A small demo (300 households) with its indicators run is shared by the module and removed afterwards.
"""

from __future__ import annotations

import pytest

from lnob.audit.models import AuditEvent
from lnob.indicators.models import DefinitionVersion, IndicatorResult

pytestmark = pytest.mark.django_db

EDIT = "/p/demo/indicators/definitions/edit/"

ADULTS = """format: 1
indicators:
  - id: adult_share
    title: {en: Share of people aged 18 or over}
    kind: proportion
    unit: person
    outcome: age >= %(age)d
"""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.conf import settings

    from lnob.core import services
    from lnob.core.models import Project
    from lnob.demo import build_demo
    from lnob.indicators.services import run_project

    with django_db_blocker.unblock():
        build_demo(settings.HOME, households=300, seed=4)
        run_project("demo", depth=1)
        project = Project.objects.get(slug="demo")
        users = {}
        for role in ("viewer", "analyst", "manager"):
            users[role] = services.create_user("ip_" + role, "a-long-passphrase", validate=False)
            services.grant_role(users[role], project, role)
    yield project, users
    with django_db_blocker.unblock():
        from django.contrib.auth import get_user_model

        from lnob.core.models import Organisation  # noqa: F401
        from lnob.forms.models import Form
        from lnob.records.models import Record

        Record.objects.filter(project=project).delete()
        Form.objects.filter(project=project).delete()
        org = project.organisation
        project.delete()
        if not org.projects.exists():
            org.delete()
        get_user_model().objects.filter(username__in=[u.username for u in users.values()] + ["demo"]).delete()


@pytest.fixture
def manager(client, world):
    client.force_login(world[1]["manager"])
    return client


def test_list_shows_ready_made_indicators_with_sdg_and_last_run(client, world):
    project, users = world
    client.force_login(users["viewer"])
    r = client.get("/p/demo/indicators/")
    assert r.status_code == 200
    html = r.content.decode()
    res = IndicatorResult.objects.get(project=project, indicator="basic_sanitation")
    assert "basic_sanitation" in html and "6.2.1" in html and "proportion" in html
    assert 'href="/p/demo/dashboard/indicators/basic_sanitation/"' in html
    assert res.computed_at.strftime("%Y-%m-%d %H:%M") in html
    # a viewer sees no editing or run controls
    assert EDIT not in html and "/p/demo/indicators/run/" not in html


BAD = [
    # (case, text, code, line, field shown)
    ("unknown field", ADULTS.replace("age >= %(age)d", "agee >= 18"), "indicators.unknown-field", 7, "outcome"),
    ("type misuse", ADULTS.replace("age >= %(age)d", "age + 'x' > 1"), "indicators.expr-type", 7, "outcome"),
    ("one category", """format: 1
dimensions:
  - id: old_age
    title: Old age
    unit: person
    factors: [discrimination]
    categories:
      - {code: OLD, when: "age >= 60"}
""", "indicators.dimension-one-category", 8, "categories"),
    ("empty population", ADULTS.replace("age >= %(age)d", "age >= 18\n    population: age > 200"),
     "indicators.empty-population", 3, "id"),
    ("module the form lacks", """format: 1
module: livelihoods
fields:
  income_source: {type: select_one, choices: [wage, farming], aliases: [hh_income_src]}
indicators:
  - id: wage_income
    title: Households living on wages
    kind: proportion
    unit: household
    outcome: income_source = 'wage'
""", "indicators.module-missing", 10, "outcome"),
    ("yaml syntax", "format: 1\nindicators:\n  - id: x\n   title: [unclosed\n", "indicators.yaml", None, None),
    ("unknown SDG code", ADULTS.replace("kind:", "sdg: [6.1.9]\n    kind:") % {"age": 18}, "sdg.unknown-indicator",
     5, "sdg"),
]


@pytest.mark.parametrize("case, text, code, line, field", BAD, ids=[b[0] for b in BAD])
def test_bad_definitions_show_line_and_field_and_save_nothing(manager, world, case, text, code, line, field):
    before = (DefinitionVersion.objects.count(), AuditEvent.objects.filter(action="definitions").count())
    r = manager.post(EDIT, {"text": text, "comment": case})
    assert r.status_code == 400
    html = r.content.decode()
    assert f"<code>{code}</code>" in html, html[html.find('id="problems"'):][:1500]
    assert "nothing was saved" in html
    if line is not None:
        assert f'href="#line-{line}"' in html and f'<li id="line-{line}" class="has-error">' in html
    if field is not None:
        assert f"field <code>{field}</code>" in html
    # the text sent is kept in the textarea; nothing stored, nothing audited
    assert "aria-invalid=\"true\"" in html
    assert (DefinitionVersion.objects.count(), AuditEvent.objects.filter(action="definitions").count()) == before


def test_valid_edit_makes_a_version_the_runner_uses(manager, world):
    from lnob.indicators.services import run_project

    project, users = world
    r = manager.post(EDIT, {"text": ADULTS % {"age": 18}, "comment": "adults"})
    assert r.status_code == 302 and r["Location"] == "/p/demo/indicators/definitions/"
    v1 = DefinitionVersion.objects.get(project=project)
    assert v1.number == 1 and v1.created_by == users["manager"] and v1.comment == "adults"
    import hashlib

    assert v1.sha256 == hashlib.sha256(v1.text.encode()).hexdigest()
    ev = AuditEvent.objects.get(action="definitions", project=project)
    assert ev.actor == users["manager"] and ev.target == "v1" and ev.details["sha256"] == v1.sha256
    assert ev.details["indicators"] == ["adult_share"]

    res = run_project("demo", depth=1)
    assert [c.indicator.id for c in res.computed] == ["adult_share"]
    assert "basic_sanitation" in res.unchanged  # the ready-made results are kept
    first = IndicatorResult.objects.get(project=project, indicator="adult_share")
    assert first.provenance["definition"].startswith("project:demo/v1:")
    total = [row for row in first.rows if not row["groups"]][0]
    assert 0 < total["estimate"] < 1

    # the same text again: nothing new
    r = manager.post(EDIT, {"text": ADULTS % {"age": 18}})
    assert r.status_code == 302 and DefinitionVersion.objects.filter(project=project).count() == 1

    # a change: version 2, and only that indicator is recomputed, with a new definition hash
    r = manager.post(EDIT, {"text": (ADULTS % {"age": 60}).replace("\n", "\r\n")})
    assert r.status_code == 302
    v2 = DefinitionVersion.objects.get(project=project, number=2)
    assert "\r" not in v2.text and v2.sha256 != v1.sha256
    res = run_project("demo", depth=1)
    assert [c.indicator.id for c in res.computed] == ["adult_share"]
    second = IndicatorResult.objects.get(project=project, indicator="adult_share")
    assert second.definition_hash != first.definition_hash
    assert second.provenance["definition"].startswith("project:demo/v2:")
    assert [row for row in second.rows if not row["groups"]][0]["estimate"] < total["estimate"]
    assert run_project("demo", depth=1).computed == []

    # the history: both versions, the diff of v2, v1 still readable
    html = manager.get("/p/demo/indicators/definitions/").content.decode()
    assert "/p/demo/indicators/definitions/1/" in html and "/p/demo/indicators/definitions/2/" in html
    html = manager.get("/p/demo/indicators/definitions/2/").content.decode()
    assert '<span class="diff-del">-    outcome: age &gt;= 18</span>' in html
    assert '<span class="diff-add">+    outcome: age &gt;= 60</span>' in html
    html = manager.get("/p/demo/indicators/definitions/1/").content.decode()
    assert "age &gt;= 18" in html
    assert manager.get("/p/demo/indicators/definitions/9/").status_code == 404
    # the list marks it as the project's own, linked to its dashboard page
    html = manager.get("/p/demo/indicators/").content.decode()
    assert 'href="/p/demo/dashboard/indicators/adult_share/"' in html and "project (v2)" in html
    # the dashboard, the left-behind page and the API describe the project's own indicator too
    html = manager.get("/p/demo/dashboard/indicators/adult_share/").content.decode()
    assert "Share of people aged 18 or over" in html
    r = manager.get("/p/demo/left-behind/indicators/adult_share/")
    assert r.status_code == 200 and "Share of people aged 18 or over" in r.content.decode()
    from lnob.api.indicators import _indicators_of

    assert "adult_share" in {i.id for i in _indicators_of(project)}


def test_viewer_and_analyst_cannot_edit_or_run_anonymous_is_sent_to_login(client, world):
    project, users = world
    n = DefinitionVersion.objects.count()
    for role in ("viewer", "analyst"):
        client.force_login(users[role])
        assert client.get(EDIT).status_code == 403
        assert client.post(EDIT, {"text": ADULTS % {"age": 30}}).status_code == 403
        assert client.post("/p/demo/indicators/run/").status_code == 403
        assert client.get("/p/demo/indicators/definitions/").status_code == 200
    client.logout()
    for url in ("/p/demo/indicators/", "/p/demo/indicators/definitions/", EDIT):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    r = client.post(EDIT, {"text": ADULTS % {"age": 30}})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert DefinitionVersion.objects.count() == n


def test_run_now_queues_one_job_that_runs_the_indicators(manager, world):
    from lnob.jobs.models import Job
    from lnob.jobs.queue import run_pending

    project, users = world
    assert manager.get("/p/demo/indicators/run/").status_code == 405
    r = manager.post("/p/demo/indicators/run/", {"force": "1"})
    assert r.status_code == 302
    r = manager.post("/p/demo/indicators/run/")  # already waiting: not queued twice
    assert Job.objects.filter(project=project, kind="indicators.run").count() == 1
    job = Job.objects.get(project=project, kind="indicators.run")
    assert job.user == users["manager"] and job.args == {"force": True}
    assert run_pending("test") == 1
    job.refresh_from_db()
    assert job.status == "done", job.error
    n_ind = IndicatorResult.objects.filter(project=project).count()
    assert len(job.result["computed"]) == n_ind and job.result["results"] > 0
    html = manager.get("/p/demo/indicators/").content.decode()
    assert f"Last run job: #{job.pk}" in html
