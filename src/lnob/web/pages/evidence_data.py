"""Data behind the evidence dashboard: who may see what, the stored estimates, the protected
release, labels in the reader's language, number formatting, headline rows and the official
comparison. No views here (``lnob.web.pages.evidence`` owns the views and URLs).

* :func:`is_public` — whether a project's dashboard is public;
* :func:`release` / :func:`rows_for` — the protected release (:func:`lnob.disclosure.protect`)
  or, for ``results.view``, the estimates as computed;
* :class:`Labels` — titles of dimensions and categories;
* :func:`fmt_value` / :func:`fmt_ci` — every displayed estimate and interval goes through them
  (and so through :mod:`lnob.l10n`: the reader's decimal separator, grouping and digits);
* :func:`official_for` — community totals next to official values.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from lnob import l10n
from lnob.errors import LnobError
from lnob.i18n import _, pgettext

MISSING = "_U"
#: two-way tables in the protected release unless survey_design["disclosure_release"]["pairs"] says
DEFAULT_PAIRS = (("sex", "disability"), ("urbanisation", "ethnic_group"))
FLAG_TEXT = {  # runner flags and disclosure flags -> what a reader is told
    "n<50": "fewer than 50 observations", "cv>30%": "coefficient of variation above 30 %",
    "df<8": "fewer than 8 degrees of freedom", "low-n": "fewer than 50 observations",
    "high-cv": "coefficient of variation above 30 %", "low-df": "fewer than 8 degrees of freedom",
    "suppressed": "suppressed to protect respondents", "primary": "too few respondents",
    "secondary": "hidden so that another suppressed figure cannot be worked out",
}


# --------------------------------------------------------------------------- who sees what
def is_public(project) -> bool:
    """A project's dashboard is public when its ``public`` flag is set (a Project field, when the
    model has one) or its slug is in the ``LNOB_PUBLIC_PROJECTS`` setting."""
    return bool(getattr(project, "public", False)) or project.slug in set(getattr(settings, "LNOB_PUBLIC_PROJECTS", ()))


# --------------------------------------------------------------------------- data
def _library(project=None):
    """The indicator library a project's pages describe: the ready-made one plus, with a project,
    its own latest definitions (what ``lnob run`` used)."""
    from lnob.indicators.project_defs import library

    return library(project)


#: stored results per project, per process: project pk -> (stamp, {indicator: IndicatorResult}).
#: Decoding every stored row's JSON costs ~0.5 s per request at 1M persons; the stamp (ids, hashes
#: and computation times, read without the rows) tells when a run changed anything.
_STORED: dict = {}
_STORED_MAX = 16


def _stored(project) -> dict:
    """{indicator: IndicatorResult} of the project — shared, read-only objects: do not modify them."""
    from lnob.indicators.models import IndicatorResult

    qs = IndicatorResult.objects.filter(project=project)
    stamp = tuple(qs.order_by("indicator").values_list("pk", "indicator", "definition_hash", "snapshot_hash",
                                                        "computed_at"))
    hit = _STORED.get(project.pk)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    got = {r.indicator: r for r in qs}
    if len(_STORED) >= _STORED_MAX:
        _STORED.clear()
    _STORED[project.pk] = (stamp, got)
    return got


def _version(stored: dict) -> str:
    return hashlib.sha256(json.dumps(sorted((k, r.snapshot_hash, r.definition_hash) for k, r in stored.items()))
                          .encode()).hexdigest()[:16]


def policy_of(project):
    from lnob.disclosure import Policy

    return Policy.from_dict((project.survey_design or {}).get("disclosure"))


def pairs_of(project, dims: set) -> list[tuple[str, str]]:
    conf = (project.survey_design or {}).get("disclosure_release", {})
    pairs = [tuple(p) for p in conf.get("pairs", DEFAULT_PAIRS)]
    return [tuple(sorted(p)) for p in pairs if len(p) == 2 and set(p) <= dims]


def release(project, stored: dict) -> dict:
    """The protected release: {(indicator, groups key): row} for the total, every one-dimension
    table and the configured pairs, protected together per group of linked dimensions.

    Dimensions not joined by a published two-way table only share the total, so each
    connected group of dimensions (with the total and every indicator, for linking) is one
    :func:`protect` call; the union of the suppressions is published (docs/dashboard.md)."""
    from lnob.disclosure import Cell, protect
    from lnob.disclosure.model import domain_key

    policy = policy_of(project)
    key = f"lnob-evidence-release:{project.pk}:{_version(stored)}:{hashlib.sha256(repr(policy).encode()).hexdigest()[:12]}"
    got = _RELEASES.get(key)
    if got is None:
        got = cache.get(key)  # shared between processes (when a shared cache is configured)
    if got is not None:
        _remember(key, got)
        return got
    rows = [r for ir in stored.values() for r in ir.rows]
    dims = {d for r in rows for d in r["groups"]}
    pairs = pairs_of(project, dims)
    parent = {d: d for d in dims}

    def find(d):
        while parent[d] != d:
            d = parent[d]
        return d

    for a, b in pairs:
        parent[find(a)] = find(b)
    comps: dict[str, set] = {}
    for d in dims:
        comps.setdefault(find(d), set()).add(d)
    kinds = {k: ir.kind for k, ir in stored.items()}
    out: dict = {}
    for comp in comps.values():
        tables = {frozenset()} | {frozenset([d]) for d in comp} | {frozenset(p) for p in pairs if set(p) <= comp}
        sel = [r for r in rows if frozenset(r["groups"]) in tables]
        cells = [Cell(r["indicator"], r["groups"], r["estimate"], r["se"], r["ci_low"], r["ci_high"], int(r["n"]),
                      None, kinds.get(r["indicator"], "mean") if kinds.get(r["indicator"]) in
                      ("mean", "proportion", "ratio", "total") else "other") for r in sel]
        for r, p in zip(sel, protect(cells, policy)):
            k = (r["indicator"], domain_key(r["groups"]))
            row = {**r, "estimate": p.estimate, "se": p.se, "ci_low": p.ci_low, "ci_high": p.ci_high,
                   "n": p.n, "flags": list(p.flags), "population": None if p.suppressed else r["population"],
                   "suppressed": p.suppressed}
            if k in out and (out[k]["suppressed"] or not p.suppressed):
                continue  # the total appears in every call: keep it suppressed if any call did
            out[k] = row
    cache.set(key, out, 3600)
    _remember(key, out)
    return out


#: protected releases per process (unpickling one from the cache costs ~0.5 s at 1M persons)
_RELEASES: dict = {}


def _remember(key: str, value: dict) -> None:
    if len(_RELEASES) >= 8:
        _RELEASES.clear()
    _RELEASES[key] = value


def rows_for(project, stored: dict, indicator: str, full: bool) -> list[dict]:
    if full:
        return [{**r, "suppressed": False} for r in stored[indicator].rows]
    return [r for (ind, _k), r in release(project, stored).items() if ind == indicator]


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def fmt_value(v, kind: str) -> str:
    """An estimate as shown: a proportion in percent with one decimal, a total as a whole
    number, anything else with two decimals (:mod:`lnob.l10n`)."""
    if kind == "proportion":
        return l10n.percent(v, 1)
    if kind == "total":
        return l10n.count(v)
    return l10n.number(v, 2)


def fmt_ci(row, kind: str) -> str:
    """A row's confidence interval as shown ("" when it has none)."""
    if not row or row.get("ci_low") is None:
        return ""
    return l10n.interval(fmt_value(row["ci_low"], kind), fmt_value(row["ci_high"], kind))


