"""Open SDG data and metadata of a release (the input format of sdg-build / an Open SDG site).

* ``data/indicator_<code-with-dashes>.csv`` per SDG *indicator* code (target-level proxies such
  as 4.1 have no Open SDG indicator page and are left out): ``Year`` first, then ``Series``
  (the lnob indicator's title, several lnob indicators can serve one SDG code) and ``Units``,
  the disaggregation columns (dimension titles; blank = total), ``GeoCode`` (the ISO 3166-2
  code of a province row) and ``Value`` last, in percent for proportions.  Suppressed cells
  carry no value and are left out (the Data Package keeps them, marked).
* ``meta/<code-with-dashes>.yml``: ``indicator_number``, ``indicator_name``,
  ``reporting_status``, ``expected_disaggregations``, ``data_show_map``, source and method.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

from lnob.publish.release import Release

_INDICATOR = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def by_code(release: Release) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for info in release.indicators.values():
        for code in info.sdg:
            if _INDICATOR.match(code):
                out.setdefault(code, []).append(info.id)
    return out


def write(release: Release, out: Path) -> list[str]:
    (out / "data").mkdir()
    (out / "meta").mkdir()
    written = []
    method = release.method()
    year = str(release.year) if release.year else ""
    for code, inds in sorted(by_code(release).items()):
        dash = code.replace(".", "-")
        dims = [d for d in release.dims_used() if any(d in release.indicators[i].dimensions for i in inds)]
        titles = {d: release.dimensions[d].label("en") for d in dims}
        geo = any(release.dimensions[d].categories.get(c, {}).get("geocode")
                  for d in dims for c in release.dimensions[d].categories)
        head = ["Year", "Series", "Units", *titles.values()] + (["GeoCode"] if geo else []) + ["Value"]
        body = []
        for i in inds:
            info = release.indicators[i]
            units = "Percent" if info.kind == "proportion" else "Ratio" if info.kind == "ratio" else "Number"
            for r in release.rows_of(i):
                if "suppressed" in r["flags"] or r["estimate"] is None:
                    continue
                if any(d not in titles for d in r["groups"]):
                    continue
                cols = [release.dimensions[d].category_label(r["groups"][d], "en") if d in r["groups"] else ""
                        for d in dims]
                gc = ""
                for d, c in r["groups"].items():
                    gc = release.dimensions[d].categories.get(c, {}).get("geocode") or gc
                value = r["estimate"] * (100 if info.kind == "proportion" else 1)
                body.append([year, info.label("en"), units, *cols] + ([gc] if geo else []) + [_num(value)])
        with (out / "data" / f"indicator_{dash}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(body)
        meta = {
            "indicator_number": code,
            "indicator_name": "; ".join(release.indicators[i].label("en") for i in inds),
            "reporting_status": "complete" if body else "notstarted",
            "published": True,
            "data_non_statistical": False,
            "graph_type": "bar",
            "graph_title": "; ".join(release.indicators[i].label("en") for i in inds),
            "expected_disaggregations": list(titles.values()),
            "data_show_map": bool(geo),
            "computation_units": "Percent" if all(release.indicators[i].kind == "proportion" for i in inds) else "",
            "computation_definitions": " ".join(method["estimation"].split()),
            "computation_calculations": " ".join(method["disclosure"].split()),
            "data_footnote": "Community survey estimates, not official statistics. Cells with too few "
                             "respondents are suppressed and left out.",
            "source_active_1": True,
            "source_organisation_1": release.organisation,
            "source_title_1": release.name,
            "source_geographical_coverage_1": release.country or "",
            "source_periodicity_1": "Survey collected %s to %s" % tuple(method["period"]),
            "source_release_date_1": release.created[:10],
            "source_other_1": method["source"],
            "copyright": f"{release.licence} ({release.licence_url})",
            "national_indicator_available": "; ".join(release.indicators[i].label("en") for i in inds
                                                      if release.indicators[i].proxy) or None,
        }
        meta = {k: v for k, v in meta.items() if v is not None}
        (out / "meta" / f"{dash}.yml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
        written += [f"data/indicator_{dash}.csv", f"meta/{dash}.yml"]
    return written
