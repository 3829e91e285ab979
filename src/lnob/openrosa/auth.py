"""HTTP Digest (RFC 2617: MD5, qop=auth) and Basic authentication for OpenRosa.

ODK Collect always answers a Digest challenge and sends Basic only over HTTPS,
so the server offers Digest, and Basic too when the request is secure (or the
development setting ``LNOB_OPENROSA_ALLOW_BASIC_HTTP`` allows it over HTTP).

Nonces are stateless: ``timestamp:HMAC(secret, timestamp)``, valid for
:data:`NONCE_LIFETIME` seconds; an expired one gets a fresh challenge with
``stale=true`` so the phone retries without asking the enumerator.  The nonce
count (``nc``) must grow for each nonce (replays are refused).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache

REALM = "lnob"
NONCE_LIFETIME = 600  # seconds


def ha1(username: str, password: str, realm: str = REALM) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()


class DigestPartialRecorder:
    """A password "validator" whose ``password_changed`` hook records HA1.

    Django calls ``password_changed(password, user)`` on every validator in
    ``AUTH_PASSWORD_VALIDATORS`` whenever a user's password is set and saved —
    the only moment the plain password is known.
    """

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        from lnob.openrosa.models import DigestPartial

        DigestPartial.objects.update_or_create(user=user, defaults={"ha1": ha1(user.get_username(), password)})
        forget_digest(user.get_username())

    def get_help_text(self):
        return ""


# -- nonces ------------------------------------------------------------------------------
def _sign(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    return base64.b64encode(f"{stamp}:{_sign(stamp)}".encode()).decode()


def nonce_state(nonce: str, now: float | None = None) -> str:
    """'ok', 'stale' (well signed but expired) or 'bad'."""
    try:
        stamp, sig = base64.b64decode(nonce.encode(), validate=True).decode().split(":", 1)
        issued = int(stamp)
    except Exception:
        return "bad"
    if not hmac.compare_digest(sig, _sign(stamp)):
        return "bad"
    now = now if now is not None else time.time()
    if now - issued > NONCE_LIFETIME or issued - now > 60:
        return "stale"
    return "ok"


def challenges(request, *, stale: bool = False) -> list[str]:
    """The ``WWW-Authenticate`` header values to send with a 401."""
    opaque = _sign("opaque")
    digest = (
        f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{make_nonce()}", opaque="{opaque}"'
        + (", stale=true" if stale else "")
    )
    values = [digest]
    if basic_allowed(request):
        values.append(f'Basic realm="{REALM}"')
    return values


def basic_allowed(request) -> bool:
    return request.is_secure() or getattr(settings, "OPENROSA_ALLOW_BASIC_HTTP", False)


_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]*))')


def parse_digest(header: str) -> dict[str, str]:
    return {k.lower(): (v1 if v1 or not v2 else v2) for k, v1, v2 in _PARAM.findall(header)}


class AuthResult:
    def __init__(self, user=None, *, stale: bool = False, attempted: bool = False):
        self.user = user
        self.stale = stale
        self.attempted = attempted


def authenticate(request) -> AuthResult:
    """Check the request's Authorization header.  Never raises."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, rest = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "digest":
        return _digest(request, rest)
    if scheme == "basic" and basic_allowed(request):
        try:
            username, password = base64.b64decode(rest.strip()).decode("utf-8").split(":", 1)
        except Exception:
            return AuthResult(attempted=True)
        return AuthResult(_basic_user(request, username, password), attempted=True)
    return AuthResult(attempted=bool(header))


#: how long a verified Basic credential is remembered (seconds); Argon2 is slow by design,
#: and a phone sends the same credentials with every submission
BASIC_CACHE_SECONDS = 300


def _basic_user(request, username: str, password: str):
    """The active user for Basic credentials, verifying the Argon2 hash at most every few minutes."""
    from django.contrib.auth import authenticate as django_authenticate

    User = get_user_model()
    key = "openrosa-basic:" + hmac.new(settings.SECRET_KEY.encode(), f"{username}\0{password}".encode(),
                                       hashlib.sha256).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        user = User.objects.filter(pk=cached[0], is_active=True).first()
        # a changed password invalidates the cached check
        if user is not None and hashlib.sha256(user.password.encode()).hexdigest() == cached[1]:
            return user
    user = django_authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    cache.set(key, (user.pk, hashlib.sha256(user.password.encode()).hexdigest()), BASIC_CACHE_SECONDS)
    return user


#: seconds a worker remembers a user's digest partial (a password change clears it at once
#: in the process that made it, and everywhere after at most this long)
DIGEST_CACHE_SECONDS = 10


def forget_digest(username: str) -> None:
    cache.delete("openrosa-digest:" + hashlib.sha256(username.encode()).hexdigest())


def _digest(request, rest: str) -> AuthResult:
    from lnob.openrosa.models import DigestPartial

    p = parse_digest(rest)
    required = ("username", "realm", "nonce", "uri", "response")
    if any(k not in p for k in required) or p["realm"] != REALM:
        return AuthResult(attempted=True)
    state = nonce_state(p["nonce"])
    if state == "bad":
        return AuthResult(attempted=True)
    if state == "stale":
        return AuthResult(stale=True, attempted=True)
    User = get_user_model()
    key = "openrosa-digest:" + hashlib.sha256(p["username"].encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        partial = (DigestPartial.objects.select_related("user")
                   .filter(**{f"user__{User.USERNAME_FIELD}": p["username"], "user__is_active": True}).first())
        cached = (partial.user, partial.ha1) if partial is not None else (None, None)
        cache.set(key, cached, DIGEST_CACHE_SECONDS)
    user, stored_ha1 = cached
    if user is None:
        return AuthResult(attempted=True)
    ha2 = hashlib.md5(f"{request.method}:{p['uri']}".encode()).hexdigest()
    qop = p.get("qop")
    if qop:
        if qop != "auth" or "nc" not in p or "cnonce" not in p:
            return AuthResult(attempted=True)
        expected = hashlib.md5(f"{stored_ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:{qop}:{ha2}".encode()).hexdigest()
    else:
        expected = hashlib.md5(f"{stored_ha1}:{p['nonce']}:{ha2}".encode()).hexdigest()
    if not hmac.compare_digest(expected, p["response"].lower()):
        return AuthResult(attempted=True)
    if qop:
        try:
            nc = int(p["nc"], 16)
        except ValueError:
            return AuthResult(attempted=True)
        key = "openrosa-nc:" + hashlib.sha256(f"{p['nonce']}:{p['cnonce']}".encode()).hexdigest()
        last = cache.get(key, 0)
        if nc <= last:
            return AuthResult(stale=True, attempted=True)
        cache.set(key, nc, NONCE_LIFETIME + 60)
    return AuthResult(user)
