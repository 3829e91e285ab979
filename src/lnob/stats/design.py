"""Survey designs: what the user says about how the sample was drawn.

Two kinds, mirroring R ``survey``:

* :class:`Design` — linearisation (Taylor) designs, R's ``svydesign``: weights, strata,
  one or more stages of clusters, a finite population correction per stage, the
  lonely-PSU rule and ``nest``.
* :class:`ReplicateDesign` — replicate-weight designs, R's ``svrepdesign`` with combined
  weights: JK1, JKn, BRR (optionally Fay), bootstrap, and ``mse``.

These objects only hold and check options; data checks happen in :mod:`lnob.stats.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lnob.errors import UsageError
from lnob.i18n import _

LONELY_RULES = ("fail", "remove", "certainty", "adjust", "average")
REPLICATE_TYPES = ("jk1", "jkn", "brr", "bootstrap")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


@dataclass(frozen=True)
class Design:
    """A linearisation design (R ``svydesign``).

    weights:   column of sampling weights; ``None`` means every weight is 1 (R's ``probs=1``).
    strata:    column of first-stage strata, or ``None``.
    clusters:  columns of the sampling units, one per stage (first = PSU); empty means each
               row is its own PSU.
    fpc:       one column per stage (or none): population sizes, or sampling fractions when
               every value of every fpc column is <= 1 (R's convention).  With fpc at more than
               one stage the variance is R's full multistage variance; without fpc only the
               first stage counts ("ultimate cluster", with replacement).
    nest:      PSU ids are only unique within strata (R ``nest=TRUE``).  Without it a PSU id
               found in two strata is an error, as in R.
    lonely_psu: what a stratum with a single PSU contributes: ``fail`` (error), ``remove`` and
               ``certainty`` (nothing at that stage), ``adjust`` (deviation from zero, i.e. from
               the grand mean, instead of the stratum mean), ``average`` (the average of the
               other strata).  R's ``options(survey.lonely.psu=)``.
    adjust_domain_lonely: R's ``options(survey.adjust.domain.lonely=)`` (default FALSE): also
               apply ``adjust``/``average`` to strata that have a single PSU *inside a domain*.
    """

    weights: str | None = None
    strata: str | None = None
    clusters: tuple[str, ...] = ()
    fpc: tuple[str, ...] = ()
    nest: bool = False
    lonely_psu: str = "fail"
    adjust_domain_lonely: bool = False

    def __init__(
        self,
        weights: str | None = None,
        strata: str | None = None,
        clusters=None,
        fpc=None,
        nest: bool = False,
        lonely_psu: str = "fail",
        adjust_domain_lonely: bool = False,
    ) -> None:
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "strata", strata)
        object.__setattr__(self, "clusters", tuple(_as_list(clusters)))
        object.__setattr__(self, "fpc", tuple(_as_list(fpc)))
        object.__setattr__(self, "nest", bool(nest))
        object.__setattr__(self, "lonely_psu", lonely_psu)
        object.__setattr__(self, "adjust_domain_lonely", bool(adjust_domain_lonely))
        if lonely_psu not in LONELY_RULES:
            raise UsageError(
                _("unknown lonely-PSU rule {rule!r}").format(rule=lonely_psu),
                where="--lonely-psu",
                hint=_("choose one of: ") + ", ".join(LONELY_RULES),
                code="stats.bad-lonely-psu",
            )
        if self.fpc and self.clusters and len(self.fpc) != len(self.clusters):
            raise UsageError(
                _("{n} fpc columns given for {k} cluster stages").format(
                    n=len(self.fpc), k=len(self.clusters)
                ),
                where="--fpc",
                hint=_("give one --fpc per --cluster stage (or one --fpc without --cluster)"),
                code="stats.bad-fpc",
            )
        if self.fpc and not self.clusters and len(self.fpc) > 1:
            raise UsageError(
                _("several fpc columns but no cluster stages"),
                where="--fpc",
                hint=_("give one --fpc per --cluster stage"),
                code="stats.bad-fpc",
            )

    @property
    def stages(self) -> int:
        return max(1, len(self.clusters))

    @property
    def variance_stages(self) -> int:
        """Stages that enter the variance: all of them with fpc (R's multistage), else one."""
        if self.fpc and len(self.clusters) > 1:
            return len(self.clusters)
        return 1

    def columns(self) -> list[str]:
        return [c for c in [self.weights, self.strata, *self.clusters, *self.fpc] if c]


@dataclass(frozen=True)
class ReplicateDesign:
    """A replicate-weight design with combined weights (R ``svrepdesign``).

    weights:            full-sample weight column (``None``: every weight is 1).
    replicate_weights:  the replicate weight columns, or ``prefix``: every column whose name
                        starts with it (except ``weights``), in table order.
    type:               ``jk1`` (scale (R-1)/R), ``jkn`` (scale 1, rscales (n_h-1)/n_h of the
                        stratum each replicate drops), ``brr`` (1/R; with ``fay`` rho:
                        1/(R(1-rho)^2)), ``bootstrap`` (1/(R-1)).
    rscales:            JKn per-replicate factors; when absent they are derived from ``strata``
                        and ``clusters``: the stratum in which replicate r has zero weights.
    mse:                centre the replicates on the full-sample estimate (R ``mse=TRUE``)
                        instead of on their mean.
    """

    weights: str | None = None
    replicate_weights: tuple[str, ...] = ()
    prefix: str | None = None
    type: str = "jk1"
    fay: float | None = None
    mse: bool = False
    rscales: tuple[float, ...] | None = None
    strata: str | None = None
    clusters: tuple[str, ...] = field(default_factory=tuple)

    def __init__(
        self,
        weights: str | None = None,
        replicate_weights=None,
        prefix: str | None = None,
        type: str = "jk1",
        fay: float | None = None,
        mse: bool = False,
        rscales=None,
        strata: str | None = None,
        clusters=None,
    ) -> None:
        rtype = str(type).lower()
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "replicate_weights", tuple(_as_list(replicate_weights)))
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "type", rtype)
        object.__setattr__(self, "fay", None if fay is None else float(fay))
        object.__setattr__(self, "mse", bool(mse))
        object.__setattr__(self, "rscales", None if rscales is None else tuple(map(float, rscales)))
        object.__setattr__(self, "strata", strata)
        object.__setattr__(self, "clusters", tuple(_as_list(clusters)))
        if rtype not in REPLICATE_TYPES:
            raise UsageError(
                _("unknown replicate type {t!r}").format(t=type),
                where="--replicate-type",
                hint=_("choose one of: ") + ", ".join(REPLICATE_TYPES),
                code="stats.bad-replicate-type",
            )
        if not self.replicate_weights and not prefix:
            raise UsageError(
                _("replicate weights are needed"),
                where="--replicate-weights",
                hint=_("give the prefix shared by the replicate weight columns"),
                code="stats.no-replicates",
            )
        if self.fay is not None and (rtype != "brr" or not 0 <= self.fay < 1):
            raise UsageError(
                _("--fay needs --replicate-type brr and 0 <= rho < 1"),
                where="--fay",
                hint=_("e.g. --replicate-type brr --fay 0.5"),
                code="stats.bad-fay",
            )

    def scale(self, n_replicates: int) -> float:
        """R's ``scale`` for this type and number of replicates."""
        r = n_replicates
        if self.type == "jk1":
            return (r - 1) / r
        if self.type == "brr":
            if self.fay is not None:
                return 1 / (r * (1 - self.fay) ** 2)
            return 1 / r
        if self.type == "bootstrap":
            return 1 / (r - 1)
        return 1.0
