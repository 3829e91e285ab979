"""add_form's versioning rules (ODK Central's) and list_forms."""

from __future__ import annotations

import pytest

from lnob.core import services
from lnob.errors import AlreadyExists, InputError, NotFound
from lnob.forms.models import Form, FormVersion
from lnob.forms.services import add_form, get_form, library_form, list_forms

pytestmark = pytest.mark.django_db

FORM = """
| survey   |          |          |           |
|          | type     | name     | label     |
|          | text     | village  | Village   |
|          | integer  | members  | Members   |
| settings |          |          |           |
|          | form_id  | version  | form_title|
|          | visit    | {v}      | Visit     |
"""


@pytest.fixture
def project():
    return services.create_project("wash", "WASH survey", org="Dalit Rights Network")


def write(tmp_path, text, name="visit.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_same_file_twice_gives_no_new_version(project, tmp_path):
    path = write(tmp_path, FORM.format(v="1"))
    fv, created = add_form(project, path)
    assert created and fv.version == "1" and fv.form.form_id == "visit" and fv.form.title == "Visit"
    again, created = add_form(project, path)
    assert not created and again.pk == fv.pk
    assert FormVersion.objects.count() == 1 and Form.objects.count() == 1
    assert fv.xlsform_name == "visit.md" and bytes(fv.xlsform) == path.read_bytes()
    assert fv.survey_json["id_string"] == "visit" and fv.xform_md5


def test_changed_file_with_new_version(project, tmp_path):
    v1, _ = add_form(project, write(tmp_path, FORM.format(v="1")))
    changed = FORM.format(v="2").replace("| Members   |", "| People    |")
    v2, created = add_form(project, write(tmp_path, changed))
    assert created and v2.version == "2" and v2.form_id == v1.form_id
    assert v2.form.current_version == v2


def test_changed_content_same_version_is_refused(project, tmp_path):
    add_form(project, write(tmp_path, FORM.format(v="1")))
    changed = FORM.format(v="1").replace("| Members   |", "| People    |")
    with pytest.raises(InputError) as exc:
        add_form(project, write(tmp_path, changed))
    assert exc.value.code == "forms.version-unchanged"
    assert "version" in exc.value.hint and "settings sheet" in exc.value.where
    assert FormVersion.objects.count() == 1


def test_old_file_again_is_refused(project, tmp_path):
    add_form(project, write(tmp_path, FORM.format(v="1")))
    add_form(project, write(tmp_path, FORM.format(v="2")))
    with pytest.raises(AlreadyExists) as exc:
        add_form(project, write(tmp_path, FORM.format(v="1")))
    assert exc.value.code == "forms.version-exists"


def test_no_version_in_settings_uses_the_hash(project, tmp_path):
    text = FORM.format(v="")
    fv, created = add_form(project, write(tmp_path, text))
    assert created and fv.version == fv.source_sha256[:12]
    fv2, created = add_form(project, write(tmp_path, text.replace("| Members   |", "| People    |")))
    assert created and fv2.version != fv.version


def test_upload_bytes_and_list_forms(project, tmp_path):
    fv, _ = add_form(project, None, content=FORM.format(v="1").encode(), filename="visit.md")
    add_form(project, library_form("lnob_household"))
    forms = list_forms(project)
    assert [f.form_id for f in forms] == ["lnob_household", "visit"]
    assert [(f.n_versions, f.n_records) for f in forms] == [(1, 0), (1, 0)]
    assert get_form(project, "visit") == fv.form
    with pytest.raises(NotFound) as exc:
        get_form(project, "vist")
    assert "visit" in exc.value.hint


def test_same_form_id_in_two_projects_is_independent(project, tmp_path):
    other = services.create_project("other", "Other")
    path = write(tmp_path, FORM.format(v="1"))
    a, _ = add_form(project, path)
    b, created = add_form(other, path)
    assert created and a.form_id != b.form_id


def test_library_form_unknown_name():
    with pytest.raises(NotFound) as exc:
        library_form("lnob_househld")
    assert "lnob_household" in exc.value.hint
