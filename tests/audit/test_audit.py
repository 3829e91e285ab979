"""The audit log: events recorded, append-only, visible to owners only; login rate limiting."""

from __future__ import annotations

import sqlite3

import pytest
from django.core.cache import cache
from django.urls import reverse

from helpers import lnob
from lnob.audit.log import record
from lnob.audit.models import AppendOnlyError, AuditEvent
from lnob.core import services

PASSWORD = "a-long-passphrase"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def project(db):
    return services.create_project("wash", "WASH survey", org="Org")


@pytest.mark.django_db
def test_logins_failed_logins_and_logouts_are_recorded(client, project):
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0  # earlier modules' events
    services.create_user("asha", PASSWORD)
    client.post(reverse("login"), {"username": "asha", "password": "nope"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "asha", "password": PASSWORD})
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("action", "actor_name"))
    assert actions == [("login_failed", "asha"), ("login", "asha"), ("logout", "asha")]
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.ip == "10.1.2.3"
    assert PASSWORD not in str(failed.details) and "nope" not in str(failed.details)


@pytest.mark.django_db
def test_role_changes_are_recorded_with_the_actor(client, project):
    from lnob.audit.log import acting_as

    owner = services.create_user("owner", PASSWORD)
    user = services.create_user("ravi", PASSWORD)
    with acting_as(owner):
        services.grant_role(user, project, "viewer")
        services.grant_role(user, project, "analyst")
        project.memberships.get(user=user).delete()
    events = list(AuditEvent.objects.filter(project=project).order_by("id"))
    assert [e.action for e in events] == ["role_granted", "role_changed", "role_revoked"]
    assert all(e.actor_name == "owner" and e.target == "ravi" for e in events)
    assert events[1].details == {"old_role": "viewer", "role": "analyst"}


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted(project):
    event = record("export", actor_name="asha", project=project, target="records.csv")
    event.target = "other"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(target="x")


def test_database_refuses_changes_in_a_real_workspace(tmp_path):
    assert lnob("init", home=tmp_path).code == 0
    assert lnob("project", "create", "p", "--name", "P", home=tmp_path).code == 0
    r = lnob("user", "create", "ana", "--password-stdin", "--project", "p", "--role", "viewer",
             home=tmp_path, stdin=PASSWORD + "\n")
    assert r.code == 0, r.err
    con = sqlite3.connect(tmp_path / "lnob.sqlite3")
    rows = con.execute("select action, actor_name, target from audit_auditevent").fetchall()
    assert rows and rows[0][0] == "role_granted" and rows[0][1].startswith("cli:") and rows[0][2] == "ana"
    for sql in ("update audit_auditevent set target='x'", "delete from audit_auditevent"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(sql)
    con.close()


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("owner", 200), ("manager", 403), ("analyst", 403), ("viewer", 403)])
def test_audit_page_is_for_owners(client, project, role, status):
    user = services.create_user("u", PASSWORD)
    services.grant_role(user, project, role)
    client.force_login(user)
    resp = client.get(reverse("project-audit", args=["wash"]))
    assert resp.status_code == status
    if status == 200:
        assert "role granted" in resp.content.decode()


@pytest.mark.django_db
def test_audit_page_requires_login(client, project):
    resp = client.get(reverse("project-audit", args=["wash"]))
    assert resp.status_code == 302


@pytest.mark.django_db
def test_login_rate_limit_blocks_after_repeated_failures(client, project):
    services.create_user("asha", PASSWORD)
    for _ in range(5):
        assert client.post(reverse("login"), {"username": "asha", "password": "wrong"}).status_code == 200
    blocked = client.post(reverse("login"), {"username": "asha", "password": PASSWORD})
    assert blocked.status_code == 429, "even the right password is refused while blocked"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_blocked", target="asha").count() == 1
    # another user is not affected
    services.create_user("ravi", PASSWORD)
    assert client.post(reverse("login"), {"username": "ravi", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_every_sensitive_action_leaves_an_event(client, settings, tmp_path):
    """Logins, failed logins, role changes, record views, microdata exports and their downloads,
    personal-field marking, personal-data grants and publications: each is in the owner's log."""
    from lnob.audit.log import acting_as
    from lnob.forms.services import add_form
    from lnob.jobs.queue import run_pending
    from lnob.records.analytics import AnalyticsStore
    from lnob.records.models import Record
    from lnob.records.services import store_records, sync_analytics
    from records.conftest import SMALL_FORM, small_instance

    settings.HOME = str(tmp_path)
    project = services.create_project("small", "Small")
    (tmp_path / "f.md").write_text(SMALL_FORM, encoding="utf-8")
    fv, _ = add_form(project, tmp_path / "f.md")
    store_records(project, fv, [small_instance(f"uuid:a{i}", village="Ba") for i in range(6)])
    sync_analytics(project, store=AnalyticsStore(tmp_path / "analytics.duckdb"))
    owner = services.create_user("owner", PASSWORD)
    analyst = services.create_user("ana", PASSWORD)
    with acting_as(owner):
        services.grant_role(owner, project, "owner")
        services.grant_role(analyst, project, "viewer")
        services.grant_role(analyst, project, "analyst")
    client.post(reverse("login"), {"username": "ana", "password": "wrong"})
    client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    rec = Record.objects.filter(project=project).first()
    assert client.get(reverse("record-detail", args=["small", rec.pk])).status_code == 200
    url = reverse("records-export", args=["small"])
    token = client.post(url, {"action": "check", "form": "small", "quasi": ["hh__village"], "k": "5",
                              "format": "csv"}).context["token"]
    client.post(url, {"action": "run", "token": token, "mode": "suppress"})
    run_pending()
    from lnob.jobs.models import Job

    job = Job.objects.get(kind="records.export")
    assert client.get(reverse("records-export-download", args=["small", job.pk])).status_code == 200
    client.force_login(owner)
    client.post(reverse("form-personal", args=["small", "small"]), {"field": "hh/note", "mark": "personal"})
    membership = project.memberships.get(user=analyst)
    client.post(reverse("personal-grants", args=["small"]), {"membership": membership.pk, "granted": "1"})
    client.post(reverse("project-public", args=["small"]), {"public": "1"})
    got = {(e.action, e.actor_name) for e in AuditEvent.objects.all()}
    for expected in [("login_failed", "ana"), ("login", "ana"), ("role_granted", "owner"), ("role_changed", "owner"),
                     ("microdata_view", "ana"), ("export", "ana"), ("personal_marking", "owner"),
                     ("personal_grant", "owner"), ("publication", "owner")]:
        assert expected in got, expected
    exports = AuditEvent.objects.filter(action="export").order_by("id")
    assert [bool(e.details.get("download")) for e in exports] == [False, True]
    assert exports[0].details["microdata"]["quasi"] == ["hh__village"]
    page = client.get(reverse("project-audit", args=["small"])).content.decode()
    for label in ("personal field marked or unmarked", "personal-data access granted or withdrawn",
                  "microdata viewed", "export", "failed login"):
        assert label in page, label
