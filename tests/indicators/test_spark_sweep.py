"""The indicator sweep runs unchanged on Apache Spark: `lnob run demo --engine spark` gives the
same result rows as DuckDB (every indicator × every dimension of a 300-household demo, depth 1),
through the real command line.  Depth 1 keeps the test short (each domain set is one Spark
query, about 1 s of overhead each on tiny data); the crossings of depth 2 run the same
queries with more columns, and tests/stats checks them on Spark (many tables at once, domain
sets sharing unit sums).

Tolerance: 1e-9 relative (1e-12 absolute for values near 0).  The two engines run the same SQL,
but sum the rows in a different order (Spark per partition, then across partitions), so the
last bits of a double sum differ; the estimator subtracts nothing large (sums are shifted
about the estimate), so those differences stay small: at most 9e-14 relative on the depth-2
sweep of this demo (a confidence bound near 0), far inside 1e-9 — the tolerance of the R
comparisons in tests/stats.  Counts (n) and flags must be identical.
"""

from __future__ import annotations

import json
import math

import pytest

from helpers import lnob

pytestmark = pytest.mark.spark

KEYS = ["indicator", "sdg", "groups", "estimate", "se", "ci_low", "ci_high", "n", "population", "flags"]
#: one small local Spark for the subprocess (2 cores, few shuffle partitions, no adaptive plans)
SPARK_ENV = {"PYSPARK_SUBMIT_ARGS": "--conf spark.sql.shuffle.partitions=2 --conf spark.sql.adaptive.enabled=false "
                                    "--conf spark.driver.memory=1g pyspark-shell"}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    from lnob.stats.spark import spark_available

    reason = spark_available()
    if reason:
        pytest.skip(f"Spark tests skipped: {reason}")
    home = tmp_path_factory.mktemp("spark_demo")
    r = lnob("demo", "--no-serve", "--households", "300", home=home)
    assert r.code == 0, r.err
    r = lnob("run", "demo", "--engine", "duckdb", "--depth", "1", home=home)
    assert r.code == 0, r.err
    r = lnob("results", "demo", "--format", "json", home=home)
    assert r.code == 0, r.err
    duck = json.loads(r.out)
    r = lnob("run", "demo", "--engine", "spark", "--spark-master", "local[2]", "--depth", "1", "--force", home=home,
             env=SPARK_ENV, timeout=900)
    assert r.code == 0, r.err
    r = lnob("results", "demo", "--format", "json", home=home)
    assert r.code == 0, r.err
    return duck, json.loads(r.out), home


def _key(row):
    return row["indicator"], tuple(sorted(row["groups"].items()))


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_spark_rows_equal_duckdb_rows(both):
    duck, spark, _home = both
    assert len(duck) > 500 and any(len(r["groups"]) == 1 for r in duck)  # every indicator and dimension
    by_key = {_key(r): r for r in spark}
    assert len(by_key) == len(spark) and set(by_key) == {_key(r) for r in duck}
    for d in duck:
        s = by_key[_key(d)]
        assert list(s) == KEYS
        assert (s["sdg"], s["n"], s["flags"]) == (d["sdg"], d["n"], d["flags"]), _key(d)
        for k in ("estimate", "se", "ci_low", "ci_high", "population"):
            assert _same(s[k], d[k]), (_key(d), k, s[k], d[k])


def test_spark_run_is_recorded_as_spark(both):
    """Each stored result's provenance names the engine that computed it."""
    import sqlite3

    home = both[2]
    con = sqlite3.connect(home / "lnob.sqlite3")
    try:
        engines = {json.loads(p)["engine"] for (p,) in
                   con.execute("SELECT provenance FROM indicators_indicatorresult")}
    finally:
        con.close()
    assert engines and all(e.endswith("lnob.stats on Spark") for e in engines), engines


def test_unknown_engine_is_a_usage_error(tmp_path):
    r = lnob("run", "demo", "--engine", "sparkle", home=tmp_path)
    assert r.code == 2
    assert "--engine" in r.err and "Traceback" not in r.err
