"""Who is left behind: equity analysis of disaggregated estimates — no Django.

This package owns the answer to "who is left behind, and by how much":

* :mod:`lnob.equity.inequality` — the summary measures of inequality of WHO's
  Health Equity Assessment Toolkit (HEAT), ported from the R package
  ``healthequal`` (D, R, PAR, PAF, SII, RII, ACI, RCI, BGV, BGSD, COV, MDMU,
  MDMW, MDBU, MDBW, IDISU, IDISW, TI, MLD) and ESCAP's LNOB D-index, computed
  from per-subgroup estimates and populations.

Later modules (gaps, the furthest-behind search, multidimensional poverty)
belong here too.  See ``docs/inequality.md`` for every formula.
"""

from lnob.equity.inequality import (
    MEASURES,
    InequalityResult,
    MeasureResult,
    SubgroupData,
    read_subgroups_csv,
    summary_measures,
)

__all__ = [
    "MEASURES",
    "InequalityResult",
    "MeasureResult",
    "SubgroupData",
    "read_subgroups_csv",
    "summary_measures",
]
