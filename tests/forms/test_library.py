"""The LNOB household questionnaire shipped with lnob."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lnob.forms.library import build_lnob_household as builder
from lnob.forms.services import library_form
from lnob.forms.xlsform import convert

GEOJSON = Path("/work/shared/data/boundaries/geoBoundaries-VNM-ADM1_simplified.geojson")


@pytest.fixture(scope="module")
def shipped():
    return convert(library_form("lnob_household"))


def test_shipped_form_converts_without_warnings_in_four_languages(shipped):
    assert shipped.form_id == "lnob_household"
    assert shipped.version == builder.VERSION and not shipped.version_derived
    assert shipped.languages == ["English (en)", "Hindi (hi)", "Vietnamese (vi)", "Bengali (bn)"]
    assert shipped.default_language == "English (en)"
    assert shipped.warnings == []
    for f in shipped.fields():
        if f.type not in ("start", "end", "today", "calculate"):
            assert set(f.labels) == set(shipped.languages), f.column


def test_shipped_xlsx_is_reproducible_from_its_generator():
    assert library_form("lnob_household").read_bytes() == builder.build_bytes()


def test_modules_and_personal_marking(shipped):
    fields = {(f.repeat, f.column): f for f in shipped.fields()}
    roster = {c for r, c in fields if r == "roster"}
    assert {"name", "sex", "age", "ethnicity", "caste", "religion", "migration", "attends_school",
            "birth_registered", "marital_status", "age_first_marriage", "health_insurance"} <= roster
    assert {f"wg__wg_{d}" for d in ("seeing", "hearing", "walking", "remembering", "selfcare",
                                    "communicating")} <= roster
    assert [f.column for f in shipped.fields() if f.personal] == ["name"]
    top = {c for r, c in fields if r is None}
    assert {"consent", "country", "location__district", "location__district_iso", "location__area",
            "location__village", "wash__water_source", "wash__water_time", "wash__sanitation",
            "wash__sanitation_shared", "protection__sp_receives", "wealth__assets"} <= top
    choices = shipped.survey_json["choices"]
    for lst in ("ethnicity", "caste", "religion", "migration"):
        assert "prefer_not" in [c["name"] for c in choices[lst]], lst
    assert [c["name"] for c in choices["wg"]] == ["no_difficulty", "some_difficulty", "a_lot_of_difficulty",
                                                  "cannot_do_at_all"]
    assert 8 <= len([c for c in choices["asset"] if c["name"] != "none"]) <= 12
    xform = shipped.xform
    assert "${consent}" not in xform and "/data/consent" in xform
    assert "selected" in xform or "= 'IN'" in xform


def test_provinces_carry_iso_codes(shipped):
    provinces = shipped.survey_json["choices"]["province"]
    assert len(provinces) == 63
    isos = [p["iso"] for p in provinces]
    assert len(set(isos)) == 63 and "VN-HN" in isos and "VN-SG" in isos
    names = {p["name"]: p for p in provinces}
    assert names["ha_noi"]["geo_name"] == "Hà Nội"
    assert names["ho_chi_minh"]["geo_name"] == "Ho Chi Minh"


@pytest.mark.skipif(not GEOJSON.exists(), reason="the shared boundaries file is not available")
def test_provinces_match_the_shipped_boundaries(shipped):
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    geo = {(f["properties"]["shapeName"].strip(), f["properties"]["shapeISO"]) for f in features}
    ours = {(p["geo_name"], p["iso"]) for p in shipped.survey_json["choices"]["province"]}
    assert ours == geo - {("Côn Đảo", "VN-43")}
