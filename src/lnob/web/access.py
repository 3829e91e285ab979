"""Access rules for views: every view declares one, and a test checks them all.

* :func:`project_view` (``action``): the URL has a project ``slug``; the user
  must be logged in (else a redirect to the login page) and have a role that
  allows ``action`` in :data:`lnob.core.roles.PERMISSIONS` (else 403).  The
  view receives the project; ``request.project_role`` holds the role.
* :func:`coalition_view` (``action``): the URL has a coalition ``slug``; the user must be
  logged in and have a coalition role allowing ``action`` in
  :data:`lnob.core.roles.COALITION_PERMISSIONS` (else 403).  The view receives the coalition.
* :func:`public_view`: open to anyone (home page, login, language switch).
* :func:`declare` (``kind``, ``action``): for views that check access
  themselves (OpenRosa endpoints, with Digest auth) — the rule is declared so the
  URL × role test knows what to expect.

``tests/web/test_access.py`` walks every URL pattern and fails when one has no
declared rule, then requests each URL as anonymous and as every role and
checks the answer against the rule.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lnob.core.roles import COALITION_PERMISSIONS, PERMISSIONS, coalition_role_allows, role_allows


def _mark(view, kind: str, action: str | None):
    known = COALITION_PERMISSIONS if kind == "coalition" else PERMISSIONS
    if action is not None and action not in known:
        raise ValueError(f"unknown action {action!r}: add it to lnob.core.roles.PERMISSIONS")
    view.lnob_access = (kind, action)
    return view


def _member_view(kind: str, action: str, load, role_of, allows):
    """A view of one project or coalition (``kind``), named by the URL's ``slug``: anonymous users
    go to the login page, an unknown slug is 404, a role that may not take ``action`` is 403;
    otherwise the view gets the object and ``request.<kind>_role`` is set."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = load(slug)
            if obj is None:
                raise Http404
            role = role_of(request.user, obj)
            if not allows(role, action):
                raise PermissionDenied
            setattr(request, f"{kind}_role", role)
            return view(request, obj, *args, **kwargs)

        return _mark(wrapped, kind, action)

    return decorate


def _project(slug):
    from lnob.core.models import Project

    return Project.objects.select_related("organisation").filter(slug=slug).first()


def _project_role(user, project):
    from lnob.core.services import role_of

    return role_of(user, project)


def _coalition(slug):
    from lnob.coalition.models import Coalition

    return Coalition.objects.filter(slug=slug).first()


def _coalition_role(user, coalition):
    from lnob.coalition.services import coalition_role_of

    return coalition_role_of(user, coalition)


def project_view(action: str):
    return _member_view("project", action, _project, _project_role, role_allows)


def coalition_view(action: str):
    return _member_view("coalition", action, _coalition, _coalition_role, coalition_role_allows)


def public_view(view):
    return _mark(view, "public", None)


def declare(kind: str, action: str | None = None):
    def decorate(view):
        return _mark(view, kind, action)

    return decorate
