"""``lnob estimate``: design-based survey estimates of a data file (CSV, Parquet, Excel).

The command only parses options and prints; the computation is :mod:`lnob.stats` (imported
inside the command so that ``lnob --help`` stays fast).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import List, Optional

import typer

from lnob.cli.common import err, out
from lnob.cli.design_options import (Cluster, Engine, Fay, Fpc, LonelyPsu, Mse, Nest, ReplicateType,
                                     ReplicateWeights, Strata, Weight, design_from_options)
from lnob.errors import UsageError
from lnob.i18n import _

_SPEC_KEY = "lnob_estimate_specs"


def _record(kind: str):
    """Remember the estimators in the order their options first appear on the command line
    (click processes options in invocation order)."""

    def callback(ctx: typer.Context, value):
        if value:
            ctx.meta.setdefault(_SPEC_KEY, []).extend((kind, v) for v in value)
        return value

    return callback


EPILOG = """\b
Examples:
  # stratified sample with fpc (R: svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc))
  lnob estimate api_strat.csv --weight pw --strata stype --fpc fpc --mean api00 --total enroll
\b
  # two-stage cluster sample with fpc at both stages, by domain, with design effects
  lnob estimate api_clus2.csv --cluster dnum --cluster snum --fpc fpc1 --fpc fpc2 \\
      --mean api00 --proportion stype --by stype --deff --format json
\b
  # PSU ids unique only within strata; Korn-Graubard intervals for proportions
  lnob estimate nhanes2.csv --weight finalwgt --strata stratid --cluster psuid --nest \\
      --proportion highbp --by race,region --ci beta
\b
  # JK1 replicate weights rw1..rw80, a ratio, in PostgreSQL
  lnob estimate survey.parquet --weight w --replicate-weights rw --replicate-type jk1 \\
      --ratio income/hh.size --engine postgresql://user@localhost/db
"""


def register(app: typer.Typer) -> None:
    app.command("estimate", epilog=EPILOG)(estimate)


def estimate(
    ctx: typer.Context,
    data: Path = typer.Argument(..., metavar="DATA", help="CSV, Parquet or Excel (.xlsx) file, one row per respondent. Example: survey.csv", show_default=False),
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
    mean: List[str] = typer.Option([], "--mean", metavar="VAR", callback=_record("mean"), help="Estimate the mean of VAR (repeatable). Example: --mean income"),
    total: List[str] = typer.Option([], "--total", metavar="VAR", callback=_record("total"), help="Estimate the total of VAR (repeatable). Example: --total enroll"),
    proportion: List[str] = typer.Option([], "--proportion", metavar="VAR", callback=_record("proportion"), help="Estimate the share of each category of VAR (repeatable). Example: --proportion water_source"),
    ratio: List[str] = typer.Option([], "--ratio", metavar="NUM/DEN", callback=_record("ratio"), help="Estimate the ratio of totals NUM/DEN (repeatable). Example: --ratio api00/api99"),
    by: Optional[str] = typer.Option(None, "--by", metavar="COL[,COL...]", help="Estimate for every domain of these columns, crossed. Example: --by sex,region"),
    level: float = typer.Option(0.95, "--level", help="Confidence level. Example: --level 0.9"),
    ci: str = typer.Option("logit", "--ci", metavar="logit|beta|wald", help="Interval for proportions (R svyciprop: logit, beta = Korn-Graubard, wald = 'mean'); means, totals and ratios use the normal interval. Example: --ci beta"),
    deff: bool = typer.Option(False, "--deff", help="Add the design effect (R deff=TRUE)."),
    engine: Engine = "duckdb",
    fmt: str = typer.Option("table", "--format", metavar="table|csv|json", help="Output format. Example: --format json"),
) -> None:
    """Design-based estimates (mean, total, proportion, ratio) with SE, CI, n, population, df.

    Results equal R's survey package (svydesign/svrepdesign + svymean, svytotal, svyratio,
    svyciprop, svyby); missing values are dropped as R's na.rm=TRUE (a domain that keeps
    every PSU).  With --format json: one array, one object per estimate.
    """
    from lnob.stats import (Mean, Proportion, Ratio, Total, connect,
                            estimate_tables)

    if fmt not in ("table", "csv", "json"):
        raise UsageError(_("unknown format {f!r}").format(f=fmt), where="--format",
                         hint=_("choose one of: table, csv, json"), code="stats.bad-format")
    order = ctx.meta.get(_SPEC_KEY) or [("mean", v) for v in mean] + [("total", v) for v in total] + \
        [("proportion", v) for v in proportion] + [("ratio", v) for v in ratio]
    if not order:
        raise UsageError(_("nothing to estimate"), where="lnob estimate",
                         hint=_("add --mean VAR, --total VAR, --proportion VAR or --ratio NUM/DEN"),
                         code="stats.no-estimates")
    for kind, v in order:
        if kind == "ratio" and ("/" not in v or v.startswith("/") or v.endswith("/")):
            raise UsageError(_("bad ratio {v!r}").format(v=v), where="--ratio",
                             hint=_("write the numerator and denominator columns as NUM/DEN, e.g. --ratio api00/api99"),
                             code="stats.bad-ratio")
    by_cols = [c.strip() for c in by.split(",")] if by else []
    if any(not c for c in by_cols):
        raise UsageError(_("empty column name in --by {v!r}").format(v=by), where="--by",
                         hint=_("e.g. --by sex,region"), code="stats.bad-by")
    design = design_from_options(weight, strata, cluster, fpc, nest, replicate_weights, replicate_type,
                                 fay, mse, lonely_psu)

    with connect(engine) as eng:
        big = data.exists() and data.stat().st_size > 50_000_000
        if big:
            err.print(_("loading {path} ...").format(path=str(data)), markup=False)
        table = eng.load(data)
        if big:
            err.print(_("estimating ..."), markup=False)
        specs = []
        for kind, v in order:
            if kind == "mean":
                specs.append(Mean(v))
            elif kind == "total":
                specs.append(Total(v))
            elif kind == "proportion":
                specs.append(Proportion(v))
            else:
                specs.append(Ratio(*_split_ratio(v, table.columns)))
        rows = estimate_tables(table, design, specs, [by_cols], level=level, ci=ci, deff=deff)[0]
    records = [_record_of(r, by_cols, deff) for r in rows]
    if fmt == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, allow_nan=False) + "\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        keys = list(records[0]) if records else []
        w.writerow(keys)
        for rec in records:
            w.writerow(["" if rec[k] is None else rec[k] for k in keys])
    else:
        _print_table(records, by_cols, deff, level)


def _split_ratio(v: str, columns) -> tuple[str, str]:
    """NUM/DEN; a column name containing '/' is resolved against the table's columns."""
    positions = [i for i, ch in enumerate(v) if ch == "/"]
    for i in positions:
        if v[:i] in columns and v[i + 1:] in columns:
            return v[:i], v[i + 1:]
    i = positions[0]
    return v[:i], v[i + 1:]


