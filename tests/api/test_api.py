"""The REST API: tokens, errors, pagination, personal fields, exports, jobs, rate limits."""

from __future__ import annotations

import pytest

from lnob.audit.models import AuditEvent
from lnob.jobs.queue import run_pending

pytestmark = pytest.mark.django_db


def test_errors_have_the_lnob_shape(client, world):
    resp = client.get("/api/projects")
    assert resp.status_code == 401
    body = resp.json()
    assert set(body) == {"code", "message", "where", "hint"} and "lnob token create" in body["hint"]
    resp = client.get("/api/projects?limit=1000", **world.auth("owner"))
    assert resp.status_code == 422 and resp.json()["code"] == "api.invalid" and resp.json()["where"] == "query.limit"
    resp = client.get("/api/projects/nope", **world.auth("owner"))
    assert resp.status_code == 404 and resp.json()["code"] == "core.unknown-project"
    resp = client.get("/api/projects/wash/forms/nope", **world.auth("owner"))
    assert resp.status_code == 404 and resp.json()["code"] == "forms.unknown-form" or resp.json()["hint"]
    resp = client.get("/api/projects?x=%00", **world.auth("owner"))
    assert resp.status_code == 400


def test_revoked_and_expired_tokens_are_refused(client, world):
    import datetime as dt

    from django.utils import timezone

    from lnob.api.models import Token
    from lnob.api.tokens import create_token, revoke_token

    token, plain = create_token("u_owner", name="short")
    assert Token.objects.get(pk=token.pk).token_hash != plain and plain not in str(Token.objects.values_list())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/me", **auth).status_code == 200
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/me", **auth).status_code == 401
    Token.objects.filter(pk=token.pk).update(expires_at=None)
    revoke_token(token.prefix)
    assert client.get("/api/me", **auth).status_code == 401


def test_projects_are_those_the_user_can_see_and_paginated(client, world):
    me = client.get("/api/me", **world.auth("analyst")).json()
    assert me["projects"] == [{"slug": "wash", "name": "WASH", "role": "analyst"}]
    page = client.get("/api/projects?limit=1", **world.auth("analyst")).json()
    assert page["count"] == 1 and [p["slug"] for p in page["items"]] == ["wash"]
    assert client.get("/api/projects/wash", **world.auth("viewer")).json()["role"] == "viewer"
    forms = client.get("/api/projects/wash/forms", **world.auth("viewer")).json()
    assert forms == [{"form_id": "visit", "title": forms[0]["title"], "current_version": "1", "versions": 1,
                      "records": 3}]
    detail = client.get("/api/projects/wash/forms/visit", **world.auth("viewer")).json()
    assert {f["name"] for f in detail["fields"] if f["personal"]} == {"hh_name", "name"}


def test_records_hide_personal_fields_without_view_personal(client, world):
    page = client.get("/api/projects/wash/records?limit=2", **world.auth("analyst")).json()
    assert page["count"] == 3 and len(page["items"]) == 2 and page["next_after"] == page["items"][1]["id"]
    rec = page["items"][0]
    assert "hh_name" not in rec["values"] and rec["values"]["members"] == 1
    assert [{k: v for k, v in r.items() if not k.startswith("_")} for r in rec["repeats"]["roster"]] == [
        {"age": 31}, {"age": 5}]
    assert rec["hidden"] == ["hh_name", "roster/name"]
    rest = client.get(f"/api/projects/wash/records?after={page['next_after']}", **world.auth("analyst")).json()
    assert [r["values"]["members"] for r in rest["items"]] == [3] and rest["next_after"] is None
    full = client.get(f"/api/projects/wash/records/{rec['id']}", **world.auth("manager")).json()
    assert full["values"]["hh_name"] == "Asha 1" and full["repeats"]["roster"][0]["name"] == "P0"
    assert full["hidden"] == []
    views = AuditEvent.objects.filter(action="microdata_view", project=world["project"])
    assert views.count() == 3 and {e.details["personal"] for e in views} == {False, True}
    assert client.get("/api/projects/wash/records/999999", **world.auth("manager")).status_code == 404
    assert client.get("/api/projects/wash/records?form=nope", **world.auth("manager")).status_code == 404


