"""The "who is left behind" pages on a small demo (600 households, seed 1): the groups the generator
made worse off are found and the groups it made equal are not (docs/demo-data.md); a reference
group that does not exist and ordered measures of an unordered dimension give clear messages; the
MPI agrees with a direct count; members without ``results.view`` see only published figures."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

SAN, INS = "basic_sanitation", "health_insurance"
PAGE = "/p/demo/left-behind/"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.conf import settings

    from lnob.core import services
    from lnob.core.models import Project
    from lnob.demo import build_demo
    from lnob.indicators.services import run_project

    with django_db_blocker.unblock():
        build_demo(settings.HOME, households=600, seed=1)
        run_project("demo")
        project = Project.objects.get(slug="demo")
        users = {}
        for role in ("viewer", "enumerator", "analyst", "owner"):
            users[role] = services.create_user("lb_" + role, "a-long-passphrase", validate=False)
            services.grant_role(users[role], project, role)
        users["stranger"] = services.create_user("lb_stranger", "a-long-passphrase", validate=False)
        # an official series of SDG 6.2.1 (synthetic, Open SDG CSV): headline and by sex
        folder = Path(settings.MEDIA_ROOT) / "official" / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "indicator_6-2-1.csv").write_text(
            "Year,Sex,Value\n2015,,70\n2020,,80\n2020,Female,60\n2020,Male,81\n", encoding="utf-8")
    yield project, users
    with django_db_blocker.unblock():
        import shutil

        from django.contrib.auth import get_user_model

        from lnob.forms.models import Form
        from lnob.records.models import Record

        shutil.rmtree(folder, ignore_errors=True)
        Record.objects.filter(project=project).delete()
        Form.objects.filter(project=project).delete()
        org = project.organisation
        project.delete()
        if not org.projects.exists():
            org.delete()
        get_user_model().objects.filter(username__in=[u.username for u in users.values()] + ["demo"]).delete()


@pytest.fixture
def as_role(client, demo):
    _project, users = demo

    def login(role):
        client.logout()
        if role:
            client.force_login(users[role])
        return client

    return login


@pytest.fixture
def searched(as_role):
    """The furthest-behind search of sanitation and health insurance, run by an analyst."""
    r = as_role("analyst").post(PAGE + "run/", {"indicator": [SAN, INS]})
    assert r.status_code == 302 and r["Location"] == PAGE
    return as_role


def _groups(findings, indicator):
    return {f["group"] for f in findings if f["indicator"] == indicator}


def test_project_page_finds_the_worse_off_and_not_the_equal(searched):
    r = searched("analyst").get(PAGE)
    assert r.status_code == 200
    found = r.context["findings"]
    san, ins = _groups(found, SAN), _groups(found, INS)
    # worse off by construction: ethnic minorities (Hmong furthest) and rural people on sanitation,
    # migrants on health insurance
    assert {"Ethnic minority", "Rural"} <= san, san
    # equal by construction: women = men on sanitation; persons with disabilities = everyone on
    # insurance; minorities are better insured
    assert not {"Female", "Male"} & san
    assert not {"Persons with disability", "Ethnic minority"} & ins
    # every finding of health insurance (its own page lists them all): migrants are behind
    ins_all = {f["group"] for f in searched("analyst").get(f"{PAGE}indicators/{INS}/").context["findings"]}
    assert "Migrant (another province or abroad)" in ins_all, ins_all
    assert not {"Persons with disability", "Ethnic minority", "Female", "Male"} & ins_all
    html = r.content.decode()
    # each finding has its sentence, estimate, CI, n and q-value
    mino = next(f for f in found if f["indicator"] == SAN and f["group"] == "Ethnic minority")
    assert mino["sentence"].startswith("Ethnic-minority people — Population using at least basic sanitation")
    assert mino["ci"] and mino["n"] and mino["q"] and mino["sentence"] in html
    assert "q-value" in html and 'class="behind"' in html
    assert 'href="/p/demo/left-behind/indicators/basic_sanitation/"' in html
    # ranked: the largest gap (percentage points) first among the reliable findings
    reliable = [f for f in found if not f["flags"]]
    gaps = [float(f["gap"].split()[0]) for f in reliable]
    assert gaps == sorted(gaps, key=lambda g: -abs(g))


def test_search_results_are_cached_by_provenance(searched, demo):
    from lnob.web.pages import equity_compute as ec
    from lnob.web.pages.evidence_data import _stored

    project, _u = demo
    stored = _stored(project)
    key = ec.cache_key(project, stored, [SAN], "search", ec.DEPTH, ec.MIN_N, ec.FDR)
    assert ec.cached(key) is not None
    assert (ec._cache_dir() / (key.split(":")[1] + ".json")).is_file()
    # a new data snapshot gives a new key: a cached result is never stale
    stored[SAN].snapshot_hash = "changed"
    assert ec.cache_key(project, stored, [SAN], "search", ec.DEPTH, ec.MIN_N, ec.FDR) != key


def test_indicator_page_gaps_with_a_chosen_reference(as_role, demo):
    from lnob.indicators.services import results

    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=ethnic_group&reference=MAJORITY")
    assert r.status_code == 200
    g = r.context["gaps"]
    assert g["reference"] == "Majority (Kinh)" and "reference_error" not in r.context
    rows = {x["label"]: x for x in g["rows"]}
    mino = rows["Ethnic minority"]
    assert mino["total"] and mino["reference"] and mino["best"]
    # the gap to the whole population is the difference of the dashboard's figures
    res = {tuple(x["groups"].items()): x["estimate"] for x in results("demo", SAN)}
    diff = (res[(("ethnic_group", "MINORITY"),)] - res[()]) * 100
    assert float(mino["total"]["d"]["value"].split()[0]) == pytest.approx(diff, abs=0.051)
    # minorities are behind the majority: the whole interval of the difference is below 0
    low, high = [float(v.split()[0]) for v in mino["reference"]["d"]["ci"].split(" – ")]
    assert high < 0 and low < high
    html = r.content.decode()
    assert "Gap to the reference group" in html and "Ratio to the best-off group" in html


def test_unknown_reference_group_is_a_clear_message(as_role):
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=sex&reference=nobody")
    assert r.status_code == 200
    msg = r.context["reference_error"]
    assert "There is no group “nobody” in “Sex”" in msg and "choose one of: Female, Male" in msg
    assert r.context["gaps"]["reference"] is None and r.context["gaps"]["rows"]  # the rest still shows
    assert 'role="alert"' in r.content.decode()
    # an ordered reference of an unordered dimension
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=sex&reference=most-advantaged")
    assert "needs an ordered dimension" in r.context["reference_error"]


def test_ordered_measures_only_for_ordered_dimensions(as_role):
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=sex&measures=ordered")
    assert "“Sex” has no natural order" in r.context["measures_error"]
    assert "ineq" not in r.context
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=wealth&measures=ordered&reference=most-advantaged")
    assert "measures_error" not in r.context and "reference_error" not in r.context
    labels = {m["label"]: m for m in r.context["ineq"]["measures"]}
    assert set(labels) == {"Slope index of inequality", "Relative index of inequality",
                           "Absolute concentration index", "Relative concentration index"}
    assert labels["Slope index of inequality"]["value"] != "–"
    assert r.context["gaps"]["reference"] == "Quintile 5"
    # the unordered measures of an unordered dimension
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=ethnicity&measures=unordered")
    names = {m["label"] for m in r.context["ineq"]["measures"]}
    assert "Theil index" in names and "Slope index of inequality" not in names


def test_tree_findings_and_official_values_on_the_indicator_page(as_role):
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=sex")
    tree = r.context["tree"]
    assert tree["rows"][0]["condition"] == "Everyone" and 2 <= tree["leaves"]
    assert sum(x["behind"] for x in tree["rows"]) == 1 and float(tree["d_index"]) > 0
    found = {f["group"]: f for f in r.context["findings"]}
    assert {"Ethnic minority", "Hmong (H'Mông)", "Rural"} <= set(found) and not {"Female", "Male"} & set(found)
    # Hmong: 232 respondents but fewer than 8 degrees of freedom at 600 households: flagged, listed last
    assert found["Hmong (H'Mông)"]["flags"] and not found["Ethnic minority"]["flags"]
    # the official series: the headline and women are compared, with significance flags
    off = {o["group"]: o for o in r.context["official_groups"]}
    assert off["Female"]["official"] == "60.0" and off["Female"]["significant"]
    assert off["Male"]["official"] == "81.0" and not off["Male"]["significant"]
    assert r.context["official"] and r.context["official"][0]["official"] == "80.0"
    # htmx asks for the body only
    r = as_role("analyst").get(f"{PAGE}indicators/{SAN}/?by=sex", HTTP_HX_REQUEST="true")
    assert r.content.decode().lstrip().startswith('<div id="lb-body"')


def test_data_gap_matrix_and_progress(as_role):
    r = as_role("viewer").get(PAGE)
    m = r.context["gap_matrix"]
    dims = [d for d, _l in m["dims"]]
    row = next(x for x in m["rows"] if x["id"] == SAN)
    cells = dict(zip(dims, (c["status"] for c in row["cells"])))
    assert cells["sex"] == "both" and cells["ethnicity"] == "community"
    # 70 -> 80 from 2015 to 2020: CAGR 2.7 % a year, above Open SDG's 1.5 %
    assert row["progress"] == "substantial progress"
    other = next(x for x in m["rows"] if x["id"] == INS)
    assert not other["official"] and "official" not in {c["status"] for c in other["cells"]}


def test_mpi_agrees_with_a_direct_count(as_role, demo):
    from lnob.equity.leftbehind import MPI_DIMENSIONS
    from lnob.web.pages import equity_compute as ec
    from lnob.web.pages.evidence_data import _stored

    project, _u = demo
    r = as_role("analyst").get(PAGE + "?by=urbanisation")
    mpi = r.context["mpi"]
    assert mpi["by"] == "urbanisation" and {g["label"] for g in mpi["groups"]} >= {"Urban", "Rural"}
    shares = [float(c["share"].rstrip(" %")) for c in mpi["contrib"]]
    assert sum(shares) == pytest.approx(100, abs=0.3)
    # H counted directly: global MPI weights over the demo's five deprivations, poor when score >= 1/3
    stored = _stored(project)
    ids = [i for i in MPI_DIMENSIONS if i in stored]
    w = {i: Fraction(1, 2) if i == "mpi_dep_school_attendance" else Fraction(1, 2 * (len(ids) - 1)) for i in ids}
    assert sum(w.values()) == 1
    t = ec.Tables(project, ids)
    try:
        tab = next(iter(t.tables.values()))
        cols = ", ".join(f'"{tab.columns[i]}"' for i in ids)
        data = t.con.execute(f'SELECT "{tab.design.weights}", {cols} FROM "{tab.table}"').fetchall()
    finally:
        t.close()
    num = den = 0.0
    for row in data:
        if any(v is None for v in row[1:]):
            continue
        score = sum(w[i] * int(v) for i, v in zip(ids, row[1:]))
        den += row[0]
        num += row[0] * (score >= Fraction(1, 3))
    assert float(mpi["H"]["value"].rstrip(" %")) == pytest.approx(100 * num / den, abs=0.051)
    assert "Contribution of each indicator to M0" in r.content.decode()


def test_permissions(as_role, demo):
    url = f"{PAGE}indicators/{SAN}/"
    assert as_role(None).get(PAGE).status_code == 302
    assert as_role("stranger").get(PAGE).status_code == 403
    assert as_role("stranger").get(url).status_code == 403
    for role in ("viewer", "enumerator"):
        c = as_role(role)
        assert c.get(PAGE).status_code == 200 and c.get(url).status_code == 200
        assert c.post(PAGE + "run/", {"indicator": [SAN]}).status_code == 403
    assert as_role("analyst").get(url).context["full"] is True
    v = as_role("viewer").get(url + "?by=sex")
    assert v.context["full"] is False and "tree" not in v.context  # the tree is for results.view
    assert "Unpublished analysis" not in v.content.decode()
    assert as_role("analyst").get(f"{PAGE}indicators/nothing/").status_code == 404
    assert as_role("analyst").get(url + "?by=nothing").status_code == 404


def test_viewers_see_only_published_figures(searched, demo):
    """Small-n suppression applies to the findings, the gap table and the MPI's groups."""
    from lnob.disclosure.model import domain_key
    from lnob.web.pages.evidence_data import Labels, _library, _stored, release

    project, _u = demo
    old = dict(project.survey_design)
    project.survey_design = {**old, "disclosure": {"threshold": 60, "sensitive_threshold": 60}}
    project.save()
    try:
        stored = _stored(project)
        rel = release(project, stored)
        published = {k for k, r in rel.items() if not r["suppressed"]}
        v = searched("viewer").get(PAGE + "?by=ethnicity")
        a = searched("analyst").get(PAGE + "?by=ethnicity")
        vf, af = v.context["findings"], a.context["findings"]
        assert vf and len(vf) < len(af)
        for f in vf:  # every finding a viewer sees is a published cell, with its published n
            assert (f["indicator"], domain_key(f["groups"])) in published, f
            assert int(f["n"].replace(",", "")) >= 60, f
        assert any(int(f["n"].replace(",", "")) < 60 for f in af)
        assert any(g.get("suppressed") for g in v.context["mpi"]["groups"])
        assert not any(g.get("suppressed") for g in a.context["mpi"]["groups"])
        g = searched("viewer").get(f"{PAGE}indicators/{SAN}/?by=ethnicity").context["gaps"]
        labels = Labels(project, _library())
        sup = {labels.cat("ethnicity", r["groups"]["ethnicity"]) for (ind, _k), r in rel.items()
               if ind == SAN and list(r["groups"]) == ["ethnicity"] and r["suppressed"]}
        shown = {x["label"] for x in g["rows"]}
        assert sup and g["hidden"] and not sup & shown
        assert all(int(x["n"].replace(",", "")) >= 60 for x in g["rows"])
    finally:
        project.survey_design = old
        project.save()


