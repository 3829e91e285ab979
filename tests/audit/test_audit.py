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
    services.create_user("asha", PASSWORD)
    client.post(reverse("login"), {"username": "asha", "password": "nope"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "asha", "password": PASSWORD})
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name"))
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
