"""Every URL × every role (and anonymous): the answer follows the URL's declared rule.

A URL pattern whose view declares no rule (``lnob.web.access``) fails this test:
deny by default means a new page must say who may see it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from helpers import Collect
from lnob.core import services
from lnob.core.roles import COALITION_ROLES, ROLES, coalition_role_allows, role_allows
from lnob.forms.services import add_form

pytestmark = pytest.mark.django_db

#: sample values for URL parameters; a new parameter name needs a sample here
SAMPLES = {"slug": "wash", "form_id": "hh_visit", "filename": "map.png", "version": "1",
           "goal": "6", "indicator": "basic_sanitation", "pk": "1", "number": "1", "job_id": "1"}

#: Django's own views, with the rule they follow
DJANGO_RULES = {
    "set_language": ("public", None),
    "logout": ("public", None),
}

FORM_MD = """
| survey   |         |          |          |         |
|          | type    | name     | label    | image   |
|          | integer | members  | Members  | map.png |
| settings |         |          |          |         |
|          | form_id | version  |          |         |
|          | hh_visit| 1        |          |         |
"""


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


def _rule(pattern, namespace):
    if namespace == "admin":
        return ("admin", None)
    cb = pattern.callback
    for obj in (cb, getattr(cb, "view_class", None)):
        rule = getattr(obj, "lnob_access", None)
        if rule:
            return rule
    return DJANGO_RULES.get(pattern.name)


def _url(route):
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = [p for p in params if p not in SAMPLES]
    assert not missing, f"add sample values for {missing} (URL {route}) to SAMPLES"
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES[m.group(1)], route)
    if "(?P<" in url:  # regex routes (the admin's): not walked role by role
        return None
    return "/" + url


ALL = list(_walk(get_resolver().url_patterns))


def test_every_url_declares_an_access_rule():
    undeclared = [route for route, p, ns in ALL if _rule(p, ns) is None]
    assert not undeclared, f"URLs without an access rule (use lnob.web.access): {undeclared}"


@pytest.fixture
def world(tmp_path):
    project = services.create_project("wash", "WASH", org="Org")
    path = tmp_path / "hh.md"
    path.write_text(FORM_MD)
    fv, _ = add_form(project, path)
    from lnob.forms.media import attach_media

    attach_media(fv, [("map.png", b"\x89PNG")])
    users = {}
    for role in ROLES:
        users[role] = services.create_user("u_" + role, "a-long-passphrase", validate=False)
        services.grant_role(users[role], project, role)
    users["stranger"] = services.create_user("stranger", "a-long-passphrase", validate=False)
    # coalition pages (/c/<slug>/): a national coalition with the sample slug, and its roles
    from lnob.coalition import services as coalitions

    coalition = coalitions.create_coalition("WASH coalition", level="national", country="VN", slug="wash")
    coalitions.join("wash", organisation=project.organisation.slug)
    coalitions.add_indicators("wash", [SAMPLES["indicator"]])
    for role in COALITION_ROLES:
        users[role] = services.create_user("u_" + role, "a-long-passphrase", validate=False)
        coalitions.grant_coalition_role(users[role], coalition, role)
    return users


# the API (token auth, namespace "api") is walked URL × role by tests/api/test_api_access.py
CASES = [(route, p, ns) for route, p, ns in ALL if ns not in ("admin", "api") and _url(route) is not None]


@pytest.mark.parametrize("route, pattern, namespace", CASES, ids=[c[0] or "/" for c in CASES])
def test_url_answers_every_role_by_its_rule(client, world, route, pattern, namespace):
    kind, action = _rule(pattern, namespace)
    url = _url(route)
    for who in [None, "stranger", *ROLES, *COALITION_ROLES]:
        client.logout()
        if who is not None:
            client.force_login(world[who])
        status = client.head(url).status_code if kind == "openrosa" else client.get(url).status_code
        role = who if who in ROLES else None
        label = f"{url} as {who or 'anonymous'}"
        assert status < 500, label
        if kind == "public":
            assert status not in (401, 403), label
        elif kind == "project":
            if who is None:
                assert status == 302, label
            elif role_allows(role, action):
                assert status not in (401, 403), label
            else:
                assert status == 403, label
        elif kind == "openrosa":
            # session logins do not count for OpenRosa: phones authenticate with Digest
            method = "HEAD" if url.endswith("/submission") else "GET"
            client.logout()
            resp = Collect(client, world[who].username if who else None).request(method, url)
            if who is None:
                assert resp.status_code == 401, label
            elif role_allows(role, action):
                assert resp.status_code not in (401, 403), label
            else:
                assert resp.status_code == 403, label
        elif kind == "coalition":
            # a project role gives nothing on a coalition; only coalition roles count
            if who is None:
                assert status == 302, label
            elif coalition_role_allows(who, action):
                assert status == 200, label
            else:
                assert status == 403, label
        else:  # pragma: no cover
            pytest.fail(f"unknown rule kind {kind} for {url}")


def test_admin_refuses_project_roles(client, world):
    for role in ROLES:
        client.force_login(world[role])
        assert client.get("/admin/").status_code == 302
