"""Project roles and the permission matrix (role × action).

One matrix, used by the web views, the OpenRosa endpoints, the API and the CLI.
Deny by default: an action that is not listed for a role is refused.
"""

from __future__ import annotations

from lnob.errors import UsageError, did_you_mean
from lnob.i18n import _
from lnob.i18n import gettext_noop

#: Roles from least to most trusted.
ROLES: tuple[str, ...] = ("viewer", "enumerator", "analyst", "manager", "owner")

ROLE_LABELS = {
    "viewer": gettext_noop("Viewer"),
    "enumerator": gettext_noop("Enumerator"),
    "analyst": gettext_noop("Analyst"),
    "manager": gettext_noop("Manager"),
    "owner": gettext_noop("Owner"),
}

#: Actions on a project, and the roles allowed to take them.
PERMISSIONS: dict[str, frozenset[str]] = {
    # see the project page: forms, record counts, published results
    "project.view": frozenset(ROLES),
    # list and download forms, submit records (OpenRosa)
    "records.submit": frozenset({"enumerator", "analyst", "manager", "owner"}),
    # read individual records (pseudonymised)
    "records.view": frozenset({"analyst", "manager", "owner"}),
    # see personal fields (names, phone numbers, GPS)
    "records.view_personal": frozenset({"manager", "owner"}),
    # run analyses and see unpublished results
    "results.view": frozenset({"analyst", "manager", "owner"}),
    # export microdata
    "records.export": frozenset({"analyst", "manager", "owner"}),
    # upload forms, import data, review records
    "forms.manage": frozenset({"manager", "owner"}),
    "records.review": frozenset({"manager", "owner"}),
    # edit the project's own indicator definitions (new versions) and start an indicator run
    "indicators.edit": frozenset({"manager", "owner"}),
    # publish outputs
    "results.publish": frozenset({"manager", "owner"}),
    # add people and change their roles; change project settings
    "project.manage": frozenset({"owner"}),
    # read the project's audit log
    "audit.view": frozenset({"owner"}),
}


def role_allows(role: str | None, action: str) -> bool:
    """True when ``role`` may take ``action``.  Unknown actions are denied."""
    if role is None:
        return False
    return role in PERMISSIONS.get(action, frozenset())


def role_at_least(role: str | None, minimum: str) -> bool:
    if role is None:
        return False
    return ROLES.index(role) >= ROLES.index(minimum)


def check_role(role: str) -> str:
    if role not in ROLES:
        hint = did_you_mean(role, ROLES) or ""
        raise UsageError(
            _("unknown role %(role)r") % {"role": role},
            where="--role",
            hint=(hint + " " if hint else "") + _("roles are: %(roles)s") % {"roles": ", ".join(ROLES)},
            code="core.unknown-role",
        )
    return role


# --------------------------------------------------------------------------- coalitions
#: Roles on a coalition (lnob.coalition), from least to most trusted.  A coalition role gives
#: no role on any member's project: coalition users see aggregates, never records.
COALITION_ROLES: tuple[str, ...] = ("coalition_viewer", "coalition_manager")

COALITION_ROLE_LABELS = {
    "coalition_viewer": gettext_noop("Coalition viewer"),
    "coalition_manager": gettext_noop("Coalition manager"),
}

#: Actions on a coalition, and the coalition roles allowed to take them.
COALITION_PERMISSIONS: dict[str, frozenset[str]] = {
    # see the coalition's members, harmonised indicators, publications and pooled results
    "coalition.view": frozenset(COALITION_ROLES),
    # add members and harmonised indicators, give coalition roles
    "coalition.manage": frozenset({"coalition_manager"}),
}


def coalition_role_allows(role: str | None, action: str) -> bool:
    """True when the coalition ``role`` may take ``action``.  Unknown actions are denied."""
    if role is None:
        return False
    return role in COALITION_PERMISSIONS.get(action, frozenset())


def check_coalition_role(role: str) -> str:
    if role not in COALITION_ROLES:
        hint = did_you_mean(role, COALITION_ROLES) or ""
        raise UsageError(
            _("unknown coalition role %(role)r") % {"role": role},
            where="--role",
            hint=(hint + " " if hint else "") + _("roles are: %(roles)s") % {"roles": ", ".join(COALITION_ROLES)},
            code="coalition.unknown-role",
        )
    return role