def test_export_job_then_download_is_audited(client, world):
    resp = client.post("/api/projects/wash/exports", {"format": "csv", "include_personal": True},
                       content_type="application/json", **world.auth("analyst"))
    assert resp.status_code == 403 and resp.json()["where"] == "include_personal"
    resp = client.post("/api/projects/wash/exports", {"format": "csv"}, content_type="application/json",
                       **world.auth("analyst"))
    assert resp.status_code == 202
    job = resp.json()
    assert job["status"] == "queued" and job["kind"] == "records.export"
    url = f"/api/projects/wash/exports/{job['id']}/download"
    assert client.get(url, **world.auth("analyst")).status_code == 409
    assert run_pending() == 1
    done = client.get(f"/api/jobs/{job['id']}", **world.auth("analyst")).json()
    assert done["status"] == "done", done
    assert done["download"] == url and done["result"]["tables"] == {"form_visit": 3, "form_visit__roster": 6}
    assert done["progress"]["done"] >= 1
    # a record-level export carries the re-identification risk of each record table (suggested quasi-identifiers)
    from collections import Counter

    sizes = Counter(a for i in range(1, 4) for a in (30 + i, 5))  # the roster ages the fixture stores
    [risk] = done["result"]["risk"]
    assert risk["table"] == "form_visit__roster" and risk["quasi"] == ["age"] and risk["k"] == 5
    assert risk["records"] == sum(sizes.values())
    assert risk["records_below_k"] == sum(c for c in sizes.values() if c < 5)
    assert risk["records_unique"] == sum(1 for c in sizes.values() if c == 1)
    assert "worst" not in risk  # the values of the classes at risk stay out of the job
    resp = client.get(url, **world.auth("analyst"))
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    import io
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))
    assert "hh_name" not in z.read("form_visit.csv").decode()
    exports = AuditEvent.objects.filter(action="export", project=world["project"])
    assert exports.count() == 2 and any(e.details.get("download") for e in exports)
    assert {e.actor_name for e in exports} == {"u_analyst"}
    # a job is visible to its owner and to results.view on its project, to no one else
    assert client.get(f"/api/jobs/{job['id']}", **world.auth("stranger")).status_code == 404
    assert client.get(f"/api/jobs/{job['id']}", **world.auth("viewer")).status_code == 404
    listed = client.get("/api/projects/wash/jobs?status=done", **world.auth("manager")).json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]


def test_personal_export_needs_view_personal_to_download(client, world):
    resp = client.post("/api/projects/wash/exports", {"format": "xlsx", "include_personal": True},
                       content_type="application/json", **world.auth("manager"))
    assert resp.status_code == 202
    run_pending()
    url = f"/api/projects/wash/exports/{resp.json()['id']}/download"
    assert client.get(url, **world.auth("analyst")).status_code == 403
    assert client.get(url, **world.auth("manager")).status_code == 200


