"""The table model: published cells, the policy, and protected cells.

A published result is a row of an *indicator*: ``groups`` says which domain the row is about
(dimension → category; ``{}`` is the whole population), and the row carries the estimate, its
standard error and confidence interval, the unweighted count ``n`` and the degrees of freedom
``df``.  All rows of one indicator with the same set of dimensions form a *table*; tables of one
indicator are linked by additive relations (a cell equals the sum of its parts one dimension
finer), which is what an attacker uses to recover a suppressed cell by subtraction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from lnob.errors import InputError
from lnob.i18n import _

#: Statistics a cell may carry.  Every kind is protected the same way (see docs/disclosure.md):
#: counts and totals are additive; means, proportions and ratios are additive once the
#: attacker knows the population (weighted count) of every group, which we assume they do.
KINDS = ("count", "total", "mean", "proportion", "ratio", "median", "quantile", "other")

PRIMARY = "primary"
SECONDARY = "secondary"
SUPPRESSED = "suppressed"
LOW_N = "low-n"
HIGH_CV = "high-cv"
LOW_DF = "low-df"


def _finite(x) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Cell:
    """One published row of an indicator, before protection.

    ``n`` is the unweighted number of observations behind the estimate; ``df`` the design
    degrees of freedom (``None`` when unknown).  ``groups`` maps dimension → category and is
    empty for the whole population.  Categories may be any hashable value, ``None`` included
    (e.g. "prefer not to say" kept as its own category).
    """

    indicator: str
    groups: Mapping = field(default_factory=dict)
    estimate: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = 0
    df: float | None = None
    kind: str = "mean"

    @property
    def key(self) -> tuple:
        """The domain: the groups as a sorted tuple of (dimension, category) pairs."""
        return domain_key(self.groups)

    @property
    def dimensions(self) -> frozenset:
        return frozenset(self.groups)

    @property
    def cv(self) -> float | None:
        """Coefficient of variation se/|estimate| (``inf`` when the estimate is 0 and se > 0)."""
        est, se = _finite(self.estimate), _finite(self.se)
        if est is None or se is None:
            return None
        if est == 0:
            return math.inf if se > 0 else None
        return se / abs(est)


def domain_key(groups: Mapping) -> tuple:
    return tuple(sorted(groups.items(), key=lambda kv: kv[0]))


@dataclass(frozen=True)
class Policy:
    """The disclosure-control rules of a project.

    * ``threshold`` — a cell with fewer unweighted observations is suppressed (primary);
    * ``sensitive_threshold`` — the same for cells whose groups involve a dimension listed in
      ``sensitive_dimensions`` (e.g. caste, migration status, disability);
    * ``reliable_n``, ``max_cv``, ``min_df`` — published cells with ``n < reliable_n``,
      ``se/|estimate| > max_cv`` or ``df < min_df`` are flagged ``low-n``, ``high-cv``,
      ``low-df`` (shown, with a warning);
    * ``protect_residuals`` — in every relation whose total is published, the suppressed parts
      together must hold at least the threshold, since their sum is published by subtraction;
    * ``link_indicators`` — a domain suppressed for one indicator is suppressed for every
      indicator published with it (indicators often share respondents, hence their ``n``);
    * ``show_reason`` — add ``primary``/``secondary`` next to ``suppressed`` in the flags.
    """

    threshold: int = 25
    sensitive_threshold: int = 50
    sensitive_dimensions: frozenset = frozenset()
    reliable_n: int = 50
    max_cv: float = 0.30
    min_df: float = 8
    protect_residuals: bool = True
    link_indicators: bool = True
    show_reason: bool = True

    def __post_init__(self):
        object.__setattr__(self, "sensitive_dimensions", frozenset(self.sensitive_dimensions or ()))
        for name in ("threshold", "sensitive_threshold", "reliable_n"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(
                    _("The disclosure policy setting must be a whole number of at least 1."),
                    where=name, hint=_("For example 25 (DHS/MICS) or 30 (NCHS)."),
                    code="disclosure.policy")
        if self.sensitive_threshold < self.threshold:
            raise InputError(
                _("The threshold for sensitive dimensions cannot be lower than the general "
                  "threshold."),
                where="sensitive_threshold", hint=_("Use a value at least equal to threshold."),
                code="disclosure.policy")
        if not (isinstance(self.max_cv, (int, float)) and self.max_cv > 0):
            raise InputError(_("The largest acceptable coefficient of variation must be positive."),
                             where="max_cv", hint=_("For example 0.3 for 30 %."),
                             code="disclosure.policy")
        if not (isinstance(self.min_df, (int, float)) and self.min_df >= 0):
            raise InputError(_("The smallest acceptable degrees of freedom cannot be negative."),
                             where="min_df", hint=_("For example 8 (NCHS)."),
                             code="disclosure.policy")

    def threshold_for(self, dimensions) -> int:
        """The primary threshold of a cell (or group of cells) over ``dimensions``."""
        if self.sensitive_dimensions & set(dimensions):
            return self.sensitive_threshold
        return self.threshold

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["sensitive_dimensions"] = sorted(self.sensitive_dimensions)
        return out

    @classmethod
    def from_dict(cls, data: Mapping | None) -> Policy:
        """A policy from project settings; unknown keys are an error (catches typos)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            from lnob.errors import did_you_mean

            raise InputError(_("Unknown disclosure policy setting."), where=unknown[0],
                             hint=did_you_mean(unknown[0], known) or ", ".join(sorted(known)),
                             code="disclosure.policy")
        return cls(**data)


