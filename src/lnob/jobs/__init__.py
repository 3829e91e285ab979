"""Background jobs: a queue kept in the transactional database, and the worker that runs it.

* :mod:`lnob.jobs.models` — :class:`~lnob.jobs.models.Job` (kind, arguments,
  status, progress, result, error, attempts, back-off, heartbeat);
* :mod:`lnob.jobs.queue` — :func:`enqueue`, the registry of job kinds
  (:func:`register`), the atomic claim, retries with exponential back-off, and
  the requeueing of jobs whose worker died;
* :mod:`lnob.jobs.worker` — the ``lnob worker`` loop (threads, heartbeats,
  graceful stop);
* :mod:`lnob.jobs.kinds` — the job kinds lnob ships (``noop``, ``sleep``,
  ``records.export``, ``records.import``; ``webhooks.deliver`` lives in
  :mod:`lnob.webhooks`);
* :mod:`lnob.jobs.briefs` — ``publish.brief``: an advocacy brief written in the
  background.

See docs/jobs.md.
"""

from lnob.jobs.queue import enqueue, register  # noqa: F401
