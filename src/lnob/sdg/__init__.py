"""The SDG catalogue: goal, target and indicator texts in every available language, the SDMX
SDG data structure (DSD 1.14) with all its code lists, series and content constraints.

>>> from lnob import sdg
>>> sdg.get("6.1.1").target.code
'6.1'
>>> sdg.codelist("CL_SEX").name("F")
'Female'

The data ships in ``lnob/sdg/data/`` (built by :mod:`lnob.sdg.build_catalogue`; sources and
licences in ``data/SOURCE.md``) and is loaded lazily.  See ``docs/sdg.md``.
"""

from __future__ import annotations

from lnob.sdg.catalogue import (
    Catalogue,
    Codelist,
    Goal,
    Indicator,
    Series,
    Target,
    Text,
    catalogue,
)

__all__ = [
    "Catalogue", "Codelist", "Goal", "Indicator", "Series", "Target", "Text", "catalogue",
    "goal", "target", "indicator", "get", "series", "series_for", "codelist", "validate_code",
]


def goal(code) -> Goal:
    return catalogue().goal(code)


def target(code) -> Target:
    return catalogue().target(code)


def indicator(code) -> Indicator:
    return catalogue().indicator(code)


def get(code):
    """A goal, target, indicator or SDMX series from its code ("6", "6.1", "6.b", "6.1.1", "6-1-1", "SH_H2O_SAFE")."""
    return catalogue().get(code)


def series(code) -> Series:
    return catalogue().series(code)


def series_for(indicator_code) -> list[Series]:
    return catalogue().series_for(indicator_code)


def codelist(name) -> Codelist:
    return catalogue().codelist(name)


def validate_code(codelist_id, code, *, series=None) -> str:
    return catalogue().validate_code(codelist_id, code, series=series)
