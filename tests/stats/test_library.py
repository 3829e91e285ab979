"""Library behaviour beyond the R fixtures: file formats, existing tables, many tables at
once, quoting, caching — on every engine."""

from __future__ import annotations

import math

import pytest

from lnob.errors import LnobError
from lnob.stats import Design, Mean, Proportion, ReplicateDesign, Total, connect, estimate, estimate_tables

STRAT = Design(weights="pw", strata="stype", fpc="fpc")


def test_many_tables_equal_separate_calls(tables):
    tab = tables("synth_multi.csv")
    des = Design(weights="wt", strata="stratum", clusters=["psu", "ssu"], fpc=["N1", "N2"],
                 lonely_psu="adjust")
    specs = [Mean("y"), Proportion("cat"), Total("inc.pc")]
    sets = [[], ["region"], ["sex"], ["region", "sex"], ["hh size"]]
    together = estimate_tables(tab, des, specs, sets)
    for by, rows in zip(sets, together):
        alone = estimate(tab, des, specs, by=by)
        assert len(alone) == len(rows) > 0
        for a, b in zip(alone, rows):
            assert (a.statistic, a.variable, a.level, a.domain) == (b.statistic, b.variable, b.level, b.domain)
            assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
            assert a.se == pytest.approx(b.se, rel=1e-12)


def test_unit_level_domains_equal_separate_calls(engine, tables):
    """Domain sets made of columns constant within the last-stage units share one table of
    unit sums (lnob.stats.sqlgen.unit_table_query); they must equal the row-by-row path."""
    import uuid

    tab = tables("synth_multi.csv")
    name = "lnob_test_" + uuid.uuid4().hex[:10]
    temp = "TEMPORARY " if engine.dialect.name in ("postgresql", "spark") else ""
    engine.execute(
        f'CREATE {temp}TABLE {engine.dialect.quote(name)} AS SELECT *, '
        "MIN(region) OVER (PARTITION BY stratum, psu, ssu) AS hreg, "
        "CASE WHEN MOD(ssu, 4) = 0 THEN NULL ELSE MOD(ssu, 3) END AS hcat, "
        "(MOD(ssu, 2) = 0) AS hflag "
        f"FROM {tab.sql}"
    )
    try:
        t2 = engine.table(name)
        for des in (Design(weights="wt", strata="stratum", clusters=["psu", "ssu"], fpc=["N1", "N2"],
                           lonely_psu="adjust"),
                    Design(weights="wt", strata="stratum", clusters=["psu"], lonely_psu="adjust")):
            specs = [Mean("y"), Proportion("cat"), Total("inc.pc")]
            sets = [[], ["hreg"], ["hcat"], ["hreg", "hcat"], ["sex"], ["hcat", "sex"], ["hflag", "hreg"],
                    ["sex", "hreg"]]
            together = estimate_tables(t2, des, specs, sets)
            for by, rows in zip(sets, together):
                alone = estimate(t2, des, specs, by=by)
                assert len(alone) == len(rows) > 0
                for a, b in zip(alone, rows):
                    assert (a.variable, a.level, a.domain, a.n) == (b.variable, b.level, b.domain, b.n)
                    assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
                    assert a.se == pytest.approx(b.se, rel=1e-10)
                    assert a.df == b.df
    finally:
        engine.execute(f'DROP TABLE IF EXISTS {engine.dialect.quote(name)}')


def test_domain_columns_with_spaces_and_numbers(tables):
    rows = estimate(tables("synth_multi.csv"), Design(weights="wt"), [Mean("inc.pc")], by=["hh size"])
    assert [r.domain["hh size"] for r in rows] == sorted(r.domain["hh size"] for r in rows)
    assert all(isinstance(r.domain["hh size"], int) for r in rows)


