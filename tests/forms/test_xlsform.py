"""XLSForm conversion: small forms as markdown tables (like pyxform's own tests), the shipped
LNOB household questionnaire, and a real third-party XLSForm."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lnob.errors import InputError, LnobError
from lnob.forms.xlsform import convert, language_code, list_fields

DATA = Path(__file__).resolve().parents[1] / "data" / "xlsform"
REACH = DATA / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"

HOUSEHOLD_MD = """
| survey   |                    |           |                     |                        |                |
|          | type               | name      | label::English (en) | label::Vietnamese (vi) | lnob::personal |
|          | begin_group        | wash      | Water               | Nước                   |                |
|          | select_one source  | source    | Main source         | Nguồn chính            |                |
|          | integer            | minutes   | Minutes             | Phút                   |                |
|          | end_group          |           |                     |                        |                |
|          | begin_repeat       | roster    | Members             | Thành viên             |                |
|          | text               | name      | Name                | Tên                    | yes            |
|          | begin_group        | wg        | WG                  | WG                     |                |
|          | select_one d       | seeing    | Seeing              | Nhìn                   |                |
|          | end_group          |           |                     |                        |                |
|          | end_repeat         |           |                     |                        |                |
|          | select_multiple a  | assets    | Assets              | Tài sản                |                |
| choices  |                    |           |                     |                        |                |
|          | list_name          | name      | label::English (en) | label::Vietnamese (vi) | jmp            |
|          | source             | piped     | Piped               | Nước máy               | improved       |
|          | source             | surface   | Surface             | Nước mặt               | surface        |
|          | d                  | no        | No difficulty       | Không                  |                |
|          | d                  | lot       | A lot               | Rất khó                |                |
|          | a                  | tv        | TV                  | Ti vi                  |                |
|          | a                  | radio     | Radio               | Đài                    |                |
| settings |                    |           |                     |                        |                |
|          | form_id            | version   | form_title          | default_language       |                |
|          | hh                 | 7         | Household           | English (en)           |                |
"""


def md(text: str) -> bytes:
    return text.encode("utf-8")


def test_markdown_form_converts_with_fields_and_languages():
    c = convert(md(HOUSEHOLD_MD), "hh.md")
    assert (c.form_id, c.version, c.title, c.version_derived) == ("hh", "7", "Household", False)
    assert c.languages == ["English (en)", "Vietnamese (vi)"]
    assert [language_code(lang) for lang in c.languages] == ["en", "vi"]
    assert c.default_language == "English (en)"
    assert c.warnings == []
    assert c.sha256 == hashlib.sha256(md(HOUSEHOLD_MD)).hexdigest()
    assert c.xform_md5 == hashlib.md5(c.xform.encode()).hexdigest()
    assert '<hh id="hh" version="7">' in c.xform or 'id="hh" version="7"' in c.xform
    fields = {f.column: f for f in c.fields()}
    assert list(fields) == ["wash__source", "wash__minutes", "assets", "name", "wg__seeing"] or \
        set(fields) == {"wash__source", "wash__minutes", "assets", "name", "wg__seeing"}
    src = fields["wash__source"]
    assert (src.path, src.type, src.kind, src.list_name, src.repeat) == (
        "wash/source", "select one", "select_one", "source", None)
    assert src.labels == {"English (en)": "Main source", "Vietnamese (vi)": "Nguồn chính"}
    assert fields["wash__minutes"].kind == "integer"
    assert fields["assets"].kind == "select_multiple"
    assert fields["name"].repeat == "roster" and fields["name"].personal is True
    assert fields["wg__seeing"].repeat == "roster" and fields["wg__seeing"].path == "roster/wg/seeing"
    assert not fields["wash__source"].personal
    # extra choice columns pass through pyxform
    assert c.survey_json["choices"]["source"][0]["jmp"] == "improved"
    assert [r.key for r in c.schema.repeats] == ["roster"]
    assert list_fields(c.survey_json) == c.fields()


def test_version_derived_from_the_file_hash_is_stable_and_in_the_xform():
    text = HOUSEHOLD_MD.replace("| hh                 | 7         |", "| hh                 |           |")
    a = convert(md(text), "hh.md")
    b = convert(md(text), "hh.md")
    assert a.version_derived and a.version == b.version == a.sha256[:12]
    assert f'version="{a.version}"' in a.xform


BROKEN_DUPLICATE = """
| survey |          |      |       |
|        | type     | name | label |
|        | integer  | age  | Age   |
|        | integer  | age  | Age 2 |
"""
BROKEN_TYPE = """
| survey |          |      |       |
|        | type     | name | label |
|        | intger   | age  | Age   |
"""
BROKEN_REFERENCE = """
| survey |          |      |       |           |
|        | type     | name | label | relevant  |
|        | integer  | age  | Age   |           |
|        | text     | why  | Why   | ${agee} > 5 |
"""


def test_broken_form_reports_sheet_and_row():
    with pytest.raises(InputError) as exc:
        convert(md(BROKEN_DUPLICATE), "broken.md")
    err = exc.value
    assert err.code == "forms.xlsform-invalid"
    assert "survey sheet, row 3" in err.where
    assert err.hint and "name" in err.hint
    assert isinstance(err, LnobError) and "[row" not in err.message


def test_broken_reference_names_row_and_column():
    with pytest.raises(InputError) as exc:
        convert(md(BROKEN_REFERENCE), "broken.md")
    assert "survey sheet, row 3" in exc.value.where
    assert "relevant" in exc.value.where


def test_unknown_type_suggests_the_right_one():
    with pytest.raises(InputError) as exc:
        convert(md(BROKEN_TYPE), "broken.md")
    assert exc.value.code == "forms.xlsform-invalid"
    assert "integer" in exc.value.hint


def test_unreadable_and_wrong_files():
    with pytest.raises(InputError) as exc:
        convert(b"this is not a workbook", "form.xlsx")
    assert exc.value.code == "forms.unreadable"
    with pytest.raises(InputError) as exc:
        convert(b"x", "form.pdf")
    assert exc.value.code == "forms.not-xlsform"
    with pytest.raises(InputError) as exc:
        convert(Path("/nonexistent/form.xlsx"))
    assert exc.value.code == "forms.file-missing"
    with pytest.raises(InputError) as exc:
        convert(b"x")
    assert exc.value.code == "forms.no-filename"


def test_pyxform_warnings_become_problems_with_rows():
    text = """
| survey |              |        |
|        | type         | name   | label |
|        | begin_repeat | people |       |
|        | text         | name   | Name  |
|        | end_repeat   |        |       |
"""
    c = convert(md(text), "w.md")
    assert c.warnings, "pyxform warns about a repeat without a label"
    w = c.warnings[0]
    assert w.level == "warning" and w.code == "forms.xlsform-warning"
    assert w.where == "survey sheet, row 2"


def test_real_reach_msna_form_converts():
    c = convert(REACH)
    assert c.form_id == "REACH_2024_MSNA-kobo-tool_draft_v11"
    assert c.version_derived  # no version in its settings sheet
    assert c.languages == ["english", "french"]
    assert [r.key for r in c.schema.repeats] == ["roster", "edu_ind", "health_ind", "nut_ind"]
    fields = {f.column: f for f in c.fields()}
    assert len(fields) > 200
    assert all(w.level == "warning" for w in c.warnings)
    assert any(w.where and "row 32" in w.where for w in c.warnings)
    wg = [f for f in c.fields() if f.name.startswith("wgq_")]
    assert wg and all(f.kind == "select_one" for f in wg)
