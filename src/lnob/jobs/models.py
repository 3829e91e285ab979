"""Job: one unit of background work, kept in the transactional database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lnob.core.models import Project


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    #: a registered kind (``records.export``, ``webhooks.deliver``…), see lnob.jobs.queue.register
    kind = models.CharField(_("kind"), max_length=64)
    args = models.JSONField(_("arguments"), default=dict, blank=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    progress_message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    #: the last error, shaped like LnobError.as_dict(): code, message, where, hint
    error = models.JSONField(null=True, blank=True)
    #: how many times a worker has claimed the job
    attempts = models.IntegerField(default=0)
    max_attempts = models.IntegerField(default=1)
    #: not claimed before this time (retries back off exponentially)
    run_after = models.DateTimeField(default=timezone.now)
    #: the worker holding the job, and its last heartbeat
    locked_by = models.CharField(max_length=200, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "run_after"], name="job_ready"),
            models.Index(fields=["project", "kind"], name="job_project_kind"),
        ]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"

    @property
    def percent(self) -> float | None:
        if not self.progress_total:
            return None
        return min(100.0, 100.0 * self.progress_done / self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "kind": self.kind,
            "project": self.project.slug if self.project_id else None,
            "user": self.user.get_username() if self.user_id else None,
            "status": self.status,
            "progress": {"done": self.progress_done, "total": self.progress_total,
                         "message": self.progress_message, "percent": self.percent},
            "result": self.result,
            "error": self.error,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "run_after": self.run_after.isoformat() if self.run_after else None,
            "locked_by": self.locked_by or None,
            "locked_at": self.locked_at.isoformat() if self.locked_at else None,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }
