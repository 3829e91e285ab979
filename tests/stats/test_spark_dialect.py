"""Spark SQL spellings (lnob.stats.spark): quoting, literals and the rewrites of the estimator's
SQL.  The pure rewrites need no Spark; the round trips through Spark SQL are marked ``spark``."""

from __future__ import annotations

import pytest

from lnob.stats.spark import SparkDialect, to_spark_sql

TRICKY = ["plain", "it's", "back\\slash", "both \\' here", "ends with \\", "tab\tand\nnewline", "ünïcödé"]


def test_quote_uses_backticks():
    d = SparkDialect()
    assert d.quote("inc.pc") == "`inc.pc`"
    assert d.quote("a`b") == "`a``b`"
    assert d.qualified("t", "s") == "`s`.`t`"


def test_grouping_of_several_columns_is_a_weighted_sum():
    sql = "SELECT GROUPING(d0, d1, d2) AS g_ FROM t GROUP BY GROUPING SETS ((d0), ()) HAVING (GROUPING(d1) = 1)"
    out = to_spark_sql(sql)
    assert "(GROUPING(d0) * 4 + GROUPING(d1) * 2 + GROUPING(d2) * 1) AS g_" in out
    assert "HAVING (GROUPING(d1) = 1)" in out  # one column: left as it is


def test_row_number_without_window_becomes_a_unique_id():
    assert to_spark_sql("SELECT ROW_NUMBER() OVER () AS c1_ FROM t") == \
        "SELECT monotonically_increasing_id() AS c1_ FROM t"


@pytest.mark.spark
def test_literals_round_trip_through_spark(spark_session):
    d = SparkDialect()
    row = spark_session.sql("SELECT " + ", ".join(d.literal(v) for v in TRICKY)).collect()[0]
    assert list(row) == TRICKY


@pytest.mark.spark
def test_grouping_rewrite_gives_the_ansi_bits(spark_session):
    """GROUPING(a, b) of the ANSI engines: bit 1 = a not grouped, bit 0 = b not grouped."""
    from lnob.stats.spark import SparkEngine

    with SparkEngine(spark=spark_session) as eng:  # close() keeps the shared session running
        rows = eng.execute("SELECT GROUPING(a, b) AS g, a, b FROM VALUES (1, 2) AS t(a, b) "
                           "GROUP BY GROUPING SETS ((a, b), (a), (b), ()) ORDER BY g")
    assert [r[0] for r in rows] == [0, 1, 2, 3]
    assert rows[1][1:] == (1, None) and rows[2][1:] == (None, 2)