R_MPI = r"""
suppressMessages({library(survey); library(jsonlite)})
args <- commandArgs(TRUE)
d <- read.csv(args[1], check.names = FALSE, stringsAsFactors = FALSE)
w <- fromJSON(args[2])                      # integer weights L*w_j and L*k
s <- as.matrix(d[, names(w$weights)]) %*% unlist(w$weights)
d$poor <- as.numeric(s >= w$k)
d$ck <- d$poor * s / w$L
bad <- rowSums(is.na(d[, names(w$weights)])) > 0
d$poor[bad] <- NA; d$ck[bad] <- NA
options(survey.lonely.psu = "adjust")
des <- svydesign(ids = ~design_village + `_instance_id`, strata = ~design_stratum,
                 fpc = ~design_fpc_villages + design_fpc_households, weights = ~design_weight, data = d)
m <- svymean(~poor + ck, des, na.rm = TRUE)
r <- svyratio(~ck, ~poor, subset(des, !is.na(poor)))
out <- list(H = c(coef(m)[["poor"]], SE(m)[["poor"]]), M0 = c(coef(m)[["ck"]], SE(m)[["ck"]]),
            A = c(coef(r)[1], SE(r)[1]))
for (g in sort(unique(d$urbanisation))) {
  sub <- subset(des, urbanisation == g & !is.na(poor))
  mg <- svymean(~poor + ck, sub)
  rg <- svyratio(~ck, ~poor, sub)
  out[[g]] <- list(H = c(coef(mg)[["poor"]], SE(mg)[["poor"]]), M0 = c(coef(mg)[["ck"]], SE(mg)[["ck"]]),
                   A = c(coef(rg)[1], SE(rg)[1]))
}
cat(toJSON(out, digits = NA, auto_unbox = TRUE))
"""


