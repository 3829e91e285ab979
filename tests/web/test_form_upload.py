"""Uploading XLSForms from the project page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lnob.core import services
from lnob.forms.models import FormVersion

pytestmark = pytest.mark.django_db

GOOD = """| survey   |         |         |          |
|          | type    | name    | label    |
|          | integer | members | Members  |
| settings |         |         |          |
|          | form_id | version | form_title |
|          | visit   | {v}     | Visit    |
"""
BROKEN = """| survey |             |      |       |
|        | type        | name | label |
|        | begin_group | g    | G     |
|        | integer     | age  | Age   |
"""


@pytest.fixture
def project():
    return services.create_project("wash", "WASH", org="Org")


def _login(client, project, role):
    user = services.create_user("u_" + role, "a-long-passphrase", validate=False)
    services.grant_role(user, project, role)
    client.force_login(user)


def _upload(client, text, name="visit.md"):
    f = SimpleUploadedFile(name, text.encode(), "text/markdown")
    return client.post(reverse("form-upload", args=["wash"]), {"xlsform": f}, follow=True)


def test_manager_uploads_new_form_then_new_version(client, project):
    _login(client, project, "manager")
    page = _upload(client, GOOD.format(v="1"))
    assert "version 1 added" in page.content.decode()
    _upload(client, GOOD.format(v="1"))
    assert FormVersion.objects.count() == 1, "the same file again adds nothing"
    _upload(client, GOOD.format(v="2").replace("Members", "People living here"))
    assert sorted(FormVersion.objects.values_list("version", flat=True)) == ["1", "2"]
    page = client.get(reverse("project", args=["wash"]))
    assert page.context["forms"][0].versions.count() == 2


def test_broken_form_shows_sheet_row_and_hint(client, project):
    _login(client, project, "owner")
    page = _upload(client, BROKEN, "broken.md").content.decode()
    assert "survey sheet, row 2" in page and "end_group" in page
    assert FormVersion.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "enumerator", "analyst"])
def test_lower_roles_cannot_upload(client, project, role):
    _login(client, project, role)
    f = SimpleUploadedFile("visit.md", GOOD.format(v="1").encode())
    assert client.post(reverse("form-upload", args=["wash"]), {"xlsform": f}).status_code == 403
    assert FormVersion.objects.count() == 0
    assert b'name="xlsform"' not in client.get(reverse("project", args=["wash"])).content


def test_anonymous_is_sent_to_login(client, project):
    assert client.post(reverse("form-upload", args=["wash"])).status_code == 302


def test_upload_with_media(client, project):
    _login(client, project, "manager")
    form = GOOD.format(v="1").replace("| label    |", "| label    |")
    f = SimpleUploadedFile("visit.md", form.encode(), "text/markdown")
    m = SimpleUploadedFile("villages.csv", b"name,label\na,A\n", "text/csv")
    client.post(reverse("form-upload", args=["wash"]), {"xlsform": f, "media": [m]}, follow=True)
    version = FormVersion.objects.get()
    assert [x.filename for x in version.media.all()] == ["villages.csv"]


def test_form_page_lists_versions_questions_and_personal_suggestions(client, project):
    _login(client, project, "manager")
    text = GOOD.format(v="1").replace("| integer | members | Members  |", "| integer | members | Members  |\n|          | text    | phone   | Phone    |")
    _upload(client, text)
    page = client.get(reverse("form", args=["wash", "visit"])).content.decode()
    assert "<code>members</code>" in page and "<code>phone</code>" in page
    assert "phone number" in page, "an unmarked phone field is suggested as personal"
    dl = client.get(reverse("form-version-download", args=["wash", "visit", "1"]))
    assert dl.status_code == 200 and dl.content == text.encode()
