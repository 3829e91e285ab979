"""lnob forms add / list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import lnob

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("forms")
    assert lnob("init", home=home).code == 0
    assert lnob("project", "create", "msna", "--name", "MSNA", home=home).code == 0
    return home


def test_real_reach_form_loads_and_lists(home):
    path = ROOT / "data" / "xlsform" / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
    r = lnob("forms", "add", "msna", str(path), home=home)
    assert r.code == 0, r.err
    assert "Added form" in r.out and "english, french" in r.out
    assert "survey sheet, row" in r.err, "pyxform warnings are shown with sheet and row"
    again = lnob("forms", "add", "msna", str(path), home=home)
    assert again.code == 0 and "unchanged" in again.out
    listed = json.loads(lnob("forms", "list", "msna", "--format", "json", home=home).out)
    assert [f["versions"] for f in listed] == [1] and listed[0]["records"] == 0


def test_broken_form_is_one_line_error(home, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("| survey |  |  |  |\n|  | type | name | label |\n|  | begin_group | g | G |\n")
    r = lnob("forms", "add", "msna", str(bad), home=home)
    assert r.code == 1 and "forms.xlsform-invalid" in r.err and "row 2" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_unknown_project(home, tmp_path):
    r = lnob("forms", "list", "nope", home=home)
    assert r.code == 1 and "core.unknown-project" in r.err


def test_forms_add_with_media(home, tmp_path):
    form = tmp_path / "m.md"
    form.write_text("| survey |  |  |  |  |\n|  | type | name | label | image |\n|  | text | v | V | logo.png |\n"
                    "| settings |  |  |  |  |\n|  | form_id | version |  |  |\n|  | media_form | 1 |  |  |\n")
    r = lnob("forms", "add", "msna", str(form), home=home)
    assert r.code == 0 and "logo.png" in r.err, "a missing media file is pointed out"
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    form.write_text(form.read_text().replace("| media_form | 1 |", "| media_form | 2 |"))
    r = lnob("forms", "add", "msna", str(form), "--media", str(logo), home=home)
    assert r.code == 0 and "logo.png" not in r.err, r.err
    r = lnob("forms", "add", "msna", str(form), "--media", str(tmp_path / "nope.png"), home=home)
    assert r.code == 1 and "forms.media-unreadable" in r.err
