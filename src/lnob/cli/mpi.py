"""``lnob mpi``: Alkire-Foster multidimensional poverty of a data file, with design-based SEs.

Also owns the design options shared by the equity commands (``lnob mpi``, ``lnob gaps``,
``lnob behind``): the same spellings and meaning as ``lnob estimate`` (see
:func:`design_from_options`).  The computation is :mod:`lnob.equity.mpi`.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import List, Optional

import typer

from lnob.cli.common import out
from lnob.cli.design_options import (Cluster, Engine, Fay, Fpc, LonelyPsu, Mse, Nest, ReplicateType,
                                     ReplicateWeights, Strata, Weight, design_from_options)
from lnob.errors import UsageError
from lnob.i18n import _

EPILOG = """\b
Examples:
  # four indicators, k = 1/3, stratified cluster sample, by region
  lnob mpi survey.csv --deprivation water=1/6 --deprivation sanitation=1/6 \\
      --deprivation schooling=1/3 --deprivation nutrition=1/3 --k 1/3 \\
      --weight w --strata stratum --cluster psu --by region --format json
"""


# --------------------------------------------------------------------------- shared helpers
def check_format(fmt: str, allowed=("table", "json")) -> None:
    if fmt not in allowed:
        raise UsageError(_("unknown format {f!r}").format(f=fmt), where="--format",
                         hint=_("choose one of: ") + ", ".join(allowed), code="equity.bad-format")


def fmt_num(x, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def print_table(heads: list[str], rows: list[list[str]], title: str | None = None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    t = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD, title=title)
    for i, h in enumerate(heads):
        t.add_column(h, no_wrap=True, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*r)
    width = sum(max([len(h)] + [len(r[i]) for r in rows]) + 3 for i, h in enumerate(heads)) + 4
    if out.is_terminal:
        out.print(t)
    else:
        Console(width=max(out.width, width, len(title or "")), highlight=False).print(t)


# --------------------------------------------------------------------------- the command
def register(app: typer.Typer) -> None:
    app.command("mpi", epilog=EPILOG)(mpi_cmd)


def mpi_cmd(
    data: Path = typer.Argument(..., metavar="DATA", help="CSV, Parquet or Excel file, one row per person (or household).", show_default=False),
    deprivation: List[str] = typer.Option([], "--deprivation", metavar="COL=WEIGHT", help="A 0/1 deprivation column (1 = deprived) and its weight, a number or a fraction; repeat for every indicator; the weights must sum to 1. Example: --deprivation water=1/6"),
    k: str = typer.Option(..., "--k", metavar="K", help="Poverty cutoff in (0, 1]: poor when the weighted deprivation score >= K, compared exactly. Example: --k 1/3"),
    weight: Weight = None,
    strata: Strata = None,
    cluster: Cluster = [],
    fpc: Fpc = [],
    nest: Nest = False,
    replicate_weights: ReplicateWeights = None,
    replicate_type: ReplicateType = None,
    fay: Fay = None,
    mse: Mse = False,
    lonely_psu: LonelyPsu = "fail",
    by: Optional[str] = typer.Option(None, "--by", metavar="COL", help="Also compute the MPI of every group of COL (subgroup decomposition). Example: --by region"),
    level: float = typer.Option(0.95, "--level", help="Confidence level. Example: --level 0.9"),
    engine: Engine = "duckdb",
    fmt: str = typer.Option("table", "--format", metavar="table|json", help="Output format. Example: --format json"),
) -> None:
    """Alkire-Foster multidimensional poverty: H, A, M0 with design-based SE and CI,
    censored and uncensored headcounts, contributions by indicator and by --by group.

    H and M0 are survey means (of the poor indicator and of the censored score), A a survey ratio, as
    R survey's svymean/svyratio.  With --format json: one array, the whole sample first (its
    --by key null), then one object per group.
    """
    from lnob.equity.mpi import as_records, mpi, parse_deprivation, parse_fraction
    from lnob.stats import connect

    check_format(fmt)
    deps = [parse_deprivation(s) for s in deprivation]
    kk = parse_fraction(k, "--k")
    from lnob.equity.mpi import check_weights

    check_weights(deps, kk)
    design = design_from_options(weight, strata, cluster, fpc, nest, replicate_weights,
                                 replicate_type, fay, mse, lonely_psu)
    with connect(engine) as eng:
        table = eng.load(data)
        results = mpi(table, design, deps, kk, by=by, level=level)
    records = as_records(results, by)
    if fmt == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, allow_nan=False) + "\n")
        return
    pct = f"{level * 100:g}%"
    heads = [by or "", "n", "H", "A", "M0", f"M0 {pct} CI"]
    rows = []
    for r in records:
        name = _("all") if (not by or r.get(by) is None) else str(r[by])
        rows.append([name, str(r["n"]), fmt_num(r["H"]["estimate"]), fmt_num(r["A"]["estimate"]),
                     fmt_num(r["M0"]["estimate"]),
                     f"[{fmt_num(r['M0']['ci_low'])}, {fmt_num(r['M0']['ci_high'])}]"])
    print_table(heads, rows, title=_("Alkire-Foster MPI, k = {k}").format(k=str(kk)))
    cols = list(records[0]["contribution"]) if records else []
    heads2 = [_("indicator"), _("weight"), _("uncensored"), _("censored"), _("contribution")]
    w = {d.name: d.weight for d in deps}
    rows2 = [[c, str(w[c]), fmt_num(records[0]["uncensored_headcount"][c]),
              fmt_num(records[0]["censored_headcount"][c]), fmt_num(records[0]["contribution"][c])]
             for c in cols]
    print_table(heads2, rows2, title=_("Headcounts and contributions (whole sample)"))
