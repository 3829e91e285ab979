"""The advocacy brief: 2–4 pages for a district official, a journalist or a community meeting.

Everything in it comes from a :class:`~lnob.publish.release.Release` (published cells only):

* **key findings** — groups worse off than the whole population.  Each published group of a
  released table is tested one-sided in the "worse" direction (polarity of the indicator),
  z = (θ_g − θ)/SE_g, and Benjamini-Hochberg (:func:`lnob.equity.furthest.benjamini_hochberg`)
  controls the false discovery rate over every group looked at (suppressed and "not stated"
  groups count as tests with p = 1, as in the furthest-behind search).  The sentences are the
  equity layer's (:func:`lnob.equity.furthest.sentence`, whole translatable templates, so each
  language keeps its own word order).  SE_g is the group's own design-based
  SE: the stored results carry no covariance with the total, so this test does not use the
  linearised contrast of ``lnob behind`` (docs/briefs.md);
* **gaps** — per dimension, the best-off and worst-off published groups and the difference;
* **charts** — each indicator by the dimensions with findings (Vega-Lite via vl-convert), with a
  text alternative;
* **comparison with official data** — official files (Open SDG CSV, SDMX) read and compared by
  :mod:`lnob.equity.official`;
* **method note** and **data annex** (the disclosure-controlled table).

Templates: ``local`` (a local official) and ``vnr`` (a Voluntary National Review spotlight,
one section per SDG).  Texts are translated with gettext (``_`` / ``{% translate %}``);
indicator, dimension and category titles come from the definitions and the form.  Every number
and date is formatted here, in the brief's language, by :mod:`lnob.l10n` (decimal separator,
grouping, digits, month names); the templates only place the texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lnob import l10n
from lnob.i18n import _, pgettext
from lnob.publish.charts import group_chart, pct, render, unit
from lnob.publish.release import MISSING, Release

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FDR = 0.05
MAX_FINDINGS = 5
ANNEX_ROWS = 12
MAX_POINTS = 12
#: categories that are not a group of people to report on
NOT_A_GROUP = {"NOT_BORN", "CAMP", "other"}


@dataclass
class Finding:
    indicator: str
    group: dict
    sentence: str
    gap: float
    p: float
    q: float = 1.0


@dataclass
class BriefIndicator:
    info: object
    title: str
    total: dict | None
    findings: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    chart: object = None
    focus: list = field(default_factory=list)
    annex: list = field(default_factory=list)
    annex_more: int = 0
    official: list = field(default_factory=list)
    sdg: list = field(default_factory=list)


def labels_for(release: Release, lang: str) -> dict:
    """Sentence labels (:class:`lnob.equity.furthest.Label`) for every released category."""
    from lnob.equity.furthest import Label

    special = {
        ("sex", "F"): Label(_("women and girls"), "noun"), ("sex", "M"): Label(_("men and boys"), "noun"),
        ("disability", "PD"): Label(_("with a disability"), "qualifier"),
        ("disability", "PWD"): Label(_("without a disability"), "qualifier"),
        ("urbanisation", "U"): Label(_("urban"), "area"), ("urbanisation", "R"): Label(_("rural"), "area"),
        ("ethnic_group", "MINORITY"): Label(_("ethnic-minority"), "adjective"),
        ("migration", "MIGRANT"): Label(_("migrants"), "noun"),
        ("migration", "NON_MIGRANT"): Label(_("non-migrants"), "noun"),
    }
    out = {}
    for d, info in release.dimensions.items():
        m = out.setdefault(d, {})
        for code in info.categories:
            text = info.category_label(code, lang)
            if (d, code) in special:
                m[code] = special[(d, code)]
            elif d in ("ethnicity",):
                m[code] = Label(text, "adjective")
            elif d == "province":
                m[code] = Label(text, "place")
            elif d == "age":
                m[code] = Label(_("aged %(a)s") % {"a": text}, "qualifier")
            elif d == "wealth":
                m[code] = Label(_("in wealth quintile %(q)s") % {"q": str(code).lstrip("Q")}, "qualifier")
            else:
                m[code] = Label(pgettext("group phrase: a category of a dimension without a phrase of its own",
                                         "(%(dimension)s: %(category)s)")
                                % {"dimension": info.label(lang), "category": text}, "qualifier")
    return out


def _estimate(row):
    from lnob.stats.contrast import DomainEstimate

    return DomainEstimate(dict(row["groups"]), row["estimate"], row["se"], row["ci_low"], row["ci_high"], row["n"],
                          None, None)


def _is_group(groups: dict) -> bool:
    return all(not str(v).startswith("_") and v not in NOT_A_GROUP for v in groups.values())


def find(release: Release, indicators: list[str], lang: str, focus: list[dict]) -> list[Finding]:
    """Groups significantly worse off than the population (module docstring), ranked by gap."""
    from statistics import NormalDist

    from lnob.equity.furthest import benjamini_hochberg, sentence

    labels = labels_for(release, lang)
    nd = NormalDist()
    tests = []
    focus_keys = {tuple(sorted(g.items())) for g in focus}
    for i in indicators:
        info = release.indicators[i]
        total = release.cell(i, {})
        if total is None or total["estimate"] is None:
            continue
        for r in release.rows_of(i):
            g = r["groups"]
            if not g or (len(g) > 1 and tuple(sorted(g.items())) not in focus_keys):
                continue
            ok = r["estimate"] is not None and r["se"] and _is_group(g)
            p, gap = 1.0, 0.0
            if ok:
                gap = r["estimate"] - total["estimate"]
                z = gap / r["se"]
                p = nd.cdf(z) if info.higher_is_better else 1 - nd.cdf(z)
            tests.append((i, r, total, p, gap, ok))
    if not tests:
        return []
    rejected, q = benjamini_hochberg([t[3] for t in tests], FDR)
    out = []
    for (i, r, total, p, gap, ok), rej, qv in zip(tests, rejected, q):
        if not (rej and ok):
            continue
        info = release.indicators[i]
        what = info.label(lang)
        if lang == "en":
            what = what[:1].lower() + what[1:]
        text = sentence(r["groups"], _estimate(r), _estimate(total), what, labels=labels, percent=info.percent,
                        what_is_title=True)
        out.append(Finding(i, dict(r["groups"]), text, gap, p, qv))
    out.sort(key=lambda f: (-abs(f.gap), f.p))
    return out


def gaps(release: Release, indicator: str, lang: str) -> list[dict]:
    info = release.indicators[indicator]
    out = []
    for d in info.dimensions:
        rows = [r for r in release.rows_of(indicator) if list(r["groups"]) == [d] and r["estimate"] is not None
                and _is_group(r["groups"])]
        if len(rows) < 2:
            continue
        rows.sort(key=lambda r: r["estimate"])
        worst, best = (rows[0], rows[-1]) if info.higher_is_better else (rows[-1], rows[0])
        dim = release.dimensions[d]
        size = abs(best["estimate"] - worst["estimate"])
        gap = pct(size, info.percent)
        if info.percent:
            gap = pgettext("a difference in percentage points", "%(number)s points") % {"number": gap}
        out.append({"size": size, "text": _("%(dimension)s: %(worst)s %(worst_value)s — %(best)s %(best_value)s "
                                            "(gap %(gap)s)") % {
            "dimension": dim.label(lang), "worst": dim.category_label(worst["groups"][d], lang),
            "worst_value": unit(pct(worst["estimate"], info.percent), info.percent),
            "best": dim.category_label(best["groups"][d], lang),
            "best_value": unit(pct(best["estimate"], info.percent), info.percent), "gap": gap}})
    out.sort(key=lambda g: -g["size"])
    return out[:3]


def _row_view(release: Release, r: dict, lang: str, percent: bool) -> dict:
    who = l10n.join([pgettext("a dimension and one of its categories", "%(dimension)s: %(category)s")
                     % {"dimension": release.dimensions[d].label(lang),
                        "category": release.dimensions[d].category_label(v, lang)}
                     for d, v in r["groups"].items()], "plain") or _("Everyone")
    sup = "suppressed" in r["flags"]
    return {"who": who, "suppressed": sup, "estimate": None if sup else unit(pct(r["estimate"], percent), percent),
            "ci": None if sup else l10n.interval(pct(r["ci_low"], percent), pct(r["ci_high"], percent), compact=True),
            "n": None if sup else l10n.count(r["n"]),
            "flags": [f for f in r["flags"] if f not in ("suppressed", "primary", "secondary")]}


def official_comparison(release: Release, indicator: str, official, lang: str) -> list[dict]:
    """Community totals (and SDMX-coded groups) against each official file."""
    from lnob.equity.official import CommunityEstimate, compare

    info = release.indicators[indicator]
    scale = 100 if info.percent else 1
    out = []
    for data in official:
        if data.indicator and data.indicator not in info.sdg:
            continue
        com = []
        for r in release.rows_of(indicator):
            if r["estimate"] is None or len(r["groups"]) > 1:
                continue
            disagg = {}
            if r["groups"]:
                d, v = next(iter(r["groups"].items()))
                sd = (release.dimensions[d].categories.get(v) or {}).get("sdmx")
                if data.format.startswith("sdmx") and release.dimensions[d].sdmx and sd:
                    disagg = {release.dimensions[d].sdmx: sd}
                else:
                    continue
            com.append(CommunityEstimate(data.indicator, release.year, r["estimate"] * scale, r["ci_low"] * scale,
                                         r["ci_high"] * scale, r["se"] * scale if r["se"] is not None else None,
                                         disagg, None, None, _row_view(release, r, lang, info.percent)["who"]))
        for c in compare(com, data, year_tolerance=2):
            if c.official is None:
                continue
            direction = {"consistent": _("consistent with the official figure"),
                         "community higher": _("community survey higher"),
                         "community lower": _("community survey lower")}.get(c.direction, c.direction)
            places = 0 if info.percent else 2
            out.append({"who": c.community.label, "community": l10n.number(c.community.estimate, places),
                        "ci": l10n.interval(l10n.number(c.community.ci_low, places),
                                            l10n.number(c.community.ci_high, places), compact=True),
                        "official": l10n.significant(c.official.value, 4), "year": l10n.year(c.official.year),
                        "result": direction, "significant": c.significant})
    return out


def context(release: Release, indicators: list[str], *, lang: str, template: str, focus: list[dict],
            official=(), chart_format: str = "png") -> dict:
    from lnob import sdg

    findings = find(release, indicators, lang, focus)
    items = []
    for i in indicators:
        info = release.indicators[i]
        total = release.cell(i, {})
        mine = [f for f in findings if f.indicator == i]
        bi = BriefIndicator(info, info.label(lang), _row_view(release, total, lang, info.percent) if total else None,
                            mine[:2], gaps(release, i, lang))
        dims = list(dict.fromkeys(d for f in mine for d in f.group if len(f.group) == 1))[:2] or \
            [d for d in ("sex", "urbanisation", "disability") if d in info.dimensions][:2]
        points = []
        for d in dims:
            for r in release.rows_of(i):
                if list(r["groups"]) == [d] and r["estimate"] is not None and r["ci_low"] is not None \
                        and _is_group(r["groups"]):
                    points.append({"label": release.dimensions[d].category_label(r["groups"][d], lang),
                                   "estimate": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
        points = points[:MAX_POINTS]
        for g in focus:
            r = release.cell(i, g)
            if r is not None:
                bi.focus.append(_row_view(release, r, lang, info.percent))
        if points:
            bi.chart = render(group_chart(info.label(lang), points, total["estimate"] if total else None,
                                          percent=info.percent, lang=lang, overall_label=_("overall")), chart_format)
        annex = [r for r in release.rows_of(i) if len(r["groups"]) <= 1 and (not r["groups"] or
                                                                             next(iter(r["groups"])) in dims)]
        annex += [r for r in release.rows_of(i) if len(r["groups"]) > 1
                  and tuple(sorted(r["groups"].items())) in {tuple(sorted(g.items())) for g in focus}]
        bi.annex = [_row_view(release, r, lang, info.percent) for r in annex[:ANNEX_ROWS]]
        bi.annex_more = max(0, len(annex) - ANNEX_ROWS)
        bi.official = official_comparison(release, i, official, lang)
        for code in info.sdg:
            try:
                obj = sdg.get(code)
                bi.sdg.append({"code": code, "goal": obj.goal.code, "goal_title": obj.goal.title(lang),
                               "goal_short": obj.goal.short(lang),
                               "title": obj.title(lang)})
            except Exception:  # pragma: no cover - codes were checked when defined
                continue
        items.append(bi)
    goals = {}
    for bi in items:
        g = bi.sdg[0]["goal"] if bi.sdg else "-"
        goals.setdefault(g, {"code": g, "title": bi.sdg[0]["goal_title"] if bi.sdg else "",
                             "short": bi.sdg[0]["goal_short"] if bi.sdg else _("Other indicators"),
                             "items": []})["items"].append(bi)
    method = release.method(lang)
    counts = release.counts()
    sample = [{"indicator": bi.title, "n": bi.total["n"]} for bi in items if bi.total and bi.total["n"]]
    p = release.policy
    design = release.design
    return {
        "lang": lang, "template": template, "release": release, "items": items, "goals": list(goals.values()),
        "findings": findings[:MAX_FINDINGS], "n_findings": len(findings), "method": method, "counts": counts,
        "sample": sample, "design": design, "period": [l10n.date(d) for d in method["period"]],
        "fdr": l10n.count(FDR * 100),
        "numbers": {"threshold": l10n.count(p.threshold), "sensitive": l10n.count(p.sensitive_threshold),
                    "reliable": l10n.count(p.reliable_n)},
        "left_out": sorted({d for bi in items for d in bi.info.left_out}), "focus": focus,
        "fonts": FONT_DIR.as_uri(), "policy": release.policy,
        "stratified": any(v.get("stratified") for v in design.values()),
        "stages": max([v.get("stages", 1) for v in design.values()] or [1]),
        "stages_text": l10n.count(max([v.get("stages", 1) for v in design.values()] or [1])),
    }


def render_html(ctx: dict) -> str:
    from django.template import Context, Engine
    from django.utils import translation

    engine = Engine(dirs=[str(TEMPLATE_DIR)], libraries={"i18n": "django.templatetags.i18n"}, autoescape=True)
    with translation.override(ctx["lang"]):
        tpl = engine.get_template(f"publish/brief_{ctx['template']}.html")
        return tpl.render(Context(ctx))
