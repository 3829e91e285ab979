"""Property: after protect(), no suppressed cell is determined by the published cells.

Hypothesis generates microdata (2–3 categorical dimensions, some tiny groups, weights, two
variables), builds the published tables (usually total, each dimension and every 2-way
intersection; sometimes any part of the lattice, 3-way included) with n, weighted count Σw, weighted sum Σwy and mean for each, protects them
and then plays the attacker, independently of the library's own audit: unknowns are the
cells of the full cross-classification; every published cell, and every combination missing
from a published table (a published zero), is one linear equation.  n, Σw and Σwy of a cell
are all "sum of the base cells inside it", so they share one 0/1 coefficient matrix; a mean
Σwy/Σw is recovered exactly when Σwy is, even for an attacker who knows every Σw (census
shares).  With exact rational elimination the test shows, for every suppressed cell, that its
coefficient row is NOT in the row space of the published equations — so its n, weighted total
and mean are each consistent with more than one value.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lnob.disclosure import Cell, Policy, protect

DIM_NAMES = ["sex", "caste", "region"]


# -- exact linear algebra (independent of the library's numpy audit) ---------------------------
class Span:
    """Row space over the rationals, built by incremental Gaussian elimination."""

    def __init__(self):
        self.rows: list[tuple[int, list[Fraction]]] = []  # (pivot, row with 1 at pivot)

    def reduce(self, v) -> list[Fraction]:
        v = [Fraction(x) for x in v]
        for pivot, row in self.rows:
            f = v[pivot]
            if f:
                v = [a - f * b for a, b in zip(v, row)]
        return v

    def add(self, v) -> None:
        v = self.reduce(v)
        for j, x in enumerate(v):
            if x:
                self.rows.append((j, [a / x for a in v]))
                return

    def contains(self, v) -> bool:
        return not any(self.reduce(v))


# -- data and tables ---------------------------------------------------------------------------
@st.composite
def microdata(draw):
    ndim = draw(st.integers(2, 3))
    dims = DIM_NAMES[:ndim]
    ncat = [draw(st.integers(2, 4)) for _ in dims]
    combos = list(itertools.product(*(range(c) for c in ncat)))
    # each combination gets a block of rows: often empty or tiny, sometimes large
    sizes = draw(st.lists(st.one_of(st.integers(0, 3), st.integers(0, 12), st.integers(10, 40)),
                          min_size=len(combos), max_size=len(combos)))
    seed = draw(st.integers(0, 2**32 - 1))
    rnd = random.Random(seed)
    rows = []
    for combo, size in zip(combos, sizes):
        for _ in range(size):
            rows.append({"groups": {d: f"{d}{c}" for d, c in zip(dims, combo)},
                         "w": rnd.randint(1, 5), "y": rnd.randint(0, 10), "z": rnd.randint(0, 1)})
    threshold = draw(st.integers(2, 20))
    sensitive = draw(st.sets(st.sampled_from(dims), max_size=1))
    policy = Policy(threshold=threshold, sensitive_threshold=threshold + draw(st.integers(0, 10)),
                    sensitive_dimensions=sensitive, protect_residuals=draw(st.booleans()))
    # usually the full set of tables; sometimes a random part of the lattice (levels skipped,
    # the full cross-classification included)
    tables = full_tables(dims)
    if draw(st.integers(0, 3)) == 0:
        lattice = [t for size in range(ndim + 1) for t in itertools.combinations(dims, size)]
        tables = draw(st.lists(st.sampled_from(lattice), min_size=1, unique=True))
    return tables, rows, policy


def full_tables(dims):
    """Total, each dimension, every 2-way intersection."""
    return [()] + [(d,) for d in dims] + list(itertools.combinations(dims, 2))


def build_cells(tables, rows):
    """Every published cell: indicators 'y' (mean), 'z' (proportion), 'w' (count)."""
    cells = []
    for table in tables:
        domains: dict[tuple, list] = {}
        for r in rows:
            domains.setdefault(tuple(r["groups"][d] for d in table), []).append(r)
        for values, members in sorted(domains.items()):
            groups = dict(zip(table, values))
            n = len(members)
            sw = sum(r["w"] for r in members)
            for var, kind in (("y", "mean"), ("z", "proportion")):
                sy = sum(r["w"] * r[var] for r in members)
                est = sy / sw
                cells.append(Cell(var, groups, est, 0.1 * (1 + est), est - 0.2, est + 0.2, n, n - 1, kind))
            cells.append(Cell("w", groups, float(sw), 1.0, sw - 2.0, sw + 2.0, n, n - 1, "count"))
    return cells


def attacker_equations(tables, rows, cells, out):
    """Coefficient rows of every published equation and of every suppressed cell, per indicator."""
    dims = sorted({d for t in tables for d in t})
    cats = {d: sorted({r["groups"][d] for r in rows}) for d in dims}
    base = list(itertools.product(*(cats[d] for d in dims)))

    def incidence(groups):
        return [int(all(b[dims.index(d)] == v for d, v in groups.items())) for b in base]

    result = {}
    for name in ("y", "z", "w"):
        shown, hidden = [], []
        present = set()
        for c, p in zip(cells, out):
            if c.indicator != name:
                continue
            present.add(c.key)
            (hidden if p.suppressed else shown).append(incidence(c.groups))
        # published zeros: every combination of a published table with no row
        for table in tables:
            for values in itertools.product(*(cats[d] for d in table)):
                groups = dict(zip(table, values))
                if tuple(sorted(groups.items())) not in present:
                    shown.append(incidence(groups))
        result[name] = (shown, hidden)
    return result


def check_protected(tables, rows, policy):
    if not rows:
        return
    cells = build_cells(tables, rows)
    out = protect(cells, policy)
    assert len(out) == len(cells)
    for c, p in zip(cells, out):
        assert (p.indicator, p.key) == (c.indicator, c.key)
        if c.n < policy.threshold_for(c.groups):
            assert p.flags[:2] == ["suppressed", "primary"]
        if p.suppressed:
            assert (p.estimate, p.se, p.ci_low, p.ci_high, p.n, p.df) == (None,) * 6
            assert p.flags[0] == "suppressed" and len(p.flags) == 2
        else:
            assert (p.estimate, p.se, p.n, p.df) == (c.estimate, c.se, c.n, c.df)
    # linked indicators: one suppression pattern per domain
    pattern = {}
    for p in out:
        pattern.setdefault(p.key, set()).add(p.suppressed)
    assert all(len(v) == 1 for v in pattern.values())
    # the attacker: no suppressed cell's coefficient row is in the span of published rows
    for name, (shown, hidden) in attacker_equations(tables, rows, cells, out).items():
        span = Span()
        for r in shown:
            span.add(r)
        for r in hidden:
            assert not span.contains(r), f"indicator {name}: a suppressed cell is recoverable"
    # residuals: in every relation with a published total, the suppressed parts hold >= threshold
    if policy.protect_residuals:
        by_key = {(c.indicator, c.key): (c, p) for c, p in zip(cells, out)}
        for c, p in zip(cells, out):
            if p.suppressed:
                continue
            for d in {d for t in tables for d in t}:
                if d in c.groups:
                    continue
                parts = [by_key[(c.indicator, k)] for k in by_key_children(by_key, c, d)]
                hidden_n = sum(pc.n for pc, pp in parts if pp.suppressed)
                if (c.dimensions | {d}) in [frozenset(t) for t in tables] and hidden_n:
                    assert hidden_n >= policy.threshold_for(set(c.groups) | {d})


def by_key_children(by_key, cell, d):
    for ind, key in by_key:
        if ind != cell.indicator:
            continue
        groups = dict(key)
        if set(groups) == set(cell.groups) | {d} and all(groups[k] == v for k, v in cell.groups.items()):
            yield key


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(microdata())
def test_no_suppressed_cell_is_recoverable(data):
    check_protected(*data)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(microdata())
def test_no_suppressed_cell_is_recoverable_many(data):
    check_protected(*data)


def test_attacker_breaks_primary_only_suppression():
    """Sanity check of the attacker itself: with only primary suppression a cell is recovered."""
    dims = ["sex", "caste"]
    rows = []
    for s, c, size in [(0, 0, 2), (0, 1, 30), (1, 0, 30), (1, 1, 30)]:
        rows += [{"groups": {"sex": f"sex{s}", "caste": f"caste{c}"}, "w": 1, "y": 1, "z": 0}] * size
    cells = build_cells(full_tables(dims), rows)
    naive = protect(cells, Policy(threshold=5))
    from lnob.disclosure.model import published, suppressed

    only_primary = [suppressed(c, "primary", Policy()) if c.n < 5 else published(c, Policy())
                    for c in cells]
    for out, recoverable in ((only_primary, True), (naive, False)):
        shown, hidden = attacker_equations(full_tables(dims), rows, cells, out)["y"]
        span = Span()
        for r in shown:
            span.add(r)
        assert any(span.contains(r) for r in hidden) is recoverable
