"""A record is one submission of a form, kept exactly as received."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lnob.core.models import Project
from lnob.forms.models import Form, FormVersion


class Record(models.Model):
    class Source(models.TextChoices):
        OPENROSA = "openrosa", _("phone (OpenRosa)")
        IMPORT = "import", _("imported file")
        DEMO = "demo", _("demo generator")

    class Review(models.TextChoices):
        RECEIVED = "received", _("received")
        HAS_ISSUES = "has_issues", _("has issues")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="records")
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="records")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="records")
    #: OpenRosa meta/instanceID, e.g. ``uuid:…``
    instance_id = models.CharField(max_length=255)
    #: the submission exactly as received (XML or JSON text); never rewritten
    raw = models.TextField()
    raw_format = models.CharField(max_length=8, default="xml")
    raw_sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices)
    review_state = models.CharField(max_length=16, choices=Review.choices, default=Review.RECEIVED)
    #: instanceID this record replaces (an edit sent with meta/deprecatedID)
    deprecated_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "instance_id"], name="instance_unique_in_project")
        ]
        indexes = [models.Index(fields=["form", "id"])]
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self) -> str:
        return self.instance_id
