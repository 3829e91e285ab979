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
