"""Creating, checking and revoking API tokens (``Authorization: Bearer lnob_…``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.utils import timezone

from lnob.errors import InputError, NotFound, did_you_mean
from lnob.i18n import _

PREFIX = "lnob_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(user_or_name, *, name: str = "", days: int | None = None):
    """Create a token; returns ``(Token, plain text)``.  The plain text is shown once, never stored."""
    from lnob.api.models import Token

    user = user_or_name
    if isinstance(user_or_name, str):
        User = get_user_model()
        user = User.objects.filter(username=user_or_name).first()
        if user is None:
            known = list(User.objects.values_list("username", flat=True)[:200])
            raise NotFound(_("no user %(u)r") % {"u": user_or_name}, where=user_or_name,
                           hint=did_you_mean(user_or_name, known) or _("create one with 'lnob user create'"),
                           code="core.unknown-user")
    if not user.is_active:
        raise InputError(_("the user %(u)s is inactive") % {"u": user.get_username()}, where=user.get_username(),
                         code="api.inactive-user")
    if days is not None and days <= 0:
        raise InputError(_("--days must be a positive number"), where="--days", code="api.bad-days")
    public = secrets.token_hex(4)
    plain = f"{PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = Token.objects.create(
        user=user, name=name[:100], prefix=f"{PREFIX}{public}", token_hash=hash_token(plain),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    return token, plain


def check_token(plain: str):
    """The live Token for ``plain``, or None (unknown, revoked, expired, or its user inactive)."""
    from lnob.api.models import Token

    if not plain or not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = Token.objects.select_related("user").filter(token_hash=hash_token(plain)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke_token(token_id_or_prefix: str) -> int:
    from lnob.api.models import Token

    key = str(token_id_or_prefix)
    qs = Token.objects.filter(pk=int(key)) if key.isdigit() else Token.objects.filter(prefix=key)
    n = qs.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not n and not qs.exists():
        raise NotFound(_("no token %(t)r") % {"t": key}, where=key, hint=_("list them with 'lnob token list'"),
                       code="api.unknown-token")
    return n
