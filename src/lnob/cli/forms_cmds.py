"""``lnob forms add`` and ``lnob forms list``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from lnob.cli.common import err, out, workspace
from lnob.i18n import _

forms_app = typer.Typer(help="Manage a project's XLSForm questionnaires.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(forms_app, name="forms")


@forms_app.command("add")
def forms_add(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name."),
    file: Path = typer.Argument(..., metavar="FILE", help="XLSForm (.xlsx or .xls; also .csv, .md)."),
    media: list[Path] = typer.Option([], "--media", metavar="FILE",
                                     help="A media file the form uses (image, audio, CSV); repeat for several."),
) -> None:
    """Add an XLSForm to a project; a changed form becomes a new version (all versions are kept).

    pyxform's warnings are printed with their sheet and row.

    Example: lnob forms add wash-2025 household.xlsx --media villages.csv
    """
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.forms.services import store_converted
    from lnob.forms.xlsform import convert

    from lnob.errors import InputError
    from lnob.forms.media import attach_media, missing_media

    target = get_project(project)
    files = []
    for path in media:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise InputError(_("cannot read the media file: %(error)s") % {"error": exc.strerror or exc},
                             where=str(path), hint=_("check the path"), code="forms.media-unreadable") from None
    converted = convert(file)
    for w in converted.warnings:
        where = f" ({w.where})" if w.where else ""
        err.print(f"warning [{w.code}]{where}: {w.message}", markup=False)
    from django.db import transaction

    with transaction.atomic():
        version, created = store_converted(target, converted)
        if files:
            attach_media(version, files)
    for name in missing_media(version):
        err.print(_("warning: the form uses the media file %(name)s, which was not given (--media)")
                  % {"name": name}, markup=False)
    form = version.form
    if created:
        msg = _("Added form '%(form)s' (%(title)s), version %(version)s, to project '%(project)s'.")
    else:
        msg = _("Form '%(form)s' version %(version)s is unchanged; nothing added to project '%(project)s'.")
    out.print(msg % {"form": form.form_id, "title": form.title, "version": version.version,
                     "project": target.slug}, markup=False)
    if converted.languages:
        out.print(_("Languages: %(langs)s") % {"langs": ", ".join(converted.languages)}, markup=False)


@forms_app.command("list")
def forms_list(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """List a project's forms with their current version and record counts.

    Example: lnob forms list demo --format json
    """
    from lnob.cli.common import choice

    choice(fmt, ["table", "json"], "--format")
    workspace(ctx)
    from lnob.core.services import get_project
    from lnob.forms.services import list_forms

    forms = list_forms(get_project(project))
    rows = []
    for f in forms:
        current = f.current_version
        rows.append({"form_id": f.form_id, "title": f.title, "version": current.version if current else None,
                     "versions": f.n_versions, "records": f.n_records,
                     "languages": current.languages if current else []})
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=_("Forms of %(project)s") % {"project": project})
    for col in (_("Form ID"), _("Title"), _("Current version"), _("Versions"), _("Records"), _("Languages")):
        table.add_column(col)
    for r in rows:
        table.add_row(r["form_id"], r["title"], r["version"] or "", str(r["versions"]), str(r["records"]),
                      ", ".join(r["languages"]))
    out.print(table)
