"""The project-wide "who is left behind" analysis on the indicator runner's tables — no Django.

What the web view (and any other edge) needs beyond the single-table functions of
:mod:`lnob.equity.gaps`, :mod:`lnob.equity.furthest`, :mod:`lnob.equity.tree` and
:mod:`lnob.equity.mpi`:

* :func:`analysis_tables` — the runner's analysis tables (one per unit: design columns, one
  ``d_<dimension>`` column per dimension, one value column per indicator), built by
  :class:`lnob.indicators.runner.Runner` exactly as for the stored results and copied into
  temporary tables, so every equity analysis uses the indicator's own definition;
* :func:`mpi_deprivations` — the global MPI's nested weights (OPHI/UNDP: equal weights for the
  dimensions, equal weights for the indicators inside a dimension) over the deprivation
  indicators a project has, as exact fractions; :func:`project_mpi` — Alkire-Foster on them;
* :func:`rank_findings` — findings of several indicators in one ranked list;
* :func:`official_dimension` / :func:`data_gaps` — which disaggregations official series and
  the community data have (the data-gap matrix across indicators).

See docs/equity.md ("The web view").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from lnob.errors import InputError, UsageError
from lnob.i18n import _

#: The global MPI's dimensions (OPHI/UNDP 2010-): health, education, living standards; the
#: deprivation indicators of lnob's library (``indicators/library/mpi.yml``) by dimension.
MPI_DIMENSIONS = {
    "mpi_dep_school_attendance": "education",
    "mpi_dep_years_schooling": "education",
    "mpi_dep_water": "living standards",
    "mpi_dep_sanitation": "living standards",
    "mpi_dep_electricity": "living standards",
    "mpi_dep_assets": "living standards",
    "mpi_dep_cooking_fuel": "living standards",
    "mpi_dep_housing": "living standards",
}
#: The global MPI's poverty cutoff: poor when deprived in at least a third of the weighted indicators.
MPI_K = Fraction(1, 3)


class _Got(Exception):
    pass


@dataclass
class AnalysisTable:
    """One unit's analysis table: ``columns`` maps an indicator id to its value column."""

    unit: str
    table: str
    design: object
    columns: dict = field(default_factory=dict)
    dimensions: list = field(default_factory=list)


def analysis_tables(con, lib, sources, indicators, *, dimensions=None, form=None, field_map=None,
                    variance: str = "design") -> dict[str, AnalysisTable]:
    """Build the runner's analysis tables for ``indicators`` (ids the form can answer) and keep
    them as temporary tables ``lb_<unit>`` of ``con`` (a DuckDB connection): unit -> table.

    The runner runs at depth 0 (the totals only) and its progress callback copies each unit's
    table when it is complete, so the values and categories are the runner's own.  The value
    column of the j-th indicator of a unit (library order) is ``y<j>``."""
    from lnob.indicators.runner import Runner

    want = list(dict.fromkeys(indicators))
    if not want:
        return {}
    grabbed = []

    def grab(stage, done, total):
        if stage.endswith(": estimates") and done == 0:
            unit = stage.split(":")[0]
            con.execute(f'CREATE OR REPLACE TEMP TABLE "lb_{unit}" AS SELECT * FROM "_lnob_ind_{unit}"')
            grabbed.append(unit)

    runner = Runner(con, lib, sources, form=form, field_map=field_map, depth=0, dimensions=dimensions,
                    indicators=want, variance=variance, force=True, progress=grab)
    result = runner.run()
    out = {}
    for unit in grabbed:
        inds = [i for i in lib.indicators if i.unit == unit and i.id in want]
        cols = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [f"lb_{unit}"]).fetchall()}
        columns = {}
        for j, ind in enumerate(inds):
            if f"y{j}" not in cols:  # pragma: no cover - the runner's layout changed
                raise InputError(_("the analysis table of %(u)s has no column for %(i)r") % {"u": unit, "i": ind.id},
                                 where=f"lb_{unit}", hint=_("rerun the indicators"), code="equity.no-column")
            columns[ind.id] = f"y{j}"
        dims = sorted(c[2:] for c in cols if c.startswith("d_"))
        used = result.dimensions.get(unit, dims)
        out[unit] = AnalysisTable(unit, f"lb_{unit}", sources[unit].design(variance), columns,
                                  [d for d in dims if d in used])
    return out


