"""Login rate limiting: too many failed logins block further attempts for a while.

Counted per user name and per client address in Django's cache, over a sliding
window of :data:`WINDOW` seconds.  Blocked attempts are refused without checking
the password (so a guesser learns nothing) and are written to the audit log.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

WINDOW = 15 * 60


def _limits() -> tuple[int, int]:
    return (int(getattr(settings, "LOGIN_MAX_FAILURES_PER_USER", 5)),
            int(getattr(settings, "LOGIN_MAX_FAILURES_PER_IP", 50)))


def _key(kind: str, value: str) -> str:
    return "login-fail:" + kind + ":" + hashlib.sha256(value.lower().encode()).hexdigest()


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW)


def is_blocked(username: str, ip: str | None) -> bool:
    per_user, per_ip = _limits()
    if username and (cache.get(_key("user", username)) or 0) >= per_user:
        return True
    return bool(ip) and (cache.get(_key("ip", ip)) or 0) >= per_ip


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    if username:
        _bump(_key("user", username))
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if ip:
        _bump(_key("ip", ip))


@receiver(user_logged_in)
def _succeeded(sender, request, user, **kwargs):
    cache.delete(_key("user", user.get_username()))
