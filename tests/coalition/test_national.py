"""Two organisations in a national coalition publish; the national view pools them correctly;
suppression propagates as "incomplete"; a global coalition pools two national ones."""

from __future__ import annotations

import math

import pytest

from lnob.coalition import services
from lnob.coalition.pooling import DEFINITIONS_DIFFER, DESIGNS_DIFFER, INCOMPLETE, group_key
from lnob.coalition.publishing import publish
from lnob.coalition.views import pooled, results
from lnob.errors import LnobError

from .conftest import INDICATORS

pytestmark = pytest.mark.django_db

ROW_KEYS = {"indicator", "groups", "estimate", "se", "ci_low", "ci_high", "n", "population", "flags"}


@pytest.fixture
def national(members):
    c = services.create_coalition("LNOB Viet Nam", level="national", country="VN")
    for p in members:
        services.join(c.slug, organisation=p.organisation.slug)
    services.add_indicators(c.slug, INDICATORS)
    return c


def _formula(pubs, indicator, groups):
    """Σ W_i θ_i and √Σ W_i² SE_i², computed here from the snapshots."""
    vals = []
    for pub in pubs:
        [row] = [r for r in pub.rows if r["indicator"] == indicator and group_key(r["groups"]) == group_key(groups)]
        vals.append((row["estimate"], row["se"], row["population"]))
    total = sum(v[2] for v in vals)
    return (sum(v[2] / total * v[0] for v in vals), math.sqrt(sum((v[2] / total * v[1]) ** 2 for v in vals)))


def test_two_organisations_publish_and_the_national_view_pools_them(national, members):
    pubs = [publish(p.slug, national.slug) for p in members]
    for pub in pubs:
        assert pub.rows and all(set(r) == ROW_KEYS for r in pub.rows)  # aggregates only
        assert set(pub.indicators) == set(INDICATORS)
        for info in pub.indicators.values():
            assert info["definition_hash"] == info["harmonised_hash"]
    view = pooled(national.slug)
    assert set(view.members) == {f"org-a/{members[0].slug}", f"org-b/{members[1].slug}"}
    checked = 0
    for ident in INDICATORS:
        cells = view.cells[ident]
        total = cells[0]
        assert total.groups == {} and INCOMPLETE not in total.flags
        assert DEFINITIONS_DIFFER not in total.flags and DESIGNS_DIFFER not in total.flags
        for p in cells:
            if INCOMPLETE in p.flags:
                continue
            est, se = _formula(pubs, ident, p.groups)
            assert p.estimate == pytest.approx(est, rel=1e-12)
            assert p.se == pytest.approx(se, rel=1e-12)
            assert p.ci_low < p.estimate < p.ci_high
            assert p.n == sum(m.n for m in p.members)
            lo, hi = sorted(m.estimate for m in p.members)
            assert lo <= p.estimate <= hi
            checked += 1
    assert checked >= 6


def test_a_suppressed_member_cell_is_incomplete_not_pooled_from_the_rest(national, members):
    for p in members:
        publish(p.slug, national.slug)
    found = 0
    for ident, cells in pooled(national.slug).cells.items():
        for p in cells:
            sup = [m.member for m in p.members if m.suppressed]
            if sup:
                assert INCOMPLETE in p.flags and p.estimate is None and p.se is None
                assert {(m, "suppressed") for m in sup} <= set(p.missing)
                found += 1
    assert found, "organisation B's stricter policy should suppress some cells"
    rows = results(national.slug, INDICATORS[0])
    assert any(r["missing"] and r["estimate"] is None for r in rows)


def test_republishing_supersedes_and_is_audited(national, members):
    from lnob.audit.models import AuditEvent
    from lnob.coalition.models import Publication

    first = publish(members[0].slug, national.slug)
    second = publish(members[0].slug, national.slug)
    first.refresh_from_db()
    assert not first.current and second.current
    assert Publication.objects.filter(coalition=national, current=True).count() == 1
    events = AuditEvent.objects.filter(action="coalition.publication", project=members[0])
    assert events.count() == 2 and events.first().target == national.slug


def test_flags_when_definitions_or_designs_differ(national, members):
    pubs = [publish(p.slug, national.slug) for p in members]
    pub = pubs[1]
    info = dict(pub.indicators)
    info[INDICATORS[0]] = {**info[INDICATORS[0]], "definition_hash": "0" * 64, "design": "unclustered weighted"}
    pub.indicators = info
    pub.save()
    total = pooled(national.slug, INDICATORS[0]).cells[INDICATORS[0]][0]
    assert DEFINITIONS_DIFFER in total.flags and DESIGNS_DIFFER in total.flags
    assert total.estimate is not None  # labelled, still pooled


def test_publishing_needs_membership_and_a_national_coalition(members):
    c = services.create_coalition("Other", level="national", country="KH")
    services.add_indicators(c.slug, INDICATORS)
    with pytest.raises(LnobError) as exc:
        publish(members[0].slug, c.slug)
    assert exc.value.code == "coalition.not-member"
    g = services.create_coalition("World", level="global")
    with pytest.raises(LnobError) as exc:
        publish(members[0].slug, g.slug)
    assert exc.value.code == "coalition.not-national"


def test_global_view_pools_two_national_coalitions(members):
    g = services.create_coalition("LNOB global", level="global")
    services.add_indicators(g.slug, INDICATORS)
    nats = []
    for p, country in zip(members, ("VN", "KH")):
        n = services.create_coalition(f"LNOB {country}", level="national", country=country, parent=g.slug)
        services.join(n.slug, organisation=p.organisation.slug)
        services.add_indicators(n.slug, INDICATORS)
        publish(p.slug, n.slug)
        nats.append(n)
    view = pooled(g.slug)
    assert set(view.members) == {n.slug for n in nats}
    for ident in INDICATORS:
        nat_cells = [{group_key(c.groups): c for c in pooled(n.slug).cells[ident]} for n in nats]
        for p in view.cells[ident]:
            parts = [nc.get(group_key(p.groups)) for nc in nat_cells]
            if any(x is None or x.estimate is None for x in parts):
                assert INCOMPLETE in p.flags and p.estimate is None
                continue
            total = sum(x.population for x in parts)
            assert p.estimate == pytest.approx(sum(x.population / total * x.estimate for x in parts), rel=1e-12)
            assert p.se == pytest.approx(math.sqrt(sum((x.population / total * x.se) ** 2 for x in parts)), rel=1e-12)
        assert INCOMPLETE not in view.cells[ident][0].flags