def test_import_job(client, world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"hh_name,members,toilet,meta/instanceID\nRavi,4,no,uuid:new-1\n"
    resp = client.post("/api/projects/wash/imports", {"file": SimpleUploadedFile("visit.csv", csv, "text/csv")},
                       **world.auth("manager"))
    assert resp.status_code == 202, resp.json()
    run_pending()
    job = client.get(f"/api/jobs/{resp.json()['id']}", **world.auth("manager")).json()
    assert job["status"] == "done", job
    assert job["result"]["created"] == 1


def test_rate_limit_per_token_answers_429_with_retry_after(client, world, settings):
    settings.API_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get("/api/me", **world.auth("viewer")).status_code == 200
    resp = client.get("/api/me", **world.auth("viewer"))
    assert resp.status_code == 429 and resp.json()["code"] == "api.rate-limited"
    assert int(resp["Retry-After"]) >= 1
    assert client.get("/api/me", **world.auth("owner")).status_code == 200  # another token has its own window


def test_sliding_window_weights_the_previous_window(settings):
    from django.core.cache import cache

    from lnob.api.ratelimit import hit

    cache.clear()
    settings.API_RATE_LIMIT, settings.API_RATE_WINDOW = 10, 60
    assert all(hit("t", now=60.0 * 100 + 1) is None for _ in range(10))
    assert hit("t", now=60.0 * 100 + 2) is not None  # full in this window
    # half-way through the next window, half of the previous 10 still count: 5 more fit
    assert all(hit("t", now=60.0 * 101 + 30) is None for _ in range(5))
    wait = hit("t", now=60.0 * 101 + 30.5)
    assert wait is not None and 1 <= wait <= 30


def test_webhook_endpoints(client, world, settings):
    resp = client.post("/api/projects/wash/webhooks", {"url": "http://127.0.0.1:9/hook"},
                       content_type="application/json", **world.auth("owner"))
    assert resp.status_code == 422 and resp.json()["code"] == "webhooks.private-address"
    settings.WEBHOOK_ALLOW_PRIVATE = True
    resp = client.post("/api/projects/wash/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["ping"]},
                       content_type="application/json", **world.auth("owner"))
    assert resp.status_code == 201
    hook = resp.json()
    assert hook["secret"].startswith("whsec_") and hook["events"] == ["ping"]
    listed = client.get("/api/projects/wash/webhooks", **world.auth("owner")).json()
    assert "secret" not in listed[0]
    resp = client.post(f"/api/projects/wash/webhooks/{hook['id']}/ping", **world.auth("owner"))
    assert resp.status_code == 202 and resp.json()["status"] == "pending"
    log = client.get(f"/api/projects/wash/webhooks/{hook['id']}/deliveries", **world.auth("owner")).json()
    assert log["count"] == 1
    assert client.delete(f"/api/projects/wash/webhooks/{hook['id']}", **world.auth("owner")).status_code == 204
    assert client.get("/api/projects/wash/webhooks", **world.auth("owner")).json() == []


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for p in ["/api/projects", "/api/projects/{slug}/records", "/api/projects/{slug}/exports",
              "/api/jobs/{job_id}", "/api/projects/{slug}/webhooks", "/api/projects/{slug}/indicators",
              "/api/projects/{slug}/published/{indicator}", "/api/projects/{slug}/briefs/{job_id}/download"]:
        assert p in paths
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or schema["components"]["securitySchemes"]


def test_indicator_results_are_read_only_and_need_results_view(client, world):
    from lnob.indicators.models import IndicatorResult

    IndicatorResult.objects.create(project=world["project"], indicator="water_basic", title={"en": "Basic water"},
                                   sdg=["6.1.1"], kind="proportion", unit="percent", definition_hash="d" * 64,
                                   snapshot_hash="s" * 64, provenance={"rows": 3},
                                   rows=[{"indicator": "water_basic", "groups": {}, "estimate": 0.5, "se": 0.1}])
    page = client.get("/api/projects/wash/results", **world.auth("analyst")).json()
    assert page["count"] == 1 and page["items"][0]["rows"] == 1 and page["items"][0]["sdg"] == ["6.1.1"]
    one = client.get("/api/projects/wash/results/water_basic", **world.auth("analyst")).json()
    assert one["estimates"][0]["estimate"] == 0.5 and one["provenance"] == {"rows": 3}
    assert client.get("/api/projects/wash/results/water", **world.auth("analyst")).json()["hint"].startswith("did you")
    assert client.get("/api/projects/wash/results", **world.auth("enumerator")).status_code == 403


def test_api_uses_the_page_marks_and_the_personal_data_grant(client, world):
    from lnob.core import services
    from lnob.forms.personal import set_mark

    form = world["form_version"].form
    set_mark(form, "hh_name", False)
    set_mark(form, "members", True)
    detail = client.get("/api/projects/wash/forms/visit", **world.auth("viewer")).json()
    assert {f["name"] for f in detail["fields"] if f["personal"]} == {"members", "name"}
    rec = client.get("/api/projects/wash/records?limit=1", **world.auth("analyst")).json()["items"][0]
    assert rec["hidden"] == ["members", "roster/name"] and rec["values"]["hh_name"] == "Asha 1"
    resp = client.post("/api/projects/wash/exports", {"format": "csv", "include_personal": True},
                       content_type="application/json", **world.auth("analyst"))
    assert resp.status_code == 403
    services.set_personal_grant(world["project"], world["users"]["analyst"], True)
    rec = client.get("/api/projects/wash/records?limit=1", **world.auth("analyst")).json()["items"][0]
    assert rec["hidden"] == [] and rec["values"]["members"] == 1
    resp = client.post("/api/projects/wash/exports", {"format": "csv", "include_personal": True},
                       content_type="application/json", **world.auth("analyst"))
    assert resp.status_code == 202
