"""Linearised contrasts (lnob.stats.contrast) against R survey 4.1-1 (tests/stats/r/contrast.R):
group vs total and group vs group, difference and ratio, on the api, nhanes and synthetic
multistage and JK1 designs, to 1e-9 relative."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from lnob.stats import Design, ReplicateDesign
from lnob.stats.contrast import Measure, contrasts

FIX = json.loads((Path(__file__).parent / "r" / "contrast_fixtures.json").read_text())

CASES = {
    "api_strat_mean": ("api_strat.csv", Design(weights="pw", strata="stype", fpc="fpc"), Measure("api00"), "stype"),
    "api_strat_prop": ("api_strat.csv", Design(weights="pw", strata="stype", fpc="fpc"), Measure("awards", "Yes"), "stype"),
    "api_clus2_mean": ("api_clus2.csv", Design(clusters=["dnum", "snum"], fpc=["fpc1", "fpc2"]), Measure("api00"), "stype"),
    "nhanes_zinc": ("nhanes2.csv", Design(weights="finalwgt", strata="stratid", clusters="psuid", nest=True), Measure("zinc"), "race"),
    "nhanes_highbp": ("nhanes2.csv", Design(weights="finalwgt", strata="stratid", clusters="psuid", nest=True), Measure("highbp", 1), "region"),
    "synth_multistage": ("synth_multi.csv", Design(weights="wt", strata="stratum", clusters=["psu", "ssu"], fpc=["N1", "N2"], lonely_psu="adjust"), Measure("y"), "region"),
    "synth_poor_by_sex": ("synth_multi.csv", Design(weights="wt", strata="stratum", clusters=["psu", "ssu"], fpc=["N1", "N2"], lonely_psu="adjust"), Measure("poor", 1), "sex"),
    "synth_jk1": ("synth_multi.csv", ReplicateDesign(weights="wt", prefix="jk1_", type="jk1"), Measure("y"), "region"),
}


def close(a, b, tol=1e-9):
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_contrasts_match_r(engine, tables, case):
    data, design, measure, by = CASES[case]
    tab = tables(data)
    rows = [r for r in FIX if r["case"] == case]
    assert rows
    pairs = [({by: r["group"]}, {} if r["reference"] is None else {by: r["reference"]}) for r in rows]
    diffs = contrasts(tab, design, measure, pairs, kind="difference")
    ratios = contrasts(tab, design, measure, pairs, kind="ratio")
    for r, d, q in zip(rows, diffs, ratios):
        assert close(d.group_estimate.estimate, r["group_estimate"])
        assert close(d.reference_estimate.estimate, r["reference_estimate"])
        assert close(d.estimate, r["difference"]), (r, d)
        assert close(d.se, r["difference_se"]), (r, d.se)
        assert close(q.estimate, r["ratio"])
        assert close(q.se, r["ratio_se"]), (r, q.se)
        assert d.ci_low < d.estimate < d.ci_high
        assert q.ci_low < q.estimate < q.ci_high
        assert 0 <= d.p_value <= 1


def test_group_vs_total_is_not_independent(engine, tables):
    """The correlated SE differs from the naive √(se₁² + se₂²)."""
    tab = tables("api_strat.csv")
    des = Design(weights="pw", strata="stype", fpc="fpc")
    [c] = contrasts(tab, des, Measure("api00"), [({"stype": "E"}, {})])
    naive = math.hypot(c.group_estimate.se, c.reference_estimate.se)
    assert c.se < naive


def test_bad_kind_and_missing_domain(engine, tables):
    from lnob.errors import LnobError

    tab = tables("api_strat.csv")
    des = Design(weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(LnobError) as e:
        contrasts(tab, des, Measure("api00"), [({"stype": "E"}, {})], kind="odds")
    assert e.value.code == "stats.bad-contrast"
    [c] = contrasts(tab, des, Measure("api00"), [({"stype": "Z"}, {})])
    assert math.isnan(c.estimate)
