"""``lnob coalition …``: national and global coalitions that pool members' published aggregates.

The work is :mod:`lnob.coalition`; this module parses options and prints.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from lnob.cli.common import choice, err, out, workspace
from lnob.i18n import _

coalition_app = typer.Typer(help="Coalitions: organisations pooling their published aggregates (docs/coalition.md).",
                            no_args_is_help=True)

EPILOG = """\b
Examples:
  lnob coalition create "LNOB Viet Nam" --level national --country VN
  lnob coalition join lnob-viet-nam --organisation lnob-demo-coalition
  lnob coalition indicators lnob-viet-nam --add basic_sanitation,child_marriage
  lnob coalition publish demo --coalition lnob-viet-nam
  lnob coalition results lnob-viet-nam --indicator basic_sanitation --format csv
"""


def register(app: typer.Typer) -> None:
    app.add_typer(coalition_app, name="coalition", epilog=EPILOG)


def _split(values: List[str]) -> list[str]:
    return [v.strip() for val in values for v in val.split(",") if v.strip()]


@coalition_app.command("create")
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME", help="The coalition's name. Example: 'LNOB Viet Nam'"),
    level: str = typer.Option(..., "--level", metavar="national|global", help="National (organisations) or global (national coalitions)."),
    country: Optional[str] = typer.Option(None, "--country", metavar="XX", help="ISO 3166-1 alpha-2 code (national coalitions)."),
    parent: Optional[str] = typer.Option(None, "--parent", metavar="SLUG", help="The global coalition this national one joins."),
    slug: Optional[str] = typer.Option(None, "--slug", metavar="SLUG", help="Short name (default: from the name)."),
) -> None:
    """Create a national or global coalition."""
    workspace(ctx)
    from lnob.coalition.services import create_coalition

    c = create_coalition(name, level=level, country=country or "", parent=parent, slug=slug)
    err.print(_("coalition %(s)s created (%(l)s)") % {"s": c.slug, "l": c.level}, markup=False)
    out.print(c.slug, markup=False)


@coalition_app.command("join")
def join_cmd(
    ctx: typer.Context,
    slug: str = typer.Argument(..., metavar="SLUG", help="The coalition to join."),
    organisation: Optional[str] = typer.Option(None, "--organisation", metavar="ORG", help="Organisation short name (national coalitions)."),
    member: Optional[str] = typer.Option(None, "--coalition", metavar="SLUG", help="A national coalition (global coalitions)."),
) -> None:
    """Add an organisation to a national coalition, or a national coalition to a global one."""
    workspace(ctx)
    from lnob.coalition.services import join

    m = join(slug, organisation=organisation, coalition=member)
    who = m.organisation.slug if m.organisation else m.member_coalition.slug
    err.print(_("%(m)s is a member of %(c)s") % {"m": who, "c": slug}, markup=False)


@coalition_app.command("indicators")
def indicators_cmd(
    ctx: typer.Context,
    slug: str = typer.Argument(..., metavar="SLUG", help="The coalition."),
    add: List[str] = typer.Option([], "--add", metavar="ID", help="Harmonise these indicators (repeatable or comma-separated)."),
    remove: List[str] = typer.Option([], "--remove", metavar="ID", help="Stop harmonising these indicators."),
    definitions: List[Path] = typer.Option([], "--definitions", metavar="FILE", help="The coalition's own definitions file (YAML); repeatable."),
    fmt: str = typer.Option("table", "--format", "-f", metavar="table|json", help="Output format of the list."),
) -> None:
    """Add or remove harmonised indicators, then list them with their definition hashes."""
    choice(fmt, ("table", "json"), "--format")
    workspace(ctx)
    from lnob.coalition.services import add_indicators, get_coalition, remove_indicators

    if add:
        add_indicators(slug, _split(add), definitions=definitions or None)
    if remove:
        remove_indicators(slug, _split(remove))
    items = [{"indicator": h.indicator, "kind": h.kind, "unit": h.unit, "definition_hash": h.definition_hash,
              "source": h.source} for h in get_coalition(slug).indicators.all()]
    if fmt == "json":
        out.print(json.dumps(items, ensure_ascii=False), markup=False, highlight=False)
        return
    for i in items:
        out.print(f"{i['indicator']}\t{i['kind']}\t{i['definition_hash'][:12]}\t{i['source']}", markup=False)


@coalition_app.command("publish")
def publish_cmd(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name. Example: demo"),
    coalition: str = typer.Option(..., "--coalition", metavar="SLUG", help="The national coalition."),
) -> None:
    """Publish the project's disclosure-controlled aggregates of the coalition's indicators."""
    workspace(ctx)
    from lnob.coalition.publishing import publish

    pub = publish(project, coalition)
    sup = sum(1 for r in pub.rows if "suppressed" in r["flags"])
    err.print(_("%(n)s cells of %(i)s indicators published to %(c)s (%(s)s suppressed by disclosure control)")
              % {"n": len(pub.rows), "i": len(pub.indicators), "c": coalition, "s": sup}, markup=False)
    out.print(str(pub.id), markup=False)


@coalition_app.command("results")
def results_cmd(
    ctx: typer.Context,
    slug: str = typer.Argument(..., metavar="SLUG", help="The coalition."),
    indicator: Optional[str] = typer.Option(None, "--indicator", "-i", metavar="ID", help="Only this indicator."),
    fmt: str = typer.Option("json", "--format", "-f", metavar="csv|json", help="Output format."),
) -> None:
    """Print the pooled results (national: members pooled; global: national coalitions pooled)."""
    choice(fmt, ("csv", "json"), "--format")
    workspace(ctx)
    from lnob.coalition.views import COLUMNS, flat, results

    rows = results(slug, indicator)
    if fmt == "json":
        out.print(json.dumps(rows, ensure_ascii=False, default=str), markup=False, highlight=False)
        return
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        f = flat(r)
        w.writerow(["" if f.get(k) is None else repr(f[k]) if isinstance(f[k], float) else f[k] for k in COLUMNS])


@coalition_app.command("grant")
def grant_cmd(
    ctx: typer.Context,
    slug: str = typer.Argument(..., metavar="SLUG", help="The coalition."),
    username: str = typer.Option(..., "--user", metavar="USERNAME", help="An existing user."),
    role: str = typer.Option(..., "--role", metavar="coalition_viewer|coalition_manager", help="The coalition role."),
) -> None:
    """Give a user a role on a coalition (it gives no role on any member's project)."""
    workspace(ctx)
    from django.contrib.auth import get_user_model

    from lnob.coalition.services import get_coalition, grant_coalition_role
    from lnob.errors import NotFound

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(_("no user %(u)r") % {"u": username}, where="--user",
                       hint=_("create one with 'lnob user create'"), code="core.unknown-user")
    grant_coalition_role(user, get_coalition(slug), role)
    err.print(_("%(u)s is %(r)s of %(c)s") % {"u": username, "r": role, "c": slug}, markup=False)
