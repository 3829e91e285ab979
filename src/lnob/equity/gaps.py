"""Gaps: how far each group of a dimension is from the total, a reference group and the
best-off group — difference and ratio, each with a design-based SE and CI.

The group and what it is compared with come from the same survey, so the SE is that of the
linearised contrast (joint influence functions per PSU, then the stratified variance):
:mod:`lnob.stats.contrast`.  Differences use θ̂ ± z·SE; ratios use the delta-method SE and a
log-scale interval.  See docs/equity.md.

References (``reference=``):

* ``"total"`` — the whole population (the default comparison, always computed);
* ``"best"`` — the best-off group by polarity (highest estimate if the indicator is
  favourable, lowest if adverse), always computed;
* a group value — that group (it must exist);
* ``"most-advantaged"`` / ``"least-advantaged"`` — the last / first group of ``order``; only
  for an ordered dimension (``order`` lists the groups from most disadvantaged to most
  advantaged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lnob.errors import NotFound, UsageError, did_you_mean
from lnob.i18n import _
from lnob.stats.contrast import Contrast, DomainEstimate, Measure, contrasts, domain_key

ORDERED_REFERENCES = ("most-advantaged", "least-advantaged")


@dataclass
class GroupGap:
    group: dict
    estimate: DomainEstimate
    #: comparison ("total", "best", "reference") -> kind ("difference", "ratio") -> Contrast
    vs: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return ", ".join(str(v) for v in self.group.values())


@dataclass
class GapTable:
    measure: Measure
    dimension: list
    favourable: bool
    total: DomainEstimate
    best: dict
    reference: dict | None
    groups: list[GroupGap]
    level: float = 0.95


def _as_list(v) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _match(value, groups: list[dict], dims: list[str]) -> dict | None:
    """The group whose value(s) read as ``value`` (``a`` or ``a,b`` for crossed dimensions)."""
    want = [str(v).strip() for v in (value if isinstance(value, (list, tuple)) else str(value).split(","))]
    for g in groups:
        if [str(g[c]) for c in dims] == want:
            return g
    return None


def gaps(source, design, measure: Measure, dimension, *, reference=None, favourable: bool = True,
         order=None, level: float = 0.95, ci: str = "logit") -> GapTable:
    """Every group of ``dimension`` (a column, or columns crossed) against the total, the
    best-off group and, if given, ``reference`` (see the module docstring)."""
    from lnob.stats import estimate_tables

    dims = _as_list(dimension)
    if not dims:
        raise UsageError(_("no dimension given"), where="--by", hint=_("e.g. --by sex"),
                         code="equity.no-dimension")
    rows = estimate_tables(source, design, [measure.spec], [[], dims], level=level, ci=ci)
    ests = {}
    for r in rows[0] + rows[1]:
        if measure.level is not None and str(r.level) != str(measure.level) and r.level != measure.level:
            continue
        ests[domain_key(r.domain)] = DomainEstimate(dict(r.domain), r.estimate, r.se, r.ci_low,
                                                    r.ci_high, r.n, r.population, r.df)
    total = ests.get(domain_key({}))
    if total is None:
        raise NotFound(_("{var!r} has no category {lev!r}").format(var=measure.var, lev=measure.level),
                       where=measure.var, hint=_("check the category (it is case-sensitive)"),
                       code="equity.unknown-level")
    groups = [e.domain for k, e in ests.items() if k != domain_key({})]
    groups.sort(key=lambda g: [str(g[c]) for c in dims])
    if order is not None:
        order = [str(o).strip() for o in (order.split(",") if isinstance(order, str) else order)]
        names = [",".join(str(g[c]) for c in dims) for g in groups]
        unknown = [o for o in order if o not in names]
        missing = [n for n in names if n not in order]
        if unknown or missing:
            raise UsageError(
                _("the order must list every group exactly once (unknown: {u}; missing: {m})").format(
                    u=", ".join(unknown) or "-", m=", ".join(missing) or "-"),
                where="--order", hint=_("the groups are: {g}").format(g=", ".join(names)),
                code="equity.bad-order")
    ref = None
    if reference is not None and str(reference) not in ("total", "best"):
        if str(reference) in ORDERED_REFERENCES:
            if order is None:
                raise UsageError(
                    _("{r!r} needs an ordered dimension, but {d!r} has no order").format(
                        r=str(reference), d=",".join(dims)),
                    where="--reference",
                    hint=_("give the order of the groups, most disadvantaged first (--order a,b,c), "
                           "or name a reference group"),
                    code="equity.not-ordered")
            ref = _match(order[-1] if reference == "most-advantaged" else order[0], groups, dims)
        else:
            ref = _match(reference, groups, dims)
            if ref is None:
                names = [",".join(str(g[c]) for c in dims) for g in groups]
                hint = did_you_mean(str(reference), names) or ""
                raise NotFound(
                    _("reference group {r!r} does not exist in {d!r}").format(r=str(reference), d=",".join(dims)),
                    where="--reference",
                    hint=(hint + " " if hint else "") + _("the groups are: {g}").format(g=", ".join(names)),
                    code="equity.unknown-reference")
    pick = max if favourable else min
    best = pick(groups, key=lambda g: ests[domain_key(g)].estimate)
    pairs, tags = [], []
    for g in groups:
        for tag, other in (("total", {}), ("best", best), ("reference", ref)):
            if other is None:
                continue
            pairs.append((g, other))
            tags.append(tag)
    out = {domain_key(g): GroupGap(g, ests[domain_key(g)]) for g in groups}
    for kind in ("difference", "ratio"):
        res = contrasts(source, design, measure, pairs, kind=kind, level=level, ci=ci, estimates=ests)
        for (g, _o), tag, c in zip(pairs, tags, res):
            out[domain_key(g)].vs.setdefault(tag, {})[kind] = c
    return GapTable(measure, dims, favourable, total, best, ref, [out[domain_key(g)] for g in groups], level)


def contrast_record(c: Contrast) -> dict:
    from lnob.equity.mpi import _finite

    return {"estimate": _finite(c.estimate), "se": _finite(c.se), "ci_low": _finite(c.ci_low),
            "ci_high": _finite(c.ci_high), "p_value": _finite(c.p_value)}


def as_records(table: GapTable) -> list[dict]:
    """One record per group and comparison (the JSON of ``lnob gaps``)."""
    from lnob.equity.mpi import _finite

    out = []
    for g in table.groups:
        for tag in ("total", "reference", "best"):
            if tag not in g.vs:
                continue
            d, r = g.vs[tag]["difference"], g.vs[tag]["ratio"]
            rec = dict(g.group)
            rec.update(
                compared_with=tag,
                reference=None if tag == "total" else ",".join(str(v) for v in (d.reference or {}).values()),
                estimate=_finite(g.estimate.estimate), se=_finite(g.estimate.se),
                ci_low=_finite(g.estimate.ci_low), ci_high=_finite(g.estimate.ci_high), n=g.estimate.n,
                reference_estimate=_finite(d.reference_estimate.estimate) if d.reference_estimate else None,
                difference=contrast_record(d), ratio=contrast_record(r))
            out.append(rec)
    return out
