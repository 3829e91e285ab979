"""Form media: the files a form shows or reads on the phone.

An XForm names its media as ``jr://images/x.png``, ``jr://audio/…``,
``jr://video/…``, ``jr://file/…`` or ``jr://file-csv/…``; the OpenRosa
manifest lists them so ODK Collect downloads them with the form.  Media belong
to a form version; a new version inherits the previous version's files unless
new ones with the same name are given.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from lnob.errors import InputError
from lnob.i18n import _

_REF = re.compile(r"jr://(?:images|audio|video|file|file-csv)/([^\"'<>\s]+)")
MAX_MEDIA_BYTES = 50 * 1024 * 1024


def referenced_media(xform: str) -> list[str]:
    """File names the XForm refers to, in order of first use."""
    seen: dict[str, None] = {}
    for name in _REF.findall(xform):
        seen.setdefault(name, None)
    return list(seen)


def _check_name(name: str) -> str:
    clean = Path(name).name
    if not clean or clean != name.replace("\\", "/").split("/")[-1] or clean.startswith("."):
        raise InputError(_("invalid media file name %(name)r") % {"name": name}, where=name,
                         hint=_("use a plain file name such as 'logo.png'"), code="forms.bad-media-name")
    return clean


@transaction.atomic
def attach_media(version, files) -> list:
    """Attach ``files`` — (name, bytes) pairs — to ``version``; inherit the rest from the previous version."""
    from lnob.forms.models import FormMedia

    given = {}
    for name, data in files:
        name = _check_name(name)
        if len(data) > MAX_MEDIA_BYTES:
            raise InputError(_("media file %(name)s is larger than %(mb)d MB") % {"name": name, "mb": MAX_MEDIA_BYTES >> 20},
                             where=name, hint=_("make the file smaller"), code="forms.media-too-large")
        given[name] = data
    previous = (version.form.versions.exclude(pk=version.pk).filter(created_at__lte=version.created_at)
                .order_by("-created_at", "-id").first())
    stored = []
    existing = {m.filename for m in version.media.all()}
    for name, data in given.items():
        if name in existing:
            version.media.filter(filename=name).delete()
        stored.append(FormMedia.objects.create(
            form_version=version, filename=name, content_type=mimetypes.guess_type(name)[0] or "",
            md5=hashlib.md5(data).hexdigest(), size=len(data), file=ContentFile(data, name=name)))
    if previous is not None:
        for old in previous.media.exclude(filename__in=list(given) + list(existing)):
            with old.file.open("rb") as fh:
                data = fh.read()
            stored.append(FormMedia.objects.create(
                form_version=version, filename=old.filename, content_type=old.content_type, md5=old.md5,
                size=old.size, file=ContentFile(data, name=old.filename)))
    return stored


def missing_media(version) -> list[str]:
    have = set(version.media.values_list("filename", flat=True))
    return [name for name in referenced_media(version.xform) if name not in have]
