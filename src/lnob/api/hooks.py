"""Webhooks of a project (project.manage): list, create (the secret is shown once), delete, ping, deliveries."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Router, Status

from lnob.api.access import project_for, rule
from lnob.api.projects import ERRORS, Limit, Offset, Slug
from lnob.api.schemas import MAX_ID, DeliveryOut, DeliveryPage, WebhookCreated, WebhookIn, WebhookOut

router = Router(tags=["webhooks"])

HookId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _hook(h) -> dict:
    return {"id": h.pk, "url": h.url, "events": h.events, "description": h.description, "active": h.active,
            "created_at": h.created_at}


def _delivery(d) -> dict:
    return {"id": str(d.uuid), "event": d.event, "status": d.status, "attempts": d.attempts,
            "created_at": d.created_at, "delivered_at": d.delivered_at,
            "log": [{"attempt": a.attempt, "at": a.at, "status_code": a.status_code, "duration_ms": a.duration_ms,
                     "error": a.error} for a in d.log.all()]}


@router.get("/projects/{slug}/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="The project's webhooks")
@rule("project.manage")
def webhook_list(request, slug: Slug):
    from lnob.webhooks.models import Webhook

    project = project_for(request, slug, "project.manage")
    return [_hook(h) for h in Webhook.objects.filter(project=project)]


@router.post("/projects/{slug}/webhooks", response={201: WebhookCreated, **ERRORS},
             summary="Add a webhook; the answer holds its signing secret, shown only this once")
@rule("project.manage")
def webhook_create(request, slug: Slug, body: WebhookIn):
    from lnob.webhooks.services import create_webhook

    project = project_for(request, slug, "project.manage")
    hook, secret = create_webhook(project, body.url, events=body.events, description=body.description,
                                  user=request.user)
    return Status(201, {**_hook(hook), "secret": secret})


@router.delete("/projects/{slug}/webhooks/{webhook_id}", response={204: None, **ERRORS}, summary="Remove a webhook")
@rule("project.manage")
def webhook_delete(request, slug: Slug, webhook_id: HookId):
    from lnob.webhooks.services import get_webhook

    get_webhook(project_for(request, slug, "project.manage"), webhook_id).delete()
    return Status(204, None)


@router.post("/projects/{slug}/webhooks/{webhook_id}/ping", response={202: DeliveryOut, **ERRORS},
             summary="Queue a test delivery")
@rule("project.manage")
def webhook_ping(request, slug: Slug, webhook_id: HookId):
    from lnob.webhooks.services import get_webhook, ping

    return Status(202, _delivery(ping(get_webhook(project_for(request, slug, "project.manage"), webhook_id))))


@router.get("/projects/{slug}/webhooks/{webhook_id}/deliveries", response={200: DeliveryPage, **ERRORS},
            summary="Deliveries of a webhook with every attempt (status code, duration, error)")
@rule("project.manage")
def webhook_deliveries(request, slug: Slug, webhook_id: HookId, limit: Limit = 50, offset: Offset = 0):
    from lnob.webhooks.services import get_webhook

    hook = get_webhook(project_for(request, slug, "project.manage"), webhook_id)
    qs = hook.deliveries.all()
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [_delivery(d) for d in qs.prefetch_related("log")[offset:offset + limit]]}
