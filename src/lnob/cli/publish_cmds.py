"""``lnob publish`` (open data) and ``lnob brief`` (advocacy brief).

The work is :mod:`lnob.publish.services`; this module parses options and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from lnob.cli.common import err, out, workspace
from lnob.i18n import _

PUBLISH_EPILOG = """\b
Examples:
  lnob publish demo --format datapackage --out demo-data
  lnob publish demo --format sdmx-csv --out demo-sdmx --indicator basic_sanitation,child_marriage
  lnob publish demo --format opensdg --out open-sdg --dimension sex,ethnicity --intersection sex,disability
"""

BRIEF_EPILOG = """\b
Examples:
  lnob brief demo --format pdf --out brief.pdf
  lnob brief demo --lang hi --indicator basic_sanitation --group ethnic_group=MINORITY --format pdf --out brief-hi.pdf
  lnob brief demo --template vnr --official indicator_6-2-1.csv --format html --out vnr.html
"""


def register(app: typer.Typer) -> None:
    app.command("publish", epilog=PUBLISH_EPILOG)(publish)
    app.command("brief", epilog=BRIEF_EPILOG)(brief)


def _split(values: List[str]) -> list[str] | None:
    items = [v.strip() for val in values for v in val.split(",") if v.strip()]
    return items or None


def publish(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name. Example: demo"),
    fmt: str = typer.Option(..., "--format", "-f", metavar="datapackage|sdmx-csv|opensdg", help="Open-data format."),
    out_dir: Path = typer.Option(..., "--out", "-o", metavar="DIR", help="Directory to create (must be new or empty)."),
    indicator: List[str] = typer.Option([], "--indicator", "-i", metavar="ID", help="Only these indicators (repeatable or comma-separated)."),
    dimension: List[str] = typer.Option([], "--dimension", "-d", metavar="ID", help="Dimensions to publish (default: by priority, as many as disclosure control can check)."),
    intersection: List[str] = typer.Option([], "--intersection", metavar="A,B", help="Also publish this intersection of dimensions (repeatable)."),
    licence: Optional[str] = typer.Option(None, "--licence", metavar="SPDX", help="Licence (default: the project's, else CC-BY-4.0)."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty output directory."),
) -> None:
    """Publish a project's results as open data, every figure through disclosure control."""
    from lnob.publish.services import publish_open_data

    workspace(ctx)
    inters = [[d.strip() for d in v.split(",") if d.strip()] for v in intersection]
    res = publish_open_data(project, fmt, out_dir, indicators=_split(indicator), dimensions=_split(dimension),
                            intersections=inters or None, licence=licence, replace=force)
    c = res["counts"]
    err.print(_("%(n)s cells (%(s)s suppressed by disclosure control) written to %(p)s")
              % {"n": c["cells"], "s": c["suppressed"], "p": res["path"]}, markup=False)
    for f in res["files"]:
        out.print(str(Path(res["path"]) / f), markup=False)


def brief(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name. Example: demo"),
    fmt: str = typer.Option(..., "--format", "-f", metavar="pdf|html", help="Output format."),
    out_path: Path = typer.Option(..., "--out", "-o", metavar="PATH", help="File to write."),
    indicator: List[str] = typer.Option([], "--indicator", "-i", metavar="ID", help="Indicators to show (default: up to three with most findings)."),
    group: List[str] = typer.Option([], "--group", "-g", metavar="DIM=CAT[,DIM=CAT]", help="A group to report on (an intersection with commas); repeatable."),
    lang: str = typer.Option("en", "--lang", metavar="en|hi|vi|bn", help="Language of the brief."),
    template: str = typer.Option("local", "--template", metavar="local|vnr", help="local: for a local official; vnr: a Voluntary National Review spotlight."),
    official: List[Path] = typer.Option([], "--official", metavar="FILE", help="Official data to compare with (Open SDG CSV or SDMX); repeatable."),
) -> None:
    """Write a 2-4 page advocacy brief: who is left behind, charts, method and data annex."""
    from lnob.publish.services import write_brief

    workspace(ctx)
    res = write_brief(project, out_path, fmt=fmt, lang=lang, template=template, indicators=_split(indicator),
                      groups=group or None, official=official or None)
    pages = _(" (%(n)s pages)") % {"n": res["pages"]} if res["pages"] else ""
    err.print(_("brief written to %(p)s%(pages)s") % {"p": res["path"], "pages": pages}, markup=False)
    out.print(res["path"], markup=False)
