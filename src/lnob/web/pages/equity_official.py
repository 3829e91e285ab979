"""Official statistics on the "who is left behind" pages (no views here; :mod:`lnob.web.pages.equity`
owns them): the data-gap matrix across a project's indicators with Open SDG's progress status,
and a dimension's groups next to the official values (:mod:`lnob.equity.official`,
:mod:`lnob.equity.leftbehind`).  Official files are the project's uploads in
``<media>/official/<slug>/``; community figures are the rows the reader may see."""

from __future__ import annotations

from lnob import l10n
from lnob.errors import LnobError
from lnob.i18n import _, gettext_noop
from lnob.web.pages.evidence_data import MISSING, Labels, _ind_title, _official_direction


def _official_files(project):
    from pathlib import Path

    from django.conf import settings

    from lnob.equity.official import read_official

    folder = Path(settings.MEDIA_ROOT) / "official" / project.slug
    out = []
    for f in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            out.append((f.name, read_official(f)))
        except LnobError:
            continue
    return out


PROGRESS_TEXT = {
    "target_achieved": gettext_noop("target achieved"),
    "substantial_progress": gettext_noop("substantial progress"),
    "moderate_progress": gettext_noop("moderate progress"),
    "limited_progress": gettext_noop("limited progress"),
    "deterioration": gettext_noop("deterioration"),
    "not_available": gettext_noop("not available"),
}
STATUS_TEXT = {
    "both": gettext_noop("official and community"),
    "official": gettext_noop("official only"),
    "community": gettext_noop("community only"),
}


def gap_matrix(project, stored, lib, labels: Labels, lang) -> dict:
    from lnob.equity.leftbehind import data_gaps
    from lnob.equity.official import headline_points, progress

    community = {k: {d for r in ir.rows for d in r["groups"] if len(r["groups"]) == 1 and r["groups"][d] != MISSING}
                 for k, ir in stored.items()}
    official, status = {}, {}
    for name, data in _official_files(project):
        for k, ir in stored.items():
            if data.indicator in ir.sdg:
                official.setdefault(k, set()).update(data.dimensions())
                try:
                    fav = lib.indicator(k).higher_is_better
                except LnobError:
                    fav = True
                try:
                    p = progress(headline_points(data), direction="positive" if fav else "negative")
                    status[k] = _(PROGRESS_TEXT.get(p.status, p.status))
                except LnobError as exc:
                    status[k] = exc.message
    rows = data_gaps(community, official, lib.dimensions)
    dims = sorted({d for r in rows for d in r["cells"]}, key=lambda d: labels.dim(d))
    out = []
    for r in rows:
        ind = r["indicator"]
        cells = [{"status": r["cells"].get(d, ""),
                  "text": _(STATUS_TEXT[r["cells"][d]]) if d in r["cells"] else _("none")} for d in dims]
        out.append({"id": ind, "title": _ind_title(stored[ind], lang), "cells": cells,
                    "official": ind in official, "progress": status.get(ind, "")})
    return {"dims": [(d, labels.dim(d)) for d in dims], "rows": out, "has_official": bool(official)}


def official_groups(project, stored, lib, indicator, dim, rows, labels: Labels) -> list:
    """Community values of ``dim``'s groups next to the official value of the same group."""
    from lnob.equity.leftbehind import official_category, official_dimension
    from lnob.equity.official import CommunityEstimate, compare

    ir = stored[indicator]
    d = labels.dims.get(dim)
    out = []
    for name, data in _official_files(project):
        if data.indicator not in ir.sdg:
            continue
        cols = [c for c in data.dimensions() if official_dimension(c, lib.dimensions) == dim]
        if not cols:
            continue
        col = cols[0]
        for r in rows:
            if list(r["groups"]) != [dim] or r["estimate"] is None or r["ci_low"] is None:
                continue
            code = r["groups"][dim]
            match = [v for v in data.dimensions()[col] if official_category(d, code, v)]
            if not match:
                continue
            scale = 100 if ir.kind == "proportion" else 1
            com = CommunityEstimate(data.indicator, None, r["estimate"] * scale, r["ci_low"] * scale,
                                    r["ci_high"] * scale, r["se"] * scale if r["se"] is not None else None,
                                    {col: match[0]})
            for c in compare([com], data, year_tolerance=100):
                o = c.official
                out.append({"group": labels.cat(dim, code), "community": l10n.number(com.estimate, 1),
                            "community_ci": l10n.interval(l10n.number(com.ci_low, 1), l10n.number(com.ci_high, 1)),
                            "official": l10n.DASH if o is None else l10n.number(o.value, 1),
                            "year": l10n.year(o.year) if o else "", "significant": c.significant,
                            "direction": _official_direction(c.direction), "source": name})
    return out
