"""The worker: ``lnob worker [--once] [--concurrency N]``.

Each of ``concurrency`` threads claims a job (see :func:`lnob.jobs.queue.claim`),
runs it and records the outcome; a heartbeat thread refreshes ``locked_at`` of
the jobs being run every ``heartbeat`` seconds, and the worker requeues jobs of
dead workers (:func:`lnob.jobs.queue.requeue_stale`) between jobs.

SIGTERM and SIGINT stop the worker gracefully: no new job is claimed, running
jobs finish.  A worker killed outright (SIGKILL, a power cut) leaves its jobs
``running`` with an old heartbeat; the next worker requeues them.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from lnob.jobs import queue

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, *, concurrency: int = 1, poll: float | None = None, stale_after: float | None = None,
                 heartbeat: float | None = None, on_job=None) -> None:
        self.concurrency = max(1, int(concurrency))
        self.poll = float(poll if poll is not None else getattr(settings, "JOBS_POLL", 1.0))
        self.stale_after = float(stale_after if stale_after is not None else queue.stale_after())
        self.heartbeat = float(heartbeat if heartbeat is not None else max(0.2, self.stale_after / 4))
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stop = threading.Event()
        self.current: dict[str, int] = {}
        self.ran = 0
        self._lock = threading.Lock()
        self.on_job = on_job  # called with each finished job (the CLI prints a line)

    def _install_signals(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}

        def stop(signum, frame):
            log.warning("worker %s: signal %s, stopping after the running jobs", self.id, signum)
            self.stop.set()

        return {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def run(self, *, once: bool = False) -> int:
        """Run jobs until stopped (or, with ``once``, until no job is ready); returns how many ran."""
        previous = self._install_signals()
        beats_done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(beats_done,), name="lnob-heartbeat", daemon=True)
        beat.start()
        try:
            if self.concurrency == 1:
                self._loop(0, once)
            else:
                threads = [threading.Thread(target=self._loop, args=(i, once), name=f"lnob-worker-{i}")
                           for i in range(self.concurrency)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
        finally:
            beats_done.set()
            beat.join(timeout=5)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.ran

    def _loop(self, index: int, once: bool) -> None:
        wid = f"{self.id}/{index}"
        try:
            while not self.stop.is_set():
                if not connection.in_atomic_block:  # (inside a test's transaction: keep the connection)
                    close_old_connections()
                if index == 0:
                    queue.requeue_stale(self.stale_after)
                job = queue.claim(wid)
                if job is None:
                    if once:
                        return
                    self.stop.wait(self.poll)
                    continue
                with self._lock:
                    self.current[wid] = job.pk
                try:
                    done = queue.execute(job, wid)
                finally:
                    with self._lock:
                        self.current.pop(wid, None)
                        self.ran += 1
                if self.on_job is not None:
                    self.on_job(done)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    def _beat(self, done: threading.Event) -> None:
        from lnob.jobs.models import Job

        try:
            while not done.wait(self.heartbeat):
                with self._lock:
                    held = list(self.current.items())
                for wid, pk in held:
                    try:
                        Job.objects.filter(pk=pk, locked_by=wid).update(locked_at=timezone.now())
                    except Exception:  # a busy database: the next beat tries again
                        log.exception("heartbeat for job %s failed", pk)
        finally:
            connection.close()
