"""URLs of the API, each carrying its access rule (``lnob_access``) for the URL × role tests.

django-ninja builds one Django view per path; the view's operations (GET,
POST…) each declare a rule with :func:`lnob.api.access.rule`.  The docs page
and the OpenAPI schema are public.  Every view also refuses NUL characters in
the path and query (PostgreSQL cannot store them) before anything else runs.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import unquote

from lnob.api.main import api


def _path_view(callback):
    for cell in getattr(callback, "__closure__", None) or ():
        if hasattr(cell.cell_contents, "operations"):
            return cell.cell_contents
    return None


def _guard(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")) or "\x00" in request.path:
            from lnob.api.errors import ApiError
            from lnob.i18n import _

            err = ApiError(_("the request contains a NUL character"), where=request.path, code="api.bad-request")
            return api.create_response(request, err.as_dict(), status=400)
        return view(request, *args, **kwargs)

    return guarded


def _annotate(patterns):
    out = []
    for p in patterns:
        pv = _path_view(p.callback)
        if pv is None:  # the schema, the docs page, the API root
            p.callback = _guard(p.callback)
            p.callback.lnob_access = ("public", None)
        else:
            rules = {}
            for op in pv.operations:
                rule = getattr(op.view_func, "lnob_rule", None)
                if rule is None:
                    continue  # no rule: the URL × role test fails on it
                for method in op.methods:
                    rules[method] = rule
            p.callback = _guard(p.callback)
            if rules:
                first = rules.get("GET") or next(iter(rules.values()))
                p.callback.lnob_access = first
                p.callback.lnob_api_rules = rules
                p.callback.lnob_api_complete = len(rules) == sum(len(op.methods) for op in pv.operations)
        out.append(p)
    return out


def _assets():
    from django.urls import path

    from lnob.api.docs import asset

    return [path("docs/assets/<str:name>", asset, name="docs-asset")]


_patterns, _app, _namespace = api.urls
urlpatterns = _annotate(_assets() + list(_patterns))
app_name = "api"