def test_domain_mean_equals_ratio_to_one(engine, tables):
    """R's tests/domain.R invariant: a domain mean is the ratio of y to 1 over the domain."""
    import uuid

    from lnob.stats import Ratio

    tab = tables("api_strat.csv")
    name = "lnob_test_" + uuid.uuid4().hex[:10]
    temp = "TEMPORARY " if engine.dialect.name in ("postgresql", "spark") else ""
    engine.execute(f'CREATE {temp}TABLE {engine.dialect.quote(name)} AS SELECT *, 1 AS one FROM {tab.sql}')
    try:
        t2 = engine.table(name)
        mean = estimate(t2, STRAT, [Mean("api00")], by="stype")
        ratio = estimate(t2, STRAT, [Ratio("api00", "one")], by="stype")
        for a, b in zip(mean, ratio):
            assert a.domain == b.domain
            assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
            assert a.se == pytest.approx(b.se, rel=1e-10)
    finally:
        engine.execute(f'DROP TABLE IF EXISTS {engine.dialect.quote(name)}')


def test_results_are_plain_python(tables):
    r = estimate(tables("api_strat.csv"), STRAT, [Mean("api00")], deff=True)[0]
    for f in ("estimate", "se", "ci_low", "ci_high", "population", "df", "deff"):
        assert type(getattr(r, f)) is float, f
    assert type(r.n) is int


def test_parquet_and_excel(engine, tmp_path, survey_dir):
    import duckdb
    import openpyxl

    src = survey_dir / "api_strat.csv"
    pq = tmp_path / "api.parquet"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{src}', nullstr='NA')) TO '{pq}' (FORMAT parquet)")
    wb = openpyxl.Workbook()
    ws = wb.active
    import csv

    with open(src) as fh:
        for i, row in enumerate(csv.reader(fh)):
            ws.append([None if v == "NA" else (float(v) if i and _isnum(v) else v) for v in row])
    xl = tmp_path / "api.xlsx"
    wb.save(xl)
    want = estimate(engine.load(src), STRAT, [Mean("api00"), Total("enroll")])
    for path in (pq, xl):
        got = estimate(engine.load(path), STRAT, [Mean("api00"), Total("enroll")])
        for a, b in zip(got, want):
            assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
            assert a.se == pytest.approx(b.se, rel=1e-12)


def _isnum(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def test_existing_table_and_unknown_table(engine, tables):
    tab = tables("api_strat.csv")
    again = engine.table(tab.name, tab.schema)
    assert estimate(again, STRAT, [Mean("api00")])[0].estimate == pytest.approx(662.2873631589, rel=1e-10)
    with pytest.raises(LnobError) as exc:
        engine.table("no_such_table_xyz")
    assert exc.value.code == "stats.unknown-table"


def test_replicate_errors(tables):
    tab = tables("synth_multi.csv")
    with pytest.raises(LnobError) as exc:
        estimate(tab, ReplicateDesign(weights="wt", prefix="nothing_", type="jk1"), [Mean("y")])
    assert exc.value.code == "stats.no-replicates"
    with pytest.raises(LnobError) as exc:
        estimate(tab, ReplicateDesign(weights="wt", prefix="jk1_", type="jkn"), [Mean("y")])
    assert exc.value.code == "stats.jkn-needs-strata"


def test_unknown_options():
    with pytest.raises(LnobError):
        Design(lonely_psu="drop")
    with pytest.raises(LnobError):
        ReplicateDesign(prefix="r", type="sdr")
    with pytest.raises(LnobError):
        Design(clusters=["a", "b"], fpc=["f"])  # R: fpc needed for every stage


def test_ci_level_and_methods(tables):
    tab = tables("api_strat.csv")
    r90 = estimate(tab, STRAT, [Proportion("awards")], level=0.9, ci="beta")[0]
    r95 = estimate(tab, STRAT, [Proportion("awards")], level=0.95, ci="beta")[0]
    assert r95.ci_low < r90.ci_low < r90.estimate < r90.ci_high < r95.ci_high
    assert not math.isnan(r90.df)
