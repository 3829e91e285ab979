"""The job queue: registering kinds, enqueueing, claiming, running, retrying, requeueing.

**Claiming** is atomic.  On PostgreSQL the worker selects the oldest ready job
with ``SELECT … FOR UPDATE SKIP LOCKED`` (workers never wait for each other);
on SQLite the settings open every transaction with ``BEGIN IMMEDIATE``, so the
claim holds the database's write lock, and the job is taken by an
``UPDATE … WHERE id = ? AND status = 'queued'`` that changes one row or none.

**Retries.**  A job whose handler raises is retried while ``attempts <
max_attempts`` (the kind's default, or the one given to :func:`enqueue`), after
``backoff × 2^(attempts − 1)`` seconds (capped), unless the error is a
:class:`PermanentError`.  The last error is kept on the job (code, message,
where, hint).

**Dead workers.**  A worker writes a heartbeat (``locked_at``) while it runs a
job.  A running job whose heartbeat is older than ``stale_after`` seconds
belongs to a worker that died (killed, machine restarted): :func:`requeue_stale`
puts it back in the queue — a death is not the job's fault, so it does not use
up a retry, but a job that has killed :data:`DEATHS_ALLOWED` workers more than
its attempts allow is failed (a job that crashes every worker must not loop).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lnob.errors import LnobError, UsageError, did_you_mean
from lnob.i18n import _

log = logging.getLogger(__name__)

#: worker deaths tolerated beyond a job's max_attempts before it is failed
DEATHS_ALLOWED = 3


class PermanentError(LnobError):
    """A job failure that no retry can fix."""

    code = "jobs.failed"


@dataclass
class Kind:
    name: str
    handler: Callable[..., Any]
    max_attempts: int | Callable[[], int] = 1
    backoff: float | Callable[[], float] = 30.0
    backoff_max: float = 6 * 3600.0

    def attempts(self) -> int:
        n = self.max_attempts() if callable(self.max_attempts) else self.max_attempts
        return max(1, int(n))

    def delay(self, attempts: int) -> float:
        base = self.backoff() if callable(self.backoff) else self.backoff
        return min(self.backoff_max, float(base) * 2 ** max(0, attempts - 1))


_KINDS: dict[str, Kind] = {}


def register(name: str, *, max_attempts: int | Callable[[], int] = 1,
             backoff: float | Callable[[], float] = 30.0, backoff_max: float = 6 * 3600.0):
    """Register ``handler(job, progress)`` as the job kind ``name``.

    The handler returns a JSON-serialisable result; it reports progress with
    ``progress(done, total=None, message="")`` and fails by raising (an
    :class:`LnobError` keeps its code, message, where and hint).
    """

    def decorate(handler):
        _KINDS[name] = Kind(name, handler, max_attempts, backoff, backoff_max)
        return handler

    return decorate


def kinds() -> list[str]:
    return sorted(_KINDS)


def get_kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UsageError(
            _("unknown job kind %(kind)r") % {"kind": name},
            where=name,
            hint=did_you_mean(name, _KINDS) or _("kinds: %(k)s") % {"k": ", ".join(kinds())},
            code="jobs.unknown-kind",
        ) from None


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


def enqueue(kind: str, args: dict | None = None, *, project=None, user=None, delay: float = 0,
            max_attempts: int | None = None):
    """Add a job to the queue and return it (it runs when a worker claims it)."""
    from lnob.jobs.models import Job

    k = get_kind(kind)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return Job.objects.create(
        kind=kind,
        args=_json_safe(args or {}),
        project=project,
        user=user,
        max_attempts=max_attempts or k.attempts(),
        run_after=timezone.now() + dt.timedelta(seconds=delay),
    )


def stale_after() -> float:
    return float(getattr(settings, "JOBS_STALE_AFTER", 120))


def claim(worker_id: str, only: list[str] | None = None):
    """Take the oldest ready job for ``worker_id``; None when none is ready."""
    from lnob.jobs.models import Job

    now = timezone.now()
    ready = Job.objects.filter(status=Job.Status.QUEUED, run_after__lte=now,
                               kind__in=only if only is not None else kinds())
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ready = ready.select_for_update(skip_locked=True)
        pk = ready.order_by("run_after", "id").values_list("pk", flat=True).first()
        if pk is None:
            return None
        from django.db.models import F

        taken = Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, locked_by=worker_id[:200], locked_at=now, attempts=F("attempts") + 1,
            started_at=now, progress_message="",
        )
    if not taken:
        return None
    return Job.objects.select_related("project", "user").get(pk=pk)


def requeue_stale(stale: float | None = None) -> int:
    """Put back in the queue the running jobs whose worker stopped sending heartbeats."""
    from lnob.jobs.models import Job

    stale = stale_after() if stale is None else stale
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=stale)
    n = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, locked_at__lt=cutoff):
        same = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, locked_at=job.locked_at,
                                  locked_by=job.locked_by)
        died = {"code": "jobs.worker-died",
                "message": _("the worker %(w)s stopped answering while running the job") % {"w": job.locked_by},
                "where": job.locked_by, "hint": _("see the worker's log; the job was run again")}
        if job.attempts >= job.max_attempts + DEATHS_ALLOWED:
            died["hint"] = _("the job stopped %(n)d workers; it was not run again") % {"n": job.attempts}
            n += same.update(status=Job.Status.FAILED, error=died, finished_at=now, locked_by="", locked_at=None)
        else:
            n += same.update(status=Job.Status.QUEUED, error=died, run_after=now, locked_by="", locked_at=None,
                             progress_message=_("requeued: the worker stopped answering"))
            log.warning("job %s: worker %s stopped answering; requeued", job.pk, job.locked_by)
    return n


class Progress:
    """Passed to handlers: ``progress(done, total=None, message="")``; also a heartbeat."""

    def __init__(self, job, worker_id: str, min_interval: float = 0.5) -> None:
        self.job, self.worker_id, self.min_interval = job, worker_id, min_interval
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        from lnob.jobs.models import Job

        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < self.min_interval:
            return
        self._last = now
        fields = {"progress_done": int(done), "progress_message": str(message)[:500], "locked_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = int(total)
        Job.objects.filter(pk=self.job.pk, locked_by=self.worker_id).update(**fields)


def execute(job, worker_id: str):
    """Run a claimed job and record its outcome; returns the job as stored afterwards."""
    from lnob.audit.log import acting_as
    from lnob.jobs.models import Job

    progress = Progress(job, worker_id)
    mine = Job.objects.filter(pk=job.pk, locked_by=worker_id, status=Job.Status.RUNNING)
    try:
        kind = get_kind(job.kind)
        with acting_as(job.user, name=f"job:{job.pk}"):
            result = kind.handler(job, progress)
        result = _json_safe(result)
    except Exception as exc:  # every failure is recorded on the job
        if isinstance(exc, LnobError):
            error = exc.as_dict()
        else:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            error = {"code": "internal", "message": f"{type(exc).__name__}: {exc}", "where": job.kind,
                     "hint": _("this is a bug in lnob; the worker's log has the traceback")}
        now = timezone.now()
        retry = not isinstance(exc, PermanentError) and job.attempts < job.max_attempts
        if retry:
            delay = _KINDS[job.kind].delay(job.attempts) if job.kind in _KINDS else 0
            mine.update(status=Job.Status.QUEUED, error=error, run_after=now + dt.timedelta(seconds=delay),
                        locked_by="", locked_at=None,
                        progress_message=_("attempt %(n)d of %(m)d failed; next in %(s)d s")
                        % {"n": job.attempts, "m": job.max_attempts, "s": round(delay)})
        else:
            mine.update(status=Job.Status.FAILED, error=error, finished_at=now, locked_by="", locked_at=None)
    else:
        mine.update(status=Job.Status.DONE, result=result, error=None, finished_at=timezone.now(),
                    locked_by="", locked_at=None)
    return Job.objects.get(pk=job.pk)


def run_pending(worker_id: str = "inline", *, limit: int | None = None) -> int:
    """Run ready jobs in this thread until none is ready (tests, ``lnob worker --once``); returns how many ran."""
    n = 0
    while limit is None or n < limit:
        job = claim(worker_id)
        if job is None:
            break
        execute(job, worker_id)
        n += 1
    return n
