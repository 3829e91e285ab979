"""Token authentication (``Authorization: Bearer lnob_…``) and the per-token rate limit."""

from __future__ import annotations

from ninja.security import HttpBearer

from lnob.api.errors import RateLimited
from lnob.api.ratelimit import hit
from lnob.api.tokens import check_token
from lnob.i18n import _


class TokenAuth(HttpBearer):
    openapi_description = "An API token: create one with `lnob token create USERNAME`."

    def authenticate(self, request, token: str):
        found = check_token(token)
        if found is None:
            return None
        wait = hit(f"token:{found.pk}")
        if wait is not None:
            raise RateLimited(
                _("too many requests with this token"),
                where="Authorization",
                hint=_("wait %(s)d seconds; the limit is per token") % {"s": wait},
                headers={"Retry-After": str(int(wait))},
            )
        request.user = found.user
        request.api_token = found
        return found
