"""Administration commands: ``project create``, ``user create``."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from lnob.cli.common import out, workspace
from lnob.core.roles import ROLES
from lnob.errors import UsageError
from lnob.i18n import _

project_app = typer.Typer(help="Manage projects.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(project_app, name="project")
    app.add_typer(user_app, name="user")


@project_app.command("create")
def project_create(
    ctx: typer.Context,
    slug: str = typer.Argument(..., help="Short name used in URLs, e.g. 'wash-2025'."),
    name: str = typer.Option(..., "--name", help="Full name of the project."),
    org: Optional[str] = typer.Option(None, "--org", help="Organisation (short name or name); created if new."),
) -> None:
    """Create a project.

    Example: lnob project create wash-2025 --name "WASH survey 2025" --org "Dalit Rights Network"
    """
    # check options before touching the workspace, so nothing is half-written
    workspace(ctx)
    from lnob.core import services

    project = services.create_project(slug, name, org=org)
    out.print(
        _("Created project '%(slug)s' (%(name)s) in organisation '%(org)s'.")
        % {"slug": project.slug, "name": project.name, "org": project.organisation.name},
        markup=False,
    )


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (first line)."
    ),
    project: Optional[str] = typer.Option(None, "--project", metavar="SLUG", help="Give the user a role on this project."),
    role: Optional[str] = typer.Option(None, "--role", metavar="ROLE", help="Role on --project: " + ", ".join(ROLES) + "."),
    superuser: bool = typer.Option(False, "--superuser", help="Make the user a superuser (Django admin, every project)."),
) -> None:
    """Create a user, optionally with a role on a project.

    Example: echo 's3cret-pass' | lnob user create asha --password-stdin --project wash-2025 --role enumerator
    """
    if not password_stdin:
        raise UsageError(
            _("the password must be given on standard input"),
            where="--password-stdin",
            hint=_("pipe it in: echo 'secret' | lnob user create NAME --password-stdin"),
            code="core.no-password",
        )
    if (project is None) != (role is None):
        raise UsageError(
            _("--project and --role go together"),
            where="--project/--role",
            hint=_("give both, e.g. --project wash-2025 --role analyst"),
            code="usage.project-role",
        )
    from lnob.core.roles import check_role

    if role is not None:
        check_role(role)
    password = sys.stdin.readline().rstrip("\r\n")
    workspace(ctx)
    from django.db import transaction

    from lnob.core import services

    with transaction.atomic():
        target = services.get_project(project) if project else None
        user = services.create_user(username, password, superuser=superuser)
        if target is not None:
            services.grant_role(user, target, role)
    msg = _("Created user '%(user)s'.") % {"user": user.username}
    if target is not None:
        msg += " " + _("Role on '%(project)s': %(role)s.") % {"project": target.slug, "role": role}
    out.print(msg, markup=False)
