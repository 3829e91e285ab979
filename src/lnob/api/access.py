"""Access checks for API endpoints: every endpoint declares its rule with :func:`rule`.

``rule(action)``: a project endpoint (path parameter ``slug``) — the token's
user needs a role allowing ``action`` (lnob.core.roles.PERMISSIONS), else 403;
an unknown project is 404.  ``rule(None)``: any valid token (the answer is
limited to what the user may see).  Anonymous requests get 401 everywhere
(TokenAuth).  ``tests/api/test_api_access.py`` walks every API URL × role.
"""

from __future__ import annotations

from lnob.api.errors import Forbidden
from lnob.core.roles import PERMISSIONS, role_allows
from lnob.errors import NotFound
from lnob.i18n import _


def rule(action: str | None):
    if action is not None and action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")

    def decorate(fn):
        fn.lnob_rule = ("api", action)
        return fn

    return decorate


def project_for(request, slug: str, action: str):
    """The project, when the token's user may take ``action`` on it."""
    from lnob.core.models import Project
    from lnob.core.services import role_of

    project = Project.objects.select_related("organisation").filter(slug=slug).first()
    if project is None:
        raise NotFound(_("no project %(slug)r") % {"slug": slug}, where=slug,
                       hint=_("GET /api/projects lists the projects you can see"), code="core.unknown-project")
    role = role_of(request.user, project)
    if not role_allows(role, action):
        raise Forbidden(
            _("your role on project %(slug)s (%(role)s) does not allow %(action)s")
            % {"slug": slug, "role": role or _("none"), "action": action},
            where=slug, hint=_("ask the project's owner for a role that allows it (docs/permissions.md)"),
        )
    request.project_role = role
    return project


def allows(request, project, action: str) -> bool:
    from lnob.core.services import can

    return can(request.user, project, action)
