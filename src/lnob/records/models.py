"""A record is one submission of a form, kept exactly as received."""

from __future__ import annotations

from django.conf import settings
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


class RecordIssue(models.Model):
    """One data-quality problem of a record (found by :mod:`lnob.records.quality`); never dropped."""

    class Rule(models.TextChoices):
        TYPE = "type", _("type")
        REQUIRED = "required", _("required")
        CHOICE = "choice", _("choice")
        CONSTRAINT = "constraint", _("constraint")
        UNKNOWN = "unknown", _("unknown field")
        UNREADABLE = "unreadable", _("unreadable record")

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="issues")
    #: the field's path (``wash/water_time``; in a repeat ``roster[2]/age``)
    field = models.CharField(max_length=512)
    value = models.TextField(blank=True)
    rule = models.CharField(max_length=16, choices=Rule.choices)
    #: the rule as written in the form (the constraint expression, the choice list…)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["record"]), models.Index(fields=["rule", "field"])]
        verbose_name = _("record issue")
        verbose_name_plural = _("record issues")


class RecordCheck(models.Model):
    """That a record was checked against its form version, and what could not be evaluated."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="quality_check")
    checked_at = models.DateTimeField(auto_now=True)
    n_issues = models.IntegerField(default=0)
    #: constraints / relevance expressions that the safe evaluator could not evaluate
    n_skipped = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("record check")
        verbose_name_plural = _("record checks")


class ReviewEvent(models.Model):
    """The review history of a record: state changes, comments and edits (append-only)."""

    class Kind(models.TextChoices):
        STATE = "state", _("state changed")
        COMMENT = "comment", _("comment")
        EDIT = "edit", _("edited")

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="review_events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")


class FormQualitySettings(models.Model):
    """Per form: the key fields whose repeated values mark duplicate records (besides instanceID)."""

    form = models.OneToOneField(Form, on_delete=models.CASCADE, related_name="quality_settings")
    #: analytics columns of the record table, e.g. ``["location__village", "household__head_name"]``
    key_fields = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("form quality settings")
        verbose_name_plural = _("form quality settings")


class ImportRun(models.Model):
    """One imported file: what it was and what it added (kept even when it added nothing)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imports")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    rows = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    already_present = models.IntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
