"""The OpenRosa server, spoken to exactly as ODK Collect does (field-notes §1)."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid

import pytest
from defusedxml import ElementTree as ET
from django.core.files.uploadedfile import SimpleUploadedFile

from lnob.core import services
from lnob.forms.services import add_form
from lnob.records.models import Record
from helpers import Collect

pytestmark = pytest.mark.django_db

FORM_MD = """
| survey   |              |          |                  |
|          | type         | name     | label            |
|          | text         | village  | Village          |
|          | integer      | members  | Household members|
| settings |              |          |                  |
|          | form_id      | version  | form_title       |
|          | hh_visit     | 3        | Household visit  |
"""
NS = {"x": "http://openrosa.org/xforms/xformsList", "r": "http://openrosa.org/http/response"}
PASSWORD = "a-long-passphrase"


@pytest.fixture
def project(tmp_path):
    project = services.create_project("wash", "WASH survey", org="Dalit Rights Network")
    path = tmp_path / "hh_visit.md"
    path.write_text(FORM_MD)
    add_form(project, path)
    for name, role in [("enum", "enumerator"), ("viewer", "viewer"), ("owner", "owner")]:
        services.grant_role(services.create_user(name, PASSWORD), project, role)
    return project


def instance(instance_id=None, members=4, version="3", form_id="hh_visit", deprecated=None):
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    dep = f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else ""
    return (
        f'<?xml version="1.0"?><data id="{form_id}" version="{version}"><village>Khe Sanh</village>'
        f"<members>{members}</members><meta><instanceID>{instance_id}</instanceID>{dep}</meta></data>"
    ).encode(), instance_id


def test_form_list_download_and_manifest(client, project):
    c = Collect(client, "enum")
    resp = c.request("GET", "/openrosa/wash/formList")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/xml")
    root = ET.fromstring(resp.content)
    forms = root.findall("x:xform", NS)
    assert len(forms) == 1
    f = forms[0]
    assert f.find("x:formID", NS).text == "hh_visit"
    assert f.find("x:version", NS).text == "3"
    download = f.find("x:downloadUrl", NS).text
    xform = c.request("GET", download.replace("http://testserver", "")).content
    assert f.find("x:hash", NS).text == "md5:" + hashlib.md5(xform).hexdigest()
    assert b"hh_visit" in xform
    manifest = c.request("GET", f.find("x:manifestUrl", NS).text.replace("http://testserver", ""))
    assert manifest.status_code == 200 and b"xformsManifest" in manifest.content


def test_head_preflight(client, project):
    resp = Collect(client, "enum").request("HEAD", "/openrosa/wash/submission")
    assert resp.status_code == 204
    assert int(resp["X-OpenRosa-Accept-Content-Length"]) > 0


def test_submit_new_duplicate_conflict_and_edit(client, project):
    c = Collect(client, "enum")
    xml, iid = instance()
    first = c.submit(xml)
    assert first.status_code == 201
    msg = ET.fromstring(first.content).find("r:message", NS)
    assert msg.get("nature") == "submit_success"
    assert Record.objects.get(instance_id=iid).raw.encode() == xml, "raw kept byte for byte"
    assert c.submit(xml).status_code == 202, "an exact duplicate is accepted again"
    changed, _ = instance(iid, members=9)
    conflict = c.submit(changed)
    assert conflict.status_code == 409
    assert Record.objects.get(instance_id=iid).raw.encode() == xml, "the stored record is never rewritten"
    edit, new_iid = instance(members=5, deprecated=iid)
    assert c.submit(edit).status_code == 201
    new = Record.objects.get(instance_id=new_iid)
    assert new.deprecated_id == iid and Record.objects.filter(instance_id=iid).exists()


def test_multi_post_submission_merges_attachments(client, project):
    c = Collect(client, "enum")
    xml, iid = instance()
    assert c.submit(xml, ("photo1.jpg", b"\xff\xd8one")).status_code == 201
    assert c.submit(xml, ("photo2.jpg", b"\xff\xd8two")).status_code == 202
    record = Record.objects.get(instance_id=iid)
    names = sorted(a.filename for a in record.attachments.all())
    assert names == ["photo1.jpg", "photo2.jpg"]
    assert Record.objects.filter(instance_id=iid).count() == 1
    a = record.attachments.get(filename="photo2.jpg")
    assert a.file.read() == b"\xff\xd8two"


@pytest.mark.parametrize(
    "user, expected",
    [(None, 401), ("viewer", 403), ("enum", 201), ("owner", 201)],
)
def test_only_enumerators_and_above_submit(client, project, user, expected):
    xml, _ = instance()
    resp = Collect(client, user).submit(xml)
    assert resp.status_code == expected
    if expected == 401:
        assert resp["WWW-Authenticate"].startswith("Digest ")
        assert "Basic" not in resp["WWW-Authenticate"], "Basic only over HTTPS"


def test_wrong_password_is_401(client, project):
    xml, _ = instance()
    assert Collect(client, "enum", password="wrong-password").submit(xml).status_code == 401


def test_basic_over_https_only(client, project, settings):
    xml, _ = instance()
    token = base64.b64encode(f"enum:{PASSWORD}".encode()).decode()
    data = {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")}
    plain = client.post("/openrosa/wash/submission", data=data, HTTP_AUTHORIZATION=f"Basic {token}")
    assert plain.status_code == 401
    data = {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")}
    secure = client.post("/openrosa/wash/submission", data=data, HTTP_AUTHORIZATION=f"Basic {token}", secure=True)
    assert secure.status_code == 201
    settings.OPENROSA_ALLOW_BASIC_HTTP = True
    xml2, _ = instance()
    data = {"xml_submission_file": SimpleUploadedFile("s.xml", xml2, "text/xml")}
    dev = client.post("/openrosa/wash/submission", data=data, HTTP_AUTHORIZATION=f"Basic {token}")
    assert dev.status_code == 201


def test_anonymous_submission_is_off_by_default_and_can_be_enabled(client, project):
    xml, _ = instance()
    assert Collect(client).submit(xml).status_code == 401
    project.anonymous_submissions = True
    project.save()
    assert Collect(client).submit(xml).status_code == 201
    assert Collect(client).request("GET", "/openrosa/wash/formList").status_code == 200


@pytest.mark.parametrize(
    "payload, status",
    [
        (b"<data id='hh_visit' version='3'><members>3</members", 400),  # malformed
        (b"<data id='hh_visit' version='3'><members>3</members></data>", 400),  # no instanceID
        (instance(form_id="no_such_form")[0], 404),
        (instance(version="99")[0], 404),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
         b"<data id='hh_visit'>&lol2;</data>", 400),  # entity expansion
    ],
)
def test_bad_submissions_are_rejected_and_nothing_written(client, project, payload, status):
    before = Record.objects.count()
    resp = Collect(client, "enum").submit(payload)
    assert resp.status_code == status
    assert ET.fromstring(resp.content).find("r:message", NS).text, "a message the enumerator can read"
    assert Record.objects.count() == before


def test_not_multipart_and_oversize(client, project, settings):
    c = Collect(client, "enum")
    xml, _ = instance()
    resp = c.request("POST", "/openrosa/wash/submission", data=xml, content_type="text/xml")
    assert resp.status_code == 400
    settings.OPENROSA_MAX_SUBMISSION_SIZE = 100
    resp = c.submit(xml, ("big.jpg", b"x" * 500))
    assert resp.status_code == 413
    assert Record.objects.count() == 0


def test_unknown_project_is_404_with_header(client, project):
    resp = client.get("/openrosa/nope/formList")
    assert resp.status_code == 404 and resp["X-OpenRosa-Version"] == "1.0"


def test_replayed_digest_is_refused(client, project):
    c = Collect(client, "enum")
    challenge = client.get("/openrosa/wash/formList")["WWW-Authenticate"]
    auth = c._digest("GET", "/openrosa/wash/formList", challenge)
    assert client.get("/openrosa/wash/formList", HTTP_AUTHORIZATION=auth).status_code == 200
    assert client.get("/openrosa/wash/formList", HTTP_AUTHORIZATION=auth).status_code == 401


def test_submissions_reach_the_analytics_store(client, project, settings):
    import duckdb

    from lnob.openrosa.sync import syncer
    from lnob.records.analytics import table_name
    from lnob.records.services import default_store

    c = Collect(client, "enum")
    for members in (3, 5):
        assert c.submit(instance(members=members)[0]).status_code == 201
    syncer.flush()
    con = duckdb.connect(str(default_store().path), read_only=True)
    try:
        rows = con.execute(
            f"select members from {table_name('hh_visit')} where _project = ? order by members", [project.slug]
        ).fetchall()
    finally:
        con.close()
    assert rows == [(3,), (5,)]


MEDIA_FORM_MD = """
| survey   |              |          |                  |       |
|          | type         | name     | label            | image |
|          | text         | village  | Village          | map.png |
| settings |              |          |                  |       |
|          | form_id      | version  | form_title       |       |
|          | with_media   | {v}      | With media       |       |
"""


def test_manifest_lists_media_and_new_versions_inherit_them(client, project, tmp_path):
    from lnob.forms.media import attach_media, missing_media
    from lnob.forms.services import add_form

    path = tmp_path / "m.md"
    path.write_text(MEDIA_FORM_MD.format(v="1"))
    fv, _ = add_form(project, path)
    assert missing_media(fv) == ["map.png"]
    attach_media(fv, [("map.png", b"\x89PNG-one")])
    assert missing_media(fv) == []
    path.write_text(MEDIA_FORM_MD.format(v="2").replace("Village", "Village name"))
    fv2, created = add_form(project, path)
    assert created and [m.filename for m in fv2.media.all()] == ["map.png"], "inherited"
    c = Collect(client, "enum")
    resp = c.request("GET", "/openrosa/wash/forms/with_media/manifest")
    root = ET.fromstring(resp.content)
    ns = {"m": "http://openrosa.org/xforms/xformsManifest"}
    files = root.findall("m:mediaFile", ns)
    assert [f.find("m:filename", ns).text for f in files] == ["map.png"]
    assert files[0].find("m:hash", ns).text == "md5:" + hashlib.md5(b"\x89PNG-one").hexdigest()
    url = files[0].find("m:downloadUrl", ns).text.replace("http://testserver", "")
    got = c.request("GET", url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"\x89PNG-one"
    assert client.get(url).status_code == 401, "media downloads need the same credentials"


def test_basic_credentials_are_rechecked_after_a_password_change(client, project):
    from django.contrib.auth import get_user_model

    token = base64.b64encode(f"enum:{PASSWORD}".encode()).decode()

    def post():
        xml, _ = instance()
        data = {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")}
        return client.post("/openrosa/wash/submission", data=data, HTTP_AUTHORIZATION=f"Basic {token}", secure=True)

    assert post().status_code == 201
    assert post().status_code == 201  # remembered
    user = get_user_model().objects.get(username="enum")
    user.set_password("another-long-passphrase")
    user.save()
    assert post().status_code == 401, "the old password no longer works"


def test_revoked_role_is_refused_at_once(client, project):
    from lnob.core.models import Membership

    c = Collect(client, "enum")
    assert c.submit(instance()[0]).status_code == 201
    Membership.objects.filter(user__username="enum").update(role="viewer")  # bypasses signals
    Membership.objects.get(user__username="enum").save()  # a normal save: the cache is cleared
    assert c.submit(instance()[0]).status_code == 403
