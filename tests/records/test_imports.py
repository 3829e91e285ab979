"""Importing Kobo and ODK exports: real files, idempotence, refusals, nothing partially written."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from lnob.core import services
from lnob.errors import InputError, LnobError
from lnob.forms.services import add_form
from lnob.records.analytics import AnalyticsStore
from lnob.records.imports import import_file
from lnob.records.models import ImportRun, Record, RecordIssue
from lnob.records.parse import parse_instance

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
HUMIND = DATA / "kobo" / "humind_dummy_raw_data.xlsx"
MSNA = DATA / "xlsform" / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
TRANSPORT_CSV = DATA / "odk" / "transportation_export.csv"


def count(store, sql, *args):
    with store.connect(read_only=True) as con:
        return con.execute(sql, list(args)).fetchone()[0]


@pytest.fixture(scope="module")
def msna_form():
    from lnob.forms.xlsform import convert

    return convert(MSNA)


@pytest.fixture
def msna(tmp_path, msna_form):
    project = services.create_project("msna", "MSNA")
    from lnob.forms.services import store_converted

    fv, _ = store_converted(project, msna_form)
    return project, fv, AnalyticsStore(tmp_path / "a.duckdb")


def test_humind_kobo_export_imports_with_every_repeat_row(msna):
    project, fv, store = msna
    res = import_file(project, HUMIND, store=store)
    assert res.kind == "xlsx" and res.rows == 201 and res.created == 201 and res.already_present == 0
    assert res.repeat_rows == {"roster": 801, "edu_ind": 801, "health_ind": 801, "nut_ind": 801}
    assert Record.objects.filter(project=project, raw_format="json", source="import").count() == 201
    main = "form_reach_2024_msna_kobo_tool_draft_v11"
    assert count(store, f"select count(*) from {main}") == 201
    for rep in ("roster", "edu_ind", "health_ind", "nut_ind"):
        assert count(store, f"select count(*) from {main}__{rep}") == 801
    # values: a select_multiple from its own column, a repeat answer, the consent question
    rec = Record.objects.get(instance_id="uuid:9a067d8b-7582-4a4d4b-9b9990-869154c203bf")
    doc = json.loads(rec.raw)
    assert doc["consented/aap/aap_priority_challenge"] == "shelter_housing protection_safety need_to_repay_debt dnk"
    assert doc["_lnob_unmatched"]["weight"] == "1.63265306122449"
    roster = doc["consented/demographics/roster"]
    assert len(roster) == 4 and roster[0]["consented/demographics/roster/ind_age"] == "25"
    assert count(store, f"select min(_index) from {main}__roster") == 1
    assert count(store, f"select max(_index) from {main}__roster") == 5
    assert count(store, f"select count(*) from {main}__roster where _parent_index <> 0") == 0
    assert count(store, f"select count(*) from {main} where introduction__consent = 'yes'") == 201
    # unknown and missing columns are reported, not dropped silently
    codes = {p.code for p in res.problems}
    assert "records.import-unknown-column" in codes and "records.import-missing-column" in codes
    unknown = {p.where for p in res.problems if p.code == "records.import-unknown-column"}
    assert any("'weight'" in w and "sheet 'main'" in w for w in unknown)
    assert ImportRun.objects.get().created == 201
    # the new records were checked: REACH's "none/dnk/pnta alone" constraints catch the random dummy answers
    bad = RecordIssue.objects.filter(rule="constraint", field="consented/aap/aap_preferred_modality")
    assert bad.exists() and all("pnta" in i.value or "dnk" in i.value or "do_not_want" in i.value for i in bad)
    assert res.issues == RecordIssue.objects.count()
    # re-import: nothing added
    again = import_file(project, HUMIND, store=store)
    assert again.created == 0 and again.already_present == 201
    assert Record.objects.count() == 201 and count(store, f"select count(*) from {main}__roster") == 801


def test_onadata_transportation_csv(tmp_path):
    project = services.create_project("transport", "Transport")
    fv, _ = add_form(project, DATA / "odk" / "transportation.md")
    store = AnalyticsStore(tmp_path / "a.duckdb")
    res = import_file(project, TRANSPORT_CSV, store=store)
    assert res.created == 4 and res.kind == "csv"
    table = "form_transportation_2011_07_25"
    with store.connect(read_only=True) as con:
        rows = con.execute(f"select _instance_id, transport__available_transportation_types_to_referral_facility, "
                           f"transport__available_transportation_types_to_referral_facility_other, "
                           f"transport__loop_over_transport_types_frequency__ambulance__frequency_to_referral_facility"
                           f" from {table} order by _instance_id").fetchall()
    assert rows == [
        ("uuid:5b2cc313-fc09-437e-8149-fcd32f695d41", None, None, None),
        ("uuid:9c6f3468-cfda-46e8-84c1-75458e72805d", "ambulance", None, "weekly"),
        ("uuid:9f0a1508-c3b7-4c99-be00-9b237c26bcbf", "taxi other", "camel", None),
        ("uuid:f3d8dc65-91a6-4d0f-9e97-802128083390", "ambulance bicycle", None, "daily"),
    ]
    # the same submission received from ODK Collect parses to the same values
    xml = (DATA / "odk" / "transport_2011-07-25_19-05-36.xml").read_text()
    parsed = parse_instance(xml, fv.survey_json)
    with store.connect(read_only=True) as con:
        cols = [c for c in parsed.values]
        got = con.execute(f"select {', '.join(cols)} from {table} where _instance_id = ?",
                          [parsed.instance_id]).fetchone()
    assert dict(zip(cols, got)) == parsed.values


def _small(tmp_path):
    from .conftest import SMALL_FORM

    project = services.create_project("small", "Small")
    p = tmp_path / "small.md"
    p.write_text(SMALL_FORM)
    fv, _ = add_form(project, p)
    return project, fv, AnalyticsStore(tmp_path / "a.duckdb")


def test_odk_central_csv_zip_with_repeat(tmp_path):
    project, fv, store = _small(tmp_path)
    main = ("SubmissionDate,consent,hh-head,hh-village,hh-size,hh-assets,hh-note,meta-instanceID,KEY,SubmitterID,"
            "ReviewState\n"
            "2025-01-02T10:00:00Z,yes,Asha,Ba,2,radio tv,,uuid:c1,uuid:c1,5,approved\n"
            "2025-01-02T11:00:00Z,yes,Binh,Ca,1,none,,uuid:c2,uuid:c2,5,\n")
    people = ("age,school,PARENT_KEY,KEY\n"
              "34,,uuid:c1,uuid:c1/people[1]\n9,yes,uuid:c1,uuid:c1/people[2]\n61,,uuid:c2,uuid:c2/people[1]\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("small.csv", main)
        zf.writestr("small-people.csv", people)
    path = tmp_path / "small.zip"
    path.write_bytes(buf.getvalue())
    res = import_file(project, path, store=store)
    assert res.kind == "zip" and res.created == 2 and res.repeat_rows == {"people": 3}
    assert any(p.code == "records.import-workflow-columns" for p in res.problems)
    assert not [p for p in res.problems if p.code in ("records.import-unknown-column",
                                                      "records.import-missing-column")]
    with store.connect(read_only=True) as con:
        rows = con.execute("select m._instance_id, p._index, p.age, p.school from form_small__people p join "
                           "form_small m using (_record_id) order by 1, 2").fetchall()
        assert rows == [("uuid:c1", 1, 34, None), ("uuid:c1", 2, 9, "yes"), ("uuid:c2", 1, 61, None)]
        assert con.execute("select hh__assets from form_small order by _record_id").fetchall() == [("radio tv",),
                                                                                                   ("none",)]
    assert import_file(project, path, store=store).already_present == 2


def _csv_bytes(rows, encoding="utf-8", sep=","):
    out = io.StringIO()
    csv.writer(out, delimiter=sep).writerows(rows)
    return out.getvalue().encode(encoding)


HEADER = ["consent", "hh/head", "hh/village", "hh/size", "hh/assets/radio", "hh/assets/tv", "hh/assets/none",
          "_uuid", "_submission_time", "_index"]


def test_kobo_csv_option_columns_semicolons_cp1252_and_hash_ids(tmp_path):
    project, fv, store = _small(tmp_path)
    data = _csv_bytes([HEADER[:-3] + ["_index"],
                       ["yes", "Zoë", "Bà", "3", "1", "0", "0", "1"],
                       ["yes", "Zoë", "Bà", "3", "1", "0", "0", "2"],  # the same answers again: one record
                       ["yes", "Lê", "Cà", "4", "0", "1", "1", "3"]], encoding="cp1252", sep=";")
    path = tmp_path / "kobo.csv"
    path.write_bytes(data)
    res = import_file(project, path, store=store)
    assert res.created == 2 and res.already_present == 1
    assert any(p.code == "records.import-encoding" for p in res.problems)
    ids = sorted(Record.objects.values_list("instance_id", flat=True))
    assert all(i.startswith("sha256:") and len(i) == 39 for i in ids)
    with store.connect(read_only=True) as con:
        assert sorted(con.execute("select hh__head, hh__assets from form_small").fetchall()) == [
            ("Lê", "tv none"), ("Zoë", "radio")]
    again = import_file(project, path, store=store)
    assert again.created == 0 and again.already_present == 3
    # the quality check ran on the imported records: "tv none" breaks the constraint
    assert RecordIssue.objects.filter(rule="constraint", field="hh/assets").count() == 1


@pytest.mark.parametrize("content, code, where", [
    (b"", "records.import-empty", "x.csv"),
    (b"a,b,a\n1,2,3\n", "records.import-duplicate-column", "row 1, column 'a'"),
    (b"\x81\x8d\x8f\x90\x9d,b\n", "records.import-encoding", "line 1"),
    (b'consent,hh/size\n"yes,3\n', "records.import-bad-csv", "x.csv"),
    (b"consent,hh/size\nyes,3,9\n", "records.import-ragged", "row 2"),
    (b"PK\x03\x04garbage", "records.import-unreadable", "x.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "records.import-xls", "x.csv"),
])
def test_bad_files_are_one_line_errors_and_write_nothing(tmp_path, content, code, where):
    project, fv, store = _small(tmp_path)
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(LnobError) as e:
        import_file(project, path, store=store)
    assert e.value.code == code, e.value.one_line()
    assert where in e.value.where and e.value.hint
    assert "\n" not in e.value.one_line()
    assert Record.objects.count() == 0 and ImportRun.objects.count() == 0


def test_file_of_another_form_is_refused_with_nothing_written(tmp_path):
    project, fv, store = _small(tmp_path)
    path = tmp_path / "transport.csv"
    path.write_bytes(TRANSPORT_CSV.read_bytes())
    with pytest.raises(InputError) as e:
        import_file(project, path, form_id="small", store=store)
    assert e.value.code == "records.import-other-form" and "transport.csv" in e.value.where
    assert Record.objects.count() == 0 and not store.path.exists()


def test_conflicting_row_writes_nothing_and_oversize_is_refused(tmp_path, settings):
    project, fv, store = _small(tmp_path)
    good = tmp_path / "a.csv"
    good.write_bytes(_csv_bytes([["consent", "hh/size", "_uuid"], ["yes", "3", "u1"]]))
    import_file(project, good, store=store)
    bad = tmp_path / "b.csv"
    bad.write_bytes(_csv_bytes([["consent", "hh/size", "_uuid"], ["yes", "4", "u2"], ["yes", "5", "u1"]]))
    with pytest.raises(InputError) as e:
        import_file(project, bad, store=store)
    assert e.value.code == "records.import-conflict" and "uuid:u1" in e.value.where
    assert list(Record.objects.values_list("instance_id", flat=True)) == ["uuid:u1"]
    settings.LNOB_IMPORT_MAX_SIZE = 10
    with pytest.raises(InputError) as e:
        import_file(project, bad, store=store)
    assert e.value.code == "records.import-too-large"


def test_orphan_repeat_rows_are_an_error(tmp_path):
    import openpyxl

    project, fv, store = _small(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "small"
    ws.append(["consent", "size", "_uuid", "_index"])
    ws.append(["yes", 2, "k1", 1])
    ws2 = wb.create_sheet("people")
    ws2.append(["age", "_parent_index", "_index"])
    ws2.append([30, 1, 1])
    ws2.append([31, 7, 2])
    path = tmp_path / "o.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as e:
        import_file(project, path, store=store)
    assert e.value.code == "records.import-orphan-row" and "sheet 'people'" in e.value.where
    assert Record.objects.count() == 0


def test_cli_import_export_quality_review(tmp_path):
    from tests.helpers import lnob

    home = tmp_path / "home"
    assert lnob("init", home=home).code == 0
    assert lnob("project", "create", "small", "--name", "Small", home=home).code == 0
    from .conftest import SMALL_FORM

    (tmp_path / "small.md").write_text(SMALL_FORM)
    r = lnob("forms", "add", "small", str(tmp_path / "small.md"), home=home)
    assert r.code == 0, r.err
    data = tmp_path / "d.csv"
    data.write_bytes(_csv_bytes([["consent", "hh/head", "hh/village", "hh/size", "_uuid", "extra"],
                                 ["yes", "Asha", "Ba", "3", "u1", "x"], ["yes", "Binh", "Ca", "44", "u2", ""]]))
    r = lnob("import", "small", str(data), home=home)
    assert r.code == 0, r.err
    assert "2 new, 0 already present" in r.out and "records.import-unknown-column" in r.err
    r = lnob("import", "small", str(data), home=home)
    assert "0 new, 2 already present" in r.out
    r = lnob("import", "small", str(tmp_path / "nope.csv"), home=home)
    assert r.code == 1 and r.err.startswith("error [records.import-no-file]") and len(r.err.splitlines()) == 1
    r = lnob("quality", "small", home=home)
    assert r.code == 0 and "has_issues 1" in r.out and "hh/size  constraint  1" in r.out
    r = lnob("review", "small", "uuid:u2", "--state", "rejected", "--comment", "size 44?", home=home)
    assert r.code == 0 and "has_issues → rejected size 44?" in r.out
    r = lnob("export", "small", "--format", "csv", "--out", str(tmp_path / "o.zip"), home=home)
    assert r.code == 0, r.err
    assert "form_small (2 rows)" in r.out and "hh__head" in r.err
    r = lnob("export", "small", "--include-personal", "--out", str(tmp_path / "p.zip"), home=home)
    assert r.code == 2 and "records.export-personal-denied" in r.err and not (tmp_path / "p.zip").exists()
