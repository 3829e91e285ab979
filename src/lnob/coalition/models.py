"""Coalitions, their members, roles, harmonised indicators and published snapshots.

A :class:`Publication` holds aggregates only (estimate, SE, n, population per indicator × group,
after disclosure control) — a coalition never stores or sees records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lnob.core.models import Organisation, Project, slug_validator
from lnob.core.roles import COALITION_ROLE_LABELS, COALITION_ROLES


class Coalition(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        GLOBAL = "global", _("global")

    slug = models.CharField(_("short name"), max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    #: dimensions members publish (empty: the release's default choice)
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")

    def __str__(self) -> str:
        return self.name

    @property
    def national(self) -> bool:
        return self.level == self.Level.NATIONAL


class CoalitionMembership(models.Model):
    """An organisation in a national coalition, or a national coalition in a global one."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="coalition_memberships")
    member_coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, null=True, blank=True,
                                         related_name="parent_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coalition", "organisation"], name="one_membership_per_organisation"),
            models.UniqueConstraint(fields=["coalition", "member_coalition"], name="one_membership_per_coalition"),
            models.CheckConstraint(
                condition=(models.Q(organisation__isnull=False, member_coalition__isnull=True)
                           | models.Q(organisation__isnull=True, member_coalition__isnull=False)),
                name="member_is_organisation_or_coalition"),
        ]
        verbose_name = _("coalition membership")
        verbose_name_plural = _("coalition memberships")

    def __str__(self) -> str:
        return f"{self.coalition} ← {self.organisation or self.member_coalition}"


class CoalitionRole(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coalition_roles")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20,
                            choices=[(r, COALITION_ROLE_LABELS[r]) for r in COALITION_ROLES])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "coalition"], name="one_role_per_coalition")]
        verbose_name = _("coalition role")
        verbose_name_plural = _("coalition roles")

    def __str__(self) -> str:
        return f"{self.user} — {self.coalition} ({self.role})"


class HarmonisedIndicator(models.Model):
    """An indicator the coalition's members report against, with its definition hash."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=63)
    title = models.JSONField(_("title"), default=dict)
    kind = models.CharField(max_length=20)
    unit = models.CharField(max_length=20)
    #: sha256 of the normalised definition (lnob.indicators.definitions.spec_hash of its spec)
    definition_hash = models.CharField(max_length=64)
    #: where the definition comes from: the shipped library or the coalition's YAML file
    source = models.CharField(max_length=500)
    #: the definition itself (normalised), so that members can read what they report against
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coalition", "indicator"], name="one_definition_per_indicator")]
        ordering = ["indicator"]
        verbose_name = _("harmonised indicator")
        verbose_name_plural = _("harmonised indicators")

    def __str__(self) -> str:
        return f"{self.coalition.slug}:{self.indicator}"


class Publication(models.Model):
    """A project's snapshot of disclosure-controlled aggregates, published to a national coalition.

    A new publication of the same project supersedes the old one (``current`` False); old ones
    are kept for the record.
    """

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="publications")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="coalition_publications")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="coalition_publications")
    current = models.BooleanField(default=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.CharField(max_length=150, blank=True)
    #: indicator id -> {title, kind, unit, definition_hash, binding_hash, computed_at, design}
    indicators = models.JSONField(default=dict)
    #: design summary per unit (weighted, stratified, stages, fpc) — no figures
    design = models.JSONField(default=dict)
    #: the disclosure policy the cells went through
    policy = models.JSONField(default=dict)
    #: cells: indicator, groups, estimate, se, ci_low, ci_high, n, population, flags
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("coalition publication")
        verbose_name_plural = _("coalition publications")

    def __str__(self) -> str:
        return f"{self.project.slug} → {self.coalition.slug} ({self.published_at:%Y-%m-%d %H:%M})"

    @property
    def member(self) -> str:
        """The member's label in pooled tables: organisation / project."""
        return f"{self.organisation.slug}/{self.project.slug}"