@dataclass(frozen=True)
class ProtectedCell:
    """A cell after protection: same row, values blanked when suppressed.

    ``flags`` is a list of strings: ``suppressed`` (followed by ``primary`` or ``secondary``
    when the policy shows reasons) for a suppressed cell — nothing else, because reliability
    flags would reveal bounds on its ``n`` — or any of ``low-n``, ``high-cv``, ``low-df`` for a
    published one.  A suppressed cell keeps no trace of its values.
    """

    indicator: str
    groups: Mapping
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    df: float | None
    kind: str
    flags: list = field(default_factory=list)
    reason: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.reason is not None

    @property
    def key(self) -> tuple:
        return domain_key(self.groups)

    def as_dict(self) -> dict:
        return {"indicator": self.indicator, "groups": dict(self.groups), "estimate": self.estimate,
                "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high, "n": self.n,
                "df": self.df, "kind": self.kind, "flags": list(self.flags)}


def reliability_flags(cell: Cell, policy: Policy) -> list[str]:
    flags = []
    if cell.n < policy.reliable_n:
        flags.append(LOW_N)
    cv = cell.cv
    if cv is not None and cv > policy.max_cv:
        flags.append(HIGH_CV)
    df = _finite(cell.df)
    if df is not None and df < policy.min_df:
        flags.append(LOW_DF)
    return flags


def published(cell: Cell, policy: Policy) -> ProtectedCell:
    return ProtectedCell(cell.indicator, dict(cell.groups), cell.estimate, cell.se, cell.ci_low,
                         cell.ci_high, cell.n, cell.df, cell.kind, reliability_flags(cell, policy))


def suppressed(cell: Cell, reason: str, policy: Policy) -> ProtectedCell:
    flags = [SUPPRESSED, reason] if policy.show_reason else [SUPPRESSED]
    return ProtectedCell(cell.indicator, dict(cell.groups), None, None, None, None, None, None,
                         cell.kind, flags, reason)


def check_cells(cells: Iterable) -> list[Cell]:
    """Validate input cells; raises :class:`InputError` on the first problem."""
    out, seen = [], set()
    for i, c in enumerate(cells):
        where = f"cell {i + 1}"
        if not isinstance(c, Cell):
            raise InputError(_("Expected a disclosure Cell."), where=where,
                             hint=_("Build cells with lnob.disclosure.Cell or "
                                    "cells_from_results()."),
                             code="disclosure.cell")
        if not isinstance(c.indicator, str) or not c.indicator:
            raise InputError(_("A cell needs an indicator name."), where=where,
                             hint=_("Give every row the name of the indicator it belongs to."),
                             code="disclosure.cell")
        if not isinstance(c.groups, Mapping) or not all(isinstance(k, str) for k in c.groups):
            raise InputError(_("A cell's groups must map dimension names to categories."),
                             where=where, hint=_("For example {'sex': 'F', 'caste': 'Dalit'}."),
                             code="disclosure.cell")
        try:
            hash(c.key)
        except TypeError:
            raise InputError(_("Categories must be plain values (text, numbers or None)."),
                             where=where, hint=None, code="disclosure.cell") from None
        if isinstance(c.n, bool) or not isinstance(c.n, int) or c.n < 0:
            raise InputError(_("The unweighted count n must be a whole number, 0 or more."),
                             where=where,
                             hint=_("n is the number of observations behind the estimate."),
                             code="disclosure.cell")
        if c.kind not in KINDS:
            raise InputError(_("Unknown kind of statistic."), where=where,
                             hint=", ".join(KINDS), code="disclosure.cell")
        ident = (c.indicator, c.key)
        if ident in seen:
            raise InputError(_("Two cells describe the same indicator and groups."), where=where,
                             hint=_("Give each level of a proportion its own indicator name."),
                             code="disclosure.duplicate")
        seen.add(ident)
        out.append(c)
    return out


_KIND_OF_STATISTIC = {"mean": "mean", "total": "total", "proportion": "proportion",
                      "ratio": "ratio"}


def cells_from_results(results: Iterable, indicator: str | None = None) -> list[Cell]:
    """Cells from :class:`lnob.stats.Result` rows (or anything with the same attributes).

    The indicator name defaults to ``statistic:variable`` (plus ``=level`` for proportions) so
    each level of a proportion is its own indicator.
    """
    cells = []
    for r in results:
        name = indicator or f"{r.statistic}:{r.variable}"
        if getattr(r, "level", None) is not None:
            name += f"={r.level}"
        df = _finite(getattr(r, "df", None))
        cells.append(Cell(name, dict(r.domain), _finite(r.estimate), _finite(r.se),
                          _finite(r.ci_low), _finite(r.ci_high), int(r.n), df,
                          _KIND_OF_STATISTIC.get(r.statistic, "other")))
    return cells
