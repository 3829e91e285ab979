"""Webhooks: signed HTTP POSTs to a project's receivers when something happens.

Call :func:`fire` where an event happens; it stores one
:class:`~lnob.webhooks.models.Delivery` per interested webhook and queues a
``webhooks.deliver`` job for each (retried with exponential back-off by the job
queue; every attempt is logged).  Events (:data:`EVENTS`):

* ``submission.created`` — a new record arrived from a phone (OpenRosa); fired by
  :mod:`lnob.openrosa.views`;
* ``run.completed`` — an indicator run finished; :func:`run_completed`, called by
  :func:`lnob.indicators.services.run_project` once the results are stored;
* ``publication.created`` — results were published: open data or a brief written
  (:func:`publication_created`, called where :mod:`lnob.publish.services` records the
  ``publication`` audit event), or the public dashboard switched on or off (the
  project page's toggle);
* ``ping`` — a test delivery (``lnob webhook ping``, ``POST …/webhooks/{id}/ping``).

Payloads never carry personal fields: name what happened (ids, form, counts,
links), and let the receiver fetch data through the API with its own token.
Signing and verifying: :mod:`lnob.webhooks.signing`; docs/api.md#webhooks.
"""

from __future__ import annotations

import logging

from lnob.i18n import gettext_noop

log = logging.getLogger(__name__)

EVENTS: dict[str, str] = {
    "submission.created": gettext_noop("a new submission arrived from a phone"),
    "run.completed": gettext_noop("an indicator run finished"),
    "publication.created": gettext_noop("results were published"),
    "ping": gettext_noop("a test delivery"),
}


def fire(event: str, project, payload: dict | None = None) -> list:
    """Queue ``event`` for every active webhook of ``project`` that wants it; returns the deliveries.

    Never raises for a delivery problem: the caller's work (a submission, a
    run) must not fail because a receiver is down.  An unknown event name is a
    programming error and raises ``ValueError``.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; events: {', '.join(EVENTS)}")
    try:
        from lnob.webhooks.services import queue_deliveries

        return queue_deliveries(event, project, payload or {})
    except Exception:  # pragma: no cover - a broken database is reported by the caller's own writes
        log.exception("webhook event %s for project %s could not be queued", event, getattr(project, "pk", None))
        return []


def submission_created(record) -> list:
    """Fire ``submission.created`` for a record that just arrived (no form data: ids only)."""
    return fire("submission.created", record.project, {
        "record": record.pk,
        "instance_id": record.instance_id,
        "form_id": record.form.form_id,
        "version": record.form_version.version,
        "source": record.source,
        "received_at": record.received_at.isoformat() if record.received_at else None,
        "api": f"/api/projects/{record.project.slug}/records/{record.pk}",
    })


def run_completed(project, result, *, variance: str, depth: int, computed_at: str) -> list:
    """Fire ``run.completed`` for a finished indicator run (``result``: a RunResult): what ran, counts."""
    levels: dict[str, int] = {}
    for p in result.problems:
        levels[p.level] = levels.get(p.level, 0) + 1
    return fire("run.completed", project, {
        "computed": sorted(c.indicator.id for c in result.computed),
        "unchanged": sorted(result.unchanged),
        "counts": {"computed": len(result.computed), "unchanged": len(result.unchanged),
                   "rows": sum(len(c.rows) for c in result.computed), "problems": levels},
        "variance": variance,
        "depth": depth,
        "seconds": round(result.seconds, 3),
        "computed_at": computed_at,
        "api": f"/api/projects/{project.slug}/results",
    })


def publication_created(project, kind: str, **details) -> list:
    """Fire ``publication.created``: ``kind`` is an open-data format, ``brief-pdf``/``brief-html``, or
    ``dashboard``; ``details`` are JSON values (file names, counts, language, public…), never paths."""
    return fire("publication.created", project, {"kind": kind, **details})
