"""SDG catalogue commands: ``sdg show``, ``sdg list``, ``sdg codelist``.

They read only the catalogue shipped in the package: no workspace, no Django.
"""

from __future__ import annotations

import json
from typing import Optional

import typer

from lnob.cli.common import choice, err, out
from lnob.i18n import _

FORMATS = ("table", "json")

sdg_app = typer.Typer(
    help="Browse the SDG framework (goals, targets, indicators) and the SDMX SDG code lists.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(sdg_app, name="sdg")


def _lang_option():
    return typer.Option(
        None, "--lang", "-l", metavar="LANG",
        help="Language of the texts: en, ar, es, fr, ne, ru, sw, zh-Hans (others fall back to English).",
    )


def _format_option():
    return typer.Option("table", "--format", "-f", metavar="FORMAT", help="Output: table or json.")


def _note_fallback(cat, lang: Optional[str]) -> bool:
    """Tell (on stderr) when the texts are not in the requested language."""
    if lang is None:
        return False
    used, requested = cat.resolve_language(lang)
    if used != "en" or requested.replace("_", "-").lower().split("-")[0] == "en":
        return False
    err.print(
        _("note: no SDG texts in %(lang)r; showing English (texts exist in: %(langs)s)")
        % {"lang": requested, "langs": ", ".join(cat.languages)},
        markup=False,
    )
    return True


def _print_json(payload) -> None:
    out.print(json.dumps(payload, ensure_ascii=False, indent=2), markup=False, highlight=False)


def _rows_table(rows: list[tuple[str, str]]):
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, value)
    return table


@sdg_app.command("show")
def show(
    code: str = typer.Argument(..., metavar="CODE", help="Goal (6), target (6.1, 6.b), indicator (6.1.1 or 6-1-1) or SDMX series (SH_H2O_SAFE)."),
    lang: Optional[str] = _lang_option(),
    fmt: str = _format_option(),
) -> None:
    """Show a goal with its targets, a target with its indicators, or an indicator with its
    target, goal and SDMX series.

    Examples:

      lnob sdg show 6

      lnob sdg show 6.1.1 --lang fr

      lnob sdg show 5-3-1 --format json

      lnob sdg show SH_H2O_SAFE
    """
    choice(fmt, FORMATS, "--format")
    from lnob.sdg import catalogue

    cat = catalogue()
    item = cat.get(code)
    fallback = _note_fallback(cat, lang)
    if fmt == "json":
        payload = item.as_dict(lang)
        payload["requested_lang"] = lang or "en"
        payload["fallback"] = fallback
        _print_json(payload)
        return
    rows: list[tuple[str, str]] = []
    if item.kind == "goal":
        rows.append((_("Goal %(code)s") % {"code": item.code}, f"{item.short(lang)} — {item.title(lang)}"))
        for t in item.targets:
            inds = ", ".join(i.code for i in t.indicators)
            rows.append((_("Target %(code)s") % {"code": t.code}, f"{t.title(lang)} [{inds}]"))
    elif item.kind == "target":
        rows.append((_("Target %(code)s") % {"code": item.code}, item.title(lang)))
        rows.append((_("Goal %(code)s") % {"code": item.goal.code}, item.goal.title(lang)))
        for i in item.indicators:
            rows.append((_("Indicator %(code)s") % {"code": i.code}, i.title(lang)))
    elif item.kind == "indicator":
        rows.append((_("Indicator %(code)s") % {"code": item.code}, item.title(lang)))
        rows.append((_("Target %(code)s") % {"code": item.target.code}, item.target.title(lang)))
        rows.append((_("Goal %(code)s") % {"code": item.goal.code},
                     f"{item.goal.title(lang)} ({item.goal.short(lang)})"))
        if item.repeats:
            rows.append((_("Also listed as"), ", ".join(item.repeats)))
        series = item.series
        if not series:
            rows.append((_("SDMX series"), _("none in the SDG DSD 1.14")))
        for n, s in enumerate(series):
            rows.append((_("SDMX series") if n == 0 else "", f"{s.code}  {s.name}"))
    else:  # series
        rows.append((_("SDMX series"), f"{item.code}  {item.name}"))
        for i in item.indicators:
            rows.append((_("Indicator %(code)s") % {"code": i}, cat.indicator(i).title(lang)))
        if item.retired:
            rows.append((_("Retired"), item.retired))
        constraints = item.constraints
        if constraints is None:
            rows.append((_("Constraints"), _("not covered by the global content constraints")))
        else:
            for dim, codes in constraints.items():
                shown = ", ".join(codes[:15]) + (" …" if len(codes) > 15 else "")
                rows.append((dim, shown))
    out.print(_rows_table(rows))


@sdg_app.command("list")
def list_(
    goal: Optional[str] = typer.Option(None, "--goal", "-g", metavar="N", help="Only this goal's targets and indicators."),
    lang: Optional[str] = _lang_option(),
    fmt: str = _format_option(),
) -> None:
    """List the 17 goals, or one goal's targets and indicators.

    Examples:

      lnob sdg list

      lnob sdg list --goal 5 --lang es
    """
    choice(fmt, FORMATS, "--format")
    from lnob.sdg import catalogue

    cat = catalogue()
    if goal is None:
        items = [(g.code, g.short(lang), "goal") for g in cat.goals()]
    else:
        g = cat.goal(goal)
        items = []
        for t in g.targets:
            items.append((t.code, t.title(lang), "target"))
            items.extend((i.code, i.title(lang), "indicator") for i in t.indicators)
    fallback = _note_fallback(cat, lang)
    if fmt == "json":
        _print_json({"requested_lang": lang or "en", "fallback": fallback,
                     "items": [{"code": c, "kind": k, "title": t} for c, t, k in items]})
        return
    out.print(_rows_table([(c if k != "indicator" else "  " + c, t) for c, t, k in items]))


@sdg_app.command("codelist")
def codelist(
    name: str = typer.Argument(..., metavar="CODELIST", help="Code list (CL_SEX) or dimension (SEX); 'all' lists the code lists."),
    fmt: str = _format_option(),
) -> None:
    """Show an SDMX code list of the SDG DSD (codes and English names).

    Examples:

      lnob sdg codelist CL_SEX

      lnob sdg codelist DISABILITY_STATUS --format json

      lnob sdg codelist all
    """
    choice(fmt, FORMATS, "--format")
    from lnob.sdg import catalogue

    cat = catalogue()
    if name.lower() == "all":
        info = cat.dsd["codelists"]
        if fmt == "json":
            _print_json(info)
        else:
            out.print(_rows_table([(cid, f"{v['name']} ({v['count']})") for cid, v in info.items()]))
        return
    cl = cat.codelist(name)
    if fmt == "json":
        _print_json({"id": cl.id, "agency": cl.agency, "version": cl.version, "name": cl.title,
                     "dimension": cl.dimension, "codes": cl.codes})
        return
    out.print(f"{cl.agency}:{cl.id}({cl.version}) — {cl.title}", markup=False)
    out.print(_rows_table(list(cl.codes.items())))
