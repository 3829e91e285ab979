"""Alkire-Foster MPI (lnob.equity.mpi, lnob mpi): the worked example of Alkire & Foster (2011),
design-based SEs against R survey 4.1-1 (tests/equity/r/mpi.R), the CLI contract and errors."""

from __future__ import annotations

import csv
import json
import math
from fractions import Fraction as F
from pathlib import Path

import pytest

from lnob.equity.mpi import Deprivation, mpi
from lnob.stats import Design, connect

HERE = Path(__file__).parent
SYNTH = HERE / "data" / "mpi_synth.csv"
RFIX = json.loads((HERE / "r" / "mpi_fixtures.json").read_text())

# Alkire & Foster (2011), J. Public Economics 95:476-487, section 2: achievement matrix y
# (4 persons x 4 dimensions), cutoffs z = (13, 12, 3, 1), equal weights, k = 2 of 4 dimensions.
AF_Y = [(13.1, 14, 4, 1), (15.2, 7, 5, 0), (12.5, 10, 1, 0), (20, 11, 3, 1)]
AF_Z = (13, 12, 3, 1)


@pytest.fixture
def af_table(tmp_path):
    path = tmp_path / "af.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "x1", "x2", "x3", "x4", "g1", "g2", "g3", "g4"])
        for i, row in enumerate(AF_Y, start=1):
            w.writerow([i, *row, *(int(v < z) for v, z in zip(row, AF_Z))])
    eng = connect("duckdb")
    yield eng.load(path), path
    eng.close()


def test_alkire_foster_2011_example(af_table):
    tab, _path = af_table
    deps = [Deprivation(None, F(1, 4), raw=f"x{j}", cutoff=z) for j, z in enumerate(AF_Z, start=1)]
    [r] = mpi(tab, Design(), deps, F(1, 2))
    # g0 = [[0,0,0,0],[0,1,0,1],[1,1,1,1],[0,1,0,0]]: c = (0, 2, 4, 1); poor: persons 2 and 3
    assert r.H.estimate == pytest.approx(1 / 2, abs=1e-15)
    assert r.A.estimate == pytest.approx(3 / 4, abs=1e-15)
    assert r.M0.estimate == pytest.approx(3 / 8, abs=1e-15)
    # normalised gaps of the poor: person 2 (5/12, 1), person 3 (1/26, 1/6, 2/3, 1)
    m1 = (F(5, 12) + 1 + F(1, 26) + F(1, 6) + F(2, 3) + 1) / 16
    m2 = (F(5, 12) ** 2 + 1 + F(1, 26) ** 2 + F(1, 6) ** 2 + F(2, 3) ** 2 + 1) / 16
    assert r.M1.estimate == pytest.approx(float(m1), rel=1e-14)
    assert r.M2.estimate == pytest.approx(float(m2), rel=1e-14)
    # censored headcounts (2 poor of 4): dim1 1/4, dim2 1/2, dim3 1/4, dim4 1/2; uncensored dim2 3/4
    assert [r.censored_headcount[f"x{j}"] for j in range(1, 5)] == pytest.approx([.25, .5, .25, .5])
    assert [r.uncensored_headcount[f"x{j}"] for j in range(1, 5)] == pytest.approx([.25, .75, .25, .5])
    assert sum(r.contribution.values()) == pytest.approx(1.0)
    # the same from the 0/1 columns (no M1/M2 then)
    deps01 = [Deprivation(f"g{j}", F(1, 4)) for j in range(1, 5)]
    [r01] = mpi(tab, Design(), deps01, "1/2")
    assert (r01.H.estimate, r01.A.estimate, r01.M0.estimate) == pytest.approx((.5, .75, .375))
    assert r01.M1 is None


def test_exact_k_comparison(tmp_path):
    """k = 1/3 with three weights of 1/3: one deprivation (score exactly 1/3) is poor, and
    1/3 + 1/3 + 1/3 >= 1 with k = 1."""
    path = tmp_path / "k.csv"
    path.write_text("a,b,c\n1,0,0\n1,1,1\n0,0,0\n")
    with connect("duckdb") as eng:
        tab = eng.load(path)
        deps = [Deprivation(c, F(1, 3)) for c in "abc"]
        [r] = mpi(tab, Design(), deps, "1/3")
        assert r.H.estimate == pytest.approx(2 / 3)
        [r] = mpi(tab, Design(), deps, 1)
        assert r.H.estimate == pytest.approx(1 / 3)
        assert r.A.estimate == pytest.approx(1.0)


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-13)


