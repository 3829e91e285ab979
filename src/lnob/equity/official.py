"""Official statistics: import official SDG series, compare them with community estimates,
show which disaggregations only the community data has, and Open SDG's progress status.

Formats read (no extra dependency: the csv module and defusedxml):

* **Open SDG CSV** (one file per indicator; ``Year``, disaggregation columns, ``Value``;
  optional ``Units``, ``Series``, ``GeoCode``; blank disaggregation cells = total), with the
  indicator's metadata YAML when given (``indicator_number`` …).  The indicator code comes
  from the metadata, from ``indicator=``, or from the file name (``indicator_1-2-1.csv``,
  ``1-2-1.csv``).
* **SDMX-CSV** 1.0 (``DATAFLOW`` column) and 2.0 (``STRUCTURE, STRUCTURE_ID, ACTION``) on the
  SDG DSD: dimensions, ``TIME_PERIOD``, ``OBS_VALUE`` and attributes (``UNIT_MEASURE``,
  ``LOWER_BOUND``, ``UPPER_BOUND``, …).
* **SDMX-ML** 2.1 structure-specific or generic data messages.

SDMX codes are checked against the shipped SDG code lists and content constraints
(:func:`lnob.sdg.validate_code`, the series' allowed codes): a file whose codes do not match
the DSD is an error naming the row and the column.

Comparison (:func:`compare`): an official value usually has no SE, so a community estimate
differs significantly when the official value lies outside the community CI; when the
official value has an SE, a two-sided z-test of the difference of two independent estimates,
z = (ŷ_c − y_o)/√(SE_c² + SE_o²), at level ``alpha``.

Progress (:func:`progress`): Open SDG's method, as in sdg-build ``sdg/ProgressMeasure.py``
(Statistics Canada's methodology, open-sdg ``docs/progress-methodology.md``).  Compound
annual growth rate CAGR = (y_t/y_0)^(1/(t − t_0)) − 1 from the base year (2015, or the first
later year with data) to the latest year.  Without a target: progress value
P = s·d·CAGR (d = +1 if higher is better, s = −1 if the base value is negative); thresholds
high 1.5 %, medium 0.5 %, low 0 (scaled by C = 1 − (y_0/limit)^4.44 near a natural limit).
With a target y_T in t_T (2030): P = s·d·CAGR / |CAGR_T|, CAGR_T = (y_T/y_0)^(1/(t_T − t_0)) − 1,
thresholds 0.95, 0.6, 0; the target counts as achieved when the latest value reaches it.
Status: target_achieved, substantial_progress (P ≥ high), moderate_progress,
limited_progress, deterioration (P < low) or not_available (fewer than two years, a zero
or sign-changing series); the score in [−5, 5] is sdg-build's piecewise-linear transform.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

from lnob.errors import InputError, NotFound, UsageError
from lnob.i18n import _

TOTAL_CODES = ("", "_T", "_Z", None)
OPEN_SDG_NON_DISAGG = ("Year", "Value", "Units", "Series", "GeoCode", "Observation status",
                       "Unit multiplier", "Unit measure", "COMMENT_OBS")
SDMX_TECH = ("STRUCTURE", "STRUCTURE_ID", "ACTION", "DATAFLOW")
SDMX_NON_DISAGG = ("FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "TIME_PERIOD")


@dataclass
class Observation:
    """One official value."""

    indicator: str | None
    series: str | None
    area: str | None
    year: int
    value: float
    disaggregation: dict = field(default_factory=dict)  # dimension -> code/label (totals dropped)
    unit: str | None = None
    se: float | None = None
    lower: float | None = None
    upper: float | None = None
    source: str = ""

    @property
    def headline(self) -> bool:
        return not self.disaggregation


@dataclass
class OfficialData:
    indicator: str | None
    observations: list
    format: str
    metadata: dict = field(default_factory=dict)

    def dimensions(self) -> dict:
        """Disaggregation dimension -> sorted categories present."""
        out: dict = {}
        for o in self.observations:
            for k, v in o.disaggregation.items():
                out.setdefault(k, set()).add(v)
        return {k: sorted(v, key=str) for k, v in sorted(out.items())}


# --------------------------------------------------------------------------- reading
def _bad_file(path, reason, hint, code="official.unreadable", where=None) -> InputError:
    return InputError(reason, where=where or str(path), hint=hint, code=code)


def _number(text, path, where):
    try:
        return float(text)
    except (TypeError, ValueError):
        raise _bad_file(path, _("{v!r} is not a number").format(v=text), _("official values must be numbers"),
                        code="official.not-a-number", where=where) from None


def _year(text, path, where) -> int:
    m = re.match(r"^\s*(\d{4})", str(text or ""))
    if not m:
        raise _bad_file(path, _("{v!r} is not a year").format(v=text), _("write years as 2019 (or 2019-20)"),
                        code="official.bad-year", where=where)
    return int(m.group(1))


def _indicator_code(text) -> str | None:
    from lnob import sdg

    try:
        kind, code = sdg.catalogue().normalize(text)
        if kind != "indicator":
            return None
        sdg.indicator(code)  # must exist in the shipped catalogue
    except Exception:
        return None
    return code


def _open(path):
    path = Path(path)
    if not path.exists():
        raise NotFound(_("file {p} does not exist").format(p=str(path)), where=str(path),
                       hint=_("check the path"), code="official.file-not-found")
    return path


def read_open_sdg(path, metadata=None, *, indicator: str | None = None) -> OfficialData:
    """An Open SDG indicator CSV (and optionally its metadata YAML)."""
    path = _open(path)
    meta = {}
    if metadata:
        import yaml

        mpath = _open(metadata)
        try:
            text = mpath.read_text(encoding="utf-8")
            if text.startswith("---"):  # Jekyll front matter
                text = text.split("---", 2)[1]
            meta = yaml.safe_load(text) or {}
        except Exception as exc:
            raise _bad_file(mpath, _("cannot read the metadata: {e}").format(e=str(exc).splitlines()[0]),
                            _("the metadata must be YAML"))
    code = indicator or meta.get("indicator_number") or meta.get("indicator")
    if not code:
        m = re.search(r"(\d{1,2}-\d{1,2}|\d{1,2}-[a-z])-\d{1,2}", path.stem)
        code = m.group(0) if m else None
    ind = _indicator_code(code) if code else None
    if code and ind is None:
        raise _bad_file(path, _("{c!r} is not an SDG indicator code").format(c=str(code)),
                        _("e.g. 1.2.1"), code="official.unknown-indicator")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or "Year" not in rows[0] or "Value" not in rows[0]:
        raise _bad_file(path, _("not an Open SDG CSV: the columns Year and Value are needed"),
                        _("the first row names the columns: Year, disaggregations…, Value"),
                        code="official.bad-format")
    head = rows[0]
    obs = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        rec = dict(zip(head, row))
        where = f"{path.name}, line {i}"
        if rec.get("Value", "").strip() == "":
            continue
        disagg = {k: v.strip() for k, v in rec.items() if k not in OPEN_SDG_NON_DISAGG and v.strip()}
        obs.append(Observation(ind, rec.get("Series") or None, rec.get("GeoCode") or None,
                               _year(rec["Year"], path, where), _number(rec["Value"], path, where),
                               disagg, rec.get("Units") or None, source=where))
    return OfficialData(ind, obs, "open-sdg", meta)


def _validate_sdmx(path, where, dims: dict, series: str | None) -> None:
    from lnob import sdg

    known = set(sdg.catalogue().dimensions)
    for dim, code in dims.items():
        if dim not in known or code in (None, ""):
            continue
        try:
            sdg.validate_code(dim, code, series=series if dim not in ("SERIES", "REF_AREA") else None)
        except InputError as exc:
            raise InputError(
                _("code {c!r} of {d} does not match the SDG DSD: {m}").format(c=code, d=dim, m=exc.message),
                where=f"{where}, {dim}", hint=exc.hint or _("use the codes of the SDG code lists (lnob sdg)"),
                code="official.bad-code") from None


def _sdmx_obs(path, where, comps: dict, attrs: dict) -> Observation:
    from lnob import sdg

    series = comps.get("SERIES")
    if series:
        try:
            s = sdg.series(series)
        except Exception:
            raise InputError(_("series {s!r} is not in the SDG DSD").format(s=series), where=f"{where}, SERIES",
                             hint=_("use an SDG series code such as SI_POV_NAHC"), code="official.bad-code") from None
        inds = list(getattr(s, "indicators", None) or [])
        ind = str(inds[0]) if inds else None
    else:
        ind = None
    dims = {k: v for k, v in comps.items() if k not in ("TIME_PERIOD", "OBS_VALUE")}
    _validate_sdmx(path, where, dims, series)
    value = comps.get("OBS_VALUE")
    disagg = {k: v for k, v in dims.items() if k not in SDMX_NON_DISAGG and v not in TOTAL_CODES}
    lo, hi = attrs.get("LOWER_BOUND"), attrs.get("UPPER_BOUND")
    return Observation(ind, series, dims.get("REF_AREA"), _year(comps.get("TIME_PERIOD"), path, where),
                       _number(value, path, where), disagg, attrs.get("UNIT_MEASURE"),
                       lower=float(lo) if lo not in (None, "") else None,
                       upper=float(hi) if hi not in (None, "") else None, source=where)


def read_sdmx_csv(path) -> OfficialData:
    """SDMX-CSV (1.0 or 2.0) on the SDG DSD; codes are validated."""
    from lnob import sdg

    path = _open(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or "OBS_VALUE" not in rows[0] or "TIME_PERIOD" not in rows[0]:
        raise _bad_file(path, _("not an SDMX-CSV file: OBS_VALUE and TIME_PERIOD are needed"),
                        _("export the data as SDMX-CSV on the SDG DSD"), code="official.bad-format")
    head = rows[0]
    dims = set(sdg.catalogue().dimensions) | {"TIME_PERIOD", "OBS_VALUE"}
    obs = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        rec = dict(zip(head, row))
        where = f"{path.name}, line {i}"
        if rec.get("OBS_VALUE", "").strip() in ("", "NaN"):
            continue
        comps = {k: v.strip() for k, v in rec.items() if k in dims}
        attrs = {k: v.strip() for k, v in rec.items() if k not in dims and k not in SDMX_TECH}
        obs.append(_sdmx_obs(path, where, comps, attrs))
    inds = {o.indicator for o in obs}
    return OfficialData(inds.pop() if len(inds) == 1 else None, obs, "sdmx-csv")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_sdmx_ml(path) -> OfficialData:
    """SDMX-ML 2.1 data message (structure-specific or generic) on the SDG DSD."""
    from defusedxml import ElementTree as ET

    path = _open(path)
    try:
        root = ET.parse(str(path)).getroot()
    except Exception as exc:
        raise _bad_file(path, _("not a readable XML file: {e}").format(e=str(exc).splitlines()[0]),
                        _("give an SDMX-ML data message"), code="official.bad-format")
    obs = []
    n = 0
    for series in root.iter():
        if _local(series.tag) != "Series":
            continue
        if any(_local(c.tag) == "SeriesKey" for c in series):  # generic
            key = {}
            sattrs = {}
            for c in series:
                if _local(c.tag) == "SeriesKey":
                    key.update({v.get("id"): v.get("value") for v in c if _local(v.tag) == "Value"})
                elif _local(c.tag) == "Attributes":
                    sattrs.update({v.get("id"): v.get("value") for v in c if _local(v.tag) == "Value"})
            for o in series:
                if _local(o.tag) != "Obs":
                    continue
                n += 1
                comps, attrs = dict(key), dict(sattrs)
                for c in o:
                    t = _local(c.tag)
                    if t == "ObsDimension":
                        comps["TIME_PERIOD"] = c.get("value")
                    elif t == "ObsValue":
                        comps["OBS_VALUE"] = c.get("value")
                    elif t == "Attributes":
                        attrs.update({v.get("id"): v.get("value") for v in c if _local(v.tag) == "Value"})
                if comps.get("OBS_VALUE") in (None, "", "NaN"):
                    continue
                obs.append(_sdmx_obs(path, f"{path.name}, observation {n}", comps, attrs))
        else:  # structure-specific: dimensions and attributes as XML attributes
            from lnob import sdg

            dims = set(sdg.catalogue().dimensions)
            skey = {k: v for k, v in series.attrib.items() if k in dims}
            sattrs = {k: v for k, v in series.attrib.items() if k not in dims}
            for o in series:
                if _local(o.tag) != "Obs":
                    continue
                n += 1
                comps = dict(skey)
                attrs = dict(sattrs)
                for k, v in o.attrib.items():
                    if k in ("TIME_PERIOD", "OBS_VALUE") or k in dims:
                        comps[k] = v
                    else:
                        attrs[k] = v
                if comps.get("OBS_VALUE") in (None, "", "NaN"):
                    continue
                obs.append(_sdmx_obs(path, f"{path.name}, observation {n}", comps, attrs))
    if n == 0:
        raise _bad_file(path, _("no observations found in the SDMX-ML message"),
                        _("give a structure-specific or generic SDMX-ML 2.1 data message"),
                        code="official.bad-format")
    inds = {o.indicator for o in obs}
    return OfficialData(inds.pop() if len(inds) == 1 else None, obs, "sdmx-ml")


def read_official(path, metadata=None, *, indicator=None) -> OfficialData:
    """Detect the format (SDMX-ML by XML, SDMX-CSV by its OBS_VALUE column, else Open SDG)."""
    path = _open(path)
    head = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("<"):
        return read_sdmx_ml(path)
    first = head.splitlines()[0] if head else ""
    if "OBS_VALUE" in first.split(","):
        return read_sdmx_csv(path)
    return read_open_sdg(path, metadata, indicator=indicator)


# --------------------------------------------------------------------------- comparison
@dataclass
class CommunityEstimate:
    """A community (lnob) result to compare: estimate, CI (and SE) for one disaggregation."""

    indicator: str | None
    year: int | None
    estimate: float
    ci_low: float
    ci_high: float
    se: float | None = None
    disaggregation: dict = field(default_factory=dict)
    series: str | None = None
    area: str | None = None
    label: str = ""


@dataclass
class Comparison:
    community: CommunityEstimate
    official: Observation | None
    difference: float = float("nan")
    z: float | None = None
    p_value: float | None = None
    significant: bool = False
    method: str = ""
    direction: str = ""  # "community higher" | "community lower" | "consistent" | "no official value"


def _norm_disagg(d: dict) -> dict:
    return {str(k): str(v) for k, v in (d or {}).items() if v not in TOTAL_CODES}


def read_community_csv(path, indicator: str | None = None) -> list[CommunityEstimate]:
    """Community results: columns ``estimate`` (or ``value``), ``ci_low``, ``ci_high``, optional
    ``se``, ``year``, ``indicator``, ``series``, ``area``; every other column is a
    disaggregation (blank = total)."""
    path = _open(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    fixed = {"indicator", "year", "estimate", "value", "ci_low", "ci_high", "se", "series", "area", "n", "label"}
    out = []
    for i, r in enumerate(rows, start=2):
        where = f"{path.name}, line {i}"
        val = r.get("estimate", r.get("value"))
        if val in (None, ""):
            raise _bad_file(path, _("the estimate is missing"), _("give the columns estimate, ci_low, ci_high"),
                            code="official.missing-value", where=where)
        for col in ("ci_low", "ci_high"):
            if r.get(col) in (None, ""):
                raise _bad_file(path, _("the column {c} is missing or empty").format(c=col),
                                _("give the columns estimate, ci_low, ci_high"), code="official.missing-value",
                                where=where)
        ind = _indicator_code(r.get("indicator") or indicator) if (r.get("indicator") or indicator) else None
        out.append(CommunityEstimate(
            ind, _year(r["year"], path, where) if r.get("year") else None, _number(val, path, where),
            _number(r["ci_low"], path, where), _number(r["ci_high"], path, where),
            _number(r["se"], path, where) if r.get("se") else None,
            {k: v for k, v in r.items() if k not in fixed and v not in (None, "")},
            r.get("series") or None, r.get("area") or None, r.get("label") or ""))
    return out


def match(community: CommunityEstimate, official: OfficialData, *, year_tolerance: int = 0) -> Observation | None:
    """The official observation with the same indicator (series, area when both have one) and
    the same disaggregation, in the same year (or the closest within ``year_tolerance``)."""
    want = _norm_disagg(community.disaggregation)
    best = None
    for o in official.observations:
        if community.indicator and o.indicator and community.indicator != o.indicator:
            continue
        if community.series and o.series and community.series != o.series:
            continue
        if community.area and o.area and community.area != o.area:
            continue
        if _norm_disagg(o.disaggregation) != want:
            continue
        gap = 0 if community.year is None else abs(o.year - community.year)
        if community.year is not None and gap > year_tolerance:
            continue
        key = (gap, -o.year)
        if best is None or key < best[0]:
            best = (key, o)
    return best[1] if best else None


def compare(community, official: OfficialData, *, alpha: float = 0.05, year_tolerance: int = 0) -> list[Comparison]:
    """Each community estimate against its matching official value (module docstring)."""
    out = []
    nd = NormalDist()
    for c in community:
        o = match(c, official, year_tolerance=year_tolerance)
        cmp_ = Comparison(c, o)
        if o is None:
            cmp_.direction = "no official value"
            out.append(cmp_)
            continue
        cmp_.difference = c.estimate - o.value
        if o.se is not None and c.se is not None:
            s = math.hypot(c.se, o.se)
            cmp_.z = cmp_.difference / s if s > 0 else None
            cmp_.p_value = 2 * (1 - nd.cdf(abs(cmp_.z))) if cmp_.z is not None else None
            cmp_.significant = cmp_.p_value is not None and cmp_.p_value < alpha
            cmp_.method = "z-test"
        else:
            cmp_.significant = not (c.ci_low <= o.value <= c.ci_high)
            cmp_.method = "outside community CI"
        cmp_.direction = ("consistent" if not cmp_.significant
                          else "community higher" if cmp_.difference > 0 else "community lower")
        out.append(cmp_)
    return out


def gap_matrix(official: OfficialData, community) -> list[dict]:
    """Per disaggregation dimension: the categories each source has, and which source only."""
    off = official.dimensions()
    com: dict = {}
    for c in community:
        for k, v in _norm_disagg(c.disaggregation).items():
            com.setdefault(k, set()).add(v)
    out = []
    for dim in sorted(set(off) | set(com)):
        o, c = set(map(str, off.get(dim, []))), com.get(dim, set())
        status = "both" if o and c else "official only" if o else "community only"
        out.append({"indicator": official.indicator, "dimension": dim, "status": status,
                    "official": sorted(o), "community": sorted(c),
                    "community_only_categories": sorted(c - o)})
    return out


# --------------------------------------------------------------------------- progress
@dataclass
class Progress:
    status: str
    score: float | None
    value: float | None
    base_year: int | None
    base_value: float | None
    current_year: int | None
    current_value: float | None
    target: float | None = None


def _cagr(v1, v0, t1, t0):
    return (v1 / v0) ** (1 / (t1 - t0)) - 1


def progress(points, *, direction: str = "positive", target: float | None = None, base_year: int = 2015,
             target_year: int = 2030, limit: float | None = None) -> Progress:
    """Open SDG's progress status of one series ``[(year, value), ...]`` (module docstring)."""
    if direction not in ("positive", "negative"):
        raise UsageError(_("direction must be positive or negative"), where="--direction",
                         hint=_("positive: higher is better"), code="official.bad-direction")
    pts = {}
    for y, v in points:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if int(y) in pts:
            raise InputError(_("two values for year {y}").format(y=int(y)), where="progress",
                             hint=_("select one series and one disaggregation"), code="official.duplicate-year")
        pts[int(y)] = float(v)
    na = Progress("not_available", None, None, None, None, None, None, target)
    if not pts:
        return na
    d = 1 if direction == "positive" else -1
    if target == 0:
        target = 0.001
    cy = max(pts)
    cv = pts[cy]
    later = [y for y in pts if y >= base_year]
    if not later:
        return na
    by = base_year if base_year in pts else min(later)
    bv = pts[by]
    res = Progress("not_available", None, None, by, bv, cy, cv, target)
    achieved = target is not None and ((d == -1 and cv <= target) or (d == 1 and cv >= target))
    sign = -1 if bv < 0 else 1
    if bv == 0:
        bv = 0.001
    if (bv > 0 > cv) or (bv < 0 < cv) or cy - by < 1:
        if achieved:
            res.status, res.score = "target_achieved", 5.0
        return res
    if target is None:
        th = {"high": 0.015, "med": 0.005, "low": 0.0}
        coeff = 1.0
        if limit is not None:
            b, lim = abs(bv), abs(limit)
            coeff = 1.0 if b >= 2 * lim else (1 - (b / lim) ** 4.44 if b <= lim else 1 - ((2 * lim - b) / lim) ** 4.44)
            th = {k: v * coeff for k, v in th.items()}
        value = sign * d * _cagr(cv, bv, cy, by)
    else:
        th = {"high": 0.95, "med": 0.6, "low": 0.0}
        value = sign * d * _cagr(cv, bv, cy, by) / abs(_cagr(target, bv, target_year, by))
    res.value = value
    if achieved:
        res.status = "target_achieved"
    elif value >= th["high"]:
        res.status = "substantial_progress"
    elif value >= th["med"]:
        res.status = "moderate_progress"
    elif value >= th["low"]:
        res.status = "limited_progress"
    else:
        res.status = "deterioration"
    res.score = _score(value, th, target is None, achieved, coeff if target is None else 1.0)
    return res


def _score(value, th, qualitative, achieved, coeff):
    """sdg-build's piecewise-linear score in [−5, 5]."""
    if achieved:
        return 5.0
    if qualitative:
        if value < th["low"]:
            return max(125 * value - 2.5, -5.0)
        if coeff == 0:
            return 5.0
        if value >= th["high"]:
            return min(500 * value / coeff - 5, 5.0)
        if value >= th["med"]:
            return 250 * value / coeff - 1.25
        return 500 * value / coeff - 2.5
    if value >= th["med"]:
        return min(7.1429 * value - 4.2857, 5.0)
    return max(4.1667 * value - 2.5, -5.0)


def headline_points(official: OfficialData, disaggregation: dict | None = None, series=None, unit=None):
    """``[(year, value)]`` of the headline (or of one disaggregation) of an official file."""
    want = _norm_disagg(disaggregation or {})
    pts = []
    for o in official.observations:
        if series and o.series != series:
            continue
        if unit and o.unit != unit:
            continue
        if _norm_disagg(o.disaggregation) == want:
            pts.append((o.year, o.value))
    return pts
