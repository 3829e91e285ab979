"""Indicator results (read-only, ``results.view``): what ``lnob run`` stored for a project."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Path, Router, Schema

from lnob.api.access import project_for, rule
from lnob.api.projects import ERRORS, Limit, Offset, Slug
from lnob.errors import NotFound, did_you_mean
from lnob.i18n import _

router = Router(tags=["results"])


class ResultSummary(Schema):
    indicator: str
    title: dict[str, str]
    sdg: list[str]
    kind: str
    unit: str
    rows: int
    computed_at: dt.datetime


class ResultPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ResultSummary]


class ResultOut(ResultSummary):
    definition_hash: str
    snapshot_hash: str
    provenance: dict[str, Any]
    estimates: list[dict[str, Any]]


def _summary(r) -> dict:
    return {"indicator": r.indicator, "title": r.title or {}, "sdg": [str(s) for s in r.sdg or []], "kind": r.kind,
            "unit": r.unit, "rows": len(r.rows or []), "computed_at": r.computed_at}


@router.get("/projects/{slug}/results", response={200: ResultPage, **ERRORS},
            summary="Indicator results of the project (unpublished: results.view)")
@rule("results.view")
def result_list(request, slug: Slug, limit: Limit = 50, offset: Offset = 0):
    from lnob.indicators.models import IndicatorResult

    qs = IndicatorResult.objects.filter(project=project_for(request, slug, "results.view")).order_by("indicator")
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [_summary(r) for r in qs[offset:offset + limit]]}


@router.get("/projects/{slug}/results/{indicator}", response={200: ResultOut, **ERRORS},
            summary="One indicator's estimates (with standard errors, intervals, flags) and provenance")
@rule("results.view")
def result_detail(request, slug: Slug, indicator: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,63}$")]):
    from lnob.indicators.models import IndicatorResult

    project = project_for(request, slug, "results.view")
    r = IndicatorResult.objects.filter(project=project, indicator=indicator).first()
    if r is None:
        known = list(IndicatorResult.objects.filter(project=project).values_list("indicator", flat=True))
        raise NotFound(_("no results for indicator %(i)r in project %(p)s") % {"i": indicator, "p": slug},
                       where=indicator,
                       hint=did_you_mean(indicator, known) or _("run 'lnob run %(p)s' first") % {"p": slug},
                       code="indicators.no-results")
    return {**_summary(r), "definition_hash": r.definition_hash, "snapshot_hash": r.snapshot_hash,
            "provenance": r.provenance or {}, "estimates": r.rows or []}
