"""Disclosure control: the one gate every public output passes.

Public API::

    from lnob.disclosure import Cell, Policy, protect, kanonymity_report, local_suppression

    cells = [Cell("water", {}, 0.71, 0.02, 0.67, 0.75, n=812, df=40),
             Cell("water", {"caste": "Dalit"}, 0.52, 0.06, 0.40, 0.64, n=31, df=12), ...]
    for row in protect(cells, Policy(threshold=25, sensitive_dimensions={"caste"})):
        row.flags      # [] / ["low-n"] / ["suppressed", "primary"] ...

Tables (:mod:`~lnob.disclosure.tables`): primary suppression below a threshold of unweighted
observations, secondary suppression so that no suppressed cell can be recovered from totals or
differences of published cells (checked on the attacker's linear system), reliability flags.
Microdata (:mod:`~lnob.disclosure.microdata`): k-anonymity and l-diversity report, local
suppression to reach k.  See docs/disclosure.md for what is guaranteed and what is not.
"""

from lnob.disclosure.microdata import (KAnonymityReport, SuppressionResult, kanonymity_report,
                                       local_suppression)
from lnob.disclosure.model import (HIGH_CV, KINDS, LOW_DF, LOW_N, PRIMARY, SECONDARY, SUPPRESSED,
                                   Cell, Policy, ProtectedCell, cells_from_results)
from lnob.disclosure.tables import audit, protect

__all__ = [
    "HIGH_CV",
    "KINDS",
    "LOW_DF",
    "LOW_N",
    "PRIMARY",
    "SECONDARY",
    "SUPPRESSED",
    "Cell",
    "KAnonymityReport",
    "Policy",
    "ProtectedCell",
    "SuppressionResult",
    "audit",
    "cells_from_results",
    "kanonymity_report",
    "local_suppression",
    "protect",
]
