"""Furthest-behind discovery: which intersecting groups are significantly worse off than the
population, with the false discovery rate controlled over every test made.

Method (docs/equity.md):

1. Every combination of 1 … ``depth`` of the dimensions is crossed, and every group that
   occurs (with at least one valid row) is a **test** of "this group is not worse off than the
   population".  All groups of all combinations are estimated in one pass.
2. A group with fewer than ``min_n`` unweighted valid rows is not estimated against the
   population, but it **still counts as a test** (p = 1): the search cannot hide how many
   groups it looked at.
3. For the others, the contrast group − population is linearised (same survey, correlated;
   :mod:`lnob.stats.contrast`) and tested one-sided in the "worse" direction given by the
   polarity: z = (θ_g − θ)/SE, p = Φ(z) when higher is better, 1 − Φ(z) when lower is better.
4. Benjamini-Hochberg at level ``fdr`` over all m tests: sort the p-values, find the largest i
   with p_(i) ≤ i·fdr/m, flag the i smallest.  The BH-adjusted p-value (q-value) of p_(i) is
   min_{j ≥ i} m·p_(j)/j.  Reference: Benjamini Y, Hochberg Y (1995), J R Stat Soc B 57:289–300.
5. Findings are ranked by how far behind they are (the gap, largest first), then by p.

Each finding carries a plain-language sentence built from dimension/category labels
(:func:`describe_group`, :func:`sentence`), e.g. "Hmong women with a disability in rural
Lào Cai: 41 % (95 % CI 35–47 %) have basic sanitation, against 78 % overall".

Sentences in every language: the sentence and the group phrase are whole translatable
templates with named placeholders (``%(group)s: %(value)s (…) %(outcome)s, against
%(overall)s overall``; ``%(adjectives)s %(noun)s %(qualifiers)s %(where)s``; ``in %(area)s
%(place)s`` …, with ``pgettext`` contexts), so a translator puts the parts in the language's
word order ("phụ nữ dân tộc Hmông khuyết tật ở nông thôn Lào Cai", "ग्रामीण लाओ काई में
विकलांग ह्मोंग महिलाएँ"); several labels of one role are joined by a translatable pattern, and
every number is formatted by :mod:`lnob.l10n` (the reader's decimal separator and digits).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from statistics import NormalDist

from lnob import l10n
from lnob.errors import UsageError
from lnob.i18n import _, pgettext
from lnob.stats.contrast import Contrast, DomainEstimate, Measure, contrasts, domain_key

ROLES = ("adjective", "noun", "qualifier", "area", "place")


@dataclass(frozen=True)
class Label:
    """How a category reads in a sentence.  ``role``: ``adjective`` ("Hmong"), ``noun``
    ("women"), ``qualifier`` ("with a disability"), ``area`` ("rural", placed before the
    place) or ``place`` ("Lào Cai")."""

    text: str
    role: str = "qualifier"


def _label(labels, dim, value) -> Label:
    got = (labels or {}).get(dim, {})
    lab = got.get(value, got.get(str(value)))
    if lab is None:
        return Label(_("with %(dimension)s = %(category)s") % {"dimension": dim, "category": value}, "qualifier")
    if isinstance(lab, Label):
        return lab
    if isinstance(lab, (tuple, list)):
        return Label(str(lab[0]), str(lab[1]) if len(lab) > 1 else "qualifier")
    if isinstance(lab, dict):
        return Label(str(lab.get("text", value)), str(lab.get("role", "qualifier")))
    return Label(str(lab), "qualifier")


def _words(texts: list[str]) -> str:
    """Several labels of one role, in the language's order ("Hmong ethnic-minority")."""
    text = texts[0] if texts else ""
    for t in texts[1:]:
        text = pgettext("group phrase: two labels of the same kind, e.g. two adjectives",
                        "%(first)s %(second)s") % {"first": text, "second": t}
    return text


