"""`lnob run demo` end to end: every indicator, dimension and 2-way intersection, consistency,
truth, one direct `lnob.stats.estimate` call, re-runs skip unchanged indicators."""

from __future__ import annotations

import json
import math
from collections import defaultdict

import duckdb
import pytest

from helpers import lnob
from lnob.indicators.definitions import load_library

pytestmark = pytest.mark.slow  # builds the demo and runs the full sweep (about 1-2 min)

KEYS = ["indicator", "sdg", "groups", "estimate", "se", "ci_low", "ci_high", "n", "population", "flags"]


@pytest.fixture(scope="module")
def rows(demo_home):
    r = lnob("results", "demo", "--format", "json", home=demo_home)
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_every_indicator_dimension_and_intersection(demo_home, rows):
    lib = load_library()
    assert rows and all(list(r) == KEYS for r in rows)
    by_ind = defaultdict(list)
    for r in rows:
        by_ind[r["indicator"]].append(r)
    skipped = {"mpi_dep_years_schooling", "mpi_dep_cooking_fuel", "mpi_dep_housing"}  # the demo form lacks them
    assert set(by_ind) == {i.id for i in lib.indicators} - skipped
    err = (demo_home / "run.err").read_text()
    for s in skipped:
        assert f"skipped '{s}'" in err
    for ind in lib.indicators:
        if ind.id in skipped:
            continue
        got = by_ind[ind.id]
        assert all(r["sdg"] == ind.sdg for r in got)
        sets = {tuple(sorted(r["groups"])) for r in got}
        assert () in sets
        dims = sorted({d for s in sets for d in s})
        allowed = ind.dimensions or [d.id for d in lib.dimensions]
        assert set(dims) <= set(allowed)
        for a in dims:
            for b in dims:
                if a < b:
                    assert (a, b) in sets, (ind.id, a, b)
    persons = {tuple(sorted(r["groups"])) for r in by_ind["basic_sanitation"]}
    for d in ("sex", "age", "disability", "wealth", "urbanisation", "province", "ethnic_group", "religion", "migration"):
        assert (d,) in persons
    assert ("caste",) not in persons  # a single category in the demo: left out with a warning
    assert "dimension 'caste' has a single category" in err


def test_groups_are_consistent_with_the_total(rows):
    tables = defaultdict(list)
    total = {}
    for r in rows:
        if not r["groups"]:
            total[r["indicator"]] = r
        elif len(r["groups"]) == 1:
            tables[(r["indicator"], next(iter(r["groups"])))].append(r)
    lib = load_library()
    checked = 0
    for (ind, dim), grp in tables.items():
        kind = lib.indicator(ind).kind
        t = total[ind]
        if kind in ("proportion", "mean"):
            avg = sum(g["estimate"] * g["population"] for g in grp) / sum(g["population"] for g in grp)
            assert math.isclose(avg, t["estimate"], rel_tol=1e-9), (ind, dim)
            assert math.isclose(sum(g["population"] for g in grp), t["population"], rel_tol=1e-9)
            assert sum(g["n"] for g in grp) == t["n"]
            checked += 1
        elif kind == "total":
            assert math.isclose(sum(g["estimate"] for g in grp), t["estimate"], rel_tol=1e-9)
    assert checked > 100


def _get(rows, ind, **groups):
    for r in rows:
        if r["indicator"] == ind and r["groups"] == groups:
            return r
    raise KeyError((ind, groups))