def _clean(x):
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    return x


def _record_of(r, by_cols, deff) -> dict:
    rec = {"statistic": r.statistic, "variable": r.variable, "level": r.level}
    for c in by_cols:
        rec[c] = r.domain.get(c)
    rec.update(estimate=_clean(r.estimate), se=_clean(r.se), ci_low=_clean(r.ci_low),
               ci_high=_clean(r.ci_high), n=r.n, population=_clean(r.population),
               df=_clean(r.df))
    if rec["df"] is not None and float(rec["df"]).is_integer():
        rec["df"] = int(rec["df"])
    if deff:
        rec["deff"] = _clean(r.deff)
    return rec


def _fmt(x, digits=6):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def _print_table(records, by_cols, deff, level) -> None:
    from rich import box
    from rich.table import Table

    t = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD)
    pct = f"{level * 100:g}%"
    heads = ["statistic", "variable", "level", *by_cols, "estimate", "se", f"{pct} CI", "n",
             "population", "df"] + (["deff"] if deff else [])
    for h in heads:
        t.add_column(h, no_wrap=True,
                     justify="right" if h not in ("statistic", "variable", "level", *by_cols) else "left")
    cells = []
    for rec in records:
        row = [rec["statistic"], rec["variable"], _fmt(rec["level"])]
        row += [_fmt(rec[c]) for c in by_cols]
        row += [_fmt(rec["estimate"]), _fmt(rec["se"]),
                f"[{_fmt(rec['ci_low'])}, {_fmt(rec['ci_high'])}]", str(rec["n"]),
                _fmt(rec["population"], 8), _fmt(rec["df"])]
        if deff:
            row.append(_fmt(rec["deff"], 4))
        t.add_row(*row)
        cells.append(row)
    # rich needs a width when stdout is not a terminal: the widest cell of every column
    width = sum(max([len(h)] + [len(r[i]) for r in cells]) + 3 for i, h in enumerate(heads)) + 4
    if out.is_terminal:
        out.print(t)
    else:
        from rich.console import Console

        Console(width=max(out.width, width), highlight=False).print(t)