@pytest.mark.r
def test_mpi_of_the_page_agrees_with_r_survey(demo, tmp_path):
    """H, A and M0 with their SEs, whole sample and by urban/rural, as R survey computes them from
    the same analysis table and the project's design (lonely PSUs adjusted, as the runner does)."""
    import csv
    import json
    import math
    import shutil
    import subprocess

    from lnob.web.pages import equity_compute as ec
    from lnob.web.pages.evidence_data import _stored

    if shutil.which("Rscript") is None or subprocess.run(
            ["Rscript", "-e", "suppressMessages({library(survey); library(jsonlite)})"],
            capture_output=True).returncode != 0:
        pytest.skip("Rscript with the survey and jsonlite packages is not installed")
    project, _u = demo
    stored = _stored(project)
    got = ec.mpi_for(project, stored, "urbanisation")
    weights = {i: Fraction(w) for i, w in got["weights"].items()}
    L = math.lcm(*(w.denominator for w in weights.values()), 3)
    t = ec.Tables(project, list(weights), ["urbanisation"])
    try:
        tab = next(iter(t.tables.values()))
        des = tab.design
        cols = [des.weights, des.strata, *des.clusters, *des.fpc]
        sel = ", ".join([f'"{c}"' for c in cols] + ['"d_urbanisation"']
                        + [f'CAST("{tab.columns[i]}" AS INTEGER)' for i in weights])
        rows = t.con.execute(f'SELECT {sel} FROM "{tab.table}"').fetchall()
    finally:
        t.close()
    path = tmp_path / "mpi.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols + ["urbanisation"] + list(weights))
        w.writerows([["NA" if v is None else v for v in r] for r in rows])
    spec = {"weights": {i: int(x * L) for i, x in weights.items()}, "k": int(Fraction(got["k"]) * L), "L": L}
    proc = subprocess.run(["Rscript", "-e", R_MPI, str(path), json.dumps(spec)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = json.loads(proc.stdout)
    recs = [(got["whole"], r)] + [(g, r[g["urbanisation"]]) for g in got["groups"] if g["urbanisation"] in r]
    assert len(recs) >= 3
    for ours, theirs in recs:
        for m in ("H", "A", "M0"):
            assert ours[m]["estimate"] == pytest.approx(theirs[m][0], rel=1e-9), (m, ours, theirs)
            assert ours[m]["se"] == pytest.approx(theirs[m][1], rel=1e-6), (m, ours, theirs)


def test_running_the_search_stops_at_its_time_budget(as_role, demo, monkeypatch):
    """A request never runs past its budget: what is left is said, and runs on the next press."""
    from lnob.web.pages import equity_compute as ec

    monkeypatch.setattr(ec, "RUN_BUDGET", 0.0)  # the first indicator starts, no second one
    c = as_role("analyst")
    r = c.post(PAGE + "run/", {"indicator": ["basic_drinking_water", "school_attendance"]}, follow=True)
    text = " ".join(str(m) for m in r.context["messages"])
    assert "The search has run for 1 indicators; 1 remain" in text
    missing = {k for k, _t in c.get(PAGE).context["missing"]}
    assert len({"basic_drinking_water", "school_attendance"} & missing) == 1
