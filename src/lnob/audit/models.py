"""AuditEvent: one append-only row per event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGIN_BLOCKED = "login_blocked", _("login blocked (too many failures)")
        LOGOUT = "logout", _("logged out")
        ROLE_GRANTED = "role_granted", _("role granted")
        ROLE_CHANGED = "role_changed", _("role changed")
        ROLE_REVOKED = "role_revoked", _("role revoked")
        EXPORT = "export", _("export")
        MICRODATA_VIEW = "microdata_view", _("microdata viewed")
        PUBLICATION = "publication", _("publication")
        DEFINITIONS = "definitions", _("indicator definitions saved")
        PERSONAL_MARKING = "personal_marking", _("personal field marked or unmarked")
        PERSONAL_GRANT = "personal_grant", _("personal-data access granted or withdrawn")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    #: the user who acted (kept as a name too: the account may be deleted later)
    # no database constraint and DO_NOTHING: deleting a user or project never touches the log
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    project = models.ForeignKey("core.Project", null=True, blank=True, on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="audit_events")
    #: what the action was about (a user name, a file, a form…)
    target = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_name} {self.target}"
