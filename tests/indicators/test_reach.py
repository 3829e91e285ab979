"""The ready-made indicators on the REACH MSNA 2024 form and its Kobo export.

The export's sheets are loaded into DuckDB directly here (the roster, the education loop and
the household sheet), not through the Kobo importer, so that this test exercises only the
indicator layer: question names and choices differ from lnob's form and are matched through
the aliases of the canonical fields (WG-SS wgq_*, JMP wash_*, edu_access, ind_age/ind_gender).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lnob.forms.xlsform import convert
from lnob.indicators.definitions import load_library
from lnob.indicators.runner import Runner, UnitSource

DATA = Path(__file__).resolve().parents[1] / "data"


def _sheets(path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()
        rows = list(ws.iter_rows(values_only=True))
        hdr = [str(h) for h in rows[0]]
        out[ws.title] = {h: [r[i] if i < len(r) else None for r in rows[1:]] for i, h in enumerate(hdr)}
    return out


@pytest.fixture(scope="module")
def reach():
    form = convert(DATA / "xlsform" / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx").schema
    sheets = _sheets(DATA / "kobo" / "humind_dummy_raw_data.xlsx")
    con = duckdb.connect()
    for name, cols in sheets.items():
        import numpy as np

        arrays = {}
        for k, vals in cols.items():
            a = np.empty(len(vals), dtype=object)
            a[:] = [None if v in ("", None) else str(v) for v in vals]
            arrays[k] = a
        con.register(f"_{name}", arrays)
    con.execute('CREATE TABLE main AS SELECT * REPLACE (TRY_CAST("weight" AS DOUBLE) AS "weight", '
                'TRY_CAST(wash_drinking_water_time_int AS BIGINT) AS wash_drinking_water_time_int, '
                'TRY_CAST(TRY_CAST(hh_size AS DOUBLE) AS BIGINT) AS hh_size) FROM _main')
    con.execute('CREATE TABLE person AS SELECT r.* EXCLUDE (row_id), TRY_CAST(TRY_CAST(r.ind_age AS DOUBLE) AS BIGINT) AS ind_age_n, '
                'e.edu_access, m.* EXCLUDE (uuid, person_id, row_id, "index") '
                'FROM _roster r JOIN main m ON m.uuid = r.uuid '
                'LEFT JOIN _edu_ind e ON e.uuid = r.uuid AND e.person_id = r.person_id')
    con.execute("ALTER TABLE person DROP COLUMN ind_age")
    con.execute("ALTER TABLE person RENAME COLUMN ind_age_n TO ind_age")
    d = {"weight": "weight", "strata": "stratum", "clusters": ["uuid"]}
    sources = {"household": UnitSource.from_design("household", {"table": "main", "key": "uuid", **d}),
               "person": UnitSource.from_design("person", {"table": "person", "household": "uuid", "repeat": "roster", **d})}
    res = Runner(con, load_library(), sources, form=form, depth=1).run()
    return res


def test_reach_modules(reach):
    got = {c.indicator.id: c for c in reach.computed}
    for ind in ("wgss_disability", "basic_drinking_water", "basic_sanitation", "open_defecation", "school_attendance",
                "mpi_dep_water", "mpi_dep_sanitation", "mpi_dep_school_attendance", "household_size"):
        assert ind in got, (ind, [p.message for p in reach.problems])
        total = [r for r in got[ind].rows if not r["groups"]][0]
        assert total["n"] > 0 and total["estimate"] is not None
        if got[ind].indicator.kind == "proportion":
            assert 0 <= total["estimate"] <= 1
    skipped = {p.message.split("'")[1] for p in reach.problems if p.code == "indicators.module-missing"}
    assert {"birth_registration", "child_marriage", "health_insurance", "social_protection"} <= skipped
    # disaggregations the form supports: sex and age of the roster, disability (WG-SS), setting
    dims = {next(iter(r["groups"])) for r in got["basic_sanitation"].rows if r["groups"]}
    assert {"sex", "age", "disability", "urbanisation"} <= dims
