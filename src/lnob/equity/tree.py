"""ESCAP's "leave no one behind" classification tree and D-index.

ESCAP (Economic and Social Commission for Asia and the Pacific), *Leaving No One Behind:
a methodology to identify those furthest behind* (LNOB platform, lnob.unescap.org; ESCAP
working paper on LNOB, CART and the D-index), grows a tree on the *circumstance*
variables (sex, residence, wealth, education, …) of the population an indicator refers to:

* Start with the whole sample.  For every circumstance and every way of splitting its
  categories into two groups, compute the weighted access rate of the two groups; take the
  split with the largest between-group difference |ȳ_L − ȳ_R| (``criterion="difference"``,
  the default), or the largest weighted between-group sum of squares
  W_L W_R/(W_L + W_R)·(ȳ_L − ȳ_R)² (``criterion="anova"``, rpart's ANOVA rule that ESCAP's
  R code uses).
* A split is allowed only if both groups keep at least ``min_share`` (10 %) of the whole
  (unweighted) sample; a node is not split when it is at ``max_depth``, when it has fewer
  than 2·min_share of the sample, or when no allowed split separates it.
* The leaves are the groups; the leaf with the lowest rate (highest for an adverse
  indicator) is the furthest behind, the other extreme the furthest ahead.

D-index (dissimilarity index) over the leaves j, with population shares β_j (weighted) and
overall rate ȳ: D = 1/(2ȳ) · Σ_j β_j |ȳ_j − ȳ| (0 = equal access).

The tree is grown on one small aggregate (weighted sums per combination of circumstances)
computed in SQL; rows with a missing value of the indicator or a circumstance are left out.
Weighted rates are design-consistent point estimates; the tree itself carries no SEs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lnob.errors import UsageError
from lnob.i18n import _

CRITERIA = ("difference", "anova")
MAX_EXHAUSTIVE = 12  # categories: every 2-partition up to this; beyond, sorted contiguous splits


@dataclass
class Node:
    rule: dict  # column -> list of categories (the path from the root)
    n: int
    weight: float
    estimate: float
    depth: int
    split: str | None = None
    children: list = field(default_factory=list)
    condition: tuple | None = None  # (column, categories) that led here from the parent

    @property
    def leaf(self) -> bool:
        return not self.children


@dataclass
class Tree:
    root: Node
    leaves: list
    d_index: float
    furthest_behind: Node
    furthest_ahead: Node
    favourable: bool


def _cells(source, design, measure, circumstances):
    d = source.engine.dialect
    q = d.quote
    w = d.double(q(design.weights)) if getattr(design, "weights", None) else "1.0"
    x = q(measure.var)
    y = d.double(x) if measure.level is None else f"(CASE WHEN {x} = {d.literal(measure.level)} THEN 1.0 ELSE 0.0 END)"
    keys = ", ".join(q(c) for c in circumstances)
    where = " AND ".join([f"{x} IS NOT NULL"] + [f"{q(c)} IS NOT NULL" for c in circumstances])
    sql = (f"SELECT {keys}, SUM({w} * {y}), SUM({w}), COUNT(*) FROM {source.sql} WHERE {where} "
           f"GROUP BY {keys}")
    k = len(circumstances)
    return [(tuple(r[:k]), float(r[k] or 0.0), float(r[k + 1] or 0.0), int(r[k + 2])) for r in source.engine.execute(sql)]


def _agg(cells):
    wy = sum(c[1] for c in cells)
    w = sum(c[2] for c in cells)
    n = sum(c[3] for c in cells)
    return wy, w, n


def _partitions(cats):
    cats = sorted(cats, key=str)
    first, rest = cats[0], cats[1:]
    for r in range(0, len(rest)):
        for combo in itertools.combinations(rest, r):
            left = {first, *combo}
            if len(left) < len(cats):
                yield left


def classification_tree(source, design, measure, circumstances, *, min_share: float = 0.10,
                        max_depth: int = 3, favourable: bool = True, criterion: str = "difference") -> Tree:
    """Grow ESCAP's LNOB tree (see the module docstring) and compute its D-index."""
    from lnob.stats import checks

    circumstances = list(circumstances)
    if not circumstances:
        raise UsageError(_("no circumstance variables"), where="--circumstance",
                         hint=_("give the columns to split on, e.g. --circumstance area"),
                         code="equity.no-dimension")
    if criterion not in CRITERIA:
        raise UsageError(_("unknown criterion {c!r}").format(c=criterion), where="criterion",
                         hint=_("choose one of: ") + ", ".join(CRITERIA), code="equity.bad-criterion")
    if not 0 < min_share < 0.5:
        raise UsageError(_("the minimum group share must be between 0 and 0.5"), where="--min-share",
                         hint=_("ESCAP uses 0.10"), code="equity.bad-min-share")
    needs = [(measure.var, measure.var, measure.level is None)] + [(c, "--circumstance", False) for c in circumstances]
    if getattr(design, "weights", None):
        needs.append((design.weights, "--weight", True))
    checks.check_columns(source, needs)
    cells = _cells(source, design, measure, circumstances)
    wy, w, n_total = _agg(cells)
    if n_total == 0:
        raise checks.empty_data()
    min_n = min_share * n_total

    def grow(cells, rule, depth) -> Node:
        wy, w, n = _agg(cells)
        node = Node(dict(rule), n, w, wy / w if w else float("nan"), depth)
        if depth >= max_depth or n < 2 * min_n:
            return node
        best = None
        for ci, col in enumerate(circumstances):
            cats = sorted({c[0][ci] for c in cells}, key=str)
            if len(cats) < 2:
                continue
            if len(cats) <= MAX_EXHAUSTIVE:
                parts = _partitions(cats)
            else:
                rate = {}
                for cat in cats:
                    a = _agg([c for c in cells if c[0][ci] == cat])
                    rate[cat] = a[0] / a[1] if a[1] else 0.0
                ordered = sorted(cats, key=lambda c: rate[c])
                parts = (set(ordered[:i]) for i in range(1, len(ordered)))
            for left in parts:
                L = [c for c in cells if c[0][ci] in left]
                R = [c for c in cells if c[0][ci] not in left]
                (lwy, lw, ln), (rwy, rw, rn) = _agg(L), _agg(R)
                if ln < min_n or rn < min_n or not lw or not rw:
                    continue
                diff = lwy / lw - rwy / rw
                score = abs(diff) if criterion == "difference" else lw * rw / (lw + rw) * diff * diff
                key = (score, -ci)
                if best is None or key > best[0]:
                    best = (key, col, ci, sorted(left, key=str), L, R)
        if best is None or best[0][0] <= 0:
            return node
        _k, col, ci, left, L, R = best
        right = sorted({c[0][ci] for c in R}, key=str)
        node.split = col
        for part, sub in ((left, L), (right, R)):
            r2 = dict(rule)
            r2[col] = [v for v in part if v in r2.get(col, part)]
            child = grow(sub, r2, depth + 1)
            child.condition = (col, list(part))
            node.children.append(child)
        return node

    root = grow(cells, {}, 0)
    leaves = []

    def walk(nd):
        if nd.leaf:
            leaves.append(nd)
        for ch in nd.children:
            walk(ch)

    walk(root)
    mu = root.estimate
    d_index = (sum((lf.weight / root.weight) * abs(lf.estimate - mu) for lf in leaves) / (2 * mu)
               if mu else float("nan"))
    key = lambda lf: lf.estimate  # noqa: E731
    behind = min(leaves, key=key) if favourable else max(leaves, key=key)
    ahead = max(leaves, key=key) if favourable else min(leaves, key=key)
    return Tree(root, leaves, d_index, behind, ahead, favourable)


def tree_lines(tree: Tree, percent: bool = True) -> list[str]:
    """The tree as indented text lines (for the CLI)."""
    lines = []

    def fmt(x):
        return f"{x * 100:.1f} %" if percent else f"{x:.4g}"

    def walk(nd, indent):
        cond = ""
        if nd.condition:
            col, cats = nd.condition
            cond = f"{col} ∈ {{{', '.join(map(str, cats))}}}: "
        mark = ""
        if nd is tree.furthest_behind:
            mark = "  ← " + _("furthest behind")
        elif nd is tree.furthest_ahead:
            mark = "  ← " + _("furthest ahead")
        lines.append(f"{'  ' * indent}{cond}{fmt(nd.estimate)} (n = {nd.n}){mark}")
        for ch in nd.children:
            walk(ch, indent + 1)

    walk(tree.root, 0)
    return lines