def _where(area: list[str], place: list[str]) -> str:
    if area and place:
        return pgettext("group phrase: where, an area and a place, e.g. 'in rural Lào Cai'",
                        "in %(area)s %(place)s") % {"area": _words(area), "place": _words(place)}
    if area:
        return pgettext("group phrase: where, an area without a place, e.g. 'in rural areas'",
                        "in %(area)s areas") % {"area": _words(area)}
    if place:
        return pgettext("group phrase: where, a place, e.g. 'in Lào Cai'", "in %(place)s") % {"place": _words(place)}
    return ""


def describe_group(group: dict, labels=None) -> str:
    """Who the group is, in words, in the reader's word order: the translatable template
    ``%(adjectives)s %(noun)s %(qualifiers)s %(where)s`` (English: adjectives, noun — "people"
    when no category gives one —, qualifiers, then "in" + area + place, or "in rural areas"
    without a place).  Empty parts are dropped with their spaces; the first letter is upper case."""
    if not group:
        return _("Everyone")
    parts = {r: [] for r in ROLES}
    for dim, value in group.items():
        lab = _label(labels, dim, value)
        parts[lab.role if lab.role in ROLES else "qualifier"].append(lab.text)
    noun = _words(parts["noun"]) or pgettext("group phrase: the noun when no category names the people", "people")
    text = pgettext("group phrase: who a group is, e.g. 'Hmong women with a disability in rural Lào Cai'",
                    "%(adjectives)s %(noun)s %(qualifiers)s %(where)s") % {
        "adjectives": _words(parts["adjective"]), "noun": noun, "qualifiers": _words(parts["qualifier"]),
        "where": _where(parts["area"], parts["place"])}
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _num(x: float, percent: bool, digits: int) -> str:
    """A figure of a sentence: a percentage with ``digits`` decimals, else 3 significant digits."""
    if x is None or x != x:  # missing, NaN
        return l10n.DASH
    return l10n.number(x * 100, digits) if percent else l10n.significant(x)


def sentence(group: dict, est: DomainEstimate, overall: DomainEstimate, what: str, *, labels=None,
             percent: bool = True, level: float = 0.95, digits: int = 0, what_is_title: bool = False) -> str:
    """"<who>: 41 % (95 % CI 35–47 %) <what>, against 78 % overall" — one translatable template,
    so the language decides the order of the group, the figures and the outcome.

    ``what`` is a verb phrase ("have basic sanitation"); with ``what_is_title`` it is the
    indicator's title (a noun phrase), and the sentence reads "<who> — <title>: 41 % (95 % CI
    35–47 %), against 78 % overall"."""
    def unit(text):
        return l10n.with_percent(text) if percent else text

    conf = l10n.number(level * 100, 0 if round(level * 100, 6).is_integer() else 1)
    if what_is_title:
        template = pgettext("finding: a group's figure on an indicator named by its title",
                            "%(group)s — %(outcome)s: %(value)s (%(level)s %% CI %(low)s–%(high)s), "
                            "against %(overall)s overall")
    else:
        template = _("%(group)s: %(value)s (%(level)s %% CI %(low)s–%(high)s) %(outcome)s, against %(overall)s overall")
    return template % {
        "group": describe_group(group, labels), "value": unit(_num(est.estimate, percent, digits)), "level": conf,
        "low": _num(est.ci_low, percent, digits), "high": unit(_num(est.ci_high, percent, digits)), "outcome": what,
        "overall": unit(_num(overall.estimate, percent, digits))}


def benjamini_hochberg(pvalues: list[float], q: float) -> tuple[list[bool], list[float]]:
    """BH step-up over all the p-values: (rejected, adjusted p-values), in input order."""
    m = len(pvalues)
    if m == 0:
        return [], []
    order = sorted(range(m), key=lambda i: pvalues[i])
    k = 0
    for rank, i in enumerate(order, start=1):
        if pvalues[i] <= rank * q / m:
            k = rank
    rejected = [False] * m
    for rank, i in enumerate(order, start=1):
        if rank <= k:
            rejected[i] = True
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        adjusted[i] = min(running, 1.0)
    return rejected, adjusted


@dataclass
class Test:
    """One group examined by the search."""

    group: dict
    estimate: DomainEstimate
    tested: bool  # n >= min_n
    contrast: Contrast | None = None
    p_value: float = 1.0
    q_value: float = 1.0
    behind: bool = False
    sentence: str = ""


