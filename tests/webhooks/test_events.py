"""The events lnob fires, end to end: ``run.completed`` after ``lnob run``, ``publication.created`` after
``lnob publish``, a brief written by a background job, and the dashboard's public switch — each delivered
to a receiver on loopback by a real worker, signed with the webhook's secret."""

from __future__ import annotations

import json

import pytest

from helpers import lnob
from lnob.webhooks.signing import verify
from receiver import Receiver

ALLOW = {"LNOB_WEBHOOK_ALLOW_PRIVATE": "1"}
INDICATORS = "household_size,basic_sanitation"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("events") / "ws"
    r = lnob("demo", "--households", "300", "--no-serve", home=home)
    assert r.code == 0, r.err
    return home


def _received(rx, secret) -> list[dict]:
    out = []
    for req in rx.requests:
        h = req["headers"]
        doc = verify(secret, req["body"], h["X-Lnob-Signature"], h["X-Lnob-Timestamp"])  # raises if forged
        assert h["X-Lnob-Event"] == doc["event"] and doc["project"] == "demo"
        out.append(doc)
    return out


def test_run_publication_and_brief_job_fire_signed_events(home, tmp_path):
    with Receiver() as rx:
        added = lnob("webhook", "add", "demo", rx.url, "--event", "run.completed", "--event", "publication.created",
                     home=home, env=ALLOW)
        assert added.code == 0, added.err
        secret = added.out.strip()

        r = lnob("run", "demo", "--indicator", INDICATORS, "--depth", "0", home=home)
        assert r.code == 0, r.err
        r = lnob("publish", "demo", "--format", "datapackage", "--out", str(tmp_path / "open"), home=home)
        assert r.code == 0, r.err
        job = lnob("jobs", "add", "publish.brief", "--project", "demo",
                   "--args", '{"format": "html", "indicators": ["basic_sanitation"]}', home=home)
        assert job.code == 0, job.err
        job_id = int(job.out.strip())
        # the worker writes the brief, then delivers the three events (the brief's is queued by the brief job)
        w = lnob("worker", "--once", home=home, env=ALLOW)
        assert w.code == 0, w.err
        assert f"job #{job_id} publish.brief: done" in w.err, w.err
        docs = _received(rx, secret)

    by_kind = {(d["event"], d["data"].get("kind")): d["data"] for d in docs}
    assert len(docs) == 3 and set(by_kind) == {("run.completed", None), ("publication.created", "datapackage"),
                                                ("publication.created", "brief-html")}, by_kind

    run = by_kind[("run.completed", None)]
    assert run["computed"] == sorted(INDICATORS.split(",")) and run["unchanged"] == []
    assert run["counts"]["computed"] == 2 and run["counts"]["rows"] == 2 and run["depth"] == 0
    assert run["variance"] == "design" and run["api"] == "/api/projects/demo/results"
    stored = json.loads(lnob("results", "demo", "--format", "json", home=home).out)
    assert run["counts"]["rows"] == len(stored)

    opendata = by_kind[("publication.created", "datapackage")]
    written = sorted(p.relative_to(tmp_path / "open").as_posix() for p in (tmp_path / "open").rglob("*") if p.is_file())
    assert sorted(opendata["files"]) == written and opendata["name"] == "open"
    assert opendata["counts"]["cells"] == opendata["counts"]["published"] + opendata["counts"]["suppressed"]
    assert "/" not in opendata["name"]  # a receiver is told names, never the server's paths

    brief = by_kind[("publication.created", "brief-html")]
    assert brief["indicators"] == ["basic_sanitation"] and brief["language"] == "en"

    shown = json.loads(lnob("jobs", "show", str(job_id), home=home).out)
    assert shown["status"] == "done" and shown["progress"]["done"] == shown["progress"]["total"] == 2
    result = shown["result"]
    assert result["filename"] == brief["name"] and result["indicators"] == ["basic_sanitation"]
    path = home / "briefs" / result["file"]
    assert path.stat().st_size == result["size"] and b"<html" in path.read_bytes()[:2000].lower()

    # a second run with nothing changed still reports, with everything unchanged
    with Receiver() as rx2:
        lnob("webhook", "add", "demo", rx2.url, "--event", "run.completed", home=home, env=ALLOW)
        assert lnob("run", "demo", "--indicator", INDICATORS, "--depth", "0", home=home).code == 0
        assert lnob("worker", "--once", home=home, env=ALLOW).code == 0
        [again] = [json.loads(req["body"]) for req in rx2.requests]
    assert again["data"]["computed"] == [] and again["data"]["unchanged"] == sorted(INDICATORS.split(","))


def test_a_failing_brief_job_reports_a_typed_error(home):
    job = lnob("jobs", "add", "publish.brief", "--project", "demo", "--args", '{"format": "docx"}', home=home)
    job_id = int(job.out.strip())
    w = lnob("worker", "--once", home=home)
    assert w.code == 0 and f"job #{job_id} publish.brief: failed" in w.err
    shown = json.loads(lnob("jobs", "show", str(job_id), home=home).out)
    assert shown["status"] == "failed" and shown["error"]["code"] == "publish.bad-format"
    assert shown["attempts"] == 1 and not (home / "briefs" / str(job_id)).exists()
