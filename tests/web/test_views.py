"""The web platform shell: login, projects, project page, roles, languages, admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lnob.core import services
from lnob.forms.models import Form, FormVersion
from lnob.records.models import Record

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = services.create_project("wash", "WASH survey", org="Dalit Rights Network")
    form = Form.objects.create(project=project, form_id="hh", title="Household survey")
    version = FormVersion.objects.create(
        form=form, version="1", xlsform=b"", xlsform_name="hh.xlsx", xform="<h/>", xform_md5="0" * 32,
        source_sha256="0" * 64, survey_json={},
    )
    for i in range(3):
        Record.objects.create(project=project, form=form, form_version=version, instance_id=f"uuid:{i}",
                              raw="<hh/>", raw_sha256=str(i), source="demo")
    return project


def _user(name, project=None, role=None):
    user = services.create_user(name, "a-long-passphrase", validate=False)
    if project is not None:
        services.grant_role(user, project, role)
    return user


def test_home_anonymous_invites_login(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert reverse("login").encode() in resp.content


def test_login_then_project_page_shows_forms_and_counts(client, project):
    _user("asha", project, "viewer")
    resp = client.post(reverse("login"), {"username": "asha", "password": "a-long-passphrase"})
    assert resp.status_code == 302
    home = client.get("/")
    assert b"WASH survey" in home.content
    page = client.get(reverse("project", args=["wash"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Household survey" in text and "<code>hh</code>" in text
    assert page.context["n_records"] == 3
    assert [f.n_records for f in page.context["forms"]] == [3]


def test_wrong_password_stays_on_login(client, project):
    _user("asha", project, "viewer")
    resp = client.post(reverse("login"), {"username": "asha", "password": "wrong"})
    assert resp.status_code == 200 and b'role="alert"' in resp.content


def test_project_page_requires_login(client, project):
    resp = client.get(reverse("project", args=["wash"]))
    assert resp.status_code == 302 and reverse("login") in resp["Location"]


def test_user_without_role_is_refused(client, project):
    client.force_login(_user("stranger"))
    assert client.get(reverse("project", args=["wash"])).status_code == 403
    assert b"WASH survey" not in client.get("/").content


def test_unknown_project_is_404(client, project):
    client.force_login(_user("asha", project, "owner"))
    assert client.get(reverse("project", args=["nope"])).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "enumerator", "analyst", "manager", "owner"])
def test_every_role_sees_the_project_page(client, project, role):
    client.force_login(_user("u_" + role, project, role))
    assert client.get(reverse("project", args=["wash"])).status_code == 200


def test_logout_is_post_only(client, project):
    client.force_login(_user("asha", project, "viewer"))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


@pytest.mark.parametrize("lang, word", [("hi", "भाषा"), ("vi", "Ngôn ngữ"), ("bn", "ভাষা")])
def test_language_switcher(client, lang, word):
    resp = client.post(reverse("set_language"), {"language": lang, "next": "/"})
    assert resp.status_code == 302
    page = client.get("/")
    assert f'lang="{lang}"'.encode() in page.content
    assert word in page.content.decode(), "the interface is translated"


def test_admin_is_for_superusers_only(client, project):
    client.force_login(_user("asha", project, "owner"))
    assert client.get("/admin/").status_code == 302
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "a-long-passphrase")
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_security_headers(client):
    resp = client.get("/")
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in resp["Permissions-Policy"]
    assert resp["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/admin/core/project/", "/admin/core/organisation/", "/admin/core/membership/",
                                 "/admin/forms/form/", "/admin/records/record/", "/admin/audit/auditevent/"])
def test_admin_pages(client, project, url):
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "a-long-passphrase")
    client.force_login(admin)
    assert client.get(url).status_code == 200


def test_admin_cannot_delete_records_or_audit_events(client, project):
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "a-long-passphrase")
    client.force_login(admin)
    record = Record.objects.first()
    assert client.get(f"/admin/records/record/{record.pk}/delete/").status_code == 403


def test_owner_makes_the_dashboard_public_and_it_is_audited(client, project):
    from lnob.audit.models import AuditEvent

    client.force_login(_user("own", project, "owner"))
    page = client.get(reverse("project", args=["wash"])).content.decode()
    assert reverse("evidence", args=["wash"]) in page and "Make it public" in page
    client.post(reverse("project-public", args=["wash"]), {"public": "1"})
    project.refresh_from_db()
    assert project.public
    assert AuditEvent.objects.filter(action="publication", project=project).exists()
    client.post(reverse("project-public", args=["wash"]), {"public": "0"})
    project.refresh_from_db()
    assert not project.public


def test_manager_cannot_change_publicity(client, project):
    client.force_login(_user("man", project, "manager"))
    assert client.post(reverse("project-public", args=["wash"]), {"public": "1"}).status_code == 403
    project.refresh_from_db()
    assert not project.public


def test_brief_download_needs_results(client, project):
    client.force_login(_user("v", project, "viewer"))
    resp = client.get(reverse("brief", args=["wash", "basic_sanitation"]), follow=True)
    assert resp.status_code == 200
    assert "lnob run" in resp.content.decode(), "no results yet: the page says how to compute them"
