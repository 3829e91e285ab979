"""Organisations, projects and memberships (a user's role on a project)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lnob.core.roles import ROLE_LABELS, ROLES

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,62}$",
    _("Use lower-case letters, digits and hyphens (at most 63), starting with a letter or digit."),
)


class Organisation(models.Model):
    slug = models.CharField(_("short name"), max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    slug = models.CharField(_("short name"), max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects", verbose_name=_("organisation")
    )
    description = models.TextField(_("description"), blank=True)
    anonymous_submissions = models.BooleanField(
        _("accept anonymous submissions"),
        default=False,
        help_text=_("Let phones submit without a login (off by default)."),
    )
    public = models.BooleanField(
        _("public dashboard"),
        default=False,
        help_text=_("Show the disclosure-controlled dashboard to anyone, without a login (off by default)."),
    )
    #: how the sample was drawn, for the statistics engine: the analytics table
    #: and its weight, strata, cluster and fpc columns (see lnob.stats)
    survey_design = models.JSONField(_("survey design"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=[(r, ROLE_LABELS[r]) for r in ROLES])
    #: an owner lets this member see and export personal fields although the role alone does not
    #: (analysts); managers and owners see them anyway (see lnob.core.services.may_see_personal)
    personal_data = models.BooleanField(
        _("may see personal data"), default=False,
        help_text=_("Granted by an owner: see and export personal fields (names, phone numbers, GPS)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="one_role_per_project")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.project} ({self.role})"
