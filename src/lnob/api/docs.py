"""The API docs page (Swagger UI) served without a CDN and without collecting django-ninja's static files.

django-ninja's own docs page needs ``ninja`` in INSTALLED_APPS (else it loads
Swagger UI from a CDN, which lnob's Content-Security-Policy forbids); that adds
~8 MB of JavaScript and source maps to every ``collectstatic`` (a minute of
compression in ``lnob init``).  Instead the three files the page needs are
served from the installed django-ninja package by :func:`asset`.
"""

from __future__ import annotations

import json
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpResponse
from django.utils.html import escape
from ninja.openapi.docs import DocsBase

ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui-init.js": "text/javascript",
          "swagger-ui.css": "text/css"}
STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{base}swagger-ui.css"></head>
<body data-csrf-token="" data-api-csrf="">
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{base}swagger-ui-bundle.js"></script>
<script src="{base}swagger-ui-init.js"></script>
</body></html>"""


class LocalSwagger(DocsBase):
    def render_page(self, request, api, **kwargs) -> HttpResponse:
        settings = {"layout": "BaseLayout", "deepLinking": True, "url": self.get_openapi_url(api, kwargs)}
        base = request.path.rstrip("/") + "/assets/"
        body = PAGE.format(title=escape(api.title), base=escape(base),
                           settings=json.dumps(settings).replace("<", "\\u003c"))
        return HttpResponse(body, content_type="text/html; charset=utf-8")


def asset(request, name: str):
    if name not in ASSETS or not (STATIC / name).is_file():
        raise Http404
    resp = FileResponse((STATIC / name).open("rb"), content_type=ASSETS[name])
    resp["Cache-Control"] = "public, max-age=86400"
    return resp
