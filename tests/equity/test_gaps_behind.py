"""Gaps, the furthest-behind search (BH, sentences) and ESCAP's tree: library and CLI,
including the bad-input errors (one line, stable code, hint)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from lnob.equity.furthest import Label, benjamini_hochberg, describe_group, furthest_behind, sentence
from lnob.equity.gaps import gaps
from lnob.equity.tree import classification_tree
from lnob.errors import LnobError
from lnob.stats import Design, connect
from lnob.stats.contrast import DomainEstimate, Measure

DATA = Path(__file__).resolve().parents[1] / "data" / "survey_microdata"
RFIX = json.loads((Path(__file__).resolve().parents[1] / "stats" / "r" / "contrast_fixtures.json").read_text())
STRAT = ["--weight", "pw", "--strata", "stype", "--fpc", "fpc"]


@pytest.fixture(scope="module")
def api():
    eng = connect("duckdb")
    yield eng.load(DATA / "api_strat.csv"), Design(weights="pw", strata="stype", fpc="fpc")
    eng.close()


def test_gaps_match_r_contrasts(api):
    tab, des = api
    g = gaps(tab, des, Measure("api00"), "stype", reference="H")
    fx = {(r["group"], r["reference"]): r for r in RFIX if r["case"] == "api_strat_mean"}
    for gg in g.groups:
        s = gg.group["stype"]
        d, q = gg.vs["total"]["difference"], gg.vs["total"]["ratio"]
        assert math.isclose(d.se, fx[(s, None)]["difference_se"], rel_tol=1e-9)
        assert math.isclose(q.se, fx[(s, None)]["ratio_se"], rel_tol=1e-9)
        if s != "H":
            key = (s, "H") if (s, "H") in fx else ("H", s)
            assert math.isclose(gg.vs["reference"]["difference"].se, fx[key]["difference_se"], rel_tol=1e-9)
    assert g.best == {"stype": "E"}  # highest api00
    g2 = gaps(tab, des, Measure("api00"), "stype", favourable=False)
    assert g2.best == {"stype": "H"} and g2.reference is None


def test_gaps_errors(api):
    tab, des = api
    with pytest.raises(LnobError) as e:
        gaps(tab, des, Measure("api00"), "stype", reference="X")
    assert e.value.code == "equity.unknown-reference" and "E, H, M" in e.value.hint
    with pytest.raises(LnobError) as e:
        gaps(tab, des, Measure("api00"), "stype", reference="most-advantaged")
    assert e.value.code == "equity.not-ordered" and "--order" in e.value.hint
    g = gaps(tab, des, Measure("api00"), "stype", reference="most-advantaged", order="M,H,E")
    assert g.reference == {"stype": "E"}
    with pytest.raises(LnobError) as e:
        gaps(tab, des, Measure("api00"), "stype", order="M,H")
    assert e.value.code == "equity.bad-order"


def test_benjamini_hochberg():
    p = [0.01, 0.04, 0.03, 0.005, 1.0, 1.0]
    rej, adj = benjamini_hochberg(p, 0.05)
    # sorted: .005 .01 .03 .04 1 1 ; thresholds .0083 .0167 .025 .0333 ...: two rejections
    assert rej == [True, False, False, True, False, False]
    assert adj[3] == pytest.approx(0.03) and adj[0] == pytest.approx(0.03)
    assert adj[2] == pytest.approx(0.06) and adj[1] == pytest.approx(0.06)
    # counting every test: the same p-values among more tests reject less
    rej2, _ = benjamini_hochberg(p + [1.0] * 10, 0.05)
    assert sum(rej2) == 0  # 0.005 > 0.05/16


def test_sentence_builder():
    labels = {"eth": {"hmong": Label("Hmong", "adjective")}, "sex": {"f": Label("women", "noun")},
              "dis": {"yes": Label("with a disability")}, "area": {"rural": Label("rural", "area")},
              "prov": {"lc": Label("Lào Cai", "place")}}
    grp = {"eth": "hmong", "sex": "f", "dis": "yes", "area": "rural", "prov": "lc"}
    est = DomainEstimate(grp, 0.41, 0.03, 0.352, 0.473, 120, 1000.0, 30)
    tot = DomainEstimate({}, 0.78, 0.01, 0.76, 0.80, 5000, 1e6, 200)
    s = sentence(grp, est, tot, "have basic sanitation", labels=labels)
    assert s == ("Hmong women with a disability in rural Lào Cai: 41 % (95 % CI 35–47 %) have basic "
                 "sanitation, against 78 % overall")
    assert describe_group({"area": "rural"}, labels) == "People in rural areas"
    assert describe_group({"x": 3}) == "People with x = 3"


def test_search_counts_every_test(api):
    tab, des = api
    s = furthest_behind(tab, des, Measure("awards", "Yes"), ["stype", "sch.wide", "yr.rnd"], depth=3, min_n=15,
                        what="received an award")
    assert s.m == len(s.tests) and any(not t.tested for t in s.tests)
    assert all(t.p_value == 1.0 for t in s.tests if not t.tested)
    for f in s.findings:
        assert f.contrast.estimate < 0 and f.q_value <= 0.05 and f.sentence.endswith("overall")
    # schools without a school-wide growth target are behind on awards
    assert {"sch.wide": "No"} in [f.group for f in s.findings]


def test_tree_on_api(api):
    tab, des = api
    t = classification_tree(tab, des, Measure("awards", "Yes"), ["stype", "sch.wide", "yr.rnd"])
    assert t.root.split == "sch.wide"
    assert all(lf.n >= 0.1 * t.root.n for lf in t.leaves)
    mu = t.root.estimate
    assert t.d_index == pytest.approx(sum(lf.weight / t.root.weight * abs(lf.estimate - mu) for lf in t.leaves) / (2 * mu))
    assert t.furthest_behind.estimate == min(lf.estimate for lf in t.leaves)
    with pytest.raises(LnobError) as e:
        classification_tree(tab, des, Measure("awards", "Yes"), ["stype"], min_share=0.7)
    assert e.value.code == "equity.bad-min-share"


def test_cli_gaps(cli):
    code, out, err = cli("gaps", DATA / "api_strat.csv", "--mean", "api00", "--by", "stype", "--reference", "H",
                         *STRAT, "--format", "json")
    assert code == 0, err
    recs = json.loads(out)
    e_tot = [r for r in recs if r["stype"] == "E" and r["compared_with"] == "total"][0]
    fx = [r for r in RFIX if r["case"] == "api_strat_mean" and r["group"] == "E" and r["reference"] is None][0]
    assert math.isclose(e_tot["difference"]["se"], fx["difference_se"], rel_tol=1e-9)
    assert math.isclose(e_tot["ratio"]["estimate"], fx["ratio"], rel_tol=1e-9)
    assert {r["compared_with"] for r in recs} == {"total", "reference", "best"}
    code, out, err = cli("gaps", DATA / "api_strat.csv", "--proportion", "awards=Yes", "--by", "stype", *STRAT)
    assert code == 0, err
    assert "Gaps in awards = Yes" in out


@pytest.mark.parametrize("args, code_, exit_", [
    (["--mean", "api00", "--by", "stype", "--reference", "X"], "equity.unknown-reference", 1),
    (["--mean", "api00", "--by", "stype", "--reference", "most-advantaged"], "equity.not-ordered", 2),
    (["--proportion", "awards=Maybe", "--by", "stype"], "equity.unknown-level", 2),
    (["--proportion", "awards", "--by", "stype"], "equity.bad-proportion", 2),
    (["--mean", "api00", "--by", "styp"], "stats.unknown-column", 1),
])
def test_cli_gaps_errors(cli, args, code_, exit_):
    code, out, err = cli("gaps", DATA / "api_strat.csv", *args, *STRAT)
    assert code == exit_, err
    assert f"[{code_}]" in err and "hint:" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_behind(cli, tmp_path):
    labels = tmp_path / "labels.yaml"
    labels.write_text("sch.wide:\n  'No': {text: without a school-wide target, role: qualifier}\n"
                      "stype:\n  H: {text: high schools, role: noun}\n")
    code, out, err = cli("behind", DATA / "api_strat.csv", "--proportion", "awards=Yes", "--dimension", "stype",
                         "--dimension", "sch.wide", "--depth", "2", "--min-n", "15", "--labels", labels,
                         "--what", "received an award", "--tree", *STRAT, "--format", "json")
    assert code == 0, err
    rec = json.loads(out)
    assert rec["tests"] >= rec["tested"] and rec["findings"]
    assert any(f["sentence"].startswith("People without a school-wide target") for f in rec["findings"])
    assert 0 < rec["tree"]["d_index"] < 1
    code, out, err = cli("behind", DATA / "api_strat.csv", "--proportion", "awards=Yes", "--dimension", "stype",
                         "--dimension", "sch.wide", "--tree", *STRAT)
    assert code == 0 and "significantly behind" in out and "D-index" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("stype:\n  H: {text: x, role: verb}\n")
    code, out, err = cli("behind", DATA / "api_strat.csv", "--mean", "api00", "--dimension", "stype",
                         "--labels", bad, *STRAT)
    assert code == 1 and "[equity.bad-labels]" in err
