"""SDMX-CSV 2.0 of a release, coded to the SDG DSD ``IAEG-SDGs:SDG(1.14)``.

Columns: ``STRUCTURE, STRUCTURE_ID, ACTION``, the 15 dimensions in DSD order, ``TIME_PERIOD``,
``OBS_VALUE`` and the DSD's attributes.  Coding rules (docs/publish.md):

* **SERIES** from the indicator definition (``series:``); indicators without a series are not
  in the SDMX file (they are in the Data Package and the Open SDG files).
* **REF_AREA**: the M49 code of the organisation's country (Viet Nam = 704), or the project's
  ``publish.ref_area``.  The SDG area code list has no sub-national areas: a province is coded
  as a custom breakdown (below) whose label names the province and its ISO 3166-2 code.
* **SEX, AGE, URBANISATION, DISABILITY_STATUS, INCOME_WEALTH_QUANTILE** from the dimensions'
  ``sdmx`` codes; migration → COMPOSITE_BREAKDOWN ``MS_MIGRANT`` / ``MS_NOMIGRANT``; any other
  group (ethnicity, caste, religion, province…) → CUST_BREAKDOWN ``C01``… with the label in
  the series attribute CUST_BREAKDOWN_LB (``Ethnicity (self-identified): Hmong``).
* A total is ``_T``, or the series' only allowed code when the series fixes it (child marriage:
  SEX=F, AGE=Y20T24) or :data:`FIXED_CODES` says what the indicator's population is.
* Every code is checked with :func:`lnob.sdg.validate_code` against the code list and the
  series' content constraints; a row that cannot be coded (a category without an SDMX code, an
  intersection of two custom groups, a breakdown the series does not allow) is left out and
  counted in ``notes``.
* Proportions in percent (UNIT_MEASURE ``PT``), bounds of the 95 % CI in LOWER_BOUND /
  UPPER_BOUND, OBS_STATUS ``A`` (normal), ``U`` (low reliability: low-n, high-cv, low-df) or
  ``Q`` (suppressed, OBS_VALUE empty); TIME_PERIOD the year data collection ended, with the
  dates in TIME_DETAIL.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from lnob.errors import LnobError
from lnob.publish.release import Release

STRUCTURE_ID = "IAEG-SDGs:SDG(1.14)"
#: dimension id -> SDMX composite breakdown codes
COMPOSITE = {"migration": {"MIGRANT": "MS_MIGRANT", "NON_MIGRANT": "MS_NOMIGRANT"}}
#: the population of shipped indicators, where the series needs it coded
FIXED_CODES = {"birth_registration": {"AGE": "Y0T4"}, "child_marriage": {"SEX": "F", "AGE": "Y20T24"}}
UNITS = {"proportion": "PT", "mean": "NUMBER", "total": "NUMBER", "ratio": "RO"}


def _dsd():
    from lnob import sdg

    d = sdg.catalogue().dsd
    dims = [x["id"] for x in sorted(d["dimensions"], key=lambda x: x["position"])]
    attrs = [a["id"] for a in d["attributes"]]
    codelists = {x["id"]: x.get("codelist") for x in d["dimensions"] + d["attributes"] if x.get("codelist")}
    return dims, attrs, codelists


def _total(series, dim: str, fixed: dict) -> str:
    if dim in fixed:
        return fixed[dim]
    allowed = series.allowed(dim)
    if allowed is not None and "_T" not in allowed and len(allowed) == 1:
        return allowed[0]
    return "_T"


def rows(release: Release):
    """(header, rows, notes, custom codes)."""
    from lnob import sdg

    dims, attrs, codelists = _dsd()
    head = ["STRUCTURE", "STRUCTURE_ID", "ACTION", *dims, "TIME_PERIOD", "OBS_VALUE", *attrs]
    out, notes, custom = [], Counter(), {}
    year = str(release.year) if release.year else ""
    detail = "/".join(d.isoformat() for d in release.period if d) if all(release.period) else ""
    if not release.ref_area:
        notes["no reference area (set the organisation's country or publish.ref_area)"] += len(release.rows)
        return head, out, notes, custom
    for r in release.rows:
        info = release.indicators[r["indicator"]]
        if not info.series:
            notes[f"{info.id}: no SDMX series in the definition"] += 1
            continue
        for code in info.series:
            series = sdg.series(code)
            fixed = {**FIXED_CODES.get(info.id, {})}
            obs = {d: _total(series, d, fixed) for d in dims}
            obs.update({"FREQ": "A", "REPORTING_TYPE": "N", "SERIES": series.code, "REF_AREA": release.ref_area})
            label, why = None, None
            for d, cat in r["groups"].items():
                dinfo = release.dimensions[d]
                sd = (dinfo.categories.get(cat) or {}).get("sdmx")
                if dinfo.sdmx and sd:
                    obs[dinfo.sdmx] = sd
                elif dinfo.sdmx:
                    why = f"{d}={cat} has no {dinfo.sdmx} code"
                elif d in COMPOSITE and cat in COMPOSITE[d]:
                    obs["COMPOSITE_BREAKDOWN"] = COMPOSITE[d][cat]
                elif d in COMPOSITE:
                    why = f"{d}={cat} has no COMPOSITE_BREAKDOWN code"
                elif label is not None:
                    why = "two custom breakdowns in one row"
                else:
                    key = (d, str(cat))
                    if key not in custom:
                        geo = (dinfo.categories.get(cat) or {}).get("geocode")
                        text = f"{dinfo.label('en')}: {dinfo.category_label(cat, 'en')}" + (f" ({geo})" if geo else "")
                        custom[key] = (f"C{len(custom) + 1:02d}", text)
                    obs["CUST_BREAKDOWN"], label = custom[key]
            if why is None:
                for d in dims:
                    try:
                        obs[d] = sdg.validate_code(codelists[d], obs[d], series=series.code)
                    except LnobError as exc:
                        why = f"{d}={obs[d]}: {exc.code}"
                        break
            if why is not None:
                notes[f"{info.id}: {why}"] += 1
                continue
            unit = UNITS.get(info.kind, "NUMBER")
            allowed_units = series.allowed("UNIT_MEASURE")
            if allowed_units and unit not in allowed_units:
                unit = allowed_units[0] if len(allowed_units) == 1 else unit
            scale = 100.0 if info.kind == "proportion" and unit == "PT" else 1.0
            sup = "suppressed" in r["flags"]
            status = "Q" if sup else "U" if set(r["flags"]) & {"low-n", "high-cv", "low-df"} else "A"
            a = {x: "" for x in attrs}
            a.update({"OBS_STATUS": status, "UNIT_MULT": "0", "UNIT_MEASURE": unit, "TIME_DETAIL": detail,
                      "SOURCE_DETAIL": f"{release.organisation}: {release.name} (community survey, lnob)",
                      "DATA_LAST_UPDATE": release.created[:10],
                      "COMMENT_OBS": ("suppressed (disclosure control)" if sup else ", ".join(r["flags"])),
                      "CUST_BREAKDOWN_LB": label or ""})
            if not sup and r["ci_low"] is not None:
                a["LOWER_BOUND"] = _num(r["ci_low"] * scale)
                a["UPPER_BOUND"] = _num(r["ci_high"] * scale)
            value = "" if sup or r["estimate"] is None else _num(r["estimate"] * scale)
            out.append(["datastructure", STRUCTURE_ID, "I", *[obs[d] for d in dims], year, value,
                        *[a[x] for x in attrs]])
    return head, out, notes, custom


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def write(release: Release, out: Path) -> list[str]:
    head, body, notes, custom = rows(release)
    with (out / "sdg_sdmx.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(body)
    with (out / "custom_breakdowns.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["CUST_BREAKDOWN", "CUST_BREAKDOWN_LB", "dimension", "category"])
        for (d, cat), (code, text) in custom.items():
            w.writerow([code, text, d, cat])
    lines = [f"# {release.name}: SDMX-CSV 2.0 ({STRUCTURE_ID})", "",
             f"Licence: {release.licence} ({release.licence_url}). REF_AREA {release.ref_area}; "
             "sub-national and community-specific groups are custom breakdowns (custom_breakdowns.csv).", "",
             release.method()["disclosure"], "", f"{len(body)} observations.", "", "## Not in the SDMX file", ""]
    lines += [f"* {k}: {v} rows" for k, v in sorted(notes.items())] or ["Nothing."]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["sdg_sdmx.csv", "custom_breakdowns.csv", "README.md"]
