"""The export page (risk summary before every microdata export, background job, download), personal-field
marking on the form page and the owners' personal-data grants — permissions, audit, hostile input."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core import signing
from django.urls import reverse

from lnob.audit.models import AuditEvent
from lnob.core import services
from lnob.forms.models import PersonalMark
from lnob.forms.services import add_form
from lnob.jobs.models import Job
from lnob.jobs.queue import enqueue, run_pending
from lnob.records.analytics import AnalyticsStore
from lnob.records.services import store_records, sync_analytics
from records.conftest import SMALL_FORM, small_instance

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase"


@pytest.fixture
def site(settings, tmp_path):
    settings.HOME = str(tmp_path)
    project = services.create_project("small", "Small survey")
    other = services.create_project("other", "Other survey")
    path = tmp_path / "small.md"
    path.write_text(SMALL_FORM, encoding="utf-8")
    fv, _ = add_form(project, path)
    add_form(other, path)
    villages = ["Ba"] * 12 + ["Bo"] * 10 + ["Ka", "Ki", "Ma"]
    store_records(project, fv, [small_instance(f"uuid:s{i}", head=f"Head {i}", village=v, size=str(3 + i % 2),
                                               note="abc" if i % 2 else "xyz") for i, v in enumerate(villages)])
    sync_analytics(project, store=AnalyticsStore(tmp_path / "analytics.duckdb"))
    users = {}
    for role in ("viewer", "enumerator", "analyst", "manager", "owner"):
        users[role] = services.create_user(role, PASSWORD, validate=False)
        services.grant_role(users[role], project, role)
    users["stranger"] = services.create_user("stranger", PASSWORD, validate=False)
    services.grant_role(users["stranger"], other, "owner")
    return project, other, users


def _as(client, users, who):
    client.logout()
    if who:
        client.force_login(users[who])


URL = "/p/small/records/export/"


def _check(client, **extra):
    data = {"action": "check", "form": "small", "table": "form_small", "quasi": ["hh__village", "hh__size"],
            "k": "3", "format": "csv", **extra}
    return client.post(URL, data)


def _export(client, mode="suppress", **extra):
    resp = _check(client, **extra)
    assert resp.status_code == 200, resp.content.decode()[:3000]
    resp = client.post(URL, {"action": "run", "token": resp.context["token"], "mode": mode})
    assert resp.status_code == 302
    assert run_pending() == 1
    job = Job.objects.filter(kind="records.export").latest("id")
    assert job.status == "done", job.error
    return job


@pytest.mark.parametrize("who, status", [(None, 302), ("stranger", 403), ("viewer", 403), ("enumerator", 403),
                                         ("analyst", 200), ("manager", 200), ("owner", 200)])
def test_export_page_permissions(client, site, who, status):
    project, other, users = site
    _as(client, users, who)
    assert client.get(URL).status_code == status
    assert _check(client).status_code == status
    assert not Job.objects.exists()


def test_page_preselects_quasi_identifiers_and_leaves_out_personal_fields(client, site):
    project, other, users = site
    _as(client, users, "analyst")
    resp = client.get(URL)
    assert resp.context["chosen"] == {"hh__village"}
    assert "hh__head" not in resp.context["columns"] and resp.context["left_out"] == ["hh__head"]
    assert 'value="hh__village" checked' in resp.content.decode()
    assert resp.context["see_personal"] is False


def test_summary_then_suppressed_export_then_download(client, site):
    project, other, users = site
    _as(client, users, "analyst")
    resp = _check(client)
    s = resp.context["summary"]
    # 12 Ba + 10 Bo split by size 3/4 (6/6, 5/5) are >= 3; Ka, Ki, Ma with one record each are below k
    assert (s.records, s.classes_below_k, s.records_below_k, s.records_unique) == (25, 3, 3, 3)
    assert s.personal_left_out == ["hh__head"]
    page = resp.content.decode()
    assert "Risk summary" in page and "Cells local suppression would blank" in page
    assert not Job.objects.exists(), "checking starts nothing"
    job = _export(client)
    assert job.result["microdata"]["suppressed_cells"] == s.suppressed_cells > 0
    page = client.get(URL).content.decode()
    link = reverse("records-export-download", args=["small", job.pk])
    assert link in page
    resp = client.get(link)
    assert resp.status_code == 200
    data = b"".join(resp.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = zf.read("form_small.csv").decode()
    assert "Head 1" not in text and "hh__head" not in text
    assert "Ka" not in text and "Ki" not in text and "Ma" not in text, "the rare villages are blanked"
    events = list(AuditEvent.objects.filter(action="export").order_by("id"))
    assert len(events) == 2
    assert events[0].details["microdata"]["suppress"] is True and events[0].actor == users["analyst"]
    assert events[1].details["download"] is True and events[1].details["job"] == job.pk


def test_as_is_release_keeps_the_rare_values(client, site):
    project, other, users = site
    _as(client, users, "manager")
    job = _export(client, mode="as-is")
    resp = client.get(reverse("records-export-download", args=["small", job.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content))) as zf:
        text = zf.read("form_small.csv").decode()
    assert "Ka" in text


@pytest.mark.parametrize("extra, code_text", [
    ({"quasi": ["hh__nope"]}, "no column hh__nope"),
    ({"quasi": ["hh__vilage"]}, "did you mean"),
    ({"quasi": []}, "choose at least one quasi-identifier"),
    ({"k": "1"}, "k must be a whole number from 2"),
    ({"k": "abc"}, "k must be a whole number"),
    ({"k": "99999999999999999999"}, "k must be a whole number"),
    ({"quasi": ["hh__head"]}, "personal field"),
    ({"sensitive": "hh__village"}, "cannot also be a quasi-identifier"),
    ({"format": "exe"}, "unknown export format"),
    ({"table": "form_other"}, "not a table of form small"),
    ({"form": "nope"}, "nope"),
])
def test_hostile_choices_give_a_clear_error(client, site, extra, code_text):
    project, other, users = site
    _as(client, users, "analyst")
    resp = _check(client, **extra)
    assert resp.status_code in (400, 404), resp.status_code
    if resp.status_code == 400:
        assert code_text in resp.content.decode()
        assert resp.context["token"] is None
    assert not Job.objects.exists()


def test_no_export_without_a_checked_summary(client, site):
    project, other, users = site
    _as(client, users, "analyst")
    for token in ("", "forged", signing.dumps({"project": "small"}, salt="other")):
        resp = client.post(URL, {"action": "run", "token": token, "mode": "suppress"})
        assert resp.status_code == 400
    token = _check(client).context["token"]
    assert client.post(URL, {"action": "run", "token": token, "mode": "bogus"}).status_code == 400
    _as(client, users, "manager")  # another user's checked summary is not theirs to confirm
    assert client.post(URL, {"action": "run", "token": token, "mode": "suppress"}).status_code == 403
    _as(client, users, "stranger")  # nor another project's owner
    assert client.post("/p/other/records/export/", {"action": "run", "token": token,
                                                     "mode": "suppress"}).status_code == 403
    assert not Job.objects.exists()


def test_download_refusals(client, site):
    project, other, users = site
    _as(client, users, "analyst")
    job = _export(client)
    link = reverse("records-export-download", args=["small", job.pk])
    for who, status in [(None, 302), ("viewer", 403), ("enumerator", 403)]:
        _as(client, users, who)
        assert client.get(link).status_code == status
    _as(client, users, "stranger")  # owner of the other project: the job is not in it
    assert client.get(reverse("records-export-download", args=["other", job.pk])).status_code == 404
    assert client.get(link).status_code == 403
    queued = enqueue("records.export", {"format": "csv"}, project=project)
    _as(client, users, "analyst")
    assert client.get(reverse("records-export-download", args=["small", queued.pk])).status_code == 404
    assert client.get(reverse("records-export-download", args=["small", 999999])).status_code == 404
    escaped = Job.objects.create(kind="records.export", project=project, status="done",
                                 result={"file": "../../lnob.toml", "filename": "x"})
    assert client.get(reverse("records-export-download", args=["small", escaped.pk])).status_code == 404
    downloads = AuditEvent.objects.filter(action="export", details__download=True).count()
    assert downloads == 0


def test_personal_exports_need_the_grant(client, site):
    project, other, users = site
    _as(client, users, "manager")
    resp = client.get(URL + "?include_personal=1")
    assert resp.context["include_personal"] is True and "hh__head" in resp.context["columns"]
    job = _export(client, include_personal="1")
    assert job.result["include_personal"] is True
    link = reverse("records-export-download", args=["small", job.pk])
    with zipfile.ZipFile(io.BytesIO(b"".join(client.get(link).streaming_content))) as zf:
        assert "hh__head" in zf.read("form_small.csv").decode()
    _as(client, users, "analyst")
    assert client.get(link).status_code == 403
    assert client.get(URL + "?include_personal=1").context["include_personal"] is False
    assert link not in client.get(URL).content.decode()
    services.set_personal_grant(project, users["analyst"], True, actor=users["owner"])
    assert client.get(link).status_code == 200


def test_marking_fields_personal_from_the_form_page(client, site, tmp_path):
    from lnob.records.export import export_project

    project, other, users = site
    form_url = reverse("form", args=["small", "small"])
    mark_url = reverse("form-personal", args=["small", "small"])
    _as(client, users, "analyst")
    assert client.post(mark_url, {"field": "hh/note", "mark": "personal"}).status_code == 403
    _as(client, users, "manager")
    page = client.get(form_url).content.decode()
    assert "free text, which may hold names" in page and "Mark personal" in page
    assert client.post(mark_url, {"field": "hh/note", "mark": "personal"}).status_code == 302
    assert client.post(mark_url, {"field": "hh/head", "mark": "not-personal"}).status_code == 302
    resp = client.post(mark_url, {"field": "hh/nothing", "mark": "personal"}, follow=True)
    assert "the form has no field" in resp.content.decode()
    resp = client.post(mark_url, {"field": "hh/note", "mark": "maybe"}, follow=True)
    assert "Choose whether the field is personal" in resp.content.decode()
    assert dict(PersonalMark.objects.values_list("field", "personal")) == {"hh/note": True, "hh/head": False}
    rows = {r["path"]: r for r in client.get(form_url).context["fields"]}
    assert rows["hh/note"]["personal"] and not rows["hh/head"]["personal"] and rows["hh/head"]["xlsform"]
    events = AuditEvent.objects.filter(action="personal_marking").order_by("id")
    assert [(e.details["field"], e.details["personal"]) for e in events] == [("hh/note", True), ("hh/head", False)]
    res = export_project(project, "csv", tmp_path / "marked.zip")
    assert res.personal_left_out == ["form_small.hh__note"], "XLSForm column ∪ marks − unmarks"
    # the record page and the API hide the marked field from an analyst
    from lnob.records.models import Record

    rec = Record.objects.filter(project=project).first()
    _as(client, users, "analyst")
    answers = {a[0]: a for a in client.get(reverse("record-detail", args=["small", rec.pk])).context["answers"]}
    assert answers["hh/note"][2] is None and answers["hh/head"][2] is not None
    _as(client, users, "manager")
    client.post(mark_url, {"field": "hh/head", "mark": "xlsform"})
    assert dict(PersonalMark.objects.values_list("field", "personal")) == {"hh/note": True}


def test_owners_grant_personal_data_to_analysts(client, site):
    project, other, users = site
    url = reverse("personal-grants", args=["small"])
    for who, status in [(None, 302), ("analyst", 403), ("manager", 403), ("stranger", 403), ("owner", 200)]:
        _as(client, users, who)
        assert client.get(url).status_code == status
    analyst = project.memberships.get(user=users["analyst"])
    viewer = project.memberships.get(user=users["viewer"])
    manager = project.memberships.get(user=users["manager"])
    assert client.post(url, {"membership": analyst.pk, "granted": "1"}).status_code == 302
    analyst.refresh_from_db()
    assert analyst.personal_data is True
    assert services.may_see_personal(users["analyst"], project)
    for m in (viewer, manager):
        resp = client.post(url, {"membership": m.pk, "granted": "1"}, follow=True)
        assert "Only analysts can be granted personal data" in resp.content.decode()
        m.refresh_from_db()
        assert m.personal_data is False
    foreign = other.memberships.get(user=users["stranger"])
    assert client.post(url, {"membership": foreign.pk, "granted": "1"}).status_code == 404
    assert client.post(url, {"membership": "x", "granted": "1"}).status_code == 404
    client.post(url, {"membership": analyst.pk, "granted": "0"})
    ev = list(AuditEvent.objects.filter(action="personal_grant").order_by("id"))
    assert [(e.target, e.details["granted"], e.actor_name) for e in ev] == [("analyst", True, "owner"),
                                                                            ("analyst", False, "owner")]
    assert not services.may_see_personal(users["analyst"], project)
    assert not services.may_see_personal(users["viewer"], project)


def test_quality_page_hides_personal_key_values_from_analysts(client, site, tmp_path):
    from lnob.forms.models import Form
    from lnob.records.quality import set_key_fields

    project, other, users = site
    form = Form.objects.get(project=project, form_id="small")
    fv = form.current_version
    store_records(project, fv, [small_instance(f"uuid:d{i}", head="Asha Twice", village="Dup") for i in range(2)])
    sync_analytics(project, store=AnalyticsStore(tmp_path / "analytics.duckdb"))
    set_key_fields(form, ["hh__head", "hh__village"])
    url = reverse("records-quality", args=["small"])
    _as(client, users, "manager")
    assert "Asha Twice" in client.get(url).content.decode()
    _as(client, users, "analyst")
    page = client.get(url).content.decode()
    assert "Asha Twice" not in page and "(personal) · Dup" in page
    services.set_personal_grant(project, users["analyst"], True)
    assert "Asha Twice" in client.get(url).content.decode()


def test_record_page_hides_personal_values_in_data_quality_problems(client, site, tmp_path):
    from lnob.forms.models import Form
    from lnob.forms.personal import set_mark
    from lnob.records.models import Record
    from lnob.records.quality import check_records

    project, other, users = site
    form = Form.objects.get(project=project, form_id="small")
    store_records(project, form.current_version, [small_instance("uuid:bad", size="977", people=((150, ""),))])
    check_records(project)
    rec = Record.objects.get(project=project, instance_id="uuid:bad")
    assert {i.field for i in rec.issues.all()} >= {"hh/size", "people[1]/age"}
    set_mark(form, "hh/size", True)
    set_mark(form, "people/age", True)
    url = reverse("record-detail", args=["small", rec.pk])
    _as(client, users, "analyst")
    page = client.get(url).content.decode()
    assert ">977<" not in page and ">150<" not in page and "personal — hidden for your role" in page
    _as(client, users, "manager")
    page = client.get(url).content.decode()
    assert ">977<" in page and ">150<" in page
