"""Record pages: permissions, import upload, quality page, review with history, personal fields hidden."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lnob.audit.models import AuditEvent
from lnob.core import services
from lnob.records.models import Record, ReviewEvent
from lnob.records.quality import check_records
from lnob.records.services import store_records

from .conftest import small_instance

pytestmark = pytest.mark.django_db

CSV = (b"consent,hh/head,hh/village,hh/size,_uuid\nyes,Asha,Ba,3,w1\nyes,Binh,Ca,99,w2\n")


@pytest.fixture
def site(small, settings, tmp_path):
    project, fv, store = small
    settings.HOME = str(tmp_path)  # the analytics store of this test
    users = {}
    for role in ("viewer", "analyst", "manager"):
        users[role] = services.create_user(role, "a-long-passphrase", validate=False)
        services.grant_role(users[role], project, role)
    services.create_user("stranger", "a-long-passphrase", validate=False)
    return project, fv, users


def login(client, name):
    client.login(username=name, password="a-long-passphrase")


@pytest.mark.parametrize("name, url, status", [
    (None, "records", 302), ("stranger", "records", 403), ("viewer", "records", 403), ("analyst", "records", 200),
    (None, "records-quality", 302), ("viewer", "records-quality", 403), ("analyst", "records-quality", 200),
    ("analyst", "records-import", 403), ("manager", "records-import", 200), (None, "records-import", 302),
])
def test_permissions(client, site, name, url, status):
    if name:
        login(client, name)
    resp = client.get(reverse(url, args=["small"]))
    assert resp.status_code == status
    if status == 302:
        assert "/accounts/login/" in resp["Location"]


def test_upload_import_then_quality_and_review(client, site):
    project, fv, users = site
    login(client, "manager")
    resp = client.post(reverse("records-import", args=["small"]),
                       {"file": SimpleUploadedFile("kobo.csv", CSV, "text/csv"), "form": "small"})
    assert resp.status_code == 200, resp.content[:2000]
    assert resp.context["result"].created == 2
    assert "2 new, 0 already present" in resp.content.decode()
    resp = client.post(reverse("records-import", args=["small"]), {"file": SimpleUploadedFile("kobo.csv", CSV)})
    assert resp.context["result"].already_present == 2
    # another form's file: a clear error, nothing written
    resp = client.post(reverse("records-import", args=["small"]),
                       {"file": SimpleUploadedFile("t.csv", b"a,b,c\n1,2,3\n")})
    assert resp.status_code == 400 and b"Nothing was imported" in resp.content
    assert Record.objects.count() == 2
    page = client.get(reverse("records-quality", args=["small"]))
    text = page.content.decode()
    assert page.status_code == 200 and "hh/size" in text and "constraint" in text
    assert page.context["summary"]["states"]["has_issues"] == 1
    rec = Record.objects.get(instance_id="uuid:w2")
    url = reverse("record-detail", args=["small", rec.pk])
    resp = client.post(url, {"state": "rejected", "comment": ""})
    assert resp.status_code == 302
    rec.refresh_from_db()
    assert rec.review_state == "has_issues"  # a rejection needs a comment
    client.post(url, {"state": "rejected", "comment": "size 99 is impossible"})
    rec.refresh_from_db()
    assert rec.review_state == "rejected"
    ev = ReviewEvent.objects.filter(record=rec).last()
    assert ev.actor == users["manager"] and ev.comment == "size 99 is impossible"
    page = client.get(url)
    assert "size 99 is impossible" in page.content.decode() and "Asha" not in page.content.decode()


def test_analyst_sees_no_personal_fields_and_cannot_review(client, site):
    project, fv, users = site
    store_records(project, fv, [small_instance("uuid:p1", head="Secret Name")])
    check_records(project)
    rec = Record.objects.get()
    login(client, "analyst")
    page = client.get(reverse("record-detail", args=["small", rec.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Secret Name" not in text and "hidden for your role" in text
    assert AuditEvent.objects.filter(action="microdata_view", target="uuid:p1").exists()
    assert client.post(reverse("record-detail", args=["small", rec.pk]), {"state": "approved"}).status_code == 403
    assert client.post(reverse("records-quality", args=["small"])).status_code == 403
    login(client, "manager")
    assert "Secret Name" in client.get(reverse("record-detail", args=["small", rec.pk])).content.decode()
