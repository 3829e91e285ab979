"""The ``webhooks.deliver`` job: POST one delivery, log the attempt, let the queue retry on failure."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from lnob import __version__
from lnob.errors import LnobError
from lnob.i18n import _
from lnob.jobs.queue import register
from lnob.webhooks.models import Delivery, DeliveryAttempt
from lnob.webhooks.signing import HEADER, TIMESTAMP_HEADER, secret_for, sign


class DeliveryFailed(LnobError):
    code = "webhooks.delivery-failed"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # redirects could lead anywhere: refuse
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8))


def _backoff() -> float:
    return float(getattr(settings, "WEBHOOK_BACKOFF", 10))


def body_for(d: Delivery, attempt: int, timestamp: int | None = None) -> bytes:
    doc = {"id": str(d.uuid), "event": d.event, "project": d.webhook.project.slug,
           "timestamp": int(time.time()) if timestamp is None else timestamp, "attempt": attempt, "data": d.payload}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def post(d: Delivery, attempt: int) -> DeliveryAttempt:
    """One HTTP attempt; returns the logged attempt."""
    from lnob.webhooks.services import check_url

    hook = d.webhook
    body = body_for(d, attempt)
    ts = json.loads(body)["timestamp"]
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"lnob-webhooks/{__version__}",
        "X-Lnob-Event": d.event,
        "X-Lnob-Delivery": str(d.uuid),
        TIMESTAMP_HEADER: str(ts),
        HEADER: sign(secret_for(hook.salt), body),
    }
    status, error, text = None, "", ""
    started = time.monotonic()
    try:
        check_url(hook.url)  # again at delivery time: the name may resolve elsewhere now
        req = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
        with _opener.open(req, timeout=float(getattr(settings, "WEBHOOK_TIMEOUT", 10))) as resp:
            status = resp.status
            text = resp.read(2000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status = exc.code
        text = exc.read(2000).decode("utf-8", "replace") if exc.fp else ""
        error = f"HTTP {exc.code} {exc.reason}"
    except LnobError as exc:
        error = exc.one_line()
    except Exception as exc:  # refused, timed out, TLS…
        error = f"{type(exc).__name__}: {exc}"
    ms = int((time.monotonic() - started) * 1000)
    return DeliveryAttempt.objects.create(delivery=d, attempt=attempt, status_code=status, duration_ms=ms,
                                          error=error[:2000], response=text[:2000])


@register("webhooks.deliver", max_attempts=_max_attempts, backoff=_backoff, backoff_max=3600)
def deliver(job, progress):
    d = Delivery.objects.select_related("webhook__project").filter(pk=job.args.get("delivery")).first()
    if d is None:
        return {"status": "gone"}
    if d.status != Delivery.Status.PENDING:
        return {"status": d.status}
    if not d.webhook.active:
        d.status = Delivery.Status.CANCELLED
        d.save(update_fields=["status"])
        return {"status": d.status}
    attempt = d.attempts + 1
    logged = post(d, attempt)
    d.attempts = attempt
    ok = logged.status_code is not None and 200 <= logged.status_code < 300
    if ok:
        d.status, d.delivered_at = Delivery.Status.DELIVERED, timezone.now()
    elif job.attempts >= job.max_attempts:
        d.status = Delivery.Status.FAILED
    d.save(update_fields=["attempts", "status", "delivered_at"])
    progress(1, 1, _("delivered") if ok else logged.error or str(logged.status_code))
    if not ok:
        raise DeliveryFailed(
            _("the receiver did not accept the delivery: %(why)s")
            % {"why": logged.error or f"HTTP {logged.status_code}"},
            where=d.webhook.url,
            hint=_("the delivery is retried with growing delays; see the delivery log"),
        )
    return {"status": d.status, "status_code": logged.status_code, "attempt": attempt,
            "duration_ms": logged.duration_ms}
