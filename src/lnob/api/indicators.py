"""Indicator definitions and **published** (disclosure-controlled) results.

* ``GET /projects/{slug}/indicators`` — the indicators lnob can compute (the ready-made
  library), each with whether the project has stored results (``project.view``);
* ``GET /projects/{slug}/published`` and ``…/published/{indicator}`` — the project's release:
  the stored results cut to publishable tables and passed through
  :func:`lnob.disclosure.protect` (:func:`lnob.publish.release.build_release`), the same
  figures as open data, briefs and the public dashboard.  Suppressed cells carry no
  estimate.  Any member may read them (``project.view``); unpublished estimates are
  ``/results`` (``results.view``).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from ninja import Path, Query, Router, Schema

from lnob.api.access import project_for, rule
from lnob.api.projects import ERRORS, Limit, Offset, Slug
from lnob.i18n import _

router = Router(tags=["indicators"])

IndicatorId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,63}$")]


class IndicatorOut(Schema):
    id: str
    title: dict[str, str]
    sdg: list[str]
    series: list[str]
    kind: str
    unit: str
    dimensions: list[str] | None
    higher_is_better: bool
    proxy: bool
    note: dict[str, str]
    #: when the project's stored results of this indicator were computed (None: never run)
    computed_at: dt.datetime | None


class IndicatorPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[IndicatorOut]


class PublishedSummary(Schema):
    indicator: str
    title: dict[str, str]
    sdg: list[str]
    kind: str
    unit: str
    dimensions: list[str]
    intersections: list[list[str]]
    cells: int
    suppressed: int


class PublishedPage(Schema):
    count: int
    limit: int
    offset: int
    licence: str
    items: list[PublishedSummary]


class PublishedOut(PublishedSummary):
    licence: str
    licence_url: str
    #: the disclosure policy applied (thresholds, sensitive dimensions)
    policy: dict[str, Any]
    #: cells: groups, estimate, se, ci_low, ci_high, n, flags (suppressed cells have no figures)
    rows: list[dict[str, Any]]


@router.get("/projects/{slug}/indicators", response={200: IndicatorPage, **ERRORS},
            summary="Indicators lnob can compute, with when the project last computed each")
@rule("project.view")
def indicator_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0,
                   sdg: Annotated[str | None, Query(pattern=r"^[0-9]{1,2}(\.[0-9a-z]{1,3}){0,2}$",
                                                    description="only indicators of this goal or target, e.g. 6 or 6.2")] = None):
    from lnob.indicators.models import IndicatorResult

    project = project_for(request, slug, "project.view")
    computed = dict(IndicatorResult.objects.filter(project=project).values_list("indicator", "computed_at"))
    items = []
    for ind in _indicators_of(project):
        codes = [str(s) for s in ind.sdg or []]
        if sdg and not any(c == sdg or c.startswith(sdg + ".") for c in codes):
            continue
        items.append({"id": ind.id, "title": dict(ind.title or {}), "sdg": codes, "series": list(ind.series or []),
                      "kind": ind.kind, "unit": ind.unit, "dimensions": ind.dimensions,
                      "higher_is_better": ind.higher_is_better, "proxy": ind.proxy, "note": dict(ind.note or {}),
                      "computed_at": computed.get(ind.id)})
    return {"count": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def _indicators_of(project) -> list:
    """The ready-made library plus the project's own latest definitions (what ``lnob run`` uses),
    by id; :func:`lnob.indicators.project_defs.library` parses each version once per process."""
    from lnob.indicators.project_defs import library

    return sorted(library(project).indicators, key=lambda i: i.id)


#: built answers of /published, per process: (slug, indicator or None, results version) -> answer
_RELEASES: dict[tuple, dict] = {}
_RELEASES_MAX = 32
_LOCK = threading.Lock()


def _version(project) -> str:
    """Changes whenever a result is recomputed or the project's settings (policy, licence) change."""
    import hashlib
    import json

    from lnob.indicators.models import IndicatorResult

    stamp = list(IndicatorResult.objects.filter(project=project).order_by("indicator")
                 .values_list("indicator", "definition_hash", "snapshot_hash", "computed_at"))
    stamp.append(project.survey_design or {})
    return hashlib.sha256(json.dumps(stamp, default=str, sort_keys=True).encode()).hexdigest()


def _released(project, indicator: str | None) -> dict:
    """The release answer, built once per results version: building it reads every stored row and runs
    disclosure control (about a second on the 1M-person demo), reading the version stamp does not."""
    from lnob.publish.release import build_release

    key = (project.slug, indicator, _version(project))
    hit = _RELEASES.get(key)
    if hit is not None:
        return hit
    release = build_release(project.slug, indicators=[indicator] if indicator else None)
    if indicator:
        rows = release.rows_of(indicator)
        out = {**_summary(release.indicators[indicator], rows), "licence": release.licence,
               "licence_url": release.licence_url, "policy": release.policy.as_dict(), "rows": rows}
    else:
        ids = sorted(release.indicators)
        out = {"licence": release.licence,
               "items": [_summary(release.indicators[i], release.rows_of(i)) for i in ids]}
    with _LOCK:
        while len(_RELEASES) >= _RELEASES_MAX:
            _RELEASES.pop(next(iter(_RELEASES)))
        _RELEASES[key] = out
    return out


def _summary(info, rows) -> dict:
    return {"indicator": info.id, "title": dict(info.title or {}), "sdg": [str(s) for s in info.sdg or []],
            "kind": info.kind, "unit": info.unit, "dimensions": list(info.dimensions),
            "intersections": [list(t) for t in info.intersections], "cells": len(rows),
            "suppressed": sum(1 for r in rows if "suppressed" in r["flags"])}


@router.get("/projects/{slug}/published", response={200: PublishedPage, **ERRORS},
            summary="Published results: every indicator's release after disclosure control")
@rule("project.view")
def published_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0):
    project = project_for(request, slug, "project.view")
    out = _released(project, None)
    items = out["items"]
    return {"count": len(items), "limit": limit, "offset": offset, "licence": out["licence"],
            "items": items[offset:offset + limit]}


@router.get("/projects/{slug}/published/{indicator}", response={200: PublishedOut, **ERRORS},
            summary="One indicator's published cells (estimates, intervals, flags; suppressed cells empty)")
@rule("project.view")
def published_detail(request, slug: Slug, indicator: IndicatorId):
    from lnob.errors import NotFound
    from lnob.indicators.models import IndicatorResult

    project = project_for(request, slug, "project.view")
    if not IndicatorResult.objects.filter(project=project, indicator=indicator).exists():
        raise NotFound(_("no published results for indicator %(i)r in project %(p)s") % {"i": indicator, "p": slug},
                       where=indicator, hint=_("GET /api/projects/%(p)s/published lists them") % {"p": slug},
                       code="indicators.no-results")
    return _released(project, indicator)
