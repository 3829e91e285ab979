"""Per-token rate limits: a sliding window kept in Django's cache.

The window is approximated with two fixed windows (the current one and the one
before, weighted by how much of it still overlaps the sliding window), the
usual "sliding window counter": two cache keys per token, no per-request
history.  Over the limit, the API answers 429 with ``Retry-After``.

Settings: ``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW`` seconds
(``LNOB_API_RATE_LIMIT``, default 600 per 60 s).  The cache is Django's default
cache: per process with the default local-memory cache (one waitress process:
exact), shared when ``CACHES`` points to a shared cache.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def limits() -> tuple[int, float]:
    return int(getattr(settings, "API_RATE_LIMIT", 600)), float(getattr(settings, "API_RATE_WINDOW", 60))


def _incr(key: str, ttl: float) -> int:
    if cache.add(key, 1, timeout=int(ttl) + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(ttl) + 1)
        return 1


def hit(ident: str, *, now: float | None = None) -> float | None:
    """Count one request of ``ident``; None when allowed, else the seconds to wait."""
    limit, window = limits()
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    slot = int(now // window)
    elapsed = now - slot * window
    prev = cache.get(f"api-rate:{ident}:{slot - 1}") or 0
    weight = 1 - elapsed / window
    current = cache.get(f"api-rate:{ident}:{slot}") or 0
    if prev * weight + current + 1 > limit:
        excess = prev * weight + current + 1 - limit
        if prev and current < limit:
            wait = excess * window / prev  # until enough of the previous window has slid out
            wait = min(wait, window - elapsed)
        else:
            wait = window - elapsed
            if current >= limit:  # next window: this window's count becomes the previous one
                wait += (current + 1 - limit) * window / max(current, 1)
        return max(1.0, math.ceil(wait))
    _incr(f"api-rate:{ident}:{slot}", 2 * window)
    return None
