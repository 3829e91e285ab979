"""A release: the publishable, disclosure-controlled cut of a project's stored indicator results.

Stored results hold every indicator by every dimension and every intersection up to the run's
depth (``lnob run``).  That is far more than a table can carry through disclosure control — the
attacker's system has one unknown per combination of categories of *all* published dimensions
(:mod:`lnob.disclosure.structure`) — and more than a reader needs.  A release therefore keeps,
per indicator:

* the total;
* one table per dimension, chosen in the order of :data:`DIMENSION_PRIORITY` (or as asked)
  while the product of their numbers of categories stays within :data:`MAX_BASE_CELLS`; the
  dimensions left out are recorded (``IndicatorInfo.left_out``) and said in the method note;
* the intersections asked for (``--intersection sex,disability``, or a brief's ``--group``).

All cells of all indicators go through :func:`lnob.disclosure.protect` in **one** call with the
project's policy (``survey_design["disclosure"]``, default :class:`~lnob.disclosure.Policy`), so
linking across indicators sees them together.  Every writer and the brief read
:attr:`Release.rows` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from lnob import __version__
from lnob.disclosure import LOW_DF, Cell, Policy, protect
from lnob.errors import InputError, NotFound, did_you_mean
from lnob.i18n import _

DEFAULT_LICENCE = "CC-BY-4.0"
#: SPDX id -> (title, URL)
LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "ODC-By-1.0": ("Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
}
#: the order in which dimensions enter a release when none are named
DIMENSION_PRIORITY = ("sex", "age", "disability", "urbanisation", "ethnic_group", "ethnicity", "wealth",
                      "migration", "province", "religion", "caste")
#: largest cross-classification (product of the numbers of categories) a release asks the
#: disclosure audit to check per indicator (the audit itself refuses above 200,000)
MAX_BASE_CELLS = 50_000
MISSING = "_U"


@dataclass
class DimensionInfo:
    id: str
    title: dict
    sdmx: str | None = None
    #: category code -> {"title": {lang: text}, "sdmx": code or None, "geocode": code or None}
    categories: dict = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        return _text(self.title, lang) or self.id

    def category_label(self, code, lang: str = "en") -> str:
        if code == MISSING:
            return _("Not stated")
        info = self.categories.get(code)
        return (_text(info["title"], lang) if info else "") or str(code)


@dataclass
class IndicatorInfo:
    id: str
    title: dict
    kind: str
    unit: str
    sdg: list
    series: list = field(default_factory=list)
    higher_is_better: bool = True
    proxy: bool = False
    note: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    dimensions: list = field(default_factory=list)
    intersections: list = field(default_factory=list)
    left_out: list = field(default_factory=list)
    defined: bool = True  # False: not in the definitions lnob can load (polarity assumed)

    def label(self, lang: str = "en") -> str:
        return _text(self.title, lang) or self.id

    @property
    def percent(self) -> bool:
        return self.kind == "proportion"


@dataclass
class Release:
    project: str
    name: str
    organisation: str
    country: str | None
    ref_area: str | None
    licence: str
    policy: Policy
    period: tuple
    indicators: dict
    dimensions: dict
    rows: list
    design: dict
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    version: str = __version__

    @property
    def licence_title(self) -> str:
        return LICENCES.get(self.licence, (self.licence, ""))[0]

    @property
    def licence_url(self) -> str:
        return LICENCES.get(self.licence, ("", ""))[1]

    @property
    def year(self) -> int | None:
        return self.period[1].year if self.period and self.period[1] else None

    def dims_used(self) -> list[str]:
        seen = {}
        for info in self.indicators.values():
            for d in info.dimensions:
                seen[d] = None
        return [d for d in seen]

    def rows_of(self, indicator: str) -> list[dict]:
        return [r for r in self.rows if r["indicator"] == indicator]

    def cell(self, indicator: str, groups: dict) -> dict | None:
        key = sorted(groups.items())
        for r in self.rows:
            if r["indicator"] == indicator and sorted(r["groups"].items()) == key:
                return r
        return None

    def counts(self) -> dict:
        sup = sum(1 for r in self.rows if "suppressed" in r["flags"])
        return {"cells": len(self.rows), "suppressed": sup, "published": len(self.rows) - sup,
                "primary": sum(1 for r in self.rows if "primary" in r["flags"]),
                "secondary": sum(1 for r in self.rows if "secondary" in r["flags"])}

    def method(self, lang: str = "en") -> dict:
        """Method and provenance as data (used by every writer)."""
        p = self.policy
        return {
            "source": _("Community survey of project %(p)s (%(n)s), analysed with lnob %(v)s")
            % {"p": self.project, "n": self.name, "v": self.version},
            "design": self.design,
            "estimation": _("Design-based estimates (weights, strata, clusters) computed by lnob.stats; 95 %% "
                            "confidence intervals (logit intervals for proportions, as R svyciprop)."),
            "disclosure": _("Cells with fewer than %(t)s unweighted observations (%(s)s for sensitive "
                            "dimensions) are suppressed, with secondary suppression so that no suppressed cell "
                            "can be recovered from published ones; published cells with fewer than %(r)s "
                            "observations, a coefficient of variation above %(cv)s %% or fewer than %(df)s "
                            "degrees of freedom are flagged.")
            % {"t": p.threshold, "s": p.sensitive_threshold, "r": p.reliable_n, "cv": f"{p.max_cv * 100:g}",
               "df": f"{p.min_df:g}"},
            "policy": p.as_dict(),
            "period": [d.isoformat() if d else None for d in self.period],
            "indicators": {k: {"definition": v.provenance.get("definition"),
                               "definition_hash": v.provenance.get("definition_hash"),
                               "snapshot": (v.provenance.get("snapshot") or {}).get("hash"),
                               "computed_at": v.provenance.get("computed_at"),
                               "engine": v.provenance.get("engine"),
                               "dimensions": v.dimensions, "intersections": [list(t) for t in v.intersections],
                               "not_published": v.left_out}
                           for k, v in self.indicators.items()},
        }


def _text(texts: dict, lang: str) -> str:
    if not texts:
        return ""
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()))


def parse_group(text: str) -> dict:
    """``DIM=CAT[,DIM=CAT]`` → ``{dim: cat}``."""
    out = {}
    for part in str(text).split(","):
        if "=" not in part:
            raise InputError(_("a group is DIMENSION=CATEGORY (several joined by commas)"), where=text,
                             hint=_("e.g. --group sex=F or --group sex=F,disability=PD"), code="publish.bad-group")
        k, v = (s.strip() for s in part.split("=", 1))
        if not k or not v or k in out:
            raise InputError(_("a group is DIMENSION=CATEGORY (several joined by commas)"), where=text,
                             hint=_("e.g. --group sex=F or --group sex=F,disability=PD"), code="publish.bad-group")
        out[k] = v
    return out


# --------------------------------------------------------------------------- building
def build_release(slug: str, *, indicators=None, dimensions=None, intersections=None, groups=None,
                  policy: Policy | None = None, licence: str | None = None) -> Release:
    """The release of project ``slug`` (see the module docstring).

    ``indicators``: ids (default: every stored indicator); ``dimensions``: ids (default: by
    priority within the budget); ``intersections``: lists of dimension ids; ``groups``: dicts
    whose cells must be in the release (their intersection is added).
    """
    from lnob.core.services import get_project
    from lnob.indicators.models import IndicatorResult

    project = get_project(slug)
    stored = {r.indicator: r for r in IndicatorResult.objects.filter(project=project).order_by("indicator")}
    if not stored:
        raise NotFound(_("project %(p)r has no indicator results yet") % {"p": slug}, where=slug,
                       hint=_("run 'lnob run %(p)s' first") % {"p": slug}, code="publish.no-results")
    settings = dict((project.survey_design or {}).get("publish") or {})
    if policy is None:
        policy = Policy.from_dict((project.survey_design or {}).get("disclosure"))
    licence = licence or settings.get("licence") or DEFAULT_LICENCE
    if licence not in LICENCES:
        raise InputError(_("unknown licence %(l)r") % {"l": licence}, where="licence",
                         hint=did_you_mean(licence, LICENCES) or _("choose one of: %(a)s") % {"a": ", ".join(LICENCES)},
                         code="publish.bad-licence")
    wanted = list(dict.fromkeys(indicators or settings.get("indicators") or stored))
    for i in wanted:
        if i not in stored:
            from lnob.indicators.project_defs import library

            known = {x.id for x in library(project).indicators}
            hint = did_you_mean(i, list(stored)) or (
                _("run 'lnob run %(p)s' first") % {"p": slug} if i in known
                else _("stored indicators: %(a)s") % {"a": ", ".join(stored)})
            raise InputError(_("no results for indicator %(i)r in project %(p)r") % {"i": i, "p": slug},
                             where="--indicator", hint=hint, code="publish.unknown-indicator")
    groups = [dict(g) for g in (groups or [])]
    inters = [tuple(sorted(t)) for t in (intersections or settings.get("intersections") or [])]
    inters += [tuple(sorted(g)) for g in groups if len(g) > 1]
    inters = list(dict.fromkeys(t for t in inters if len(t) > 1))
    rows_of = {i: stored[i].rows for i in wanted}
    available = {}
    for i in wanted:
        for r in rows_of[i]:
            if len(r["groups"]) == 1:
                d, v = next(iter(r["groups"].items()))
                available.setdefault(d, set()).add(v)
    asked = list(dimensions or settings.get("dimensions") or [])
    for d in asked + [d for t in inters for d in t] + [d for g in groups for d in g]:
        if d not in available:
            raise InputError(_("no dimension %(d)r in the results of project %(p)r") % {"d": d, "p": slug},
                             where=d, hint=did_you_mean(d, sorted(available))
                             or _("dimensions: %(a)s") % {"a": ", ".join(sorted(available))},
                             code="publish.unknown-dimension")
    for g in groups:
        for d, v in g.items():
            if v not in {str(x) for x in available[d]}:
                raise InputError(_("dimension %(d)r has no category %(c)r") % {"d": d, "c": v}, where=f"{d}={v}",
                                 hint=did_you_mean(v, sorted(map(str, available[d])))
                                 or _("categories: %(a)s") % {"a": ", ".join(sorted(map(str, available[d])))},
                                 code="publish.unknown-group")
    lib = _library(project)
    form_choices = _form_choices(project, lib)
    infos, cells, order = {}, [], []
    for i in wanted:
        res = stored[i]
        rows = rows_of[i]
        tables = {tuple(sorted(r["groups"])) for r in rows}
        cats = {}
        for r in rows:
            for d, v in r["groups"].items():
                cats.setdefault(d, set()).add(v)
        one_way = [t[0] for t in tables if len(t) == 1]
        my_inters = [t for t in inters if t in tables]
        for t in inters:
            if t not in tables and all(d in one_way for d in t):
                raise InputError(_("the results of %(i)r have no intersection %(t)s") % {"i": i, "t": " × ".join(t)},
                                 where=",".join(t), hint=_("run 'lnob run %(p)s --depth %(n)s' to compute it")
                                 % {"p": slug, "n": len(t)}, code="publish.no-intersection")
        forced = list(dict.fromkeys(d for t in my_inters for d in t))
        candidates = [d for d in (asked or list(DIMENSION_PRIORITY) + sorted(one_way)) if d in one_way]
        chosen, size = [], 1
        for d in forced:
            chosen.append(d)
            size *= len(cats[d])
        if size > MAX_BASE_CELLS:
            raise InputError(_("the intersections asked for %(i)r are too detailed to check for disclosure")
                             % {"i": i}, where=i, hint=_("ask for fewer or coarser intersections"),
                             code="publish.too-large")
        left = []
        for d in dict.fromkeys(candidates):
            if d in chosen:
                continue
            if size * len(cats[d]) <= MAX_BASE_CELLS:
                chosen.append(d)
                size *= len(cats[d])
            else:
                left.append(d)
        left += [d for d in sorted(one_way) if d not in chosen and d not in left and not asked]
        keep = {()} | {(d,) for d in chosen} | set(my_inters)
        defn = lib.get(i)
        infos[i] = IndicatorInfo(
            i, dict(res.title or {}), res.kind, res.unit, list(res.sdg or []),
            list(defn.series) if defn else [], defn.higher_is_better if defn else True,
            defn.proxy if defn else False, dict(defn.note) if defn else {}, dict(res.provenance or {}),
            [d for d in DIMENSION_PRIORITY if d in chosen] + sorted(d for d in chosen if d not in DIMENSION_PRIORITY),
            sorted(my_inters), left, defined=defn is not None)
        kind = res.kind if res.kind in ("proportion", "mean", "ratio", "total") else "other"
        for r in rows:
            if tuple(sorted(r["groups"])) not in keep:
                continue
            cells.append(Cell(i, dict(r["groups"]), _num(r["estimate"]), _num(r["se"]), _num(r["ci_low"]),
                              _num(r["ci_high"]), int(r["n"]), None, kind))
            order.append(r)
    protected = protect(cells, policy)
    out = []
    for src, p in zip(order, protected):
        flags = list(p.flags)
        if not p.suppressed and "df<8" in (src.get("flags") or []) and LOW_DF not in flags:
            flags.append(LOW_DF)  # the runner knew the design df; the stored row keeps only its flag
        out.append({"indicator": p.indicator, "sdg": list(src.get("sdg") or []), "groups": dict(p.groups),
                    "estimate": p.estimate, "se": p.se, "ci_low": p.ci_low, "ci_high": p.ci_high, "n": p.n,
                    "flags": flags})
    dims = {}
    for d in {d for info in infos.values() for d in info.dimensions}:
        dims[d] = _dimension_info(d, lib, form_choices, {v for r in out for k, v in r["groups"].items() if k == d})
    country = project.organisation.country or None
    ref_area = settings.get("ref_area") or (m49(country) if country else None)
    return Release(project.slug, project.name, project.organisation.name, country, ref_area, licence, policy,
                   collection_period(project), infos, dims, out, design_summary(project))


def _num(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


class _Lib:
    def __init__(self, lib):
        self.lib = lib

    def get(self, ident):
        for i in self.lib.indicators:
            if i.id == ident:
                return i
        return None

    def dimension(self, ident):
        for d in self.lib.dimensions:
            if d.id == ident:
                return d
        return None


def _library(project) -> _Lib:
    """The ready-made library plus the project's own latest definitions (what ``lnob run`` used)."""
    from lnob.indicators.project_defs import library

    return _Lib(library(project))


