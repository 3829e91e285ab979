"""The REST API (django-ninja): OpenAPI 3 at ``/api/openapi.json``, docs at ``/api/docs``.

Token authentication on every endpoint (``Authorization: Bearer …``, see
:mod:`lnob.api.tokens`), role checks from :mod:`lnob.core.roles`, a per-token
rate limit, limit/offset pagination, and errors in the LnobError shape.
See docs/api.md.
"""

from __future__ import annotations

from ninja import NinjaAPI

from lnob import __version__
from lnob.api import errors
from lnob.api.auth import TokenAuth
from lnob.api.docs import LocalSwagger

api = NinjaAPI(
    title="lnob API",
    version="1",
    description=(
        "Community-driven survey data that leaves no one behind. Every endpoint needs an API token "
        "(`Authorization: Bearer lnob_…`, created with `lnob token create USERNAME`); what a token may do "
        "follows its user's role on each project (docs/permissions.md). lnob " + __version__
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    docs=LocalSwagger(),
    openapi_url="/openapi.json",
)
errors.install(api)

from lnob.api import briefs, hooks, indicators, projects, results, work  # noqa: E402 - the routers use `api`

api.add_router("", projects.router)
api.add_router("", work.router)
api.add_router("", hooks.router)
api.add_router("", results.router)
api.add_router("", indicators.router)
api.add_router("", briefs.router)

from lnob.api import coalitions  # noqa: E402 - coalition results (lnob.coalition)

api.add_router("", coalitions.router)
