"""Microdata release: k-anonymity / l-diversity report and local suppression.

Rows are plain Python sequences of mappings (``list[dict]``), the shape lnob's records layer
and ``duckdb``'s ``fetchall`` + column names give; convert a DuckDB relation with
``[dict(zip(rel.columns, r)) for r in rel.fetchall()]``.  ``None``, ``""`` and NaN are missing.

Two readings of a missing quasi-identifier value:

* ``missing="category"`` (default): missing is a value of its own.  A release is k-anonymous
  when every combination of quasi-identifier values, missing included, is shared by at least
  k records.  This is sound against an attacker who knows a person's true values: everyone
  in the person's released class is compatible with them.
* ``missing="wildcard"`` (sdcMicro's convention): a missing value matches any value, so a
  record's class size counts every record compatible with it.  Optimistic: a record whose age
  was suppressed may still be the only one compatible with a person whose age the attacker
  knows.  Offered to compare with sdcMicro; :func:`local_suppression` always reaches k in the
  ``category`` sense, which implies it in the ``wildcard`` sense.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lnob.errors import InputError, did_you_mean
from lnob.i18n import _

MISSING_MODES = ("category", "wildcard")


def _norm(v):
    if v is None or v == "":
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _check(rows, quasi_identifiers, k, names=("k",)) -> tuple[list, list[str]]:
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    qis = list(quasi_identifiers or [])
    if not qis:
        raise InputError(_("Name at least one quasi-identifier."), where="quasi_identifiers",
                         hint=_("Quasi-identifiers are variables an outsider may know: age band, "
                                "sex, caste or ethnicity, village..."), code="disclosure.qi")
    if len(set(qis)) != len(qis):
        raise InputError(_("A quasi-identifier is listed twice."), where="quasi_identifiers",
                         hint=None, code="disclosure.qi")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(_("k must be a whole number of at least 1."), where=names[0],
                         hint=_("For example 3 or 5."), code="disclosure.k")
    if not isinstance(rows, Sequence):
        rows = list(rows)
    for i, r in enumerate(rows):
        if not isinstance(r, Mapping):
            raise InputError(_("Each record must be a mapping of variable names to values."),
                             where=f"row {i + 1}", hint=_("Pass a list of dicts."),
                             code="disclosure.rows")
    if rows:
        seen = set()
        for r in rows[: min(len(rows), 1000)]:
            seen.update(r)
        for q in qis:
            if q not in seen:
                raise InputError(_("Unknown variable."), where=q,
                                 hint=did_you_mean(q, seen) or _("Check the variable names."),
                                 code="disclosure.unknown-variable")
    return rows, qis


@dataclass(frozen=True)
class EquivalenceClass:
    """Records sharing the same quasi-identifier values.

    ``size`` counts records with exactly these values; ``fk`` the records an attacker cannot
    tell apart from them (``size`` with ``missing="category"``); ``diversity`` the number of
    distinct non-missing values of each sensitive variable in the class (distinct l-diversity).
    """

    values: dict
    size: int
    fk: int
    diversity: dict = field(default_factory=dict)


@dataclass(frozen=True)
class KAnonymityReport:
    records: int
    quasi_identifiers: list
    k: int
    l: int  # noqa: E741 - the standard name
    missing: str
    classes: list  # EquivalenceClass, most at risk first
    classes_below_k: int
    records_below_k: int
    records_unique: int  # in classes of size (fk) 1
    records_pairs: int  # fk == 2
    l_diversity: dict  # sensitive variable -> {"classes_below_l", "records_below_l", "min_l"}

    def share(self, count: int) -> float:
        return count / self.records if self.records else 0.0

    @property
    def k_anonymous(self) -> bool:
        return self.records_below_k == 0

    @property
    def l_diverse(self) -> bool:
        return all(v["classes_below_l"] == 0 for v in self.l_diversity.values())

    def risk_summary(self) -> dict:
        """Shares of records in classes of size 1, 2 and below k (the headline numbers)."""
        return {"records": self.records, "classes": len(self.classes),
                "share_size_1": self.share(self.records_unique),
                "share_size_2": self.share(self.records_pairs),
                "share_below_k": self.share(self.records_below_k),
                "classes_below_k": self.classes_below_k, "records_below_k": self.records_below_k}


def _wildcard_fk(sizes: Counter, n_qi: int) -> dict:
    """For every distinct key, the number of records compatible with it (missing = any)."""
    by_pattern: dict[tuple, list] = defaultdict(list)
    for key in sizes:
        by_pattern[tuple(v is None for v in key)].append(key)
    fk = dict.fromkeys(sizes, 0)
    for pa, keys_a in by_pattern.items():
        for pb, keys_b in by_pattern.items():
            pos = [q for q in range(n_qi) if not pa[q] and not pb[q]]
            counts: Counter = Counter()
            for kb in keys_b:
                counts[tuple(kb[q] for q in pos)] += sizes[kb]
            for ka in keys_a:
                fk[ka] += counts.get(tuple(ka[q] for q in pos), 0)
    return fk


def kanonymity_report(rows, quasi_identifiers, sensitive=None, k: int = 5, l: int = 2,  # noqa: E741
                      missing: str = "category") -> KAnonymityReport:
    """How far ``rows`` are from k-anonymity on ``quasi_identifiers`` and l-diversity on
    ``sensitive`` (a name or a list of names)."""
    rows, qis = _check(rows, quasi_identifiers, k)
    if isinstance(l, bool) or not isinstance(l, int) or l < 1:
        raise InputError(_("l must be a whole number of at least 1."), where="l",
                         hint=_("For example 2."), code="disclosure.k")
    if missing not in MISSING_MODES:
        raise InputError(_("Unknown way of treating missing values."), where="missing",
                         hint=", ".join(MISSING_MODES), code="disclosure.missing")
    sens = [sensitive] if isinstance(sensitive, str) else list(sensitive or [])
    if sens:
        _check(rows, sens, k)
    keys = [tuple(_norm(r.get(q)) for q in qis) for r in rows]
    sizes = Counter(keys)
    fk = _wildcard_fk(sizes, len(qis)) if missing == "wildcard" else sizes
    values: dict[tuple, list[set]] = {}
    if sens:
        values = {key: [set() for _s in sens] for key in sizes}
        for key, r in zip(keys, rows):
            slot = values[key]
            for j, s in enumerate(sens):
                v = _norm(r.get(s))
                if v is not None:
                    slot[j].add(v)
    classes = []
    for key, size in sizes.items():
        div = {s: len(values[key][j]) for j, s in enumerate(sens)} if sens else {}
        classes.append(EquivalenceClass(dict(zip(qis, key)), size, fk[key], div))
    classes.sort(key=lambda c: (c.fk, c.size, min(c.diversity.values(), default=0)))
    below = [c for c in classes if c.fk < k]
    ldiv = {}
    for s in sens:
        bad = [c for c in classes if c.diversity[s] < l]
        ldiv[s] = {"classes_below_l": len(bad), "records_below_l": sum(c.size for c in bad),
                   "min_l": min((c.diversity[s] for c in classes), default=0)}
    return KAnonymityReport(
        records=len(rows), quasi_identifiers=qis, k=k, l=l, missing=missing, classes=classes,
        classes_below_k=len(below), records_below_k=sum(c.size for c in below),
        records_unique=sum(c.size for c in classes if c.fk == 1),
        records_pairs=sum(c.size for c in classes if c.fk == 2), l_diversity=ldiv)


@dataclass(frozen=True)
class SuppressionResult:
    """Rows after local suppression (copies; suppressed values are ``None``)."""

    rows: list
    k: int
    suppressed: dict  # variable -> number of values set to missing
    importance: list  # quasi-identifiers, most important (suppressed last) first
    unresolved: int  # records still in classes below k (only when there are fewer than k rows)

    @property
    def total(self) -> int:
        return sum(self.suppressed.values())


def local_suppression(rows, quasi_identifiers, k: int = 5, importance=None) -> SuppressionResult:
    """Set as few quasi-identifier values as possible to missing so that every combination of
    quasi-identifier values (missing counting as a value) is shared by at least ``k`` records.

    Greedy, like sdcMicro's ``localSuppression``: for each set S of variables, smallest sets
    first and, among sets of one size, the least important variables first, every record still
    at risk whose values with S blanked would land in a class of at least k records (counting
    the other records at risk that land there too) has S blanked.  Records not at risk are never
    changed, so classes only grow.  ``importance`` lists the quasi-identifiers from most
    important (suppressed last) to least; by default, variables with fewer distinct values are
    more important.  Records left over after blanking every variable (fewer than k records with
    everything blanked) are joined by fully blanking the fewest records taken from the largest
    classes.
    """
    rows, qis = _check(rows, quasi_identifiers, k)
    keys = [tuple(_norm(r.get(q)) for q in qis) for r in rows]
    if importance is None:
        distinct = [len({key[p] for key in keys}) for p in range(len(qis))]
        importance = [qis[p] for p in sorted(range(len(qis)), key=lambda p: (distinct[p], p))]
    else:
        importance = list(importance)
        if sorted(importance) != sorted(qis):
            raise InputError(_("The importance order must list each quasi-identifier once."),
                             where="importance", hint=", ".join(qis), code="disclosure.qi")
    rank = {qis.index(q): r for r, q in enumerate(reversed(importance))}  # 0 = suppressed first
    counts = Counter(keys)
    at_risk = [i for i, key in enumerate(keys) if counts[key] < k]
    n_qi = len(qis)
    subsets = sorted((s for size in range(1, n_qi + 1)
                      for s in itertools.combinations(range(n_qi), size)),
                     key=lambda s: (len(s), sorted(rank[p] for p in s)))
    for s in subsets:
        if not at_risk:
            break
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i in at_risk:
            key = keys[i]
            groups[tuple(None if p in s else key[p] for p in range(n_qi))].append(i)
        moved = set()
        for new, members in groups.items():
            movers = [i for i in members if keys[i] != new]
            if counts[new] + len(movers) < k:
                continue
            for i in movers:
                counts[keys[i]] -= 1
                keys[i] = new
            counts[new] += len(movers)
            moved.update(members)
        if moved:
            at_risk = [i for i in at_risk if i not in moved]
    if at_risk:  # everything blanked and still fewer than k: borrow records from big classes
        blank = (None,) * n_qi
        for i in at_risk:
            counts[keys[i]] -= 1
            keys[i] = blank
        counts[blank] += len(at_risk)
        need = k - counts[blank]
        donors = sorted((key for key, c in counts.items() if key != blank and c > 0),
                        key=lambda key: -counts[key])
        by_key: dict[tuple, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            by_key[key].append(i)
        for key in donors:
            spare = counts[key] - k if counts[key] - k > 0 else 0
            take = by_key[key][: min(spare, need)]
            for i in take:
                keys[i] = blank
            counts[key] -= len(take)
            counts[blank] += len(take)
            need -= len(take)
            if need <= 0:
                break
        if need > 0:  # take whole classes, smallest first
            for key in sorted(donors, key=lambda key: counts[key]):
                if counts[key] <= 0:
                    continue
                take = [i for i in by_key[key] if keys[i] == key]
                for i in take:
                    keys[i] = blank
                counts[key] = 0
                counts[blank] += len(take)
                need -= len(take)
                if need <= 0:
                    break
    unresolved = sum(c for c in counts.values() if 0 < c < k)
    out, done = [], dict.fromkeys(qis, 0)
    for r, key in zip(rows, keys):
        row = dict(r)
        for p, q in enumerate(qis):
            if key[p] is None and _norm(r.get(q)) is not None:
                row[q] = None
                done[q] += 1
        out.append(row)
    return SuppressionResult(out, k, done, importance, unresolved)