def _lang_of(key: str) -> str:
    """``English (en)`` → ``en``; ``default`` → ``en``."""
    if "(" in key and key.endswith(")"):
        return key.rsplit("(", 1)[1][:-1].strip()
    return "en" if key in ("default", "English") else key


def _form_choices(project, lib: _Lib) -> dict:
    """field name -> {choice name: {"title": {lang: label}, "geocode": iso}} from the form."""
    from lnob.indicators.services import form_schema

    try:
        schema, _versions = form_schema(project)
    except Exception:  # pragma: no cover - a project without a readable form
        return {}
    if schema is None:
        return {}
    lists = (schema.survey_json or {}).get("choices") or {}
    out = {}
    for f in schema.fields:
        if not f.list_name or f.list_name not in lists:
            continue
        entry = {}
        for ch in lists[f.list_name]:
            label = ch.get("label")
            titles = ({_lang_of(k): str(v) for k, v in label.items()} if isinstance(label, dict)
                      else {"en": str(label)} if label else {})
            entry[str(ch.get("name"))] = {"title": titles, "geocode": ch.get("iso")}
        out.setdefault(f.name, entry)
    return out


def _dimension_info(ident: str, lib: _Lib, form_choices: dict, present: set) -> DimensionInfo:
    d = lib.dimension(ident)
    info = DimensionInfo(ident, dict(d.title) if d else {"en": ident}, d.sdmx if d else None)
    if d is not None:
        for c in d.categories:
            info.categories[c.code] = {"title": dict(c.title), "sdmx": c.sdmx, "geocode": None}
        if d.field:
            names = [d.field] + [a.field for a in (lib.lib.fields.get(d.field).aliases if d.field in lib.lib.fields
                                                   else []) if a.field]
            for n in names:
                for code, ch in form_choices.get(n, {}).items():
                    info.categories.setdefault(code, {"title": ch["title"], "sdmx": None, "geocode": ch["geocode"]})
    for v in present:
        info.categories.setdefault(v, {"title": {}, "sdmx": None, "geocode": None})
    if "_N" in info.categories and not info.categories["_N"]["title"]:
        info.categories["_N"]["title"] = {"en": "Prefer not to say"}
    return info


