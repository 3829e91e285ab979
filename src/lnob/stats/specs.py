"""Estimator specifications (what to estimate) and the result row (what comes back).

Every estimator is written as a ratio of two weighted totals over the rows where its
variables are not missing (R's ``na.rm=TRUE``, a domain that keeps every PSU):

=============  =====================  ======================  ==============================
statistic      numerator a_i          denominator b_i         valid rows
=============  =====================  ======================  ==============================
total          y_i                    (none)                  y not missing
mean           y_i                    1                       y not missing
proportion     1[y_i = c]             1                       y not missing (one per level c)
ratio          y_i                    x_i                     y and x not missing
=============  =====================  ======================  ==============================
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class _OneVariable:
    """An estimator of one column (mean, total, proportion)."""

    var: str

    @property
    def label(self) -> str:
        return self.var

    def columns(self) -> list[str]:
        return [self.var]


@dataclass(frozen=True)
class Mean(_OneVariable):
    """Weighted mean Σwy/Σw of a numeric column."""

    statistic = "mean"


@dataclass(frozen=True)
class Total(_OneVariable):
    """Weighted total Σwy of a numeric column."""

    statistic = "total"


@dataclass(frozen=True)
class Proportion(_OneVariable):
    """Weighted share of each category of a (categorical) column; one result per category."""

    statistic = "proportion"


@dataclass(frozen=True)
class Ratio:
    """Ratio of weighted totals Σwy/Σwx."""

    num: str
    den: str
    statistic = "ratio"

    @property
    def label(self) -> str:
        return f"{self.num}/{self.den}"

    def columns(self) -> list[str]:
        return [self.num, self.den]


Spec = Mean | Total | Proportion | Ratio


@dataclass
class Result:
    """One estimate.

    ``domain`` maps each by-column to the domain's value; ``level`` is the category of a
    proportion (else ``None``); ``n`` is the unweighted number of rows used (domain and
    non-missing), ``population`` their sum of weights; ``df`` the design degrees of freedom
    of that subset (R ``degf``); ``deff`` is set when requested.
    """

    statistic: str
    variable: str
    level: object
    domain: dict = field(default_factory=dict)
    estimate: float = float("nan")
    se: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    n: int = 0
    population: float = float("nan")
    df: float = float("nan")
    deff: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)
