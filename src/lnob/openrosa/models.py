"""Digest partials: what HTTP Digest authentication needs to check a password.

Digest auth (RFC 2617) checks ``MD5(HA1:nonce:…)`` where ``HA1 =
MD5(username:realm:password)``; it cannot be derived from the Argon2 hash, so it
is recorded when a password is set (see :class:`lnob.openrosa.auth.DigestPartialRecorder`).
It is weaker than the Argon2 hash, as every OpenRosa server's is (ODK Central,
Kobo, Ona store the same); it is only used for the OpenRosa endpoints.
"""

from django.conf import settings
from django.db import models


class DigestPartial(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: MD5(username:realm:password), hex
    ha1 = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)


def _attachment_path(instance, filename):
    return f"attachments/{instance.record.project_id}/{instance.record_id}/{filename}"


class Attachment(models.Model):
    """A file sent with a submission (photo, audio, signature…), stored as received."""

    record = models.ForeignKey("records.Record", on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField()
    md5 = models.CharField(max_length=32)
    file = models.FileField(upload_to=_attachment_path, max_length=500)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "filename"], name="attachment_name_unique")]
