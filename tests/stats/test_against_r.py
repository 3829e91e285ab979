"""Every case of cases.json against the committed R ``survey`` fixtures, on every engine."""

from __future__ import annotations

import json

import pytest

from lnob.stats import estimate_tables

from .conftest import CASES, FIXTURES
from .helpers import close, design_of, key, specs_of

FIELDS = ("estimate", "se", "n", "population", "df")


def compare(case, fixture_results, tab):
    design = design_of(case["design"])
    specs = specs_of(case["stats"])
    tables = [list(b) for b in case["by"]]
    level = case.get("level", 0.95)
    deff = case.get("deff", False)
    got = {}
    for method in ("logit", "beta", "wald"):
        res = estimate_tables(tab, design, specs, tables, level=level, ci=method, deff=deff)
        for rows in res:
            for r in rows:
                k = key(r.statistic, r.variable, r.level, r.domain)
                got.setdefault(k, {})[method] = r
    problems = []
    seen = set()
    for exp in fixture_results:
        k = key(exp["statistic"], exp["variable"], exp["level"], exp["domain"])
        seen.add(k)
        if k not in got:
            problems.append(f"missing {k}")
            continue
        r = got[k]["logit"]
        for f in FIELDS:
            if not close(getattr(r, f), exp[f]):
                problems.append(f"{k} {f}: lnob {getattr(r, f)!r} R {exp[f]!r}")
        if deff and "deff" in exp and not close(r.deff, exp["deff"]):
            problems.append(f"{k} deff: lnob {r.deff!r} R {exp['deff']!r}")
        if "ci" in exp:
            for method, (lo, hi) in exp["ci"].items():
                rm = got[k][method]
                if not (close(rm.ci_low, lo) and close(rm.ci_high, hi)):
                    problems.append(f"{k} ci {method}: lnob {(rm.ci_low, rm.ci_high)} R {(lo, hi)}")
        else:
            if not (close(r.ci_low, exp["ci_low"]) and close(r.ci_high, exp["ci_high"])):
                problems.append(f"{k} ci: lnob {(r.ci_low, r.ci_high)} R {(exp['ci_low'], exp['ci_high'])}")
    extra = [k for k in got if k not in seen]
    if extra:
        problems.append(f"lnob has estimates R does not: {extra[:5]}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case, tables):
    fixture = json.loads((FIXTURES / f"{case['id']}.json").read_text())
    problems = compare(case, fixture["results"], tables(case["data"]))
    assert not problems, "\n".join(problems[:25])
