"""`Runner.analysis_table`: the runner's analysis table without the estimates, and the same
numbers from it as from the run (the web gaps page estimates contrasts on this table)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from lnob.demo.build import DESIGN_COLUMNS
from lnob.indicators.definitions import load_library
from lnob.indicators.runner import Runner, UnitSource

pytestmark = pytest.mark.slow  # uses the demo workspace of tests/indicators/conftest.py

FORM = Path(__file__).resolve().parents[2] / "src/lnob/forms/library/lnob_household.xlsx"


def _runner(con, **kw):
    from lnob.forms.xlsform import convert

    sources = {"household": UnitSource.from_design("household", {"table": "demo_household", **DESIGN_COLUMNS}),
               "person": UnitSource.from_design("person", {"table": "demo_person", "household": "_record_id",
                                                           **DESIGN_COLUMNS})}
    return Runner(con, load_library(), sources, form=convert(FORM).schema, **kw)


def test_analysis_table_gives_the_runs_numbers(demo_home):
    from lnob.stats import DuckDBEngine, Mean, estimate

    con = duckdb.connect(str(demo_home / "analytics.duckdb"), read_only=True)
    try:
        kw = {"depth": 1, "dimensions": ["sex", "urbanisation"], "indicators": ["school_attendance"]}
        run = _runner(con, **kw).run()
        rows = {tuple(sorted(r["groups"].items())): r for r in run.computed[0].rows}
        runner = _runner(con, **kw)
        inds = runner.analysis_table("person", "ev_analysis")
        assert [i.id for i in inds] == ["school_attendance"]
        cols = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = 'ev_analysis'").fetchall())
        assert {"y0", "d_sex", "d_urbanisation"} <= set(cols)
        # strata and cluster ids are integer codes of the same partition
        assert cols["design_village"] == "INTEGER" and cols["_instance_id"] == "INTEGER"
        n_villages = con.execute("SELECT COUNT(DISTINCT design_village) FROM demo_person").fetchone()[0]
        assert con.execute("SELECT COUNT(DISTINCT design_village) FROM ev_analysis").fetchone()[0] == n_villages
        # the runner's helper tables are gone, the analysis table stays
        left = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
        assert left == {"ev_analysis"}
        tab = DuckDBEngine(connection=con).table("ev_analysis")
        got = estimate(tab, runner.sources["person"].design(), [Mean("y0")], by=["d_sex"], ci="wald")
        assert got
        for r in got:
            mine = rows[(("sex", r.domain["d_sex"]),)]
            assert math.isclose(mine["estimate"], r.estimate, rel_tol=1e-12)
            assert math.isclose(mine["se"], r.se, rel_tol=1e-12)
            assert mine["n"] == r.n
    finally:
        con.close()


def test_analysis_table_of_a_unit_without_a_table(demo_home):
    from lnob.errors import InputError

    con = duckdb.connect(str(demo_home / "analytics.duckdb"), read_only=True)
    try:
        runner = _runner(con, depth=0, indicators=["school_attendance"])
        del runner.sources["household"]
        with pytest.raises(InputError) as e:
            runner.analysis_table("household", "t")
        assert e.value.code == "indicators.no-table"
    finally:
        con.close()
