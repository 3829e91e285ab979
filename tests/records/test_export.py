"""Exports: round trip, formula neutralisation, personal fields, audit, bounded memory."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest

from lnob.audit.models import AuditEvent
from lnob.errors import InputError
from lnob.records.export import export_project, neutralise
from lnob.records.services import store_records, sync_analytics

from .conftest import small_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(small):
    project, fv, store = small
    store_records(project, fv, [
        small_instance("uuid:x1", head="Asha", village="=HYPERLINK(\"http://evil\")", size="3",
                       people=((30, ""), (10, "yes"))),
        small_instance("uuid:x2", head="Binh", village="-2+3", note="@SUM(A1)", size="5", people=((7, "no"),)),
        small_instance("uuid:x3", head="Chi", village="\tTab", size="1", people=()),
    ], source="import")
    sync_analytics(project, store=store)
    return project, fv, store


def _csvs(path):
    with zipfile.ZipFile(path) as zf:
        return {n: list(csv.DictReader(io.StringIO(zf.read(n).decode("utf-8")))) for n in zf.namelist()}


def test_csv_round_trip_neutralised_and_personal_left_out(filled, tmp_path):
    project, fv, store = filled
    res = export_project(project, "csv", tmp_path / "out.zip", store=store, actor_name="test")
    assert res.tables == {"form_small": 3, "form_small__people": 3}
    assert res.personal_left_out == ["form_small.hh__head"]
    tables = _csvs(tmp_path / "out.zip")
    main = {r["_instance_id"]: r for r in tables["form_small.csv"]}
    assert "hh__head" not in tables["form_small.csv"][0]
    assert main["uuid:x1"]["hh__village"] == "'=HYPERLINK(\"http://evil\")"
    assert main["uuid:x2"]["hh__village"] == "'-2+3" and main["uuid:x2"]["hh__note"] == "'@SUM(A1)"
    assert main["uuid:x3"]["hh__village"] == "'\tTab"
    assert main["uuid:x2"]["hh__size"] == "5"  # numbers are not touched
    people = tables["form_small__people.csv"]
    assert [(p["_record_id"], p["_index"], p["age"], p["school"]) for p in people] == [
        (main["uuid:x1"]["_record_id"], "1", "30", ""), (main["uuid:x1"]["_record_id"], "2", "10", "yes"),
        (main["uuid:x2"]["_record_id"], "1", "7", "no")]
    ev = AuditEvent.objects.get(action="export")
    assert ev.project == project and ev.details["format"] == "csv" and ev.target.endswith("out.zip")
    assert ev.details["personal"] is False


def test_parquet_round_trip_keeps_values_and_types(filled, tmp_path):
    import duckdb

    project, fv, store = filled
    export_project(project, "parquet", tmp_path / "pq", store=store, include_personal=True)
    con = duckdb.connect()
    got = con.execute(f"select * from '{tmp_path / 'pq' / 'form_small.parquet'}' order by _record_id").fetchall()
    with store.connect(read_only=True) as s:
        want = s.execute("select * from form_small where _project = 'small' order by _record_id").fetchall()
    assert got == want  # the same values, unneutralised, with personal fields when granted
    types = dict(con.execute(f"describe select * from '{tmp_path / 'pq' / 'form_small.parquet'}'").fetchall()
                 and [(r[0], r[1]) for r in con.execute(
                     f"describe select * from '{tmp_path / 'pq' / 'form_small.parquet'}'").fetchall()])
    assert types["hh__size"] == "BIGINT"


def test_xlsx_sheets_numbers_stay_numbers(filled, tmp_path):
    import openpyxl

    project, fv, store = filled
    export_project(project, "xlsx", tmp_path / "out.xlsx", store=store)
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["tables", "form_small", "form_small__people"]
    rows = list(wb["form_small"].iter_rows(values_only=True))
    head = rows[0]
    byid = {r[head.index("_instance_id")]: r for r in rows[1:]}
    assert byid["uuid:x2"][head.index("hh__size")] == 5
    assert byid["uuid:x2"][head.index("hh__village")] == "'-2+3"
    assert byid["uuid:x1"][head.index("hh__village")].startswith("'=")
    assert "hh__head" not in head


def test_export_refusals(filled, tmp_path):
    project, fv, store = filled
    (tmp_path / "there.zip").write_bytes(b"x")
    with pytest.raises(InputError) as e:
        export_project(project, "csv", tmp_path / "there.zip", store=store)
    assert e.value.code == "records.export-exists"
    assert neutralise(-3) == -3 and neutralise("+1") == "'+1" and neutralise("ok") == "ok"


BENCH = textwrap.dedent("""
    import resource, sys, duckdb, numpy as np
    sys.path.insert(0, {tests!r})
    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lnob_test_settings")
    import django
    django.setup()
    from django.test.utils import setup_test_environment
    from django.test.runner import DiscoverRunner
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    from lnob.core import services
    from lnob.forms.services import add_form
    from lnob.records.analytics import AnalyticsStore
    from lnob.records.export import export_project
    project = services.create_project("big", "Big")
    add_form(project, {form!r})
    store = AnalyticsStore({db!r})
    n = int(sys.argv[1])
    con = duckdb.connect({db!r})
    con.execute("create table form_small as select range + 1 as _record_id, 'big' as _project, "
                "'uuid:' || range as _instance_id, '1' as _form_version, 'yes' as consent, "
                "'name ' || range as hh__head, 'village ' || (range % 1000) as hh__village, "
                "(range % 30)::BIGINT as hh__size, 'radio tv' as hh__assets, repeat('x', 40) as hh__note "
                "from range(" + str(n) + ")")
    con.close()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    export_project(project, sys.argv[2], {out!r} + sys.argv[2] + str(n), store=store)
    print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_memory_does_not_grow_with_rows(tmp_path, fmt):
    from pathlib import Path

    tests = str(Path(__file__).resolve().parents[1])
    form = tmp_path / "small.md"
    from .conftest import SMALL_FORM

    form.write_text(SMALL_FORM)
    peaks = {}
    sizes = (20_000, 200_000) if fmt == "csv" else (5_000, 50_000)
    for n in sizes:
        db = tmp_path / f"a{n}.duckdb"
        script = BENCH.format(tests=tests, form=str(form), db=str(db), out=str(tmp_path / "out-"))
        # the child sets up its own test database: on SQLite, even when this run is on PostgreSQL
        # (LNOB_TEST_DATABASE_URL, copied to LNOB_DATABASE_URL), whose test database this process holds
        env = {k: v for k, v in __import__("os").environ.items()
               if k not in ("LNOB_TEST_DATABASE_URL", "LNOB_DATABASE_URL")}
        proc = subprocess.run([sys.executable, "-c", script, str(n), fmt], capture_output=True, text=True,
                              env={**env, "LNOB_HOME": str(tmp_path / f"home{n}")}, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        base, peak = map(int, proc.stdout.split()[-2:])
        peaks[n] = peak - base
    small_n, big_n = sizes
    # ten times the rows: the extra peak memory (kB) stays within a small fixed allowance
    assert peaks[big_n] - peaks[small_n] < 40_000, peaks