def fmt_n(n) -> str | None:
    """A count of respondents as shown (None when unknown)."""
    return None if n is None else l10n.count(n)


class Labels:
    """Titles of dimensions and categories in the reader's language (English fallback)."""

    def __init__(self, project, lib):
        from lnob.indicators.definitions import text_in
        from lnob.indicators.services import form_schema

        self.lib, self.text_in, self.lang = lib, text_in, _lang()
        schema, _v = form_schema(project)
        self.schema = schema
        self.dims = {d.id: d for d in lib.dimensions}

    def dim(self, d: str) -> str:
        return self.dims[d].label(self.lang) if d in self.dims else d

    def choices(self, d: str) -> list[dict]:
        dim = self.dims.get(d)
        if dim is None or self.schema is None or not dim.field:
            return []
        decl = self.lib.fields.get(dim.field)
        names = [dim.field] + [a.field for a in (decl.aliases if decl else []) if a.field]
        for f in self.schema.fields:
            if f.name in names and f.list_name:
                return self.schema.choices.get(f.list_name, [])
        return []

    def cat(self, d: str, code) -> str:
        if code == MISSING:
            return _("Not stated")
        dim = self.dims.get(d)
        for c in (dim.categories if dim else []):
            if c.code == code:
                return self.text_in(c.title, self.lang) or str(code)
        for c in self.choices(d):
            if str(c.get("name")) == str(code):
                lab = c.get("label")
                if isinstance(lab, dict):
                    return next((v for k, v in lab.items() if k.endswith(f"({self.lang})")), None) or \
                        next(iter(lab.values()), str(code))
                return str(lab or code)
        return str(code)

    def group(self, groups: dict) -> str:
        return l10n.join([self.cat(d, v) for d, v in sorted(groups.items())], "plain") or _("Everyone")

    def order(self, d: str) -> list:
        dim = self.dims.get(d)
        return [c.code for c in dim.categories] if dim and dim.categories else []


