"""Pooled estimates and SEs agree with R survey (tests/data/coalition/make_pooling_fixture.R).

R combines two independent member samples into one stratified design (each member's strata its
own) and, with the population sizes known, gets Σ W_i θ_i and √(Σ W_i² SE_i²) — the formula of
lnob.coalition.pooling.  The member estimates are computed here by lnob.stats from the same
microdata, so the whole chain (member estimate → pooled) is checked against R.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from lnob.coalition.pooling import (DESIGNS_DIFFER, INCOMPLETE, NOT_POOLABLE, MemberValue, pool_cell,
                                    pool_indicator)

DATA = Path(__file__).resolve().parents[1] / "data" / "coalition"
R = json.loads((DATA / "pooling_r.json").read_text())
MICRO = DATA / "pooling_microdata.csv"
CASES = [(v, g) for v in ("y", "x") for g in (None, "F", "M")]


def _member_cells(var, sex):
    key = "total" if sex is None else "sex"
    out = {}
    for m, d in R["members"].items():
        [cell] = [c for c in d[key][var] if sex is None or c["groups"].get("sex") == sex]
        out[m] = cell
    return out


def _r_pooled(var, sex):
    [cell] = [p for p in R["pooled"][var] if (p["groups"] or {}).get("sex") == sex]
    return cell


@pytest.mark.parametrize("var, sex", CASES)
def test_pooled_mean_equals_r_with_known_population_sizes(var, sex):
    cells = _member_cells(var, sex)
    values = [MemberValue(m, c["mean"]["estimate"], c["mean"]["se"], c["n"], c["population"], "mean")
              for m, c in cells.items()]
    p = pool_cell(var, {}, "mean", values, list(cells))
    r = _r_pooled(var, sex)
    assert p.estimate == pytest.approx(r["poststratified"]["estimate"], rel=1e-12)
    assert p.se == pytest.approx(r["poststratified"]["se"], rel=1e-10)
    if "contrast" in r:
        assert p.se == pytest.approx(r["contrast"]["se"], rel=1e-10)
    # treating the sizes as estimated (R's uncalibrated combined design) gives another SE
    assert p.estimate == pytest.approx(r["estimated_sizes"]["estimate"], rel=1e-12)
    assert abs(p.se - r["estimated_sizes"]["se"]) > 1e-6 * p.se


@pytest.mark.parametrize("var, sex", CASES)
def test_pooled_total_equals_r(var, sex):
    cells = _member_cells(var, sex)
    values = [MemberValue(m, c["total"]["estimate"], c["total"]["se"], c["n"], c["population"], "total")
              for m, c in cells.items()]
    p = pool_cell(var, {}, "total", values, list(cells))
    r = _r_pooled(var, sex)["total"]
    assert p.estimate == pytest.approx(r["estimate"], rel=1e-12)
    assert p.se == pytest.approx(r["se"], rel=1e-10)


def test_lnob_member_estimates_pooled_equal_r():
    """lnob.stats computes each member's mean and sum of weights from the microdata; pooled, they
    give R's pooled estimate and SE."""
    from lnob.stats import Design, Mean, connect, estimate

    eng = connect("duckdb")
    tab = eng.load(str(MICRO))
    des = Design(weights="weight", strata="stratum", clusters=["psu"], nest=True)
    for var in ("y", "x"):
        rows = estimate(tab, des, [Mean(var)], by=["member", "sex"])
        rows += estimate(tab, des, [Mean(var)], by=["member"])
        for sex in (None, "F", "M"):
            values = []
            for m, rc in _member_cells(var, sex).items():
                [r] = [r for r in rows if r.domain.get("member") == m and r.domain.get("sex") == sex]
                assert r.estimate == pytest.approx(rc["mean"]["estimate"], rel=1e-10)
                assert r.se == pytest.approx(rc["mean"]["se"], rel=1e-8)
                assert r.population == pytest.approx(rc["population"], rel=1e-10)
                values.append(MemberValue(m, r.estimate, r.se, r.n, r.population, "mean"))
            p = pool_cell(var, {}, "mean", values, [v.member for v in values])
            rp = _r_pooled(var, sex)["poststratified"]
            assert p.estimate == pytest.approx(rp["estimate"], rel=1e-10)
            assert p.se == pytest.approx(rp["se"], rel=1e-8)


def test_a_suppressed_member_makes_the_cell_incomplete():
    a = MemberValue("a", 0.4, 0.05, 80, 1000.0, "proportion")
    b = MemberValue("b", None, None, None, None, "proportion", suppressed=True)
    p = pool_cell("i", {"sex": "F"}, "proportion", [a, b], ["a", "b"])
    assert p.estimate is None and p.se is None and INCOMPLETE in p.flags
    assert p.missing == [("b", "suppressed")]
    # a member that published nothing for the cell is missing too
    p = pool_cell("i", {"sex": "F"}, "proportion", [a], ["a", "b"])
    assert p.estimate is None and p.missing == [("b", "not-published")]


def test_ratios_are_not_pooled_and_designs_are_labelled():
    a = MemberValue("a", 1.2, 0.1, 80, 1000.0, "ratio", design="stratified 2-stage weighted")
    b = MemberValue("b", 1.4, 0.1, 90, 800.0, "ratio", design="unclustered weighted")
    p = pool_cell("r", {}, "ratio", [a, b], ["a", "b"])
    assert p.estimate is None and NOT_POOLABLE in p.flags and DESIGNS_DIFFER in p.flags


def test_pooling_nationals_equals_pooling_all_members():
    """Global view = national pools pooled again; with fixed sizes it is the pool of all members."""
    from lnob.coalition.pooling import as_member

    vals = [MemberValue(f"m{i}", e, s, n, w, "proportion")
            for i, (e, s, n, w) in enumerate([(0.3, 0.04, 120, 5000.0), (0.5, 0.06, 90, 2000.0),
                                              (0.45, 0.03, 200, 9000.0)])]
    n1 = pool_cell("i", {}, "proportion", vals[:2], ["m0", "m1"])
    n2 = pool_cell("i", {}, "proportion", vals[2:], ["m2"])
    g = pool_indicator("i", "proportion", {"n1": [({}, as_member("n1", n1))], "n2": [({}, as_member("n2", n2))]})[0]
    direct = pool_cell("i", {}, "proportion", vals, ["m0", "m1", "m2"])
    assert g.estimate == pytest.approx(direct.estimate, rel=1e-14)
    assert g.se == pytest.approx(direct.se, rel=1e-14)
    total = sum(v.population for v in vals)
    assert g.se == pytest.approx(math.sqrt(sum((v.population / total * v.se) ** 2 for v in vals)), rel=1e-14)
