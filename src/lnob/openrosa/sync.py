"""Keep the analytics store in step with submissions from phones.

A submission is acknowledged as soon as its raw XML is committed to the
transactional database; parsing it into the analytics store happens shortly
after, in a background thread of the server process, in batches (one sync per
project every :data:`DELAY` seconds at most).  That keeps the phone's wait
short and lets many submissions share one DuckDB write.  If the store is busy
(another lnob process writing), the sync is retried later; nothing is lost
because the sync is incremental — it takes every record not yet synced.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

DELAY = 2.0
RETRY = 10.0


class BackgroundSync:
    def __init__(self, delay: float = DELAY) -> None:
        self.delay = delay
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def request(self, project_id: int) -> None:
        with self._lock:
            self._pending.add(project_id)
            if self._timer is None:
                self._timer = threading.Timer(self.delay, self._run)
                self._timer.daemon = True
                self._timer.start()

    def _run(self) -> None:
        with self._lock:
            pending, self._pending, self._timer = self._pending, set(), None
        failed = self.sync_now(pending)
        if failed:
            with self._lock:
                self._pending |= failed
                if self._timer is None:
                    self._timer = threading.Timer(RETRY, self._run)
                    self._timer.daemon = True
                    self._timer.start()

    def sync_now(self, project_ids) -> set[int]:
        """Sync the given projects; return those that could not be synced now."""
        from django.db import close_old_connections

        from lnob.core.models import Project
        from lnob.errors import LnobError
        from lnob.records.services import sync_analytics

        failed: set[int] = set()
        try:
            for project in Project.objects.filter(pk__in=list(project_ids)):
                try:
                    sync_analytics(project, workers=1)
                except LnobError as exc:
                    log.warning("analytics sync of %s postponed: %s", project.slug, exc.one_line())
                    failed.add(project.pk)
                except Exception:  # keep the thread alive; the next request retries
                    log.exception("analytics sync of %s failed", project.slug)
                    failed.add(project.pk)
        finally:
            close_old_connections()
        return failed

    def flush(self) -> None:
        """Run any pending sync now, in this thread (tests, shutdown)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            pending, self._pending, self._timer = self._pending, set(), None
        if pending:
            self.sync_now(pending)


syncer = BackgroundSync()
