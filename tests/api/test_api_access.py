"""Every API URL × every role (and anonymous, and a bad token): the answer follows the declared rule."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from lnob.core.roles import ROLES, role_allows

pytestmark = pytest.mark.django_db

SAMPLES = {"slug": "wash", "form_id": "visit", "record_id": "1", "job_id": "1", "webhook_id": "1", "indicator": "sdg_6_1_1"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


API = [(route, p) for route, p, ns in _walk(get_resolver().url_patterns) if ns == "api"]


def _url(route):
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES[m.group(1)], route)


def _body(route):
    """A valid body for each POST (validation comes before the role check, as in any django-ninja API)."""
    if route.endswith("imports"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {"data": {"file": SimpleUploadedFile("x.csv", b"members\n1\n", "text/csv")}}
    if route.endswith("webhooks"):
        return {"content_type": "application/json", "data": {"url": "https://hooks.invalid/x"}}
    return {"content_type": "application/json", "data": {}}


def test_the_api_is_mounted_and_every_operation_declares_a_rule():
    assert len(API) >= 10
    for route, p in API:
        rule = getattr(p.callback, "lnob_access", None)
        assert rule is not None, route
        if rule[0] == "api":
            assert p.callback.lnob_api_complete, f"an operation of {route} declares no rule"
            assert p.callback.lnob_api_rules


def test_docs_and_schema_are_public(client):
    assert client.get("/api/openapi.json").status_code == 200
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"cdn" not in page.content.lower()
    for name in ["swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"]:
        assert client.get(f"/api/docs/assets/{name}").status_code == 200
    assert client.get("/api/docs/assets/..%2Fsecret").status_code == 404


@pytest.mark.parametrize("route, pattern", [(r, p) for r, p in API if p.callback.lnob_access[0] == "api"],
                         ids=[r for r, p in API if p.callback.lnob_access[0] == "api"])
def test_every_api_url_answers_every_role_by_its_rule(client, world, route, pattern):
    url = _url(route)
    for method, (_kind, action) in pattern.callback.lnob_api_rules.items():
        call = getattr(client, method.lower())
        kw = _body(route) if method in ("POST", "PUT", "PATCH") else {}
        resp = call(url, **kw)
        assert resp.status_code == 401, f"{method} {url} anonymous"
        assert resp.json()["code"] == "api.unauthenticated"
        assert resp["WWW-Authenticate"].startswith("Bearer")
        resp = call(url, HTTP_AUTHORIZATION="Bearer lnob_nottoken_x", **kw)
        assert resp.status_code == 401, f"{method} {url} bad token"
        for who in ["stranger", *ROLES]:
            resp = call(url, **world.auth(who), **kw)
            label = f"{method} {url} as {who}"
            assert resp.status_code < 500, label
            role = who if who in ROLES else None
            if action is None or role_allows(role, action):
                assert resp.status_code not in (401, 403), label
            else:
                assert resp.status_code == 403, label
                assert resp.json()["code"] == "api.forbidden", label
