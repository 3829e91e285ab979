"""Signing webhook deliveries (HMAC-SHA256) and verifying them on the receiving side.

Every delivery is a POST whose body is JSON holding ``id`` (the delivery's
UUID), ``event``, ``project``, ``timestamp`` (Unix seconds), ``attempt`` and
``data``.  Headers:

* ``X-Lnob-Signature: sha256=<hex>`` — HMAC-SHA256 of the **raw body** with the
  webhook's secret;
* ``X-Lnob-Timestamp`` — the same ``timestamp`` as in the (signed) body;
* ``X-Lnob-Event``, ``X-Lnob-Delivery`` — event name and delivery UUID.

A receiver checks the signature over the bytes it received, then that the
body's ``timestamp`` equals the header and is recent (default: within 5
minutes) — the timestamp is inside the signed body, so a replayed request
cannot be given a fresh one — and ignores a delivery ``id`` it has already
processed (retries reuse the id).

The secret is not stored: it is derived from the server's secret key and the
webhook's random salt (:func:`secret_for`), and shown once when the webhook is
created or its secret rotated.  Changing ``LNOB_SECRET_KEY`` changes every
webhook secret (rotate them and tell the receivers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

HEADER = "X-Lnob-Signature"
TIMESTAMP_HEADER = "X-Lnob-Timestamp"
TOLERANCE = 300


def secret_for(salt: str, key: str | None = None) -> str:
    """The signing secret of a webhook with ``salt`` (derived from the server's secret key)."""
    if key is None:
        from django.conf import settings

        key = settings.SECRET_KEY
    digest = hmac.new(key.encode(), b"lnob-webhook-secret:" + salt.encode(), hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Lnob-Signature`` value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None, timestamp: str | None = None, *,
           tolerance: int = TOLERANCE, now: float | None = None) -> dict:
    """Check a delivery as a receiver should; returns the parsed body, raises ``ValueError`` if it is not genuine."""
    if not signature or not hmac.compare_digest(sign(secret, body), signature.strip()):
        raise ValueError("bad signature")
    doc = json.loads(body)
    ts = doc.get("timestamp")
    if not isinstance(ts, int):
        raise ValueError("no timestamp in the body")
    if timestamp is not None and str(ts) != str(timestamp).strip():
        raise ValueError("the timestamp header does not match the signed body")
    if abs((time.time() if now is None else now) - ts) > tolerance:
        raise ValueError("the delivery is too old (replayed?)")
    return doc
