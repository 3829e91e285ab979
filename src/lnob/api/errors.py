"""API errors: every error body is ``{"code", "message", "where", "hint"}`` (an LnobError's shape)."""

from __future__ import annotations

import logging

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lnob.errors import AlreadyExists, InputError, LnobError, NotFound, UsageError
from lnob.i18n import _

log = logging.getLogger(__name__)


class ApiError(LnobError):
    """An LnobError with the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None, headers: dict | None = None, **kw) -> None:
        super().__init__(message, **kw)
        if status is not None:
            self.status = status
        self.headers = headers or {}


class Unauthenticated(ApiError):
    code = "api.unauthenticated"
    status = 401


class Forbidden(ApiError):
    code = "api.forbidden"
    status = 403


class Conflict(ApiError):
    code = "api.conflict"
    status = 409


class RateLimited(ApiError):
    code = "api.rate-limited"
    status = 429


def status_of(exc: LnobError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, AlreadyExists):
        return 409
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, UsageError):
        return 400
    return 400


def _unauthenticated() -> Unauthenticated:
    return Unauthenticated(
        _("a valid API token is required"),
        where="Authorization",
        hint=_("send 'Authorization: Bearer <token>'; create a token with 'lnob token create USERNAME'"),
    )


def _where(loc) -> str:
    return ".".join(str(p) for p in loc) if isinstance(loc, (list, tuple)) else str(loc)


def install(api) -> None:
    """Replace django-ninja's default handlers with ones that answer in the LnobError shape."""

    def respond(request, exc: LnobError, status: int, headers: dict | None = None):
        resp = api.create_response(request, exc.as_dict(), status=status)
        for k, v in (headers or {}).items():
            resp[k] = v
        return resp

    @api.exception_handler(LnobError)
    def lnob_error(request, exc):
        return respond(request, exc, status_of(exc), getattr(exc, "headers", None))

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return respond(request, _unauthenticated(), 401, {"WWW-Authenticate": 'Bearer realm="lnob"'})

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        first = exc.errors[0] if exc.errors else {}
        where = _where(first.get("loc", ()))
        message = _("the request is not valid: %(why)s") % {"why": first.get("msg", "")}
        if len(exc.errors) > 1:
            message += " " + _("(and %(n)d more problems)") % {"n": len(exc.errors) - 1}
        err = LnobError(message, where=where, hint=_("see the schema at /api/openapi.json"), code="api.invalid")
        return respond(request, err, 422)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, NotFound(_("not found"), where=request.path, code="api.not-found"), 404)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        status = exc.status_code
        code = {400: "api.bad-request", 403: "api.forbidden", 404: "api.not-found", 405: "api.method",
                429: "api.rate-limited"}.get(status, "api.error")
        return respond(request, LnobError(str(exc), where=request.path, code=code), status)

    @api.exception_handler(Exception)
    def internal(request, exc):
        log.exception("API %s %s failed", request.method, request.path)
        err = LnobError(_("an internal error occurred"), where=request.path, code="internal",
                        hint=_("this is a bug in lnob; the server's log has the details"))
        return respond(request, err, 500)