@pytest.mark.parametrize("engine_name", ["duckdb", "postgresql"])
def test_standard_errors_match_r(engine_name, request):
    if engine_name == "postgresql":
        engine_name = request.getfixturevalue("postgres_url")
    deps = [Deprivation("water", F(1, 3)), Deprivation("school", F(1, 3)),
            Deprivation("health", F(1, 6)), Deprivation("assets", F(1, 6))]
    des = Design(weights="w", strata="stratum", clusters="psu", fpc="fpc")
    with connect(engine_name) as eng:
        res = mpi(eng.load(SYNTH), des, deps, "1/3", by="region")
    got = {None if r.group is None else r.group["region"]: r for r in res}
    assert len(got) == len(RFIX) == 4
    for fx in RFIX:
        r = got[fx["region"]]
        for key in ("H", "M0", "A"):
            mine = getattr(r, key)
            assert close(mine.estimate, fx[key]["estimate"]), (fx["region"], key)
            assert close(mine.se, fx[key]["se"]), (fx["region"], key, mine.se, fx[key]["se"])
        for c, v in fx["censored"].items():
            assert close(r.censored_headcount[c], v)
        assert close(r.M0.estimate, r.H.estimate * r.A.estimate)
        assert sum(r.contribution.values()) == pytest.approx(1.0)
    # subgroup decomposition: the group contributions add up to 1
    assert sum(r.group_contribution for r in res[1:]) == pytest.approx(1.0)


def test_cli_json_contract(cli):
    code, out, err = cli("mpi", SYNTH, "--deprivation", "water=1/3", "--deprivation", "school=1/3",
                         "--deprivation", "health=1/6", "--deprivation", "assets=1/6", "--k", "1/3",
                         "--weight", "w", "--strata", "stratum", "--cluster", "psu", "--fpc", "fpc",
                         "--by", "region", "--format", "json")
    assert code == 0, err
    recs = json.loads(out)
    assert [r["region"] for r in recs] == [None, "east", "north", "south"]
    whole = recs[0]
    for key in ("H", "A", "M0"):
        assert set(whole[key]) == {"estimate", "se", "ci_low", "ci_high"}
    fx = RFIX[0]
    assert close(whole["M0"]["se"], fx["M0"]["se"]) and close(whole["A"]["se"], fx["A"]["se"])
    assert set(whole["censored_headcount"]) == {"water", "school", "health", "assets"}
    assert set(whole["uncensored_headcount"]) == {"water", "school", "health", "assets"}
    assert sum(whole["contribution"].values()) == pytest.approx(1.0)
    assert whole["n"] == 148  # two rows have a missing deprivation
    code, out, err = cli("mpi", SYNTH, "--deprivation", "water=0.5", "--deprivation", "school=0.5",
                         "--k", "1")
    assert code == 0, err
    assert "Alkire-Foster" in out


@pytest.mark.parametrize("args, code_, needle", [
    (["--deprivation", "water=0.33", "--deprivation", "school=0.33", "--deprivation", "health=0.33"],
     "equity.weights-sum", "sum to"),
    (["--deprivation", "water=1/2", "--deprivation", "school"], "equity.bad-deprivation", "COL=WEIGHT"),
    (["--deprivation", "water=1/2", "--deprivation", "school=x/2"], "equity.bad-fraction", "fraction"),
])
def test_cli_bad_weights(cli, args, code_, needle):
    code, out, err = cli("mpi", SYNTH, *args, "--k", "1/3")
    assert code == 2
    assert f"[{code_}]" in err and needle in err
    assert len(err.strip().splitlines()) == 1


def test_cli_bad_k(cli):
    code, out, err = cli("mpi", SYNTH, "--deprivation", "water=1", "--k", "3/2")
    assert code == 2 and "[equity.bad-k]" in err


def test_cli_not_binary_names_the_row(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("w,a,b\n1,0,1\n1,1,0\n1,2,1\n")
    code, out, err = cli("mpi", path, "--deprivation", "a=1/2", "--deprivation", "b=1/2", "--k", "1/2")
    assert code == 1
    assert "[equity.not-binary]" in err and "row 3" in err and "'a'" in err
    path.write_text("w,a,b\n1,yes,1\n1,no,0\n")
    code, out, err = cli("mpi", path, "--deprivation", "a=1/2", "--deprivation", "b=1/2", "--k", "1/2")
    assert code == 1 and "[equity.not-binary]" in err and "row 1" in err


def test_cli_unknown_column(cli):
    code, out, err = cli("mpi", SYNTH, "--deprivation", "watr=1", "--k", "1")
    assert code != 0 and "[stats.unknown-column]" in err and "water" in err
