"""Frictionless Data Package of a release.

Contract (fixed — data users script against it): resource ``results`` (``results.csv``) with
the columns ``indicator``, ``sdg`` (codes joined by ``;``), one column per dimension (empty
where the row is not split by it), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``
(unweighted) and ``flags`` (joined by ``;``).  A suppressed cell keeps its row with
``estimate``, ``se``, ``ci_low`` and ``ci_high`` empty and ``suppressed`` in ``flags``.
Proportions are fractions (0–1).  Two more resources describe the codes: ``indicators`` and
``categories``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from lnob.publish.release import Release

RESULTS = "results.csv"


def _fmt(x, digits: int = 6) -> str:
    if x is None:
        return ""
    if isinstance(x, int):
        return str(x)
    return f"{round(float(x), digits):.{digits}f}".rstrip("0").rstrip(".") if x == x else ""


def result_rows(release: Release) -> tuple[list[str], list[list[str]]]:
    dims = release.dims_used()
    head = ["indicator", "sdg", *dims, "estimate", "se", "ci_low", "ci_high", "n", "flags"]
    out = []
    for r in release.rows:
        sup = "suppressed" in r["flags"]
        out.append([r["indicator"], ";".join(r["sdg"]), *[str(r["groups"].get(d, "")) for d in dims],
                    *("" if sup else _fmt(r[k]) for k in ("estimate", "se", "ci_low", "ci_high")),
                    "" if r["n"] is None else str(r["n"]), ";".join(r["flags"])])
    return head, out


def _write_csv(path: Path, head, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)


def _field(name, type_, description, **extra) -> dict:
    return {"name": name, "type": type_, "description": description, **extra}


def write(release: Release, out: Path) -> list[str]:
    """Write the package into the (empty) directory ``out``; returns the file names."""
    dims = release.dims_used()
    head, rows = result_rows(release)
    _write_csv(out / RESULTS, head, rows)
    ind_head = ["indicator", "title", "kind", "unit", "sdg", "series", "higher_is_better", "proxy", "dimensions",
                "intersections", "not_published"]
    ind_rows = [[i.id, i.label("en"), i.kind, i.unit, ";".join(i.sdg), ";".join(i.series),
                 "true" if i.higher_is_better else "false", "true" if i.proxy else "false", ";".join(i.dimensions),
                 ";".join("×".join(t) for t in i.intersections), ";".join(i.left_out)]
                for i in release.indicators.values()]
    _write_csv(out / "indicators.csv", ind_head, ind_rows)
    cat_rows = []
    for d in dims:
        info = release.dimensions[d]
        for code in sorted({r["groups"][d] for r in release.rows if d in r["groups"]}, key=str):
            c = info.categories.get(code) or {}
            cat_rows.append([d, info.label("en"), str(code), info.category_label(code, "en"), c.get("sdmx") or "",
                             c.get("geocode") or ""])
    _write_csv(out / "categories.csv", ["dimension", "dimension_title", "category", "title", "sdmx", "geocode"],
               cat_rows)
    dim_fields = [_field(d, "string", f"{release.dimensions[d].label('en')} (category code; empty: not split by it)")
                  for d in dims]
    method = release.method()
    package = {
        "profile": "data-package",
        "name": f"lnob-{release.project}".lower().replace("_", "-"),
        "title": release.name,
        "description": method["source"] + ". " + method["estimation"] + " " + method["disclosure"],
        "version": release.created[:10],
        "created": release.created,
        "licenses": [{"name": release.licence, "title": release.licence_title, "path": release.licence_url}],
        "contributors": [{"title": release.organisation, "role": "publisher"}],
        "sources": [{"title": method["source"]}],
        "temporalCoverage": {"start": method["period"][0], "end": method["period"][1]},
        "resources": [
            {"name": "results", "path": RESULTS, "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8",
             "description": "Disclosure-controlled estimates: one row per indicator and group.",
             "schema": {"fields": [
                 _field("indicator", "string", "indicator id (see indicators.csv)", constraints={"required": True}),
                 _field("sdg", "string", "SDG indicator or target codes, joined by ';'"),
                 *dim_fields,
                 _field("estimate", "number", "estimate (a proportion as a fraction 0-1); empty when suppressed"),
                 _field("se", "number", "design-based standard error; empty when suppressed"),
                 _field("ci_low", "number", "lower bound of the 95 % confidence interval"),
                 _field("ci_high", "number", "upper bound of the 95 % confidence interval"),
                 _field("n", "integer", "unweighted number of observations; empty when suppressed"),
                 _field("flags", "string", "suppressed;primary|secondary, or low-n / high-cv / low-df, joined by ';'"),
             ], "missingValues": [""]}},
            {"name": "indicators", "path": "indicators.csv", "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "description": "The indicators of the release.",
             "schema": {"fields": [_field(h, "string", h) for h in ind_head], "primaryKey": ["indicator"],
                        "missingValues": [""]}},
            {"name": "categories", "path": "categories.csv", "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8",
             "description": "Dimension and category codes with their English titles, SDMX codes and geocodes.",
             "schema": {"fields": [_field(h, "string", h) for h in
                                   ("dimension", "dimension_title", "category", "title", "sdmx", "geocode")],
                        "missingValues": [""]}},
        ],
        "lnob": {"version": release.version, "project": release.project, "method": method,
                 "counts": release.counts()},
    }
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme(release, method), encoding="utf-8")
    return ["datapackage.json", RESULTS, "indicators.csv", "categories.csv", "README.md"]


def readme(release: Release, method: dict) -> str:
    c = release.counts()
    lines = [f"# {release.name}", "",
             f"Published by {release.organisation} with lnob {release.version} on {release.created[:10]}. "
             f"Licence: {release.licence} ({release.licence_url}).", "",
             "## Method", "", method["source"] + ".", "", method["estimation"], "", method["disclosure"], "",
             f"Data collected from {method['period'][0]} to {method['period'][1]}. "
             f"{c['cells']} cells, {c['suppressed']} suppressed ({c['primary']} primary, {c['secondary']} secondary).", "",
             "## Dimensions not published", ""]
    left = {i: v.left_out for i, v in release.indicators.items() if v.left_out}
    if left:
        lines += [f"* {i}: {', '.join(v)} (too many combinations to check for disclosure together with the others)"
                  for i, v in left.items()]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
