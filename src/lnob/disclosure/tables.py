"""Primary and secondary suppression of published tables: :func:`protect`.

Algorithm (see docs/disclosure.md for the reasoning):

1. *Primary*: a cell with ``n`` below the policy threshold (the sensitive threshold when one of
   its dimensions is sensitive) is suppressed.
2. *Relations* (hypercube-style, to a fixed point): in every relation ``total = Σ parts``
   that contains a suppressed cell, at least two cells must be suppressed, and when the total
   is published the suppressed parts together must hold at least the threshold (their sum is
   published by subtraction).  Otherwise suppress one more part: the smallest one that brings
   the suppressed parts over the threshold, else the largest; the total only when no part is
   left.
3. *Audit*: build the attacker's linear system (:mod:`lnob.disclosure.structure`); while a
   suppressed cell is still determined by the published cells, suppress the smallest published
   cell used in a combination that determines it (never the whole-population total unless
   nothing else is used) and go back to step 2.
4. *Linking*: with ``link_indicators`` a domain suppressed for one indicator is suppressed for
   all indicators in the same call; steps 2–3 are repeated until no indicator changes.

Every step only adds suppressions, so the loop ends; when it ends, no suppressed cell is a
linear combination of published cells (the property tests/disclosure checks with exact
arithmetic).
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import (PRIMARY, SECONDARY, Cell, Policy, ProtectedCell, check_cells, published,
                    suppressed)
from .structure import Structure, determined


def _needs(rel, cells, reasons: dict, policy: Policy) -> int | None:
    """None when the relation is safe, else the observations its suppressed parts lack (≤ 0
    when only a second suppressed cell is needed)."""
    sup_kids = [c for c in rel.children if c in reasons]
    parent_sup = rel.parent in reasons
    count = len(sup_kids) + parent_sup
    if count == 0:
        return None
    deficit = 0
    if not parent_sup and policy.protect_residuals:
        deficit = policy.threshold_for(rel.dims) - sum(cells[c].n for c in sup_kids)
    if count >= 2 and deficit <= 0:
        return None
    return deficit


def _relations_pass(st: Structure, reasons: dict, policy: Policy) -> None:
    """Step 2 to a fixed point."""
    cells = st.cells
    changed = True
    while changed:
        changed = False
        for r, rel in enumerate(st.relations):
            deficit = _needs(rel, cells, reasons, policy)
            if deficit is None:
                continue
            free = [c for c in rel.children if c not in reasons]
            if free:
                enough = [c for c in free if cells[c].n >= deficit]
                if enough:
                    # prefer a cell that also completes another open relation (closes the
                    # "hypercube"), then the smallest
                    def helps(c, r=r):
                        return sum(1 for o in st.relations_of.get(c, ()) if o != r
                                   and _needs(st.relations[o], cells, reasons, policy) is not None)

                    pick = min(enough, key=lambda c: (-helps(c), cells[c].n, c))
                else:
                    pick = max(free, key=lambda c: (cells[c].n, -c))
            elif rel.parent not in reasons:
                pick = rel.parent
            else:  # pragma: no cover - count >= 2 whenever every member is suppressed
                continue
            reasons[pick] = SECONDARY
            changed = True


def _secondary(st: Structure, reasons: dict, policy: Policy) -> None:
    while True:
        _relations_pass(st, reasons, policy)
        if not reasons or len(reasons) == len(st.cells):
            return
        matrix = st.matrix()
        open_cells = [i for i in range(len(st.cells)) if i not in reasons]
        found = determined(matrix, open_cells, sorted(reasons))
        if not found:
            return
        _target, involved = found[0]
        cells = st.cells
        if not involved:  # pragma: no cover - a determined cell always has a certificate
            involved = open_cells
        # never the whole-population total while another cell would do
        pick = min(involved, key=lambda c: (not cells[c].groups, cells[c].n, c))
        reasons[pick] = SECONDARY


def suppression_pattern(cells: list[Cell], policy: Policy) -> dict[int, str]:
    """Index of each suppressed cell → ``primary`` or ``secondary`` (cells already checked)."""
    by_indicator: dict[str, list[int]] = {}
    for i, c in enumerate(cells):
        by_indicator.setdefault(c.indicator, []).append(i)
    parts = {}
    for name, idx in by_indicator.items():
        st = Structure([cells[i] for i in idx])
        reasons = {j: PRIMARY for j, c in enumerate(st.cells)
                   if c.n < policy.threshold_for(c.dimensions)}
        parts[name] = (idx, st, reasons)
    linked: set = set()
    while True:
        for _name, (_idx, st, reasons) in parts.items():
            if policy.link_indicators:
                for j, c in enumerate(st.cells):
                    if c.key in linked and j not in reasons:
                        reasons[j] = SECONDARY
            _secondary(st, reasons, policy)
        if not policy.link_indicators:
            break
        now = {st.cells[j].key for _i, st, reasons in parts.values() for j in reasons}
        if now == linked:
            break
        linked = now
    out = {}
    for idx, _st, reasons in parts.values():
        for j, why in reasons.items():
            out[idx[j]] = why
    return out


def protect(cells: Iterable[Cell], policy: Policy | None = None) -> list[ProtectedCell]:
    """Protect published cells: one :class:`ProtectedCell` per input cell, in input order.

    Suppressed cells have estimate, se, CI, n and df blanked and flags ``suppressed`` +
    reason; published cells keep their values and get reliability flags.  Raises
    :class:`~lnob.errors.InputError` for invalid or inconsistent cells.
    """
    policy = policy or Policy()
    cells = check_cells(cells)
    pattern = suppression_pattern(cells, policy)
    return [suppressed(c, pattern[i], policy) if i in pattern else published(c, policy)
            for i, c in enumerate(cells)]


def audit(cells: Iterable[Cell], protected: Iterable[ProtectedCell]) -> list[tuple[str, tuple]]:
    """Suppressed cells that the published ones determine, as ``(indicator, groups key)``.

    An independent check for a publishing layer that edits a protected table (dropping
    published rows is always safe; publishing a suppressed one is not).  Uses the same linear
    model as :func:`protect` per indicator; empty means nothing is recoverable by linear
    combination of published cells.
    """
    cells = check_cells(cells)
    hidden = {(p.indicator, p.key) for p in protected if p.suppressed}
    shown = {(p.indicator, p.key) for p in protected if not p.suppressed}
    by_indicator: dict[str, list[Cell]] = {}
    for c in cells:
        by_indicator.setdefault(c.indicator, []).append(c)
    out = []
    for name, group in by_indicator.items():
        st = Structure(group)
        pub = [j for j, c in enumerate(group) if (name, c.key) in shown]
        tgt = [j for j, c in enumerate(group) if (name, c.key) in hidden]
        for t, _inv in determined(st.matrix(), pub, tgt, want_certificate=False):
            out.append((name, group[t].key))
    return out
