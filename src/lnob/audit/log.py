"""Recording audit events.

Who acted is taken, in order, from the ``actor`` argument, or the current
request's user (set by :class:`AuditContextMiddleware`), or the command-line
context (:func:`acting_as`, set by the CLI to ``cli:<os user>``).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_context: ContextVar[tuple | None] = ContextVar("lnob_audit_context", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@contextmanager
def acting_as(user=None, *, name: str = "", request=None):
    token = _context.set((user, name, request))
    try:
        yield
    finally:
        _context.reset(token)


def set_process_actor(name: str) -> None:
    """Name who acts for the rest of this process (the CLI: ``cli:<os user>``)."""
    _context.set((None, name, None))


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with acting_as(user if user is not None and user.is_authenticated else None, request=request):
            return self.get_response(request)


def record(action: str, *, actor=None, actor_name: str = "", project=None, target: str = "",
           request=None, **details):
    """Append one event."""
    from lnob.audit.models import AuditEvent

    ctx_user, ctx_name, ctx_request = _context.get() or (None, "", None)
    if actor is None and not actor_name:
        actor, actor_name = ctx_user, ctx_name
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    request = request or ctx_request
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else actor_name)[:150],
        project=project,
        target=str(target)[:255],
        ip=client_ip(request),
        details=details,
    )
