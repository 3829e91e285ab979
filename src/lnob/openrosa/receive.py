"""Receiving one OpenRosa submission: checks, de-duplication, edits, attachments.

The outcome decides the HTTP status the phone sees:

* a new instanceID → stored, **201**;
* the same instanceID with byte-identical XML → nothing new, **202** (a phone
  retrying, or one POST of a multi-POST submission; new attachments in it are
  added to the record);
* the same instanceID with different XML → refused, **409** (nothing written);
* ``meta/deprecatedID`` → an edit: a new record that replaces the old one
  (both kept; the old one is never rewritten).

Everything for one submission is written in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from lnob.errors import InputError, LnobError, NotFound
from lnob.i18n import _


class Conflict(LnobError):
    code = "openrosa.conflict"


@dataclass
class Received:
    status: int
    record: object
    message: str


@dataclass
class InstanceHead:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str


def read_head(xml: bytes) -> InstanceHead:
    """The root's ``id``/``version`` and ``meta/instanceID``/``deprecatedID``, safely parsed."""
    from defusedxml import ElementTree as ET
    from defusedxml.common import DefusedXmlException

    try:
        root = ET.fromstring(xml)
    except DefusedXmlException:
        raise InputError(
            _("the submission contains forbidden XML (entities or DTDs)"),
            where="xml_submission_file",
            hint=_("send the form as ODK Collect produces it"),
            code="openrosa.forbidden-xml",
        ) from None
    except Exception as exc:
        raise InputError(
            _("the submission is not well-formed XML: %(error)s") % {"error": exc},
            where="xml_submission_file",
            hint=_("the file on the phone may be damaged; open the form again on the phone and re-send it"),
            code="openrosa.malformed-xml",
        ) from None
    form_id = root.get("id") or ""
    if not form_id:
        raise InputError(
            _("the submission does not say which form it belongs to (no 'id' on its root element)"),
            where="xml_submission_file",
            hint=_("download the form again on the phone (Get Blank Form) and fill it in again"),
            code="openrosa.no-form-id",
        )

    def meta(name: str) -> str:
        for el in root.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == name and (el.text or "").strip():
                return el.text.strip()
        return ""

    instance_id = meta("instanceID")
    if not instance_id:
        raise InputError(
            _("the submission has no meta/instanceID"),
            where="xml_submission_file",
            hint=_("lnob needs each submission's instanceID to keep it safe from duplicates; "
                   "use a form converted by pyxform (it adds meta/instanceID)"),
            code="openrosa.no-instance-id",
        )
    return InstanceHead(form_id, root.get("version") or "", instance_id, meta("deprecatedID"))


#: seconds a worker remembers which form version a (project, formID, version) is
FORM_CACHE_SECONDS = 60


def receive(project, xml: bytes, attachments, *, source: str = "openrosa") -> Received:
    """Store a submission for ``project``.  ``attachments``: list of (name, content_type, bytes)."""
    from django.core.cache import cache

    head = read_head(xml)
    key = f"openrosa-form:{project.pk}:{head.form_id}:{head.version}"
    cached = cache.get(key)
    if cached is not None:
        form, version = cached
    else:
        form, version = _form_version(project, head)
        cache.set(key, (form, version), FORM_CACHE_SECONDS)
    try:
        raw = xml.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            _("the submission is not UTF-8 text"),
            where="xml_submission_file",
            hint=_("send the form as ODK Collect produces it (UTF-8)"),
            code="openrosa.not-utf8",
        ) from None
    return _store(project, form, version, head, raw, hashlib.sha256(xml).hexdigest(), attachments, source)


def _form_version(project, head):
    """The form and version a submission names (only their keys are loaded)."""
    from lnob.forms.models import Form, FormVersion

    form = Form.objects.filter(project=project, form_id=head.form_id).only("id", "form_id", "project_id").first()
    if form is None:
        raise NotFound(
            _("this project has no form %(form)r") % {"form": head.form_id},
            where=f"formID={head.form_id}",
            hint=_("check the server address on the phone, or ask the project manager to publish the form"),
            code="openrosa.unknown-form",
        )
    # only the key: the XForm, XLSForm and survey JSON are large and not needed here
    version = FormVersion.objects.filter(form=form, version=head.version).only("id", "version", "form_id").first()
    if version is None:
        raise NotFound(
            _("version %(version)r of form %(form)r is not known to the server")
            % {"version": head.version, "form": head.form_id},
            where=f"formID={head.form_id} version={head.version}",
            hint=_("the form was changed; on the phone use Get Blank Form to download the current version"),
            code="openrosa.unknown-version",
        )
    return form, version


def _add_attachments(record, attachments, *, new: bool = False) -> int:
    from lnob.openrosa.models import Attachment

    if not attachments:
        return 0
    added = 0
    existing = set() if new else set(record.attachments.values_list("filename", flat=True))
    for name, content_type, data in attachments:
        if name in existing:
            continue
        Attachment.objects.create(
            record=record, filename=name, content_type=content_type or "", size=len(data),
            md5=hashlib.md5(data).hexdigest(), file=ContentFile(data, name=name),
        )
        added += 1
    return added


def _store(project, form, version, head, raw: str, sha: str, attachments, source: str) -> Received:
    from lnob.records.models import Record

    for _attempt in range(2):
        try:
            with transaction.atomic():
                existing = Record.objects.select_for_update().filter(
                    project=project, instance_id=head.instance_id
                ).first()
                if existing is not None:
                    if existing.raw_sha256 != sha:
                        raise Conflict(
                            _("a different submission with the same instanceID %(id)s was already received")
                            % {"id": head.instance_id},
                            where=head.instance_id,
                            hint=_("to change a sent record, edit it so that it carries meta/deprecatedID"),
                        )
                    added = _add_attachments(existing, attachments)
                    msg = _("Attachments received.") if added else _("This submission was already received.")
                    return Received(202, existing, msg)
                record = Record.objects.create(
                    project=project, form=form, form_version=version, instance_id=head.instance_id,
                    raw=raw, raw_format="xml", raw_sha256=sha, source=source,
                    deprecated_id=head.deprecated_id,
                )
                _add_attachments(record, attachments, new=True)
                return Received(201, record, _("Thank you — your submission was received."))
        except IntegrityError:
            continue  # a concurrent POST of the same instance won the race: treat as a duplicate
    raise Conflict(  # pragma: no cover - only after two consecutive races
        _("the submission could not be stored because of concurrent changes"),
        where=head.instance_id,
        hint=_("send it again"),
    )
