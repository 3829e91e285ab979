"""``lnob inequality``: the JSON contract, the table, and one-line errors (via lnob.cli.main.run)."""

from __future__ import annotations

import json
import re

import pytest

from lnob.equity.inequality import read_subgroups_csv, summary_measures

from .conftest import DATA

ERROR_LINE = re.compile(r"^error \[[a-z0-9.-]+\]: .+ — hint: .+$")
KEYS = ["d", "r", "par", "paf", "sii", "rii", "aci", "rci", "bgv", "bgsd", "cov", "mdmu", "mdmw",
        "mdbu", "mdbw", "idisu", "idisw", "ti", "mld", "dindex"]
ORDERED_ONLY = {"sii", "rii", "aci", "rci"}
NONORDERED_ONLY = {"bgv", "bgsd", "cov", "mdmu", "mdmw", "mdbu", "mdbw", "idisu", "idisw", "ti", "mld"}


def write(tmp_path, text, name="in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_unordered_contract(cli):
    code, out, err = cli("inequality", DATA / "healthequal_nonordered.csv", "--unordered", "--format", "json")
    assert code == 0, err
    assert out.count("\n") == 1  # one object
    obj = json.loads(out)
    assert list(obj) == KEYS
    assert all(obj[k] is None for k in ORDERED_ONLY)
    assert all(isinstance(obj[k], float) for k in set(KEYS) - ORDERED_ONLY)
    assert obj["bgv"] == pytest.approx(46.198326, rel=1e-6)  # healthequal test-bgv.R


def test_json_ordered_contract_matches_library(cli):
    code, out, err = cli("inequality", DATA / "healthequal_ordered.csv", "--ordered", "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    assert list(obj) == KEYS
    assert all(obj[k] is None for k in NONORDERED_ONLY)
    d = read_subgroups_csv(DATA / "healthequal_ordered.csv")
    lib = summary_measures(d.estimate, d.population, se=d.se, order=d.order, ordered=True)
    assert obj == pytest.approx(lib.estimates())
    assert obj["sii"] == pytest.approx(44.44502, rel=1e-6)  # healthequal test-sii.R


def test_adverse_and_scale_options(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population,order\nQ1,80,100,1\nQ2,60,100,2\nQ3,40,100,3\n")
    code, out, _ = cli("inequality", f, "--ordered", "--adverse", "--scale", "1000", "--format", "json")
    assert code == 0
    obj = json.loads(out)
    assert obj["d"] == 40 and obj["r"] == 2  # most disadvantaged − most advantaged
    assert obj["par"] == pytest.approx(40 - 60)


def test_table_shows_ses_and_cis(cli):
    code, out, err = cli("inequality", DATA / "healthequal_ordered.csv", "--ordered")
    assert code == 0, err
    assert "sii" in out and "44.45" in out and "analytic" in out
    assert "non-ordered dimensions only" in out


def test_unordered_ignores_order_column(cli):
    code, out, _ = cli("inequality", DATA / "healthequal_ordered.csv", "--unordered", "--format", "json")
    assert code == 0
    assert json.loads(out)["aci"] is None


def test_help_documents_every_option(cli):
    code, out, _ = cli("inequality", "--help")
    assert code == 0
    for option in ("--ordered", "--unordered", "--favourable", "--adverse", "--scale", "--format", "FILE"):
        assert option in out
    assert out.count("Example") >= 6


def one_line_error(cli, *argv, code_expected=None):
    code, out, err = cli(*argv)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and ERROR_LINE.match(lines[0]), err
    if code_expected:
        assert f"[{code_expected}]" in lines[0], lines[0]
    return lines[0]


def test_missing_file(cli, tmp_path):
    one_line_error(cli, "inequality", tmp_path / "nope.csv", "--unordered", code_expected="equity.file-not-found")


def test_unreadable_csv(cli, tmp_path):
    f = tmp_path / "bin.csv"
    f.write_bytes(b"\xff\xfe\x00\x81\x00garbage")
    one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.unreadable-csv")


def test_missing_columns_named_with_suggestion(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimat,pop\nA,1,2\nB,2,3\n")
    line = one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.missing-column")
    assert "estimate" in line and "population" in line and "'estimat'" in line


def test_non_numeric_estimate_gives_line(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population\nA,1,2\nB,abc,3\nC,4,5\n")
    line = one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.not-a-number")
    assert "line 3" in line and "estimate" in line


def test_non_numeric_population_gives_line(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population\nA,1,2\nB,2,3\nC,4,many\n")
    line = one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.not-a-number")
    assert "line 4" in line and "population" in line


def test_negative_population(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population\nA,1,2\nB,2,-3\nC,4,5\n")
    line = one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.negative-population")
    assert "line 3" in line


def test_fewer_than_two_subgroups(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population\nA,1,2\n")
    one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.too-few-subgroups")


def test_ordered_without_order_column(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population\nA,1,2\nB,2,3\nC,4,5\n")
    line = one_line_error(cli, "inequality", f, "--ordered", code_expected="equity.missing-order")
    assert "--unordered" in line


@pytest.mark.parametrize("orders", ["1,2,2", "0,1,2", "1,2,", "1,2,4"])
def test_ordered_with_bad_order(cli, tmp_path, orders):
    o = orders.split(",")
    f = write(tmp_path, f"subgroup,estimate,population,order\nA,1,2,{o[0]}\nB,2,3,{o[1]}\nC,4,5,{o[2]}\n")
    one_line_error(cli, "inequality", f, "--ordered", code_expected="equity.bad-order")


def test_more_than_one_reference(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population,reference\nA,1,2,1\nB,2,3,1\nC,4,5,0\n")
    one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.multiple-references")


def test_reference_column_without_flag(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population,reference\nA,1,2,0\nB,2,3,\nC,4,5,0\n")
    one_line_error(cli, "inequality", f, "--unordered", code_expected="equity.no-reference")


def test_zero_denominator_ratio(cli, tmp_path):
    f = write(tmp_path, "subgroup,estimate,population,order\nQ1,0,2,1\nQ2,2,3,2\nQ3,4,5,3\n")
    one_line_error(cli, "inequality", f, "--ordered", code_expected="equity.nonpositive-estimate")


@pytest.mark.parametrize("flags", [[], ["--ordered", "--unordered"]])
def test_exactly_one_dimension_flag(cli, flags):
    line = one_line_error(cli, "inequality", DATA / "healthequal_ordered.csv", *flags,
                          code_expected="equity.dimension-type")
    assert "--ordered" in line


def test_bad_format(cli):
    one_line_error(cli, "inequality", DATA / "healthequal_ordered.csv", "--ordered", "--format", "xml")


def test_bad_scale(cli):
    one_line_error(cli, "inequality", DATA / "healthequal_ordered.csv", "--ordered", "--scale", "0",
                   code_expected="equity.bad-scale")
