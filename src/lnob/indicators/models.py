"""Stored indicator results: the latest computation of each indicator of a project, with provenance."""

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
