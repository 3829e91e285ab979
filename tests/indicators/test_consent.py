"""Records without consent are kept but never analysed (privacy: consent)."""

from __future__ import annotations

import json

import duckdb

from helpers import lnob

INDICATORS = "household_size,basic_sanitation"


def _totals(home):
    r = lnob("results", "demo", "--format", "json", home=home)
    assert r.code == 0, r.err
    return {row["indicator"]: row for row in json.loads(r.out) if row["groups"] == {}}


def test_records_without_consent_are_left_out_of_the_analysis(tmp_path):
    home = tmp_path
    assert lnob("demo", "--households", "300", "--no-serve", home=home).code == 0
    r = lnob("run", "demo", "--indicator", INDICATORS, "--depth", "0", home=home)
    assert r.code == 0, r.err
    before = _totals(home)

    con = duckdb.connect(str(home / "analytics.duckdb"))
    ids = [row[0] for row in con.execute(
        "select _record_id from form_lnob_household where _project = 'demo' order by _record_id limit 40").fetchall()]
    # as if these households had answered "no" to the consent question
    con.execute("update form_lnob_household set consent = 'no' where _record_id in (%s)" % ",".join(map(str, ids)))
    members = con.execute("select count(*) from demo_person where consent <> 'yes'").fetchone()[0]
    con.close()

    r = lnob("run", "demo", "--indicator", INDICATORS, "--depth", "0", home=home)
    assert r.code == 0, r.err
    assert "40 records without consent" in r.out + r.err
    after = _totals(home)
    hh_before, hh_after = before["household_size"], after["household_size"]
    assert hh_after["n"] == hh_before["n"] - 40, "every household without consent is left out"
    assert hh_after["population"] < hh_before["population"]
    # a person-level indicator leaves out the members of those households
    p_before, p_after = before["basic_sanitation"]["n"], after["basic_sanitation"]["n"]
    assert members > 40
    assert 0 < p_before - p_after <= members
