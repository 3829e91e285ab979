"""``lnob coalition …`` through the real CLI (a subprocess, a fresh workspace)."""

from __future__ import annotations

import csv
import io
import json

from helpers import lnob


def test_create_harmonise_and_errors(tmp_path):
    from lnob.indicators.definitions import load_library, spec_hash

    home = tmp_path / "ws"
    r = lnob("init", home=home)
    assert r.code == 0, r.err
    r = lnob("coalition", "create", "LNOB Global", "--level", "global", home=home)
    assert r.code == 0 and r.out.strip() == "lnob-global", r.err
    r = lnob("coalition", "create", "LNOB Viet Nam", "--level", "national", "--country", "vn",
             "--parent", "lnob-global", home=home)
    assert r.code == 0 and r.out.strip() == "lnob-viet-nam", r.err
    r = lnob("coalition", "create", "X", "--level", "regional", home=home)
    assert r.code == 2 and "[coalition.bad-level]" in r.err
    r = lnob("coalition", "create", "Y", "--level", "national", home=home)
    assert r.code != 0 and "[coalition.no-country]" in r.err
    r = lnob("coalition", "join", "lnob-viet-nam", "--organisation", "nobody", home=home)
    assert r.code != 0 and "[coalition.unknown-organisation]" in r.err
    r = lnob("coalition", "indicators", "lnob-viet-nam", "--add", "basic_sanitation,child_marriage",
             "--format", "json", home=home)
    assert r.code == 0, r.err
    listed = {i["indicator"]: i for i in json.loads(r.out)}
    lib = load_library()
    for ident in ("basic_sanitation", "child_marriage"):
        assert listed[ident]["definition_hash"] == spec_hash(lib.indicator(ident).spec)
    r = lnob("coalition", "indicators", "lnob-viet-nam", "--add", "no_such_indicator", home=home)
    assert r.code != 0 and "no_such_indicator" in r.err
    r = lnob("coalition", "results", "lnob-viet-nam", "--format", "csv", home=home)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    # nothing published: every cell of every harmonised indicator is absent (no members yet)
    assert rows == []
    r = lnob("coalition", "publish", "nope", "--coalition", "lnob-viet-nam", home=home)
    assert r.code != 0 and "[core.unknown-project]" in r.err


def test_coalition_permission_matrix_in_docs_matches_code():
    from pathlib import Path

    from lnob.core.roles import COALITION_PERMISSIONS, COALITION_ROLES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text(encoding="utf-8")
    block = doc.split("<!-- coalition-matrix:start")[1].split("<!-- coalition-matrix:end -->")[0]
    documented = {}
    for row in (r for r in block.splitlines() if r.startswith("| `")):
        cells = [c.strip() for c in row.strip("|").split("|")]
        documented[cells[0].strip("`")] = frozenset(r for r, c in zip(COALITION_ROLES, cells[1:]) if c == "yes")
    assert documented == COALITION_PERMISSIONS
