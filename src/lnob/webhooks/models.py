"""Webhooks of a project, their deliveries and every delivery attempt."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lnob.core.models import Project


class Webhook(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=1000)
    #: events sent (empty: every event)
    events = models.JSONField(_("events"), default=list, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    #: random salt; the signing secret is derived from it and the server's secret key
    #: (lnob.webhooks.signing.secret_for), so the database never holds the secret itself
    salt = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.project.slug} → {self.url}"

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


class Delivery(models.Model):
    """One event to deliver to one webhook (retried through the job queue)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    #: sent as X-Lnob-Delivery and in the body: receivers use it to ignore repeats
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.IntegerField(default=0)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")


class DeliveryAttempt(models.Model):
    """The delivery log: one row per HTTP attempt."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempt = models.IntegerField()
    at = models.DateTimeField(auto_now_add=True)
    #: HTTP status of the receiver's answer (None: no answer — refused, timed out…)
    status_code = models.IntegerField(null=True, blank=True)
    duration_ms = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    #: the first bytes of the receiver's answer
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "attempt", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
