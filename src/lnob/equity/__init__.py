"""Who is left behind: equity analysis of disaggregated estimates — no Django.

This package owns the answer to "who is left behind, and by how much":

* :mod:`lnob.equity.inequality` — the summary measures of inequality of WHO's
  Health Equity Assessment Toolkit (HEAT), ported from the R package
  ``healthequal`` (D, R, PAR, PAF, SII, RII, ACI, RCI, BGV, BGSD, COV, MDMU,
  MDMW, MDBU, MDBW, IDISU, IDISW, TI, MLD) and ESCAP's LNOB D-index, computed
  from per-subgroup estimates and populations.

* :mod:`lnob.equity.gaps` — each group vs the total, a reference and the
  best-off group (difference and ratio, linearised SEs via
  :mod:`lnob.stats.contrast`);
* :mod:`lnob.equity.furthest` — the furthest-behind search over intersections
  (Benjamini-Hochberg over every test) with plain-language sentences;
* :mod:`lnob.equity.tree` — ESCAP's LNOB classification tree and D-index;
* :mod:`lnob.equity.mpi` — Alkire-Foster multidimensional poverty with
  design-based SEs;
* :mod:`lnob.equity.official` — official SDG series (Open SDG CSV, SDMX),
  comparison with community estimates, data gaps, Open SDG progress status.
* :mod:`lnob.equity.leftbehind` — the project-wide analysis on the indicator runner's tables
  (analysis tables, global MPI weights, ranking findings across indicators, the data-gap
  matrix across indicators) behind the web's "who is left behind" pages.

See ``docs/inequality.md`` and ``docs/equity.md`` for every formula.
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