# --------------------------------------------------------------------------- MPI
def mpi_deprivations(available, weights: dict | None = None):
    """The deprivations (:class:`lnob.equity.mpi.Deprivation`, column = indicator id) and their
    weights.  Default: the global MPI's nesting over the dimensions present — each present
    dimension 1/D, each of its n_d indicators 1/(D·n_d) — exact fractions summing to 1.  With
    ``weights`` (indicator id -> number or fraction, e.g. from the project's settings), those,
    which must sum to 1 (:func:`lnob.equity.mpi.check_weights`)."""
    from lnob.equity.mpi import Deprivation, parse_fraction

    ids = [i for i in available if i in MPI_DIMENSIONS] if weights is None else list(weights)
    if weights is not None:
        unknown = [i for i in ids if i not in available]
        if unknown:
            raise UsageError(_("MPI weight for %(i)r, which has no results in this project") % {"i": unknown[0]},
                             where="survey_design.mpi.weights", hint=_("run the indicators first, or remove it"),
                             code="equity.unknown-deprivation")
        return [Deprivation(i, parse_fraction(weights[i], f"survey_design.mpi.weights.{i}")) for i in ids]
    dims: dict[str, list[str]] = {}
    for i in ids:
        dims.setdefault(MPI_DIMENSIONS[i], []).append(i)
    out = []
    for members in dims.values():
        for i in members:
            out.append(Deprivation(i, Fraction(1, len(dims) * len(members))))
    return out


def project_mpi(con, table: AnalysisTable, deprivations, k=MPI_K, *, by: str | None = None, level: float = 0.95):
    """Alkire-Foster (:func:`lnob.equity.mpi.mpi`) on an analysis table whose value columns are
    the 0/1 deprivation indicators; ``by`` a dimension id (its ``d_`` column).  The dimension's
    "not stated" group stays a group of the decomposition (its share is part of the whole)."""
    from lnob.equity.mpi import mpi
    from lnob.stats import DuckDBEngine

    missing = [d.column for d in deprivations if d.column not in table.columns]
    if missing:
        raise UsageError(_("no deprivation indicator %(i)r in the analysis table") % {"i": missing[0]},
                         where="mpi", hint=_("run the MPI indicators first"), code="equity.unknown-deprivation")
    design = table.design
    keep = [c for c in dict.fromkeys([design.weights, design.strata, *design.clusters, *design.fpc]) if c]
    sel = [f'"{c}"' for c in keep]
    if by:
        sel.append(f'"d_{by}" AS "{by}"')
    sel += [f'CAST("{table.columns[d.column]}" AS INTEGER) AS "{d.column}"' for d in deprivations]
    view = f"{table.table}_mpi"
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{view}" AS SELECT {", ".join(sel)} FROM "{table.table}"')
    try:
        return mpi(DuckDBEngine(connection=con).table(view), design, deprivations, k, by=by, level=level)
    finally:
        con.execute(f'DROP TABLE IF EXISTS "{view}"')


# --------------------------------------------------------------------------- findings
def rank_findings(items):
    """Findings of several indicators (dicts with ``gap`` = θ_g − θ, ``overall_value`` = θ, ``q``,
    ``relative`` and ``unreliable``) ranked furthest behind first, then by the q-value; findings
    whose estimate is flagged unreliable (few observations or degrees of freedom) come after
    the reliable ones.  A proportion's gap
    counts as it is (percentage points: 0.30 = 30 points); with ``relative`` (a mean) the gap
    relative to the population's value, |θ_g − θ| / |θ|, so a mean 30 % below the population's
    ranks with a proportion 30 points below."""
    def key(item):
        gap, overall = item.get("gap"), item.get("overall_value")
        if gap is None:
            size = 0.0
        elif item.get("relative"):
            size = abs(gap) / abs(overall) if overall else 0.0
        else:
            size = abs(gap)
        return (bool(item.get("unreliable")), -size, item.get("q") if item.get("q") is not None else 1.0)

    return sorted(items, key=key)


# --------------------------------------------------------------------------- official statistics
def official_dimension(name: str, dimensions) -> str | None:
    """The project dimension an official disaggregation column stands for (``Sex``, ``SEX`` ->
    ``sex``): the same id, SDMX dimension or English title, ignoring case."""
    n = str(name).strip().lower().replace(" ", "_")
    for d in dimensions:
        names = {d.id.lower(), (d.sdmx or "").lower(), (d.title.get("en") or "").lower().replace(" ", "_")}
        if n in names:
            return d.id
    return None


def official_category(dim, code: str, value: str) -> bool:
    """Whether an official category (``Female``, ``F``) is the project category ``code``."""
    v = str(value).strip().lower()
    for c in getattr(dim, "categories", []) or []:
        if c.code == code:
            return v in {c.code.lower(), (c.sdmx or "").lower(), (c.title.get("en") or "").lower()}
    return v == str(code).lower()


def data_gaps(community: dict, official: dict, dimensions) -> list[dict]:
    """The data-gap matrix: ``community`` indicator id -> dimensions with community results,
    ``official`` indicator id -> official disaggregation names; one row per indicator with
    dimension id -> ``both`` / ``official`` / ``community`` (official columns that match no
    project dimension keep their own name)."""
    rows = []
    for ind in sorted(set(community) | set(official)):
        com = set(community.get(ind, ()))
        off = set()
        for name in official.get(ind, ()):
            off.add(official_dimension(name, dimensions) or str(name))
        cells = {}
        for d in com | off:
            cells[d] = "both" if d in com and d in off else "community" if d in com else "official"
        rows.append({"indicator": ind, "cells": cells})
    return rows
