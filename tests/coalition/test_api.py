"""The coalition API: read-only pooled results for coalition roles; no project access."""

from __future__ import annotations

import pytest

from lnob.coalition import services
from lnob.coalition.publishing import publish
from lnob.coalition.views import pooled
from lnob.core import services as core

from .conftest import INDICATORS

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    from lnob.api.tokens import create_token

    _token, plain = create_token(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_coalition_viewer_reads_pooled_results_and_no_records(client, members):
    c = services.create_coalition("LNOB Viet Nam", level="national", country="VN", slug="vn")
    for p in members:
        services.join(c.slug, organisation=p.organisation.slug)
        services.add_indicators(c.slug, INDICATORS)
        publish(p.slug, c.slug)
    viewer = core.create_user("apiviewer", "a-long-passphrase", validate=False)
    services.grant_coalition_role(viewer, c, "coalition_viewer")
    auth = _auth(viewer)
    listing = client.get("/api/coalitions", **auth).json()
    assert [i["slug"] for i in listing["items"]] == ["vn"] and listing["items"][0]["role"] == "coalition_viewer"
    body = client.get(f"/api/coalitions/vn/results?indicator={INDICATORS[0]}", **auth)
    assert body.status_code == 200
    items = body.json()["items"]
    total = pooled("vn", INDICATORS[0]).cells[INDICATORS[0]][0]
    [row] = [r for r in items if r["groups"] == {}]
    assert row["estimate"] == pytest.approx(total.estimate, rel=1e-12)
    assert row["se"] == pytest.approx(total.se, rel=1e-12)
    assert {m["member"] for m in row["members"]} == {f"org-a/{members[0].slug}", f"org-b/{members[1].slug}"}
    for p in members:
        assert client.get(f"/api/projects/{p.slug}/records", **auth).status_code == 403
    # no role on a coalition, or an unknown one: 403 (existence is not revealed)
    other = core.create_user("apistranger", "a-long-passphrase", validate=False)
    assert client.get("/api/coalitions/vn/results", **_auth(other)).status_code == 403
    assert client.get("/api/coalitions/nowhere/results", **auth).status_code == 403
    assert client.get("/api/coalitions/vn/results?indicator=nope", **auth).status_code == 422
