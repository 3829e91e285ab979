"""Coalition results (read-only): the coalitions a token's user has a role on, and their pooled
results (``coalition.view`` in :data:`lnob.core.roles.COALITION_PERMISSIONS`).

A coalition role gives no access to any project: these endpoints return members' published
aggregates and the pooled values only.  A user without a role on a coalition gets 403 whether
or not it exists (the API does not reveal which coalitions exist to outsiders).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional

from ninja import Query, Router, Schema

from lnob.api.access import rule
from lnob.api.errors import Forbidden
from lnob.api.projects import ERRORS, Limit, Offset, Slug
from lnob.core.roles import COALITION_PERMISSIONS, coalition_role_allows
from lnob.i18n import _

router = Router(tags=["coalitions"])


def coalition_rule(action: str):
    """Declare a coalition endpoint's rule (walked by the API URL × role tests: project roles
    never allow a coalition action)."""
    if action not in COALITION_PERMISSIONS:
        raise ValueError(f"unknown coalition action {action!r}")

    def decorate(fn):
        fn.lnob_rule = ("api", action)
        return fn

    return decorate


def coalition_for(request, slug: str, action: str):
    from lnob.coalition.models import Coalition
    from lnob.coalition.services import coalition_role_of

    c = Coalition.objects.filter(slug=slug).first()
    role = coalition_role_of(request.user, c) if c is not None else None
    if c is None and request.user.is_superuser:
        from lnob.errors import NotFound

        raise NotFound(_("no coalition %(slug)r") % {"slug": slug}, where=slug,
                       hint=_("GET /api/coalitions lists the coalitions you can see"), code="coalition.unknown")
    if not coalition_role_allows(role, action):
        raise Forbidden(_("you have no coalition role on %(slug)s that allows %(action)s")
                        % {"slug": slug, "action": action}, where=slug,
                        hint=_("ask a coalition manager for a role (docs/coalition.md)"))
    return c


class CoalitionOut(Schema):
    slug: str
    name: str
    level: str
    country: str
    role: Optional[str]
    indicators: list[str]
    members: list[str]


class CoalitionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CoalitionOut]


class PooledOut(Schema):
    coalition: str
    level: str
    indicator: str
    kind: str
    groups: dict[str, str]
    estimate: Optional[float]
    se: Optional[float]
    ci_low: Optional[float]
    ci_high: Optional[float]
    n: Optional[int]
    population: Optional[float]
    flags: list[str]
    missing: list[dict[str, str]]
    members: list[dict[str, Any]]
    definition_hash: Optional[str]
    design: str


class ResultsOut(Schema):
    coalition: str
    level: str
    computed_at: dt.datetime
    items: list[PooledOut]


def _out(c, role) -> dict:
    from lnob.coalition.services import members_of

    return {"slug": c.slug, "name": c.name, "level": c.level, "country": c.country, "role": role,
            "indicators": list(c.indicators.values_list("indicator", flat=True)),
            "members": [m.slug for m in members_of(c)]}


@router.get("/coalitions", response={200: CoalitionPage, **ERRORS},
            summary="Coalitions the token's user has a role on")
@rule(None)
def coalition_list(request, limit: Limit = 50, offset: Offset = 0):
    from lnob.coalition.services import coalition_role_of, coalitions_for

    qs = coalitions_for(request.user).order_by("slug")
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [_out(c, coalition_role_of(request.user, c)) for c in qs[offset:offset + limit]]}


@router.get("/coalitions/{slug}/results", response={200: ResultsOut, **ERRORS},
            summary="Pooled results of a coalition (national: members pooled; global: national coalitions pooled)")
@coalition_rule("coalition.view")
def coalition_results(request, slug: Slug,
                      indicator: Annotated[Optional[str], Query(pattern=r"^[A-Za-z0-9_.-]{1,63}$")] = None):
    from lnob.coalition.views import results

    c = coalition_for(request, slug, "coalition.view")
    return {"coalition": c.slug, "level": c.level, "computed_at": dt.datetime.now(dt.timezone.utc),
            "items": [{**r, "groups": {k: str(v) for k, v in r["groups"].items()}} for r in results(c.slug, indicator)]}
