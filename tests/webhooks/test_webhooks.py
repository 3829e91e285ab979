"""Webhooks: signed deliveries to a receiver on loopback, retries with back-off, the delivery log."""

from __future__ import annotations

import json

import pytest
from receiver import Receiver

from lnob.core import services
from lnob.jobs.models import Job
from lnob.jobs.queue import run_pending
from lnob.webhooks import fire
from lnob.webhooks.models import Delivery
from lnob.webhooks.services import create_webhook
from lnob.webhooks.signing import sign, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_BACKOFF = 30
    return services.create_project("wash", "WASH", org="Org")


def _due_now():
    from django.utils import timezone

    Job.objects.filter(status="queued").update(run_after=timezone.now())


def test_signed_delivery_retried_after_a_failure(project):
    with Receiver(fail=1) as rx:
        hook, secret = create_webhook(project, rx.url)
        [d] = fire("run.completed", project, {"run": 7})
        assert run_pending() == 1  # first attempt: the receiver answers 500
        job = Job.objects.get(pk=d.job_id)
        assert job.status == "queued" and job.error["code"] == "webhooks.delivery-failed"
        delay = (job.run_after - job.finished_at if job.finished_at else job.run_after - job.started_at)
        assert 25 <= delay.total_seconds() <= 35  # backoff × 2^0
        assert run_pending() == 0  # not due yet
        _due_now()
        assert run_pending() == 1
    d.refresh_from_db()
    assert d.status == "delivered" and d.attempts == 2
    log = list(d.log.all())
    assert [(a.attempt, a.status_code) for a in log] == [(1, 500), (2, 200)]
    assert log[0].error.startswith("HTTP 500") and log[0].response == "boom" and log[1].duration_ms >= 0
    assert len(rx.requests) == 2
    first, second = rx.requests
    for req in rx.requests:
        h = req["headers"]
        assert h["X-Lnob-Signature"] == sign(secret, req["body"])
        doc = verify(secret, req["body"], h["X-Lnob-Signature"], h["X-Lnob-Timestamp"])
        assert doc["event"] == "run.completed" and doc["data"] == {"run": 7} and doc["project"] == "wash"
        assert h["X-Lnob-Delivery"] == doc["id"] == str(d.uuid)
    assert json.loads(second["body"])["attempt"] == 2
    with pytest.raises(ValueError):
        verify("whsec_wrong", first["body"], first["headers"]["X-Lnob-Signature"])
    with pytest.raises(ValueError):  # a replay long after
        verify(secret, first["body"], first["headers"]["X-Lnob-Signature"], now=json.loads(first["body"])["timestamp"] + 3600)
    tampered = first["body"].replace(b'"run":7', b'"run":8')
    with pytest.raises(ValueError):
        verify(secret, tampered, first["headers"]["X-Lnob-Signature"])


def test_gives_up_after_max_attempts(project, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver(fail=99) as rx:
        create_webhook(project, rx.url)
        [d] = fire("publication.created", project, {"publication": 1})
        for _ in range(5):
            _due_now()
            run_pending()
    d.refresh_from_db()
    assert d.status == "failed" and d.attempts == 3 and len(rx.requests) == 3
    assert Job.objects.get(pk=d.job_id).status == "failed"


def test_events_filter_inactive_hooks_and_refused_connections(project):
    create_webhook(project, "http://127.0.0.1:9/none", events=["publication.created"])
    assert fire("run.completed", project, {}) == []
    with pytest.raises(ValueError):
        fire("no.such.event", project, {})
    [d] = fire("publication.created", project, {})
    run_pending()
    d.refresh_from_db()
    [a] = d.log.all()
    assert a.status_code is None and a.error  # connection refused: logged, retried later
    assert d.status == "pending"


def test_private_addresses_are_refused_unless_allowed(project, settings):
    from lnob.errors import InputError

    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://[::1]/x", "ftp://example.org/x", "http://169.254.169.254/"]:
        with pytest.raises(InputError):
            create_webhook(project, url)


def test_openrosa_submission_fires_submission_created(client, project, tmp_path, monkeypatch):
    from helpers import Collect
    from lnob.openrosa.sync import syncer

    monkeypatch.setattr(syncer, "request", lambda project_id: None)  # no analytics sync thread outliving the test
    from lnob.forms.services import add_form

    form = tmp_path / "hh.md"
    form.write_text("""
| survey   |         |          |          |
|          | type    | name     | label    |
|          | integer | members  | Members  |
| settings |         |          |          |
|          | form_id | version  |          |
|          | hh_visit| 1        |          |
""")
    add_form(project, form)
    enumerator = services.create_user("enum", "a-long-passphrase", validate=False)
    services.grant_role(enumerator, project, "enumerator")
    with Receiver() as rx:
        create_webhook(project, rx.url, events=["submission.created"])
        xml = (b'<data id="hh_visit" version="1"><members>3</members>'
               b"<meta><instanceID>uuid:abc</instanceID></meta></data>")
        resp = Collect(client, "enum").submit(xml)
        assert resp.status_code == 201
        run_pending()
    assert Delivery.objects.filter(event="submission.created").count() == 1
    [req] = rx.requests
    data = json.loads(req["body"])["data"]
    assert data["instance_id"] == "uuid:abc" and data["form_id"] == "hh_visit" and "members" not in json.dumps(data)


def test_making_the_dashboard_public_fires_publication_created(client, project):
    owner = services.create_user("owner", "a-long-passphrase", validate=False)
    services.grant_role(owner, project, "owner")
    client.force_login(owner)
    with Receiver() as rx:
        hook, secret = create_webhook(project, rx.url, events=["publication.created"])
        assert client.post("/p/wash/settings/public/", {"public": "1"}).status_code == 302
        assert client.post("/p/wash/settings/public/", {"public": "1"}).status_code == 302  # no change: no event
        assert client.post("/p/wash/settings/public/", {"public": "0"}).status_code == 302
        assert run_pending() == 2
    docs = [verify(secret, r["body"], r["headers"]["X-Lnob-Signature"], r["headers"]["X-Lnob-Timestamp"])
            for r in rx.requests]
    assert [(d["event"], d["data"]["kind"], d["data"]["public"]) for d in docs] == [
        ("publication.created", "dashboard", True), ("publication.created", "dashboard", False)]
    assert docs[0]["data"]["url"] == "/p/wash/public/"
