"""Pooling members' published aggregates into one estimate per indicator × group (no Django).

Each member (a project's snapshot, or a national coalition's pooled result) is an independent
sample of its *own* population.  For one indicator and one group:

* **mean, proportion** — the pooled value is the population-weighted combination

      θ = Σ W_i θ_i,   W_i = N̂_i / Σ_j N̂_j,   Var(θ) = Σ W_i² SE_i²

  where N̂_i is the member's estimated population of the group (its sum of weights).  The
  variance treats the N̂_i as fixed (known population sizes); it equals R ``survey``'s SE of
  the combined design post-stratified on member to those sizes (tests/coalition,
  tests/data/coalition/make_pooling_fixture.R).  When the N̂_i are themselves estimated, the
  linearised variance of the combined ratio Σ Ŷ_i / Σ N̂_i adds, per member,
  (θ_i − θ)² Var(N̂_i) + 2 N̂_i (θ_i − θ) Cov(θ̂_i, N̂_i) to N̂_i² SE_i² (all over (Σ N̂)²):
  members would have to publish Var(N̂_i) and Cov(θ̂_i, N̂_i), which they do not (docs/coalition.md).
* **total, count** — θ = Σ θ_i, Var(θ) = Σ SE_i².
* **ratio** (of two totals) — not pooled: the weights would be the members' denominator totals,
  which are not published.  The cell is flagged ``not-poolable``.

A cell is **incomplete** (no pooled value) when a member that published to the coalition has no
usable value for it: suppressed by disclosure control, not in its snapshot, or without a
standard error or population.  The pooled value of the others would describe another
population, and a suppressed value cannot be recovered legitimately, so nothing is pooled; the
missing members are named.  Flags ``definitions-differ`` (the members' definition hashes, or one
of them and the coalition's harmonised hash, differ), ``designs-differ`` (their design types
differ) and ``kinds-differ`` label what is pooled.

Confidence intervals of pooled cells use the normal quantile (the members' degrees of freedom
are not in their snapshots; the pooled design has their sum): estimate ± z·SE for means and
totals, the logit interval expit(logit p ± z·SE/(p(1−p))) for proportions (as R ``svyciprop``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lnob.i18n import gettext_noop

Z95 = 1.959963984540054

INCOMPLETE = "incomplete"
DEFINITIONS_DIFFER = "definitions-differ"
DESIGNS_DIFFER = "designs-differ"
KINDS_DIFFER = "kinds-differ"
NOT_POOLABLE = "not-poolable"

#: why a member's value is missing from a cell
SUPPRESSED = "suppressed"
NOT_PUBLISHED = "not-published"
NO_SE = "no-standard-error"
NO_POPULATION = "no-population"
MEMBER_INCOMPLETE = "incomplete"

FLAG_LABELS = {
    INCOMPLETE: gettext_noop("incomplete: a member's value is missing"),
    DEFINITIONS_DIFFER: gettext_noop("definitions differ"),
    DESIGNS_DIFFER: gettext_noop("designs differ"),
    KINDS_DIFFER: gettext_noop("kinds of statistic differ"),
    NOT_POOLABLE: gettext_noop("not poolable (a ratio needs its denominator totals)"),
}
REASON_LABELS = {
    SUPPRESSED: gettext_noop("suppressed by disclosure control"),
    NOT_PUBLISHED: gettext_noop("not published"),
    NO_SE: gettext_noop("no standard error"),
    NO_POPULATION: gettext_noop("no population size"),
    MEMBER_INCOMPLETE: gettext_noop("incomplete itself"),
}

POOL_BY_WEIGHT = ("mean", "proportion")
POOL_BY_SUM = ("total", "count")


@dataclass
class MemberValue:
    """One member's published value of a cell (``None`` fields: not usable)."""

    member: str
    estimate: float | None
    se: float | None
    n: int | None
    population: float | None
    kind: str
    definition_hash: str | None = None
    design: str = ""
    suppressed: bool = False
    ci_low: float | None = None
    ci_high: float | None = None
    flags: list = field(default_factory=list)
    #: when the member is itself a pool: the members it lacks
    missing: list = field(default_factory=list)

    def problem(self) -> str | None:
        if self.suppressed:
            return SUPPRESSED
        if self.missing:
            return MEMBER_INCOMPLETE
        if self.estimate is None or not math.isfinite(self.estimate):
            return NOT_PUBLISHED
        if self.se is None or not math.isfinite(self.se):
            return NO_SE
        if self.kind in POOL_BY_WEIGHT and (self.population is None or not self.population > 0):
            return NO_POPULATION
        return None


