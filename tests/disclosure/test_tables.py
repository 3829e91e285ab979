"""protect(): primary suppression, secondary patterns, flags, policy, bounded over-suppression."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnob.disclosure import Cell, Policy, audit, cells_from_results, protect
from lnob.disclosure.model import published, suppressed
from lnob.errors import InputError


def two_way(counts: dict, indicator="m", est=5.0):
    """Total, both margins and the A×B table from counts {(a, b): n}."""
    a_cats = sorted({a for a, _b in counts})
    b_cats = sorted({b for _a, b in counts})
    cells = [Cell(indicator, {}, est, 0.1, n=sum(counts.values()), df=30)]
    cells += [Cell(indicator, {"A": a}, est, 0.1, n=sum(v for (x, _), v in counts.items() if x == a), df=30)
              for a in a_cats]
    cells += [Cell(indicator, {"B": b}, est, 0.1, n=sum(v for (_, y), v in counts.items() if y == b), df=30)
              for b in b_cats]
    cells += [Cell(indicator, {"A": a, "B": b}, est, 0.1, n=v, df=30)
              for (a, b), v in sorted(counts.items()) if v > 0]
    return cells


def pattern(out):
    return {p.key: p.reason for p in out if p.suppressed}


def test_nothing_below_threshold_nothing_suppressed():
    counts = {(a, b): 40 + 3 * a + b for a in range(3) for b in range(4)}
    out = protect(two_way(counts))
    assert not any(p.suppressed for p in out)


def test_single_small_cell_gives_the_four_cell_rectangle():
    counts = {(a, b): 60 + 7 * a + b for a in range(3) for b in range(4)}
    counts[(0, 0)] = 3
    out = protect(two_way(counts))
    pat = pattern(out)
    assert pat[(("A", 0), ("B", 0))] == "primary"
    assert sorted(pat.values()) == ["primary", "secondary", "secondary", "secondary"]
    assert all(len(k) == 2 for k in pat)  # no margin and not the total
    rows = {k[0][1] for k in pat}
    cols = {k[1][1] for k in pat}
    assert len(rows) == len(cols) == 2
    # partners are the smallest cells that do the job
    assert pat.get((("A", 0), ("B", 1))) == "secondary"


def test_residual_rule_collects_enough_observations():
    # row A=0: the small cell (n=3) plus tiny partners; the suppressed parts must reach 25
    counts = {(0, 0): 3, (0, 1): 4, (0, 2): 30, (0, 3): 90, (1, 0): 80, (1, 1): 85, (1, 2): 90, (1, 3): 95}
    pol = Policy(threshold=5)
    out = protect(two_way(counts), pol)
    for a in (0, 1):
        hidden = [c.n for c, p in zip(two_way(counts), out) if p.suppressed and c.groups.get("A") == a
                  and "B" in c.groups]
        assert not hidden or sum(hidden) >= 5
    # without the residual rule, the pair (0,0)+(0,1) of 7 observations would be enough
    loose = protect(two_way(counts), Policy(threshold=5, protect_residuals=False))
    assert sum(p.suppressed for p in loose) <= sum(p.suppressed for p in out)


def test_sensitive_dimension_uses_the_stricter_threshold():
    cells = [Cell("m", {}, 1.0, n=400), Cell("m", {"sex": "F"}, 1.0, n=200), Cell("m", {"sex": "M"}, 1.0, n=200),
             Cell("m", {"caste": "Dalit"}, 1.0, n=40), Cell("m", {"caste": "Other"}, 1.0, n=360)]
    plain = protect(cells, Policy())
    assert not any(p.suppressed for p in plain)
    strict = protect(cells, Policy(sensitive_dimensions={"caste"}))
    assert pattern(strict) == {(("caste", "Dalit"),): "primary", (("caste", "Other"),): "secondary"}
    assert not any(p.suppressed for p in strict if "caste" not in p.groups)


def test_one_category_dimension_forces_the_total():
    cells = [Cell("m", {}, 1.0, n=10), Cell("m", {"sex": "F"}, 1.0, n=10)]
    out = protect(cells, Policy(threshold=25))
    assert [p.reason for p in out] == ["primary", "primary"]
    cells = [Cell("m", {}, 1.0, n=100), Cell("m", {"region": "north"}, 1.0, n=100),
             Cell("m", {"region": "north", "sex": "F"}, 1.0, n=90),
             Cell("m", {"region": "north", "sex": "M"}, 1.0, n=10)]
    out = protect(cells)
    assert [p.reason for p in out] == [None, None, "secondary", "primary"]


def test_flags_and_blanking():
    cells = [Cell("m", {}, 10.0, 1.0, 8.0, 12.0, n=330, df=40),
             Cell("m", {"g": 1}, 10.0, 4.0, 2.0, 18.0, n=40, df=5),
             Cell("m", {"g": 2}, 0.0, 0.5, n=250, df=40),
             Cell("m", {"g": 3}, 10.0, 1.0, n=10, df=2),
             Cell("m", {"g": 4}, 10.0, 1.0, n=30, df=2)]
    out = protect(cells)
    assert out[0].flags == []
    assert out[1].flags == ["low-n", "high-cv", "low-df"]
    assert out[2].flags == ["high-cv"]  # estimate 0 with a positive se
    assert out[3].flags == ["suppressed", "primary"]
    assert (out[3].estimate, out[3].se, out[3].n, out[3].df, out[3].ci_low) == (None,) * 5
    # the partner: the smallest cell bringing the hidden parts to 25; no reliability flags
    # (they would leak bounds on its n)
    partners = [p for p in out if p.reason == "secondary"]
    assert [p.groups for p in partners] == [{"g": 4}]
    assert partners[0].flags == ["suppressed", "secondary"]
    hidden = protect(cells, Policy(show_reason=False))
    assert [p.flags for p in hidden if p.suppressed] == [["suppressed"]] * len(partners + [out[3]])
    assert hidden[3].as_dict()["estimate"] is None and hidden[3].reason == "primary"


def test_linked_indicators_share_the_pattern():
    # same respondents, item non-response makes n differ for indicator b
    counts = {(a, b): 60 for a in range(3) for b in range(3)}
    counts_b = dict(counts)
    counts[(0, 0)] = 5
    counts_b[(2, 2)] = 5
    cells = two_way(counts, "a") + two_way(counts_b, "b")
    linked = protect(cells)
    by_ind = {ind: {p.key for p in linked if p.indicator == ind and p.suppressed} for ind in "ab"}
    assert by_ind["a"] == by_ind["b"] and len(by_ind["a"]) >= 8 - 1
    unlinked = protect(cells, Policy(link_indicators=False))
    by_ind = {ind: {p.key for p in unlinked if p.indicator == ind and p.suppressed} for ind in "ab"}
    assert by_ind["a"] != by_ind["b"]


def test_filter_as_a_dimension_protects_the_small_complement():
    # "households with children" published next to all households: pass the complement too
    cells = [Cell("m", {}, 1.0, n=500), Cell("m", {"caste": "Dalit"}, 1.0, n=120),
             Cell("m", {"caste": "Other"}, 1.0, n=380),
             Cell("m", {"children": "yes"}, 1.0, n=460), Cell("m", {"children": "no"}, 1.0, n=40),
             Cell("m", {"caste": "Dalit", "children": "yes"}, 1.0, n=117),
             Cell("m", {"caste": "Dalit", "children": "no"}, 1.0, n=3),
             Cell("m", {"caste": "Other", "children": "yes"}, 1.0, n=343),
             Cell("m", {"caste": "Other", "children": "no"}, 1.0, n=37)]
    out = protect(cells)
    pat = pattern(out)
    assert pat[(("caste", "Dalit"), ("children", "no"))] == "primary"
    assert (("caste", "Dalit"), ("children", "yes")) in pat  # else Dalit − Dalit&yes = the 3 households
    assert audit(cells, out) == []
    # dropping the complement rows after protection keeps the guarantee
    kept = [p for p in out if p.groups.get("children") != "no"]
    assert audit(cells, kept) == []


def test_audit_catches_primary_only_suppression():
    counts = {(a, b): 50 for a in range(2) for b in range(3)}
    counts[(1, 2)] = 2
    cells = two_way(counts)
    pol = Policy()
    naive = [suppressed(c, "primary", pol) if c.n < 25 else published(c, pol) for c in cells]
    assert audit(cells, naive) == [("m", (("A", 1), ("B", 2)))]
    assert audit(cells, protect(cells)) == []


def test_three_dimensions_single_small_cell_bounded():
    dims = {"A": 3, "B": 3, "C": 2}
    base = {combo: 40 for combo in itertools.product(*(range(k) for k in dims.values()))}
    base[(0, 0, 0)] = 1
    base[(0, 0, 1)] = 1  # so the A×B cell (0,0) has n = 2; every other published cell is large
    cells = []
    names = list(dims)
    for table in [()] + [(d,) for d in names] + list(itertools.combinations(names, 2)):
        sums: dict = {}
        for combo, n in base.items():
            key = tuple(combo[names.index(d)] for d in table)
            sums[key] = sums.get(key, 0) + n
        cells += [Cell("m", dict(zip(table, k)), 1.0, n=n) for k, n in sums.items()]
    out = protect(cells)
    assert sum(p.reason == "primary" for p in out) == 1
    assert 3 <= sum(p.reason == "secondary" for p in out) <= 7
    assert not out[0].suppressed
    assert audit(cells, out) == []


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(2, 5), st.integers(25, 200), st.data())
def test_large_cells_never_suppressed_single_small_cell_bounded(na, nb, floor, data):
    counts = {(a, b): data.draw(st.integers(floor, floor + 100)) for a in range(na) for b in range(nb)}
    assert not any(p.suppressed for p in protect(two_way(counts)))
    small = (data.draw(st.integers(0, na - 1)), data.draw(st.integers(0, nb - 1)))
    counts[small] = data.draw(st.integers(1, 24))
    out = protect(two_way(counts))
    assert sum(p.reason == "primary" for p in out) == 1
    assert sum(p.reason == "secondary" for p in out) == 3  # the rectangle, nothing else
    assert not any(p.suppressed for p in out if len(p.groups) < 2)


def test_policy_validation_and_from_dict():
    assert Policy.from_dict({"threshold": 30, "sensitive_dimensions": ["caste"]}).threshold_for({"caste"}) == 50
    assert Policy.from_dict(None) == Policy()
    for bad in ({"threshold": 0}, {"threshold": 2.5}, {"threshold": 30, "sensitive_threshold": 20},
                {"max_cv": 0}, {"min_df": -1}):
        with pytest.raises(InputError) as err:
            Policy.from_dict(bad)
        assert err.value.code == "disclosure.policy"
    with pytest.raises(InputError) as err:
        Policy.from_dict({"treshold": 30})
    assert "threshold" in err.value.hint
    d = Policy(sensitive_dimensions={"b", "a"}).as_dict()
    assert d["sensitive_dimensions"] == ["a", "b"] and Policy.from_dict(d) == Policy(sensitive_dimensions={"a", "b"})


def test_invalid_and_inconsistent_cells():
    with pytest.raises(InputError, match="same indicator"):
        protect([Cell("m", {"a": 1}, n=3), Cell("m", {"a": 1}, n=4)])
    with pytest.raises(InputError) as err:
        protect([Cell("m", {}, n=-1)])
    assert err.value.code == "disclosure.cell"
    with pytest.raises(InputError):
        protect([Cell("m", {}, n=3, kind="mode")])
    with pytest.raises(InputError):
        protect([{"indicator": "m"}])
    with pytest.raises(InputError) as err:  # a part whose total is missing
        protect([Cell("m", {"a": 1}, n=30), Cell("m", {"a": 1, "b": 1}, n=30),
                 Cell("m", {"a": 2, "b": 1}, n=30)])
    assert err.value.code == "disclosure.inconsistent"
    with pytest.raises(InputError) as err:  # a group with no parts at all in a finer table
        protect([Cell("m", {"sex": "F"}, n=30), Cell("m", {"sex": "M"}, n=5),
                 Cell("m", {"sex": "F", "caste": "x"}, n=30)])
    assert err.value.code == "disclosure.inconsistent"
    with pytest.raises(InputError) as err:  # parts with more observations than their total
        protect([Cell("m", {}, n=30), Cell("m", {"sex": "F"}, n=20), Cell("m", {"sex": "M"}, n=20)])
    assert err.value.code == "disclosure.inconsistent"
    # fewer is fine: a category (e.g. missing) may be left out, the audit is then conservative
    protect([Cell("m", {}, n=50), Cell("m", {"sex": "F"}, n=20), Cell("m", {"sex": "M"}, n=20)])
    assert protect([]) == []


def test_cells_from_stats_results():
    from lnob.stats import Result

    rows = [Result("proportion", "water", "basic", {}, 0.7, 0.02, 0.66, 0.74, 300, 1e5, 40.0),
            Result("proportion", "water", "basic", {"caste": "Dalit"}, 0.5, 0.1, 0.3, 0.7, 12, 4e3, 6.0),
            Result("proportion", "water", "basic", {"caste": "Other"}, 0.72, 0.02, 0.68, 0.76, 288, 9.6e4, 40.0),
            Result("mean", "income", None, {}, 120.0, float("nan"), n=300)]
    cells = cells_from_results(rows)
    assert [c.indicator for c in cells] == ["proportion:water=basic"] * 3 + ["mean:income"]
    assert cells[3].se is None and cells[0].kind == "proportion" and cells[3].kind == "mean"
    out = protect(cells)
    assert [p.reason for p in out] == [None, "primary", "secondary", None]
    assert math.isclose(out[0].estimate, 0.7)


def test_audit_step_fixes_a_bridge_the_relation_rule_misses():
    """Every row and column holds two suppressed cells, yet the 'bridge' is recoverable.

    Suppressed cells of a 4×4 table: two rectangles joined by (r0, c2).  Row sums over rows
    0–1 minus column sums over columns 0–1 leave exactly the bridge.  The relation rule is
    satisfied; only the linear audit notices.
    """
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    counts = {(a, b): (5 if (a, b) in small else 80 + a + b) for a in range(4) for b in range(4)}
    cells = two_way(counts)
    pol = Policy(threshold=10, protect_residuals=False)
    naive = [suppressed(c, "primary", pol) if c.n < 10 else published(c, pol) for c in cells]
    assert audit(cells, naive) == [("m", (("A", 0), ("B", 2)))]
    out = protect(cells, pol)
    assert sum(p.reason == "primary" for p in out) == 9
    assert sum(p.reason == "secondary" for p in out) >= 1
    assert audit(cells, out) == []
