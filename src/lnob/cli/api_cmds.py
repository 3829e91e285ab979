"""API tokens and webhooks: ``lnob token create|list|revoke``, ``lnob webhook add|list|remove|ping|log``."""

from __future__ import annotations

from typing import List, Optional

import typer

from lnob.cli.common import err, out, workspace
from lnob.i18n import _

token_app = typer.Typer(help="API tokens (Authorization: Bearer …).", no_args_is_help=True)
webhook_app = typer.Typer(help="Webhooks: signed POSTs to your systems when things happen.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
    app.add_typer(webhook_app, name="webhook")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user the token acts as (with that user's roles)."),
    name: str = typer.Option("", "--name", help="What the token is for, e.g. 'dashboard sync'."),
    days: Optional[int] = typer.Option(None, "--days", help="Expire after this many days (default: never)."),
) -> None:
    """Create an API token and print it (only this once: lnob keeps only its hash).

    Example: lnob token create asha --name "Power BI refresh" --days 365
    """
    workspace(ctx)
    from lnob.api.tokens import create_token

    token, plain = create_token(username, name=name, days=days)
    out.print(plain, markup=False)
    err.print(_("Token %(p)s… for %(u)s created. Copy it now: it is not shown again.")
              % {"p": token.prefix, "u": token.user.get_username()}, markup=False)


@token_app.command("list")
def token_list(ctx: typer.Context,
               username: Optional[str] = typer.Argument(None, help="Only this user's tokens.")) -> None:
    """List tokens (their public start, never the secret)."""
    workspace(ctx)
    from lnob.api.models import Token

    qs = Token.objects.select_related("user")
    if username:
        qs = qs.filter(user__username=username)
    out.print("\t".join([_("id"), _("token"), _("user"), _("name"), _("created"), _("last used"), _("state")]),
              markup=False)
    for t in qs:
        state = _("revoked") if t.revoked_at else (_("expires %(d)s") % {"d": t.expires_at.date()} if t.expires_at
                                                   else _("active"))
        out.print("\t".join([str(t.pk), t.prefix + "…", t.user.get_username(), t.name, f"{t.created_at:%Y-%m-%d}",
                             f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-", state]), markup=False)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token: str = typer.Argument(..., help="The token's id or its public start.")) -> None:
    """Revoke a token: requests with it are refused from now on."""
    workspace(ctx)
    from lnob.api.tokens import revoke_token

    n = revoke_token(token)
    out.print(_("revoked %(n)d token(s)") % {"n": n}, markup=False)


@webhook_app.command("add")
def webhook_add(
    ctx: typer.Context,
    project: str = typer.Argument(..., help="Project short name."),
    url: str = typer.Argument(..., help="Where to POST, e.g. https://example.org/lnob-hook."),
    event: Optional[List[str]] = typer.Option(None, "--event", help="Send only this event (repeatable; default all)."),
    description: str = typer.Option("", "--description", help="What the webhook is for."),
) -> None:
    """Add a webhook and print its signing secret (only this once).

    Example: lnob webhook add wash-2025 https://example.org/hook --event submission.created
    """
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.webhooks.services import create_webhook

    hook, secret = create_webhook(get_project(project), url, events=event or [], description=description)
    out.print(secret, markup=False)
    err.print(_("Webhook %(id)s added. Its signing secret is above: copy it now, it is not shown again.")
              % {"id": hook.pk}, markup=False)


@webhook_app.command("list")
def webhook_list(ctx: typer.Context, project: str = typer.Argument(..., help="Project short name.")) -> None:
    """List a project's webhooks."""
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.webhooks.models import Webhook

    for h in Webhook.objects.filter(project=get_project(project)):
        out.print("\t".join([str(h.pk), h.url, ",".join(h.events) or _("all events"),
                             _("active") if h.active else _("inactive"), h.description]), markup=False)


@webhook_app.command("remove")
def webhook_remove(ctx: typer.Context, project: str = typer.Argument(...), webhook_id: int = typer.Argument(...)) -> None:
    """Remove a webhook (its pending deliveries are dropped)."""
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.webhooks.services import get_webhook

    get_webhook(get_project(project), webhook_id).delete()
    out.print(_("removed webhook %(id)s") % {"id": webhook_id}, markup=False)


@webhook_app.command("ping")
def webhook_ping(ctx: typer.Context, project: str = typer.Argument(...), webhook_id: int = typer.Argument(...)) -> None:
    """Queue a test delivery (the worker sends it)."""
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.webhooks.services import get_webhook, ping

    d = ping(get_webhook(get_project(project), webhook_id))
    out.print(_("queued delivery %(d)s as job #%(j)s") % {"d": d.uuid, "j": d.job_id}, markup=False)


@webhook_app.command("log")
def webhook_log(ctx: typer.Context, project: str = typer.Argument(...), webhook_id: int = typer.Argument(...),
                limit: int = typer.Option(20, "--limit", min=1)) -> None:
    """Show recent deliveries and every attempt (status code, duration, error)."""
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.webhooks.services import get_webhook

    hook = get_webhook(get_project(project), webhook_id)
    for d in hook.deliveries.prefetch_related("log")[:limit]:
        out.print(f"{d.created_at:%Y-%m-%d %H:%M:%S} {d.event} {d.uuid} {d.status} ({d.attempts})", markup=False)
        for a in d.log.all():
            out.print(f"  #{a.attempt} {a.at:%H:%M:%S} {a.status_code or '-'} {a.duration_ms} ms {a.error}",
                      markup=False)
