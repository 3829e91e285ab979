"""Boundaries, simplification, the category -> region join and the SVG choropleth."""

from __future__ import annotations

import json
import re

import pytest

from lnob.errors import InputError
from lnob.maps import Value, choropleth, douglas_peucker, region_codes, regions_from, shipped, simplify
from lnob.maps.boundaries import project_boundaries, save_project_boundaries
from lnob.maps.choropleth import breaks, class_of

from pathlib import Path

#: the published source, in the shared reference data next to the repository
SOURCE = Path(__file__).resolve().parents[3] / "shared/data/boundaries/geoBoundaries-VNM-ADM1_simplified.geojson"


def test_shipped_boundaries_keep_every_unit_and_cite_the_source():
    b = shipped()
    assert len(b.regions) == 64 and len(b.codes) == 63  # Côn Đảo reuses VN-43
    names = {r.name for r in b.regions}
    assert "Hà Nội" in names and "Hà Nội\t" not in names  # stripped
    assert "Ho Chi Minh" in names
    assert [r.name for r in b.regions if r.code == "VN-43"] == ["Bà Rịa–Vũng Tàu", "Côn Đảo"]
    assert "geoBoundaries" in b.citation["citation"]


def test_every_form_province_finds_its_region():
    from lnob.forms.library.vn_provinces import PROVINCES

    codes = region_codes([p[0] for p in PROVINCES])
    assert set(codes.values()) == shipped().codes


def test_choice_iso_column_wins():
    assert region_codes(["x"], [{"name": "x", "iso": " vn-hn "}]) == {"x": "VN-HN"}


def test_douglas_peucker_keeps_corners_drops_collinear():
    pts = [(0, 0), (1, 0.001), (2, 0), (2, 2), (0, 2), (0, 0)]
    assert douglas_peucker(pts, 0.01) == [(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)]


def test_simplify_never_loses_a_region():
    doc = {"type": "FeatureCollection", "features": [
        {"properties": {"shapeISO": "A"}, "geometry": {"type": "Polygon", "coordinates": [
            [[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.001], [0, 0]]]}}]}
    (r,) = simplify(regions_from(doc), tolerance=1.0)
    assert r.polygons and len(r.polygons[0][0]) >= 4


@pytest.mark.parametrize("doc, msg", [
    ({"type": "Feature"}, "FeatureCollection"),
    ({"type": "FeatureCollection", "features": [{"properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}, "code"),
    ({"type": "FeatureCollection", "features": [{"properties": {"iso": "A"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]}, "Point"),
])
def test_bad_geojson_is_a_clear_error(doc, msg):
    with pytest.raises(InputError) as e:
        regions_from(doc)
    assert e.value.code == "maps.bad-geojson" and msg in (e.value.message + (e.value.hint or ""))


def test_project_boundaries_are_checked_simplified_and_stored(tmp_path):
    if not SOURCE.exists():
        pytest.skip(f"reference data not found: {SOURCE}")
    src = SOURCE.read_bytes()
    b = save_project_boundaries(tmp_path, "p", src, source="vn.geojson")
    assert len(b.regions) == 64
    again = project_boundaries(tmp_path, "p")
    assert again and again.codes == b.codes
    assert (tmp_path / "boundaries" / "p.geojson").stat().st_size < len(src)
    with pytest.raises(InputError):
        save_project_boundaries(tmp_path, "q", b"not json")
    assert project_boundaries(tmp_path, "q") is None


def test_choropleth_is_accessible_svg():
    b = shipped()
    vals = {"VN-HN": Value(0.9, "90 %", "Hà Nội"), "VN-03": Value(0.3, "30 %", "Hà Giang"),
            "VN-02": Value(None, "suppressed", "Lào Cai", suppressed=True), "VN-43": Value(0.5, "50 %", "BR-VT")}
    svg, legend = choropleth(b, vals, title="Sanitation", desc="Highest: Hà Nội", ident="m")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="m-title m-desc"' in svg
    assert "<title id=\"m-title\">Sanitation</title>" in svg
    assert re.search(r'data-code="VN-02"><title>[^<]*suppressed', svg)
    assert 'fill="url(#m-hatch)"' in svg
    assert "Côn Đảo (BR-VT): 50 %" in svg
    assert " style=" not in svg and "<script" not in svg
    assert legend[0].low == pytest.approx(0.3) and legend[-1].high == pytest.approx(0.9)


def test_classes():
    e = breaks([0.0, 1.0], 5)
    assert e == pytest.approx([0, .2, .4, .6, .8, 1])
    assert class_of(0.0, e) == 0 and class_of(1.0, e) == 4 and class_of(0.41, e) == 2
    assert breaks([2.0, 2.0]) == [2.0, 2.0]


def test_shipped_file_is_small():
    from lnob.maps.boundaries import DATA

    raw = (DATA / "vnm_adm1.geojson").read_bytes()
    assert len(raw) < 100_000
    assert json.loads(raw)["lnob"]["license"].startswith("Public Domain")