def test_against_the_truth_tables(demo_home, rows):
    """The sample's expected rates (weighted mean of the generator's probabilities) lie in the CIs."""
    con = duckdb.connect(str(demo_home / "analytics.duckdb"), read_only=True)
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    p = ("FROM demo_person p JOIN demo_truth_person t ON t._instance_id = p._instance_id AND t._index = p._index ")
    h = "FROM demo_household p JOIN demo_truth_household t ON t._instance_id = p._instance_id "
    truth = {
        ("social_protection", ()): q(f"SELECT SUM(design_weight * p_social_protection) / SUM(design_weight) {h}"),
        ("basic_sanitation", ()): q(f"SELECT SUM(design_weight * t.p_basic_sanitation) / SUM(design_weight) "
                                    "FROM demo_person p JOIN demo_truth_household t ON t._instance_id = p._instance_id"),
        ("school_attendance", ()): q(f"SELECT SUM(design_weight * p_school_attendance) / SUM(design_weight) {p} WHERE p.age BETWEEN 5 AND 17"),
        ("birth_registration", ()): q(f"SELECT SUM(design_weight * p_birth_registration) / SUM(design_weight) {p} WHERE p.age < 5"),
        ("child_marriage", ()): q(f"SELECT SUM(design_weight * p_child_marriage) / SUM(design_weight) {p} "
                                  "WHERE p.age BETWEEN 20 AND 24 AND p.sex = 'female'"),
        ("child_marriage", (("ethnic_group", "MINORITY"),)): q(
            f"SELECT SUM(design_weight * p_child_marriage) / SUM(design_weight) {p} WHERE p.age BETWEEN 20 AND 24 "
            "AND p.sex = 'female' AND p.ethnicity NOT IN ('kinh', 'prefer_not')"),
        ("school_attendance", (("disability", "PD"),)): q(
            f"SELECT SUM(design_weight * p_school_attendance) / SUM(design_weight) {p} WHERE p.age BETWEEN 5 AND 17 AND t.disabled"),
    }
    for (ind, groups), value in truth.items():
        r = _get(rows, ind, **dict(groups))
        assert r["ci_low"] <= value <= r["ci_high"], (ind, groups, value, r)
    # health insurance: 'don't know' answers leave the numerator, so the estimate sits a little below
    r = _get(rows, "health_insurance")
    assert 0.80 < r["estimate"] < 0.90
    # minorities are behind on sanitation, and more often married as children
    assert _get(rows, "basic_sanitation", ethnic_group="MINORITY")["ci_high"] < _get(rows, "basic_sanitation", ethnic_group="MAJORITY")["ci_low"]
    assert _get(rows, "child_marriage", urbanisation="R")["estimate"] > _get(rows, "child_marriage", urbanisation="U")["estimate"]


def test_one_result_against_a_direct_estimate(demo_home, rows):
    from lnob.stats import Design, Mean, estimate
    from lnob.stats.engine import DuckDBEngine

    con = duckdb.connect(str(demo_home / "analytics.duckdb"), read_only=True)
    con.execute("CREATE TEMP TABLE t AS SELECT *, CASE WHEN sex = 'female' AND age BETWEEN 20 AND 24 THEN "
                "(CASE WHEN marital_status = 'never_married' THEN 0.0 WHEN age_first_marriage < 18 THEN 1.0 "
                "WHEN age_first_marriage >= 18 THEN 0.0 END) END AS y, "
                "CASE location__area WHEN 'urban' THEN 'U' WHEN 'rural' THEN 'R' ELSE '_U' END AS area FROM demo_person")
    des = Design(weights="design_weight", strata="design_stratum", clusters=["design_village", "_instance_id"],
                 fpc=["design_fpc_villages", "design_fpc_households"], lonely_psu="adjust")
    direct = {r.domain["area"]: r for r in estimate(DuckDBEngine(connection=con).table("t"), des, [Mean("y")], by=["area"])}
    for code in ("U", "R"):
        mine = _get(rows, "child_marriage", urbanisation=code)
        assert math.isclose(mine["estimate"], direct[code].estimate, rel_tol=1e-12)
        assert math.isclose(mine["se"], direct[code].se, rel_tol=1e-9)
        assert mine["n"] == direct[code].n


def test_flags_and_csv(demo_home, rows):
    small = [r for r in rows if r["n"] < 50]
    assert small and all("n<50" in r["flags"] for r in small)
    r = lnob("results", "demo", "--indicator", "social_protection", "--format", "csv", home=demo_home)
    assert r.code == 0 and r.out.splitlines()[0] == ",".join(KEYS)
    assert r.out.splitlines()[1].startswith("social_protection,1.3.1,,")


def test_rerun_skips_unchanged_and_errors(demo_home):
    r = lnob("run", "demo", "--indicator", "basic_sanitation", home=demo_home)
    assert r.code == 0 and "0 indicators computed" in r.err and "1 unchanged" in r.err, r.err
    r = lnob("run", "demo", "--indicator", "mpi_dep_cooking_fuel", home=demo_home)
    assert r.code == 1 and "indicators.module-missing" in r.err and "mpi.yml:" in r.err
    r = lnob("results", "demo", "--indicator", "basic_sanitaton", home=demo_home)
    assert r.code == 1 and "did you mean 'basic_sanitation'" in r.err


def test_empty_population_is_an_error_at_the_definition(demo_home, tmp_path):
    p = tmp_path / "mine.yml"
    p.write_text("format: 1\nindicators:\n  - id: nobody\n    title: Nobody\n    kind: proportion\n    unit: person\n"
                 "    population: age > 200\n    outcome: health_insurance = 'yes'\n")
    r = lnob("run", "demo", "--no-builtin", "--definitions", str(p), "--depth", "0", home=demo_home)
    assert r.code == 1 and "indicators.empty-population" in r.err and "mine.yml:3" in r.err, r.err
