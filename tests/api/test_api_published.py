"""Indicators, published (disclosure-controlled) results and briefs as background jobs, through the API."""

from __future__ import annotations

import re

import pytest

from lnob.jobs.queue import run_pending

pytestmark = pytest.mark.django_db


def _row(groups, estimate, n):
    return {"indicator": "basic_sanitation", "sdg": ["6.2.1"], "groups": groups, "estimate": estimate, "se": 0.02,
            "ci_low": estimate - 0.04, "ci_high": estimate + 0.04, "n": n, "flags": []}


@pytest.fixture
def stored(world):
    """Stored (unpublished) results: the total, 200 men and only 10 women, too few to publish."""
    from lnob.indicators.models import IndicatorResult

    rows = [_row({}, 0.61, 210), _row({"sex": "1"}, 0.6, 200), _row({"sex": "2"}, 0.8, 10)]
    return IndicatorResult.objects.create(
        project=world["project"], indicator="basic_sanitation", title={"en": "Basic sanitation"}, sdg=["6.2.1"],
        kind="proportion", unit="person", definition_hash="d" * 64, snapshot_hash="s" * 64,
        provenance={"variance": "design"}, rows=rows)


def test_published_results_pass_disclosure_control_and_any_member_reads_them(client, world, stored):
    page = client.get("/api/projects/wash/published", **world.auth("viewer"))
    assert page.status_code == 200, page.json()
    [item] = page.json()["items"]
    assert item["indicator"] == "basic_sanitation" and item["dimensions"] == ["sex"]
    assert item["cells"] == 3 and item["suppressed"] == 2
    one = client.get("/api/projects/wash/published/basic_sanitation", **world.auth("viewer")).json()
    cells = {tuple(sorted(r["groups"].items())): r for r in one["rows"]}
    total, men, women = cells[()], cells[(("sex", "1"),)], cells[(("sex", "2"),)]
    assert total["estimate"] == 0.61 and "suppressed" not in total["flags"]
    # 10 women < the threshold of 25: suppressed; the men too, or total − men would reveal them
    assert women["estimate"] is None and women["se"] is None and {"suppressed", "primary"} <= set(women["flags"])
    assert men["estimate"] is None and {"suppressed", "secondary"} <= set(men["flags"])
    assert one["policy"]["threshold"] == 25 and one["licence"]
    # the unpublished figure is there for results.view only
    assert client.get("/api/projects/wash/results/basic_sanitation", **world.auth("viewer")).status_code == 403
    raw = client.get("/api/projects/wash/results/basic_sanitation", **world.auth("analyst")).json()
    assert 0.8 in [r["estimate"] for r in raw["estimates"]]
    missing = client.get("/api/projects/wash/published/child_marriage", **world.auth("viewer"))
    assert missing.status_code == 404 and missing.json()["code"] == "indicators.no-results"
    assert client.get("/api/projects/wash/published", **world.auth("stranger")).status_code == 403


def test_published_list_without_results_is_a_typed_404(client, world):
    resp = client.get("/api/projects/wash/published", **world.auth("viewer"))
    assert resp.status_code == 404 and resp.json()["code"] == "publish.no-results" and "lnob run" in resp.json()["hint"]


def test_indicator_catalogue_is_paginated_and_marks_computed_ones(client, world, stored):
    from lnob.indicators.definitions import load_library

    ids = sorted(i.id for i in load_library().indicators)
    first = client.get("/api/projects/wash/indicators?limit=5", **world.auth("viewer")).json()
    assert first["count"] == len(ids) and [i["id"] for i in first["items"]] == ids[:5]
    rest = client.get("/api/projects/wash/indicators?limit=200&offset=5", **world.auth("viewer")).json()
    assert [i["id"] for i in rest["items"]] == ids[5:]
    every = {i["id"]: i for i in first["items"] + rest["items"]}
    assert every["basic_sanitation"]["computed_at"] is not None
    assert all(v["computed_at"] is None for k, v in every.items() if k != "basic_sanitation")
    goal6 = client.get("/api/projects/wash/indicators?sdg=6&limit=200", **world.auth("viewer")).json()
    assert goal6["items"] and all(any(c.split(".")[0] == "6" for c in i["sdg"]) for i in goal6["items"])
    assert "basic_sanitation" in {i["id"] for i in goal6["items"]}
    assert client.get("/api/projects/wash/indicators?sdg=x", **world.auth("viewer")).status_code == 422


def test_brief_job_then_download(client, world, stored):
    resp = client.post("/api/projects/wash/briefs", {"format": "html", "indicators": ["basic_sanitation"]},
                       content_type="application/json", **world.auth("viewer"))
    assert resp.status_code == 202, resp.json()
    job = resp.json()
    assert job["kind"] == "publish.brief" and job["status"] == "queued" and job["download"] is None
    url = f"/api/projects/wash/briefs/{job['id']}/download"
    assert client.get(url, **world.auth("viewer")).status_code == 409
    assert run_pending() == 1
    done = client.get(f"/api/jobs/{job['id']}", **world.auth("viewer")).json()
    assert done["status"] == "done", done["error"]
    assert done["progress"]["done"] == done["progress"]["total"] == 2 and done["download"] == url
    got = client.get(url, **world.auth("viewer"))
    assert got.status_code == 200 and got["Content-Type"].startswith("text/html")
    html = b"".join(got.streaming_content).decode()
    text = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])
    assert "Basic sanitation" in text and "61 %" in text  # the published total
    assert not re.search(r"\b(80|60) %", text)  # the suppressed women's and men's figures are nowhere
    listed = client.get("/api/projects/wash/briefs", **world.auth("viewer")).json()
    assert listed["count"] == 1 and listed["items"][0]["download"] == url
    assert client.get(url, **world.auth("stranger")).status_code == 403
    assert client.get("/api/projects/wash/briefs/999999/download", **world.auth("viewer")).status_code == 404


def test_brief_request_is_validated(client, world):
    for body in ({"format": "docx"}, {"lang": "fr"}, {"indicators": ["../x"]}, {"groups": ["sex"]}):
        resp = client.post("/api/projects/wash/briefs", body, content_type="application/json",
                           **world.auth("viewer"))
        assert resp.status_code == 422, body


def test_published_answer_follows_a_new_run(client, world, stored):
    url = "/api/projects/wash/published/basic_sanitation"
    before = client.get(url, **world.auth("viewer")).json()
    assert before["suppressed"] == 2 and client.get(url, **world.auth("viewer")).json() == before
    # a new run: now 100 women answered
    stored.rows = [_row({}, 0.65, 300), _row({"sex": "1"}, 0.6, 200), _row({"sex": "2"}, 0.75, 100)]
    stored.snapshot_hash = "t" * 64
    stored.save()
    after = client.get(url, **world.auth("viewer")).json()
    assert after["suppressed"] == 0 and {r["estimate"] for r in after["rows"]} == {0.65, 0.6, 0.75}
    # and a stricter policy in the project's settings
    project = world["project"]
    project.survey_design = {**(project.survey_design or {}), "disclosure": {"threshold": 150, "sensitive_threshold": 150}}
    project.save()
    strict = client.get(url, **world.auth("viewer")).json()
    assert strict["policy"]["threshold"] == 150 and strict["suppressed"] == 2