@dataclass
class Search:
    measure: Measure
    dimensions: list
    favourable: bool
    depth: int
    min_n: int
    fdr: float
    overall: DomainEstimate
    tests: list[Test] = field(default_factory=list)
    findings: list[Test] = field(default_factory=list)  # behind, ranked

    @property
    def m(self) -> int:
        """Number of tests BH controlled over (every group examined, including small ones)."""
        return len(self.tests)


def furthest_behind(source, design, measure: Measure, dimensions, *, depth: int = 2, min_n: int = 30,
                    fdr: float = 0.05, favourable: bool = True, level: float = 0.95, labels=None,
                    what: str | None = None, percent: bool | None = None) -> Search:
    """Search the intersections of ``dimensions`` up to ``depth`` for groups significantly
    worse off than the population (see the module docstring)."""
    from lnob.stats import estimate_tables

    dims = list(dimensions)
    if not dims:
        raise UsageError(_("no dimensions to search"), where="--dimension",
                         hint=_("give the columns to cross, e.g. --dimension sex --dimension area"),
                         code="equity.no-dimension")
    if len(set(dims)) != len(dims):
        raise UsageError(_("a dimension is given twice"), where="--dimension", hint=_("give each column once"),
                         code="equity.duplicate-dimension")
    if depth < 1:
        raise UsageError(_("the depth must be at least 1"), where="--depth", hint=_("e.g. --depth 3"),
                         code="equity.bad-depth")
    if not 0 < fdr < 1:
        raise UsageError(_("the false discovery rate must be between 0 and 1"), where="--fdr",
                         hint=_("e.g. --fdr 0.05"), code="equity.bad-fdr")
    depth = min(depth, len(dims))
    sets = [[]] + [list(c) for r in range(1, depth + 1) for c in itertools.combinations(dims, r)]
    tables = estimate_tables(source, design, [measure.spec], sets, level=level)
    ests = {}
    for rows in tables:
        for r in rows:
            if measure.level is not None and r.level != measure.level and str(r.level) != str(measure.level):
                continue
            ests[domain_key(r.domain)] = DomainEstimate(dict(r.domain), r.estimate, r.se, r.ci_low,
                                                        r.ci_high, r.n, r.population, r.df)
    overall = ests.pop(domain_key({}), None)
    if overall is None:
        raise UsageError(_("{var!r} has no category {lev!r}").format(var=measure.var, lev=measure.level),
                         where=measure.var, hint=_("check the category (it is case-sensitive)"),
                         code="equity.unknown-level")
    search = Search(measure, dims, favourable, depth, min_n, fdr, overall)
    for e in ests.values():
        search.tests.append(Test(e.domain, e, tested=e.n >= min_n))
    tested = [t for t in search.tests if t.tested]
    res = contrasts(source, design, measure, [(t.group, {}) for t in tested], kind="difference",
                    level=level, estimates={**ests, domain_key({}): overall})
    nd = NormalDist()
    for t, c in zip(tested, res):
        t.contrast = c
        if c.se and c.se > 0 and c.estimate == c.estimate:
            z = c.estimate / c.se
            t.p_value = nd.cdf(z) if favourable else 1 - nd.cdf(z)
        else:
            t.p_value = 1.0
    rejected, adjusted = benjamini_hochberg([t.p_value for t in search.tests], fdr)
    pct = measure.level is not None if percent is None else percent
    what = what or (_("have %(variable)s = %(category)s") % {"variable": measure.var, "category": measure.level}
                    if measure.level is not None else _("is the mean of %(variable)s") % {"variable": measure.var})
    for t, rej, q in zip(search.tests, rejected, adjusted):
        t.q_value = q
        t.behind = bool(rej and t.tested)
        if t.behind:
            t.sentence = sentence(t.group, t.estimate, overall, what, labels=labels, percent=pct, level=level)
    sign = -1 if favourable else 1
    search.findings = sorted((t for t in search.tests if t.behind),
                             key=lambda t: (sign * t.contrast.estimate * -1, t.p_value))
    return search
