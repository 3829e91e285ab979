"""Coalition pages with real publications: a coalition viewer sees pooled aggregates and never
a member's records; a project manager publishes with the button."""

from __future__ import annotations

import pytest

from lnob.coalition import services
from lnob.coalition.models import Publication
from lnob.core import services as core

from .conftest import INDICATORS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(members):
    c = services.create_coalition("LNOB Viet Nam", level="national", country="VN", slug="vn")
    for p in members:
        services.join(c.slug, organisation=p.organisation.slug)
    services.add_indicators(c.slug, INDICATORS)
    viewer = core.create_user("cviewer", "a-long-passphrase", validate=False)
    services.grant_coalition_role(viewer, c, "coalition_viewer")
    manager = core.create_user("pmanager", "a-long-passphrase", validate=False)
    for p in members:
        core.grant_role(manager, p, "manager")
    return c, viewer, manager


def test_manager_publishes_with_the_button_and_viewer_sees_pooled_values(client, world, members):
    c, viewer, manager = world
    client.force_login(manager)
    page = client.get(f"/p/{members[0].slug}/coalitions/")
    assert page.status_code == 200 and b"LNOB Viet Nam" in page.content
    for p in members:
        r = client.post(f"/p/{p.slug}/coalitions/", {"coalition": "vn"})
        assert r.status_code == 302
    assert Publication.objects.filter(coalition=c, current=True).count() == 2
    # a coalition the organisation is not in is refused
    other = services.create_coalition("Elsewhere", level="national", country="KH")
    client.post(f"/p/{members[0].slug}/coalitions/", {"coalition": other.slug})
    assert not Publication.objects.filter(coalition=other).exists()

    client.force_login(viewer)
    overview = client.get("/c/vn/")
    assert overview.status_code == 200
    assert f"org-a/{members[0].slug}".encode() in overview.content
    page = client.get(f"/c/vn/indicators/{INDICATORS[0]}/")
    assert page.status_code == 200
    from lnob.coalition.views import pooled

    total = pooled("vn", INDICATORS[0]).cells[INDICATORS[0]][0]
    assert f"{total.estimate * 100:.1f} %".encode() in page.content
    assert b"incomplete" in page.content  # organisation B's suppressed cells
    assert client.get("/c/vn/indicators/no_such_indicator/").status_code == 404


def test_coalition_viewer_cannot_open_members_records(client, world, members):
    _c, viewer, _manager = world
    client.force_login(viewer)
    for p in members:
        for url in (f"/p/{p.slug}/records/", f"/p/{p.slug}/", f"/p/{p.slug}/coalitions/"):
            assert client.get(url).status_code == 403, url
