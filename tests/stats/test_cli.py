"""The ``lnob estimate`` command: JSON contract, table output and one-line errors."""

from __future__ import annotations

import json

import pytest

from lnob.cli.main import run

from .conftest import FIXTURES


def _run(capsys, args):
    code = run(["estimate", *map(str, args)])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_json_contract_matches_r(capsys, survey_dir):
    code, out, err = _run(capsys, [
        survey_dir / "api_clus2.csv", "--cluster", "dnum", "--cluster", "snum", "--fpc", "fpc1",
        "--fpc", "fpc2", "--mean", "api00", "--proportion", "stype", "--by", "stype", "--deff",
        "--format", "json"])
    assert code == 0, err
    rows = json.loads(out)
    assert set(rows[0]) == {"statistic", "variable", "level", "stype", "estimate", "se", "ci_low",
                            "ci_high", "n", "population", "df", "deff"}
    fx = json.loads((FIXTURES / "apiclus2_multistage.json").read_text())["results"]
    want = {(r["statistic"], r["variable"], r["level"], r["domain"].get("stype")): r for r in fx
            if list(r["domain"]) == ["stype"]}
    checked = 0
    for r in rows:
        exp = want.get((r["statistic"], r["variable"], r["level"], r["stype"]))
        if exp is None:
            continue
        assert r["estimate"] == pytest.approx(exp["estimate"], rel=1e-9)
        assert r["se"] == pytest.approx(exp["se"], rel=1e-9)
        lo, hi = (exp["ci"]["logit"] if "ci" in exp else (exp["ci_low"], exp["ci_high"]))
        if lo is not None and r["ci_low"] is not None:
            assert r["ci_low"] == pytest.approx(lo, rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 6


def test_ratio_totals_csv_and_order(capsys, survey_dir):
    code, out, err = _run(capsys, [
        survey_dir / "api_strat.csv", "--weight", "pw", "--strata", "stype", "--fpc", "fpc",
        "--total", "enroll", "--ratio", "api00/api99", "--mean", "api.stu", "--format", "csv"])
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("statistic,variable,level,estimate,se,ci_low,ci_high,n,population,df")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["total", "ratio", "mean"]
    total = float(lines[1].split(",")[3])
    assert total == pytest.approx(3687177.5321, rel=1e-9)  # R: svytotal(~enroll, dstrat)


def test_table_output(capsys, survey_dir):
    code, out, err = _run(capsys, [survey_dir / "api_strat.csv", "--weight", "pw", "--strata",
                                   "stype", "--mean", "api00", "--by", "stype"])
    assert code == 0, err
    assert "api00" in out and "95% CI" in out and "662" not in err


def test_help_documents_every_option(capsys):
    code = run(["estimate", "--help"])
    text = capsys.readouterr().out
    assert code == 0
    for opt in ["--weight", "--strata", "--cluster", "--fpc", "--nest", "--replicate-weights",
                "--replicate-type", "--fay", "--mse", "--lonely-psu", "--mean", "--total",
                "--proportion", "--ratio", "--by", "--level", "--ci", "--deff", "--engine",
                "--format", "Example"]:
        assert opt in text


@pytest.fixture
def bad_csvs(tmp_path):
    files = {
        "missing_w.csv": "y,w\n1,2\n2,NA\n3,1\n",
        "negative_w.csv": "y,w\n1,2\n2,-1\n3,1\n",
        "fpc_varies.csv": "s,y,N\na,1,10\na,2,11\nb,3,10\nb,4,10\n",
        "fpc_small.csv": "s,y,N\na,1,1\na,2,1\nb,3,10\nb,4,10\n",
        "empty.csv": "y,w\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _error(capsys, args, code_str):
    code, out, err = _run(capsys, args)
    assert code != 0
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert f"error [{code_str}]" in lines[0] and "hint:" in lines[0], lines[0]
    return lines[0]


def test_unknown_column(capsys, survey_dir):
    line = _error(capsys, [survey_dir / "api_strat.csv", "--mean", "api_00"], "stats.unknown-column")
    assert "'api_00'" in line and "api00" in line


def test_non_numeric(capsys, survey_dir):
    _error(capsys, [survey_dir / "api_strat.csv", "--mean", "stype"], "stats.non-numeric")
    _error(capsys, [survey_dir / "api_strat.csv", "--weight", "sname", "--mean", "api00"],
           "stats.non-numeric")


def test_missing_and_negative_weights(capsys, bad_csvs):
    _error(capsys, [bad_csvs / "missing_w.csv", "--weight", "w", "--mean", "y"], "stats.missing-weights")
    _error(capsys, [bad_csvs / "negative_w.csv", "--weight", "w", "--mean", "y"], "stats.negative-weights")


def test_not_nested_unless_nest(capsys, survey_dir):
    args = [survey_dir / "nhanes2.csv", "--weight", "finalwgt", "--strata", "stratid",
            "--cluster", "psuid", "--mean", "zinc"]
    _error(capsys, args, "stats.not-nested")
    code, out, err = _run(capsys, args + ["--nest", "--format", "json"])
    assert code == 0, err
    r = json.loads(out)[0]
    assert r["estimate"] == pytest.approx(87.18207, rel=1e-6) and r["n"] == 9189


def test_lonely_fail_names_strata(capsys, survey_dir):
    line = _error(capsys, [survey_dir / "synth_lonely.csv", "--weight", "wt", "--strata", "stratum",
                           "--cluster", "psu", "--mean", "y"], "stats.lonely-psu")
    assert "'S6'" in line


def test_fpc_problems(capsys, bad_csvs):
    line = _error(capsys, [bad_csvs / "fpc_varies.csv", "--strata", "s", "--fpc", "N", "--mean", "y"],
                  "stats.bad-fpc")
    assert "varies" in line
    line = _error(capsys, [bad_csvs / "fpc_small.csv", "--strata", "s", "--fpc", "N", "--mean", "y"],
                  "stats.bad-fpc")
    assert "sampled" in line


def test_proportion_of_continuous(capsys, survey_dir):
    _error(capsys, [survey_dir / "api_strat.csv", "--proportion", "api00"], "stats.too-many-levels")


def test_empty_data(capsys, bad_csvs):
    _error(capsys, [bad_csvs / "empty.csv", "--weight", "w", "--mean", "y"], "stats.empty-data")


def test_missing_and_unreadable_file(capsys, tmp_path):
    _error(capsys, [tmp_path / "nope.csv", "--mean", "y"], "stats.file-not-found")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not a parquet file")
    _error(capsys, [bad, "--mean", "y"], "stats.unreadable-file")


def test_bad_ratio_syntax(capsys, survey_dir):
    _error(capsys, [survey_dir / "api_strat.csv", "--ratio", "api00"], "stats.bad-ratio")
    _error(capsys, [survey_dir / "api_strat.csv", "--ratio", "api00/"], "stats.bad-ratio")


def test_postgresql_engine_same_json(capsys, survey_dir, postgres_url):
    args = [survey_dir / "api_clus2.csv", "--cluster", "dnum", "--cluster", "snum", "--fpc",
            "fpc1", "--fpc", "fpc2", "--mean", "api00", "--proportion", "awards", "--by", "stype",
            "--format", "json"]
    code, out_duck, err = _run(capsys, args)
    assert code == 0, err
    code, out_pg, err = _run(capsys, args + ["--engine", postgres_url])
    assert code == 0, err
    a, b = json.loads(out_duck), json.loads(out_pg)
    assert len(a) == len(b) > 0
    for x, y in zip(a, b):
        assert {k: v for k, v in x.items() if not isinstance(v, float)} == \
            {k: v for k, v in y.items() if not isinstance(v, float)}
        for k, v in x.items():
            if isinstance(v, float):
                assert y[k] == pytest.approx(v, rel=1e-9)


def test_unknown_engine(capsys, survey_dir):
    _error(capsys, [survey_dir / "api_strat.csv", "--mean", "api00", "--engine", "oracle"],
           "stats.unknown-engine")
