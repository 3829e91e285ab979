"""``lnob inequality``: summary measures of inequality from a per-subgroup CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from lnob.cli.common import choice, out
from lnob.errors import UsageError
from lnob.i18n import _


def register(app: typer.Typer) -> None:
    app.command("inequality")(inequality)


def inequality(
    file: Path = typer.Argument(
        ...,
        metavar="FILE",
        help="CSV with columns subgroup, estimate, population and optional se, order "
        "(1 = most disadvantaged), reference (1 marks the reference subgroup). "
        "Example: quintiles.csv",
        show_default=False,
    ),
    ordered: bool = typer.Option(
        False, "--ordered",
        help="The dimension has a natural order (wealth quintiles, education); needs the 'order' column. "
        "Example: --ordered",
    ),
    unordered: bool = typer.Option(
        False, "--unordered",
        help="The dimension has no natural order (region, sex, ethnicity). Example: --unordered",
    ),
    favourable: bool = typer.Option(
        True, "--favourable/--adverse",
        help="Whether higher values are better (coverage: --favourable, the default) or worse "
        "(mortality: --adverse). Example: --adverse",
    ),
    scale: float = typer.Option(
        100.0, "--scale", metavar="N",
        help="Scale of the indicator: 100 for percentages, 1000 for a rate per 1000, 1 for proportions. "
        "Example: --scale 1000",
    ),
    fmt: str = typer.Option(
        "table", "--format", metavar="table|json",
        help="'table' (estimates, SEs and 95% CIs) or 'json' (one object: measure → point estimate, "
        "null where the measure does not apply). Example: --format json",
    ),
) -> None:
    """Summary measures of inequality (WHO HEAT / healthequal) and ESCAP's D-index.

    Computes d, r, par, paf, sii, rii, aci, rci, bgv, bgsd, cov, mdmu, mdmw,
    mdbu, mdbw, idisu, idisw, ti, mld and dindex from one line per subgroup.
    Exactly one of --ordered / --unordered is required; SII, RII, ACI and RCI
    apply to ordered dimensions only, BGV … MLD to non-ordered ones.  See
    docs/inequality.md for every formula.

    Examples:

      lnob inequality quintiles.csv --ordered --format json

      lnob inequality regions.csv --unordered --adverse --scale 1000
    """
    if ordered == unordered:
        raise UsageError(
            _("give exactly one of --ordered and --unordered"),
            code="equity.dimension-type", where="lnob inequality",
            hint=_("--ordered for wealth quintiles or education levels, --unordered for regions or sex"),
        )
    choice(fmt, ("table", "json"), "--format")
    from lnob.equity.inequality import read_subgroups_csv, summary_measures

    data = read_subgroups_csv(file)
    result = summary_measures(
        data.estimate, data.population, ordered=ordered, favourable=favourable, scale=scale,
        se=data.se, order=data.order if ordered else None, reference=data.reference,
        names=data.names, source=data.source,
    )
    if fmt == "json":
        import json

        typer.echo(json.dumps(result.estimates()))
        return
    _print_table(result)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"


def _print_table(result) -> None:
    from rich.table import Table

    kind = _("ordered") if result.ordered else _("non-ordered")
    direction = _("favourable") if result.favourable else _("adverse")
    table = Table(
        title=_("Inequality: %(n)d subgroups, %(kind)s dimension, %(dir)s indicator, scale %(scale)g, "
                "weighted mean %(mean)s") % {"n": result.subgroups, "kind": kind, "dir": direction,
                                              "scale": result.scale, "mean": _fmt(result.mean)},
        title_justify="left",
    )
    level = f"{round(result.conf_level * 100):d}%"
    for header in (_("measure"), _("estimate"), _("SE"), f"{level} {_('lower')}", f"{level} {_('upper')}", _("CI")):
        table.add_column(header, no_wrap=True)
    notes = []
    for m in result.measures.values():
        table.add_row(m.measure, _fmt(m.estimate), _fmt(m.se) if m.se is not None else "",
                      _fmt(m.lower) if m.lower is not None else "", _fmt(m.upper) if m.upper is not None else "",
                      m.ci_method or "")
        if m.note:
            notes.append(f"  {m.measure}: {m.note}")
    out.print(table)
    if notes:
        out.print(_("Notes:"), markup=False)
        for line in notes:
            out.print(line, markup=False)
