"""`lnob publish`: Data Package (frictionless), SDMX-CSV 2.0 (pysdmx, SDG code lists), Open SDG
(read back by lnob's own Open SDG reader), disclosure control, audit, atomic output."""

from __future__ import annotations

import csv
import json

import pytest

from helpers import lnob

INDICATORS = "basic_sanitation,child_marriage,school_attendance,birth_registration"  # as conftest runs
CONTRACT_HEAD = ["indicator", "sdg"]
CONTRACT_TAIL = ["estimate", "se", "ci_low", "ci_high", "n", "flags"]


def _publish(home, fmt, out, *extra):
    r = lnob("publish", "demo", "--format", fmt, "--out", str(out), "--indicator", INDICATORS, *extra, home=home)
    assert r.code == 0, r.err
    return r


@pytest.fixture(scope="module")
def datapackage(pub_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("dp") / "package"
    _publish(pub_home, "datapackage", out, "--intersection", "sex,disability")
    return out


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_datapackage_validates_and_keeps_the_contract(datapackage):
    from frictionless import validate

    report = validate(str(datapackage / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    meta = json.loads((datapackage / "datapackage.json").read_text())
    res = {r["name"]: r for r in meta["resources"]}
    assert res["results"]["path"] == "results.csv"
    assert meta["licenses"][0]["name"] == "CC-BY-4.0"
    assert meta["lnob"]["method"]["policy"]["threshold"] == 25
    assert meta["temporalCoverage"] == {"start": "2025-03-03", "end": "2025-05-20"}
    with (datapackage / "results.csv").open(encoding="utf-8") as f:
        head = next(csv.reader(f))
    assert head[:2] == CONTRACT_HEAD and head[-6:] == CONTRACT_TAIL
    dims = head[2:-6]
    assert {"sex", "disability", "ethnicity", "urbanisation"} <= set(dims)
    rows = _rows(datapackage / "results.csv")
    assert {r["indicator"] for r in rows} == set(INDICATORS.split(","))
    total = [r for r in rows if r["indicator"] == "basic_sanitation" and not any(r[d] for d in dims)]
    assert len(total) == 1 and float(total[0]["estimate"]) == pytest.approx(0.8155, abs=1e-3)
    assert total[0]["sdg"] == "6.2.1;1.4.1" and total[0]["n"] == "20913"
    both = [r for r in rows if r["sex"] and r["disability"]]
    assert both, "the asked intersection is published"


def test_suppressed_cells_keep_their_row_without_values(datapackage, raw_results):
    rows = _rows(datapackage / "results.csv")
    sup = [r for r in rows if "suppressed" in r["flags"].split(";")]
    assert sup, "the demo has small groups"
    for r in sup:
        assert r["estimate"] == r["se"] == r["ci_low"] == r["ci_high"] == r["n"] == ""
    # every stored cell with n < 25 that is in the release is suppressed
    dims = [k for k in rows[0] if k not in CONTRACT_HEAD + CONTRACT_TAIL]
    small = {(x["indicator"], tuple(sorted(x["groups"].items()))) for x in raw_results if x["n"] < 25}
    for r in rows:
        key = (r["indicator"], tuple(sorted((d, r[d]) for d in dims if r[d])))
        if key in small:
            assert "suppressed" in r["flags"], key
    for r in rows:
        if r["estimate"]:
            assert int(r["n"]) >= 25


def test_sdmx_csv_is_coded_to_the_sdg_dsd_and_reads_back(pub_home, tmp_path):
    from pysdmx.io import read_sdmx

    from lnob import sdg

    out = tmp_path / "sdmx"
    _publish(pub_home, "sdmx-csv", out)
    rows = _rows(out / "sdg_sdmx.csv")
    assert rows and list(rows[0])[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    assert {"OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND", "OBS_STATUS", "UNIT_MEASURE", "CUST_BREAKDOWN_LB"} <= set(rows[0])
    assert {r["SERIES"] for r in rows} == {"SP_ACS_BSRVSAN", "SP_DYN_MRBF18", "SG_REG_BRTH"}  # 4.1 has no series
    dsd = sdg.catalogue().dsd
    for r in rows:
        assert r["STRUCTURE_ID"] == "IAEG-SDGs:SDG(1.14)" and r["REF_AREA"] == "704" and r["TIME_PERIOD"] == "2025"
        for d in dsd["dimensions"]:
            assert sdg.validate_code(d["codelist"], r[d["id"]], series=r["SERIES"]) == r[d["id"]]
        if r["OBS_STATUS"] == "Q":
            assert r["OBS_VALUE"] == "" and r["LOWER_BOUND"] == ""
        else:
            assert float(r["LOWER_BOUND"]) <= float(r["OBS_VALUE"]) <= float(r["UPPER_BOUND"])
    marriage = [r for r in rows if r["SERIES"] == "SP_DYN_MRBF18" and r["CUST_BREAKDOWN"] == "_T"
                and r["URBANISATION"] == "_T" and r["COMPOSITE_BREAKDOWN"] == "_T" and r["DISABILITY_STATUS"] == "_T"
                and r["INCOME_WEALTH_QUANTILE"] == "_T"]
    assert [(r["SEX"], r["AGE"]) for r in marriage] == [("F", "Y20T24")]
    hmong = [r for r in rows if "Hmong" in r["CUST_BREAKDOWN_LB"]]
    assert hmong and all(r["CUST_BREAKDOWN"].startswith("C") for r in hmong)
    assert any("VN-02" in r["CUST_BREAKDOWN_LB"] for r in rows)  # Lào Cai, a custom breakdown with its ISO code
    assert any(r["COMPOSITE_BREAKDOWN"] == "MS_MIGRANT" for r in rows)
    msg = read_sdmx(str(out / "sdg_sdmx.csv"))
    [ds] = msg.data
    assert ds.short_urn.endswith("IAEG-SDGs:SDG(1.14)")
    assert len(ds.data) == len(rows)
    assert set(ds.data["SERIES"]) == {r["SERIES"] for r in rows}


def test_open_sdg_files_read_back(pub_home, tmp_path):
    import yaml

    from lnob.equity.official import read_open_sdg

    out = tmp_path / "osdg"
    _publish(pub_home, "opensdg", out)
    names = sorted(p.name for p in (out / "data").iterdir())
    assert names == ["indicator_1-4-1.csv", "indicator_16-9-1.csv", "indicator_5-3-1.csv", "indicator_6-2-1.csv"]
    with (out / "data" / "indicator_6-2-1.csv").open(encoding="utf-8") as f:
        head = next(csv.reader(f))
    assert head[0] == "Year" and head[-1] == "Value" and "Sex" in head
    data = read_open_sdg(out / "data" / "indicator_6-2-1.csv", out / "meta" / "6-2-1.yml")
    assert data.indicator == "6.2.1"
    [headline] = [o for o in data.observations if not o.disaggregation]
    assert headline.year == 2025 and headline.value == pytest.approx(81.55, abs=0.1) and headline.unit == "Percent"
    meta = yaml.safe_load((out / "meta" / "5-3-1.yml").read_text(encoding="utf-8"))
    assert meta["indicator_number"] == "5.3.1" and meta["reporting_status"] == "complete"
    assert "Province" in meta["expected_disaggregations"] and meta["data_show_map"] is True
    with (out / "data" / "indicator_5-3-1.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert any(r["GeoCode"] == "VN-02" for r in rows)


def test_publications_are_audited(pub_home, datapackage, audit_events):
    events = audit_events(pub_home)
    mine = [e for e in events if e["target"] == str(datapackage)]
    assert mine and mine[0]["details"]["kind"] == "datapackage"
    assert mine[0]["details"]["licence"] == "CC-BY-4.0" and mine[0]["details"]["counts"]["suppressed"] > 0


def test_bad_input_is_one_line_and_writes_nothing(pub_home, tmp_path):
    out = tmp_path / "x"
    cases = [
        (["publish", "demoo", "--format", "datapackage", "--out", str(out)], "core.unknown-project", "'demo'"),
        (["publish", "demo", "--format", "datapackge", "--out", str(out)], "publish.bad-format", "'datapackage'"),
        (["publish", "demo", "--format", "datapackage", "--out", str(out), "-i", "child_mariage"],
         "publish.unknown-indicator", "'child_marriage'"),
        (["publish", "demo", "--format", "datapackage", "--out", str(out), "-i", "health_insurance"],
         "publish.unknown-indicator", "lnob run demo"),
        (["publish", "demo", "--format", "datapackage", "--out", str(out), "-d", "ethnicty"],
         "publish.unknown-dimension", "'ethnicity'"),
        (["publish", "demo", "--format", "datapackage", "--out", str(tmp_path / "no" / "dir")],
         "publish.not-writable", "create it first"),
    ]
    for args, code, hint in cases:
        r = lnob(*args, home=pub_home)
        assert r.code != 0, args
        assert len(r.err.strip().splitlines()) == 1 and f"[{code}]" in r.err and hint in r.err, r.err
    assert not out.exists() and not (tmp_path / "no").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    (out).mkdir()
    (out / "keep.txt").write_text("mine")
    r = lnob("publish", "demo", "--format", "datapackage", "--out", str(out), "-i", "child_marriage", home=pub_home)
    assert r.code == 1 and "[publish.exists]" in r.err and "--force" in r.err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    try:
        import os

        if os.access(readonly, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        r = lnob("publish", "demo", "--format", "datapackage", "--out", str(readonly / "p"), home=pub_home)
        assert "[publish.not-writable]" in r.err
    finally:
        readonly.chmod(0o755)


def test_no_results_yet(tmp_path):
    home = tmp_path / "ws"
    r = lnob("init", home=home)
    if r.code != 0:
        pytest.skip(f"cannot create a workspace: {r.err}")
    r = lnob("project", "create", "p", "--name", "P", "--org", "Some org", home=home)
    if r.code != 0:
        pytest.skip(f"cannot create a project here: {r.err.strip()}")
    r = lnob("publish", "p", "--format", "datapackage", "--out", str(tmp_path / "o"), home=home)
    assert "[publish.no-results]" in r.err and "lnob run p" in r.err
