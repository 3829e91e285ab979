"""The REST API (django-ninja) under ``/api/``: projects, forms, records, exports, imports, jobs, webhooks,
indicators, results (unpublished and published), briefs.

* :mod:`lnob.api.main` — the ``NinjaAPI`` (OpenAPI 3 at ``/api/openapi.json``, docs at ``/api/docs``);
* :mod:`lnob.api.tokens` / :mod:`lnob.api.models` — API tokens (stored hashed);
* :mod:`lnob.api.auth` / :mod:`lnob.api.ratelimit` — Bearer authentication, per-token sliding-window limits;
* :mod:`lnob.api.access` — each endpoint's rule (lnob.core.roles); :mod:`lnob.api.errors` — LnobError-shaped errors;
* :mod:`lnob.api.projects`, :mod:`lnob.api.work`, :mod:`lnob.api.hooks`, :mod:`lnob.api.results`,
  :mod:`lnob.api.indicators` (catalogue, disclosure-controlled results), :mod:`lnob.api.briefs` — the endpoints.

See docs/api.md.
"""