@dataclass
class Pooled:
    indicator: str
    groups: dict
    kind: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    population: float | None
    members: list[MemberValue]
    #: (member, reason) for each member without a usable value
    missing: list[tuple[str, str]]
    flags: list[str]
    definition_hash: str | None = None
    design: str = ""

    @property
    def weights(self) -> dict[str, float]:
        """W_i of each member (mean/proportion cells that were pooled)."""
        if self.estimate is None or self.kind not in POOL_BY_WEIGHT:
            return {}
        total = sum(m.population for m in self.members)
        return {m.member: m.population / total for m in self.members}

    def as_dict(self) -> dict:
        return {"indicator": self.indicator, "groups": dict(self.groups), "kind": self.kind,
                "estimate": self.estimate, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "n": self.n, "population": self.population, "flags": list(self.flags),
                "missing": [{"member": m, "reason": r} for m, r in self.missing],
                "definition_hash": self.definition_hash, "design": self.design,
                "members": [{"member": m.member, "estimate": m.estimate, "se": m.se, "ci_low": m.ci_low,
                             "ci_high": m.ci_high, "n": m.n, "population": m.population,
                             "weight": self.weights.get(m.member), "flags": list(m.flags),
                             "definition_hash": m.definition_hash, "design": m.design,
                             "problem": m.problem()} for m in self.members]}


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def interval(kind: str, est: float, se: float, z: float = Z95) -> tuple[float, float]:
    """Normal interval; logit interval for a proportion strictly between 0 and 1."""
    if kind == "proportion" and 0 < est < 1:
        lg = math.log(est / (1 - est))
        h = z * se / (est * (1 - est))
        return _expit(lg - h), _expit(lg + h)
    return est - z * se, est + z * se


def combine(kind: str, values: list[MemberValue]) -> tuple[float, float, float | None]:
    """(estimate, se, population) of usable member values (see the module docstring)."""
    if kind in POOL_BY_WEIGHT:
        total = sum(v.population for v in values)
        est = sum(v.population / total * v.estimate for v in values)
        var = sum((v.population / total) ** 2 * v.se ** 2 for v in values)
        return est, math.sqrt(var), total
    if kind in POOL_BY_SUM:
        pops = [v.population for v in values]
        pop = sum(pops) if all(p is not None for p in pops) else None
        return sum(v.estimate for v in values), math.sqrt(sum(v.se ** 2 for v in values)), pop
    raise ValueError(kind)


def _common(values, attr) -> tuple[str | None, bool]:
    seen = {getattr(v, attr) for v in values}
    if len(seen) == 1:
        return next(iter(seen)), False
    return None, True


def pool_cell(indicator: str, groups: dict, kind: str, values: list[MemberValue],
              expected: list[str], harmonised_hash: str | None = None) -> Pooled:
    """Pool one cell.  ``expected``: every member that published to the coalition (a member
    without a value here is missing); ``harmonised_hash``: the coalition's definition hash."""
    by_member = {v.member: v for v in values}
    missing = [(m, NOT_PUBLISHED) for m in expected if m not in by_member]
    missing += [(v.member, v.problem()) for v in values if v.problem()]
    flags = []
    kinds = {v.kind for v in values}
    if len(kinds) > 1:
        flags.append(KINDS_DIFFER)
    defn, differ = _common(values, "definition_hash")
    hashes = {v.definition_hash for v in values}
    if (differ or None in hashes or (harmonised_hash and hashes and hashes != {harmonised_hash})
            or any(DEFINITIONS_DIFFER in v.flags for v in values)):
        flags.append(DEFINITIONS_DIFFER)
    design, designs_differ = _common(values, "design")
    if designs_differ or any(DESIGNS_DIFFER in v.flags for v in values):
        flags.append(DESIGNS_DIFFER)
    est = se = lo = hi = pop = None
    n = None
    if kind not in POOL_BY_WEIGHT + POOL_BY_SUM or KINDS_DIFFER in flags:
        flags.append(NOT_POOLABLE)
    elif missing or not values:
        flags.append(INCOMPLETE)
    else:
        est, se, pop = combine(kind, values)
        lo, hi = interval(kind, est, se)
        n = sum(v.n or 0 for v in values)
    return Pooled(indicator, dict(groups), kind, est, se, lo, hi, n, pop, list(values), missing, flags,
                  defn if DEFINITIONS_DIFFER not in flags else None,
                  design if DESIGNS_DIFFER not in flags and design else "")


def group_key(groups: dict) -> tuple:
    return tuple(sorted((str(k), str(v)) for k, v in (groups or {}).items()))


def pool_indicator(indicator: str, kind: str, members: dict[str, list[MemberValue | tuple]],
                   harmonised_hash: str | None = None) -> list[Pooled]:
    """Pool every group of one indicator.  ``members``: member → list of ``(groups, MemberValue)``;
    a member with an empty list published nothing for the indicator (every cell incomplete)."""
    cells: dict[tuple, dict] = {}
    values: dict[tuple, list[MemberValue]] = {}
    for _member, rows in members.items():
        for groups, value in rows:
            key = group_key(groups)
            cells.setdefault(key, dict(groups))
            values.setdefault(key, []).append(value)
    expected = list(members)
    order = sorted(cells, key=lambda k: (len(k), k))
    return [pool_cell(indicator, cells[k], kind, values[k], expected, harmonised_hash) for k in order]


def as_member(name: str, pooled: Pooled) -> MemberValue:
    """A pooled cell as one member of a higher pool (a national coalition in the global view)."""
    return MemberValue(name, pooled.estimate, pooled.se, pooled.n, pooled.population, pooled.kind,
                       pooled.definition_hash if DEFINITIONS_DIFFER not in pooled.flags else None,
                       pooled.design if DESIGNS_DIFFER not in pooled.flags else "", False,
                       pooled.ci_low, pooled.ci_high, list(pooled.flags),
                       [f"{m} ({r})" for m, r in pooled.missing])
