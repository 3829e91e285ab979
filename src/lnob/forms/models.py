"""Forms and their versions.  Every version ever uploaded is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lnob.core.models import Project


class Form(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="forms")
    form_id = models.CharField(_("form ID"), max_length=255, help_text=_("The XForm id (settings sheet form_id)."))
    title = models.CharField(_("title"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "form_id"], name="form_id_unique_in_project")]
        ordering = ["title"]
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self) -> "FormVersion | None":
        return self.versions.order_by("-created_at", "-id").first()


class FormVersion(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=255)
    xlsform = models.BinaryField(_("XLSForm file"))
    xlsform_name = models.CharField(max_length=255)
    xform = models.TextField(_("XForm XML"))
    #: md5 of the XForm bytes, as OpenRosa's formList expects (``md5:…``)
    xform_md5 = models.CharField(max_length=32)
    #: sha256 of the uploaded file, to recognise a re-upload of the same file
    source_sha256 = models.CharField(max_length=64)
    #: pyxform's JSON description of the form (fields, groups, repeats, choices)
    survey_json = models.JSONField()
    default_language = models.CharField(max_length=64, blank=True)
    languages = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "version"], name="version_unique_in_form")]
        ordering = ["-created_at", "-id"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.version}"


def _media_path(instance, filename):
    return f"form-media/{instance.form_version.form.project_id}/{instance.form_version_id}/{filename}"


class FormMedia(models.Model):
    """A media file a form version uses (images, audio, CSV for select_from_file / pulldata)."""

    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, blank=True)
    md5 = models.CharField(max_length=32)
    size = models.BigIntegerField()
    file = models.FileField(upload_to=_media_path, max_length=500)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form_version", "filename"], name="media_name_unique")]
        ordering = ["filename"]


class PersonalMark(models.Model):
    """A manager's decision that a field of a form is personal (or is not), made on the form page.

    The XLSForm's ``lnob::personal`` column gives the starting point; a mark overrides it for
    every version of the form (fields are matched by path).  See :mod:`lnob.forms.personal`.
    """

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="personal_marks")
    #: the field's path below the instance root, e.g. ``hh/head`` (:attr:`lnob.forms.xlsform.Field.path`)
    field = models.CharField(_("field"), max_length=500)
    personal = models.BooleanField(_("personal"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "field"], name="one_personal_mark_per_field")]
        ordering = ["field"]
        verbose_name = _("personal-data mark")
        verbose_name_plural = _("personal-data marks")

    def __str__(self) -> str:
        return f"{self.form.form_id}:{self.field} personal={self.personal}"