def m49(alpha2: str) -> str | None:
    """The M49 code of an ISO 3166-1 alpha-2 country (the SDG area code list has both, same name)."""
    from lnob import sdg

    cl = sdg.codelist("CL_AREA")
    name = cl.codes.get(alpha2.upper())
    if not name:
        return None
    for code, other in cl.codes.items():
        if other == name and code.isdigit():
            return code
    return None


def collection_period(project) -> tuple:
    """First and last day of data collection: the form's start/end/today columns in the analysis
    tables, else when the records were received."""
    import duckdb

    from lnob.records.services import default_store

    design = project.survey_design or {}
    first = last = None
    try:
        store = default_store()
        con = duckdb.connect(str(store.path), read_only=True)
    except Exception:
        con = None
    if con is not None:
        try:
            for unit in ("household", "person"):
                table = (design.get(unit) or {}).get("table")
                if not table:
                    continue
                cols = {r[0] for r in con.execute(f'DESCRIBE "{table.replace(chr(34), "")}"').fetchall()}
                for lo_col, hi_col in (("start", "end"), ("today", "today")):
                    if lo_col in cols and hi_col in cols:
                        lo, hi = con.execute(f'SELECT MIN(CAST("{lo_col}" AS VARCHAR)), MAX(CAST("{hi_col}" AS VARCHAR)) '
                                             f'FROM "{table}"').fetchone()
                        first, last = _day(lo), _day(hi)
                        if first and last:
                            break
                if first and last:
                    break
        except Exception:
            first = last = None
        finally:
            con.close()
    if not (first and last):
        from django.db.models import Max, Min

        agg = project.records.aggregate(lo=Min("received_at"), hi=Max("received_at"))
        first = agg["lo"].date() if agg["lo"] else None
        last = agg["hi"].date() if agg["hi"] else None
    return (first, last)


def _day(text) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def design_summary(project) -> dict:
    """The survey design in words-ready pieces (no figures that need protection)."""
    out = {}
    for unit, spec in (project.survey_design or {}).items():
        if unit not in ("household", "person") or not isinstance(spec, dict):
            continue
        clusters = spec.get("clusters") or []
        out[unit] = {"weighted": bool(spec.get("weight")), "stratified": bool(spec.get("strata")),
                     "stages": len(clusters) if isinstance(clusters, list) else 1,
                     "fpc": bool(spec.get("fpc"))}
    return out
