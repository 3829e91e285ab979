"""Creating webhooks, queueing deliveries, checking receiver addresses."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from lnob.errors import InputError, NotFound, did_you_mean
from lnob.i18n import _
from lnob.webhooks.models import Delivery, Webhook
from lnob.webhooks.signing import secret_for


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False))


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL if lnob may post to it: http(s), and (unless allowed) not a private or loopback address.

    Refusing private addresses keeps a project manager from using webhooks to
    reach services inside the server's network (SSRF).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(_("a webhook URL must start with https:// (or http://) and name a host"), where=url,
                         hint=_("e.g. https://example.org/lnob-hook"), code="webhooks.bad-url")
    if allow_private() or not resolve:
        return url.strip()
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise InputError(_("the webhook's host name does not resolve"), where=parts.hostname,
                         hint=_("check the spelling of the URL"), code="webhooks.unknown-host") from None
    for info in infos:
        addr = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not addr.is_global:
            raise InputError(
                _("the webhook's host %(host)s is a private, loopback or reserved address (%(addr)s)")
                % {"host": parts.hostname, "addr": addr},
                where=url,
                hint=_("use a public address; the server administrator can allow private ones with "
                       "LNOB_WEBHOOK_ALLOW_PRIVATE=1"),
                code="webhooks.private-address",
            )
    return url.strip()


def check_events(events) -> list[str]:
    from lnob.webhooks import EVENTS

    out = []
    for e in events or []:
        if e not in EVENTS:
            raise InputError(_("unknown webhook event %(e)r") % {"e": e}, where=str(e),
                             hint=did_you_mean(str(e), EVENTS) or _("events: %(e)s") % {"e": ", ".join(EVENTS)},
                             code="webhooks.unknown-event")
        if e not in out:
            out.append(e)
    return out


@transaction.atomic
def create_webhook(project, url: str, *, events=None, description: str = "", user=None) -> tuple[Webhook, str]:
    """A new webhook and its signing secret (shown once: it is derived, not stored)."""
    url = check_url(url)
    salt = secrets.token_urlsafe(24)
    hook = Webhook.objects.create(project=project, url=url, events=check_events(events), description=description[:200],
                                  salt=salt, created_by=user if getattr(user, "is_authenticated", False) else None)
    return hook, secret_for(salt)


def rotate_secret(hook: Webhook) -> str:
    hook.salt = secrets.token_urlsafe(24)
    hook.save(update_fields=["salt"])
    return secret_for(hook.salt)


def get_webhook(project, pk) -> Webhook:
    hook = Webhook.objects.filter(project=project, pk=pk).first() if str(pk).isdigit() else None
    if hook is None:
        raise NotFound(_("no webhook %(id)s in project %(p)s") % {"id": pk, "p": project.slug}, where=str(pk),
                       hint=_("list them with 'lnob webhook list %(p)s'") % {"p": project.slug},
                       code="webhooks.unknown-webhook")
    return hook


def queue_deliveries(event: str, project, payload: dict, *, only=None) -> list[Delivery]:
    from lnob.jobs.queue import enqueue

    if only is not None:
        hooks = [h for h in only if h.active]
    else:
        hooks = [h for h in Webhook.objects.filter(project=project, active=True) if h.wants(event)]
    out = []
    with transaction.atomic():
        for hook in hooks:
            d = Delivery.objects.create(webhook=hook, event=event, payload=payload)
            d.job = enqueue("webhooks.deliver", {"delivery": d.pk}, project=project)
            d.save(update_fields=["job"])
            out.append(d)
    return out


def ping(hook: Webhook) -> Delivery:
    return queue_deliveries("ping", hook.project, {"webhook": hook.pk, "message": "ping"}, only=[hook])[0]