def flag_texts(flags) -> list[str]:
    return [_(FLAG_TEXT[f]) for f in flags if f in FLAG_TEXT and f not in ("primary", "secondary")] + \
        [_(FLAG_TEXT[f]) for f in flags if f in ("primary", "secondary")]


def _ind_title(ir, lang) -> str:
    from lnob.indicators.definitions import text_in

    return text_in(ir.title, lang) or ir.indicator


def _sdg_title(code: str, lang: str) -> tuple[str, bool]:
    from lnob import sdg

    try:
        t = sdg.catalogue().get(code).text(lang)
        return t.text, t.fallback
    except LnobError:
        return code, False


def _total(rows):
    return next((r for r in rows if not r["groups"]), None)


def _headline(project, stored, full, lang) -> list[dict]:
    out = []
    for k, ir in sorted(stored.items(), key=lambda kv: (kv[1].sdg[:1] or ["99"], kv[0])):
        t = _total(rows_for(project, stored, k, full))
        out.append({"id": k, "title": _ind_title(ir, lang), "sdg": ir.sdg, "kind": ir.kind, "row": t,
                    "value": fmt_value(t and t["estimate"], ir.kind),
                    "ci": fmt_ci(t, ir.kind),
                    "flags": flag_texts(t["flags"]) if t else []})
    return out


# --------------------------------------------------------------------------- official statistics
def official_for(project, stored, lang, full: bool = True, indicator: str | None = None) -> list[dict]:
    """Community totals next to official values from files in ``<media>/official/<slug>/``.

    The community total is the one the reader may see (:func:`rows_for`: the protected release
    unless ``full``); a suppressed total is not compared.  Each row says whether the two differ
    significantly (:func:`lnob.equity.official.compare`: the official value outside the
    community 95 % CI, or a z-test when the official value has an SE)."""
    from pathlib import Path

    from lnob.equity.official import CommunityEstimate, compare, read_official

    folder = Path(settings.MEDIA_ROOT) / "official" / project.slug
    if not folder.is_dir():
        return []
    out = []
    for f in sorted(folder.iterdir()):
        try:
            data = read_official(f)
        except LnobError:
            continue
        for k, ir in stored.items():
            if data.indicator not in ir.sdg or (indicator is not None and k != indicator):
                continue
            t = _total(rows_for(project, stored, k, full))
            if t is None or t["estimate"] is None or t["ci_low"] is None:
                continue
            scale = 100 if ir.kind == "proportion" else 1
            com = CommunityEstimate(data.indicator, None, t["estimate"] * scale, t["ci_low"] * scale,
                                    t["ci_high"] * scale, t["se"] * scale if t["se"] is not None else None)
            for c in compare([com], data, year_tolerance=100):
                o = c.official
                out.append({"indicator": _ind_title(ir, lang), "id": k, "sdg": data.indicator,
                            "community": l10n.number(com.estimate, 1),
                            "community_ci": l10n.interval(l10n.number(com.ci_low, 1), l10n.number(com.ci_high, 1)),
                            "official": l10n.DASH if o is None else l10n.number(o.value, 1),
                            "official_ci": "" if o is None or o.lower is None or o.upper is None else
                            l10n.interval(l10n.number(o.lower, 1), l10n.number(o.upper, 1)),
                            "unit": (o.unit or "") if o else "", "year": l10n.year(o.year) if o else "",
                            "direction": _official_direction(c.direction), "significant": c.significant,
                            "method": _official_method(c.method), "source": f.name})
    return out


def _official_direction(direction: str) -> str:
    return {"consistent": _("consistent with the official value"),
            "community higher": _("community value significantly higher"),
            "community lower": _("community value significantly lower"),
            "no official value": _("no official value")}.get(direction, direction)


def _official_method(method: str) -> str:
    # The two texts are not format strings: no placeholders, and "%" stands for itself.
    # xgettext:no-python-format
    z_test = pgettext("significance test", "z-test, 5 % level")
    # xgettext:no-python-format
    outside = pgettext("significance test", "official value outside the 95 % CI")
    return {"z-test": z_test, "outside community CI": outside}.get(method, "")
