"""The ready-made indicators on the REACH MSNA 2024 form and its Kobo export.

:func:`reach` loads the export's sheets into DuckDB directly (the roster, the education loop and
the household sheet), so that it exercises only the indicator layer: question names and choices
differ from lnob's form and are matched through the aliases of the canonical fields (WG-SS wgq_*,
JMP wash_*, edu_access, ind_age/ind_gender).

:func:`test_reach_through_the_importer` goes the way a user goes: the form is stored, the export
is imported with the Kobo importer (``lnob import``), and ``lnob run``'s service computes the
indicators from the analytics store; its estimates must equal those of the direct load.
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


MAIN = "form_reach_2024_msna_kobo_tool_draft_v11"
CORE = ("wgss_disability", "basic_drinking_water", "basic_sanitation", "open_defecation", "school_attendance",
        "mpi_dep_water", "mpi_dep_sanitation", "mpi_dep_school_attendance", "household_size")


@pytest.mark.django_db
def test_reach_through_the_importer(tmp_path, reach):
    """Form → import of the Kobo export → analytics store → run_project: the same results as the direct load."""
    import json

    from lnob.core import services
    from lnob.forms.services import store_converted
    from lnob.indicators.models import IndicatorResult
    from lnob.indicators.services import run_project
    from lnob.records.analytics import AnalyticsStore
    from lnob.records.imports import import_file
    from lnob.records.models import Record

    project = services.create_project("msna", "MSNA 2024")
    store_converted(project, convert(DATA / "xlsform" / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"))
    store = AnalyticsStore(tmp_path / "analytics.duckdb")
    imported = import_file(project, DATA / "kobo" / "humind_dummy_raw_data.xlsx", store=store)
    assert imported.created == 201 and imported.repeat_rows["roster"] == 801
    # the sampling design: REACH ships weight and stratum as extra export columns, which the importer
    # keeps as received in each record (_lnob_unmatched); the design table is read from there
    design = []
    for rec in Record.objects.filter(project=project).only("id", "raw"):
        extra = json.loads(rec.raw)["_lnob_unmatched"]
        design.append((rec.id, float(extra["weight"]), extra["stratum"]))
    with store.connect() as con:
        con.execute("CREATE TABLE reach_design (_record_id BIGINT, weight DOUBLE, stratum VARCHAR)")
        con.executemany("INSERT INTO reach_design VALUES (?, ?, ?)", design)
        con.execute(f"CREATE VIEW reach_household AS SELECT h.*, d.weight, d.stratum FROM {MAIN} h "
                    "JOIN reach_design d USING (_record_id)")
        con.execute(f"CREATE VIEW reach_person AS SELECT p.*, e.edu_access, h.* EXCLUDE (_record_id) "
                    f"FROM {MAIN}__roster p JOIN reach_household h USING (_record_id) "
                    f"LEFT JOIN {MAIN}__edu_ind e ON e._record_id = p._record_id AND e.edu_person_id = p.person_id")
    d = {"weight": "weight", "strata": "stratum", "clusters": ["_record_id"]}
    project.survey_design = {"household": {"table": "reach_household", **d},
                             "person": {"table": "reach_person", "household": "_record_id", "repeat": "roster", **d}}
    project.save(update_fields=["survey_design"])

    res = run_project("msna", depth=1, store=store)
    got = {c.indicator.id: c for c in res.computed}
    direct = {c.indicator.id: c for c in reach.computed}
    compared = 0
    for ind in CORE:
        assert ind in got, (ind, [p.message for p in res.problems])
        stored = IndicatorResult.objects.get(project=project, indicator=ind)
        total = [r for r in stored.rows if not r["groups"]][0]
        assert total["n"] > 0 and total["estimate"] is not None
        # the importer's typed tables give exactly the figures of the direct load, group by group
        want = {json.dumps(r["groups"], sort_keys=True): r for r in direct[ind].rows}
        assert len(got[ind].rows) == len(want) > 1, ind
        compared += len(want)
        for r in got[ind].rows:
            w = want[json.dumps(r["groups"], sort_keys=True)]
            assert r["n"] == w["n"], (ind, r["groups"])
            assert r["estimate"] == pytest.approx(w["estimate"], rel=1e-9, abs=1e-12), (ind, r["groups"])
            if w["se"] is not None:
                assert r["se"] == pytest.approx(w["se"], rel=1e-9, abs=1e-12), (ind, r["groups"])
    assert compared > 100  # every group of every core indicator (142 with depth 1)
    skipped = {p.message.split("'")[1] for p in res.problems if p.code == "indicators.module-missing"}
    assert {"birth_registration", "child_marriage"} <= skipped
