"""Rerun tests/stats/r/make_fixtures.R with the installed R and compare lnob with its output."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from lnob.stats import connect

from .conftest import CASES, HERE
from .test_against_r import compare

pytestmark = pytest.mark.r


def _r_available() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    probe = subprocess.run(
        ["Rscript", "-e", "suppressMessages({library(survey); library(jsonlite)})"],
        capture_output=True, text=True,
    )
    if probe.returncode != 0:
        return "R packages survey and jsonlite are not installed"
    return None


def test_live_r_agrees(tmp_path, data_dir):
    reason = _r_available()
    if reason:
        pytest.skip(reason)
    proc = subprocess.run(
        ["Rscript", str(HERE / "r" / "make_fixtures.R"), str(HERE / "cases.json"),
         str(data_dir / "survey_microdata"), str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    problems = []
    with connect("duckdb") as eng:
        loaded = {}
        for case in CASES:
            if case["data"] not in loaded:
                loaded[case["data"]] = eng.load(data_dir / "survey_microdata" / case["data"])
            fixture = json.loads((tmp_path / f"{case['id']}.json").read_text())
            problems += [f"{case['id']}: {p}" for p in compare(case, fixture["results"], loaded[case["data"]])]
    assert not problems, "\n".join(problems[:25])
