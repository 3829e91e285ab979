"""The additive structure of one indicator and the attacker's linear system.

Tables of an indicator (one per set of dimensions) form a lattice under inclusion.  For every
pair of published tables T ⊂ U with no published table in between, each cell of T is the sum
of the cells of U inside it: these are the *relations* secondary suppression works on.

The attacker's view is a linear system.  The unknowns are the *base cells*: every combination
of categories of all the indicator's dimensions (the finest cross-classification, published or
not).  Each cell of a published table is the sum of the base cells inside it, for the
unweighted count n, the weighted count Σw and the weighted sum Σwy alike, so one 0/1 incidence
matrix describes all three.  A combination missing from a published table is a published zero
(nobody there), so base cells inside it are known to be 0 and are dropped.  A suppressed cell
is *determined* when its incidence row lies in the row space of the published rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from lnob.errors import InputError
from lnob.i18n import _

from .model import Cell, domain_key

#: Above this many base cells (the product of the numbers of categories) the exact audit is
#: refused rather than run for minutes: publish fewer or coarser intersections.
MAX_BASE_CELLS = 200_000
#: Largest published-cells × unknown-base-cells matrix the audit factorises.
MAX_MATRIX = 40_000_000


@dataclass(frozen=True)
class Relation:
    """``cells[parent] = Σ cells[children]``; ``dims`` are the children's dimensions."""

    parent: int
    children: tuple
    dims: frozenset


def _describe(cell: Cell) -> str:
    if not cell.groups:
        return f"{cell.indicator} (total)"
    return f"{cell.indicator} " + ", ".join(f"{k}={v}" for k, v in cell.key)


class Structure:
    """Tables, relations and the incidence matrix of one indicator's cells."""

    def __init__(self, cells: list[Cell]):
        self.cells = cells
        self.index = {c.key: i for i, c in enumerate(cells)}
        self.tables: dict[frozenset, list[int]] = {}
        categories: dict[str, dict] = {}
        for i, c in enumerate(cells):
            self.tables.setdefault(c.dimensions, []).append(i)
            for d, v in c.groups.items():
                categories.setdefault(d, {}).setdefault(v, None)
        self.dims = sorted(categories)
        self.categories = {d: list(categories[d]) for d in self.dims}
        self.relations = self._relations()
        self.relations_of: dict[int, list[int]] = {}
        for r, rel in enumerate(self.relations):
            for i in (rel.parent, *rel.children):
                self.relations_of.setdefault(i, []).append(r)
        self._matrix = None

    # -- relations ---------------------------------------------------------------------------
    def _relations(self) -> list[Relation]:
        same_rows = _("Pass every cell of every table, computed from the same rows.")
        tables = list(self.tables)
        out = []
        for t in tables:
            for u in tables:
                if not t < u:
                    continue
                if any(t < v < u for v in tables):
                    continue
                children: dict[int, list[int]] = {i: [] for i in self.tables[t]}
                for j in self.tables[u]:
                    part = self.cells[j]
                    pkey = domain_key({d: part.groups[d] for d in t})
                    parent = self.index.get(pkey)
                    if parent is None:
                        if part.n > 0:
                            raise InputError(
                                _("A cell has observations but the larger group containing it is "
                                  "missing from the table."),
                                where=_describe(part),
                                hint=same_rows,
                                code="disclosure.inconsistent")
                        continue
                    children[parent].append(j)
                for parent, kids in children.items():
                    if not kids and self.cells[parent].n > 0:
                        raise InputError(
                            _("A cell has observations but none of its parts appear in a finer "
                              "table."),
                            where=_describe(self.cells[parent]),
                            hint=_("Pass every category, including 'missing' or 'prefer not to "
                                   "say'; drop rows only after protection."),
                            code="disclosure.inconsistent")
                    if sum(self.cells[k].n for k in kids) > self.cells[parent].n:
                        raise InputError(
                            _("The parts of a group have more observations than the group itself."),
                            where=_describe(self.cells[parent]),
                            hint=same_rows, code="disclosure.inconsistent")
                    out.append(Relation(parent, tuple(kids), u))
        return out

    # -- incidence matrix --------------------------------------------------------------------
    def matrix(self) -> np.ndarray:
        """0/1 matrix: rows = cells, columns = base cells not known to be empty."""
        if self._matrix is not None:
            return self._matrix
        sizes = [len(self.categories[d]) for d in self.dims]
        total = int(np.prod(sizes)) if sizes else 1
        if total > MAX_BASE_CELLS:
            raise InputError(
                _("Too many combinations of categories to check the tables for disclosure."),
                where=self.cells[0].indicator,
                hint=_("Publish fewer or coarser intersections of dimensions for this indicator."),
                code="disclosure.too-large")
        lookups = []
        for t, members in self.tables.items():
            pos = [self.dims.index(d) for d in sorted(t)]
            names = sorted(t)
            table = {tuple(self.cells[i].groups[d] for d in names): i for i in members}
            lookups.append((pos, table))
        columns: list[list[int]] = []
        for combo in itertools.product(*(self.categories[d] for d in self.dims)):
            hits = []
            for pos, table in lookups:
                i = table.get(tuple(combo[p] for p in pos))
                if i is None:
                    break  # a published empty group: this base cell is known to be 0
                hits.append(i)
            else:
                columns.append(hits)
        if len(self.cells) * len(columns) > MAX_MATRIX:
            raise InputError(
                _("Too many combinations of categories to check the tables for disclosure."),
                where=self.cells[0].indicator,
                hint=_("Publish fewer or coarser intersections of dimensions for this indicator."),
                code="disclosure.too-large")
        m = np.zeros((len(self.cells), len(columns)))
        for j, hits in enumerate(columns):
            m[hits, j] = 1.0
        for i, c in enumerate(self.cells):
            if c.n > 0 and not m[i].any():
                raise InputError(
                    _("A cell has observations but a finer table says its groups are empty."),
                    where=_describe(c),
                    hint=_("Pass every cell of every table, computed from the same rows."),
                    code="disclosure.inconsistent")
        self._matrix = m
        return m


def determined(matrix: np.ndarray, published: list[int], targets: list[int],
               want_certificate: bool = True) -> list[tuple[int, list[int]]]:
    """Targets whose rows lie in the row space of the published rows.

    Returns ``(target, involved)`` pairs, ``involved`` being the published rows with a non-zero
    coefficient in a combination that reproduces the target (suppressing one of them breaks
    that combination).  Targets with an all-zero row (known empty) are skipped.
    """
    targets = [t for t in targets if matrix[t].any()]
    if not targets or not published:
        return []
    p = matrix[published]
    u, s, vt = np.linalg.svd(p, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return []
    rank = int((s > s[0] * max(p.shape) * np.finfo(float).eps * 16).sum())
    basis = vt[:rank]
    out = []
    for t in targets:
        e = matrix[t]
        proj = basis @ e
        resid = float(e @ e - proj @ proj)
        if resid <= 1e-7 * float(e @ e):
            involved: list[int] = []
            if want_certificate:
                y, *_rest = np.linalg.lstsq(p.T, e, rcond=None)
                scale = float(np.abs(y).max()) or 1.0
                involved = [published[k] for k in np.flatnonzero(np.abs(y) > 1e-8 * scale)]
            out.append((t, involved))
    return out
