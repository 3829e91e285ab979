"""Stored indicator results (the latest computation of each indicator, with provenance) and the
versions of each project's own indicator definitions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lnob.core.models import Project


class IndicatorResult(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicator_results")
    indicator = models.CharField(_("indicator"), max_length=63)
    title = models.JSONField(_("title"), default=dict)
    sdg = models.JSONField(_("SDG codes"), default=list)
    kind = models.CharField(max_length=20)
    unit = models.CharField(max_length=20)
    #: sha256 of the normalised definition, its SQL, the dimensions, depth and engine
    definition_hash = models.CharField(max_length=64)
    #: sha256 of the data snapshot (rows, max record id, hash of the columns used, form versions)
    snapshot_hash = models.CharField(max_length=64)
    provenance = models.JSONField(default=dict)
    #: the result rows (indicator, sdg, groups, estimate, se, ci_low, ci_high, n, population, flags)
    rows = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("project", "indicator")]
        ordering = ["indicator"]
        verbose_name = _("indicator result")
        verbose_name_plural = _("indicator results")

    def __str__(self) -> str:
        return f"{self.project.slug}:{self.indicator}"


class DefinitionVersion(models.Model):
    """One saved version of a project's own indicator definitions (YAML, ``format: 1``).

    Versions are only ever added (never changed): the latest is what ``lnob run`` uses.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="definition_versions")
    #: 1, 2, 3… within the project
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("definitions (YAML)"))
    #: sha256 of the text as saved
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    #: who saved it, kept as a name too (``cli:<os user>`` from the command line)
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        unique_together = [("project", "number")]
        ordering = ["-number"]
        verbose_name = _("indicator definitions version")
        verbose_name_plural = _("indicator definitions versions")

    def __str__(self) -> str:
        return f"{self.project.slug}: definitions v{self.number}"

    @property
    def source(self) -> str:
        """The name errors and provenance use for this version (``project:<slug>/v<n>``)."""
        return f"project:{self.project.slug}/v{self.number}"
