"""``lnob run``, ``lnob results`` and ``lnob indicators list``: the indicator sweep and its results.

The work is :mod:`lnob.indicators.services`; this module parses options and prints.
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

indicators_app = typer.Typer(help="The indicator library: ready-made definitions and dimensions.", no_args_is_help=True)

RUN_EPILOG = """\b
Examples:
  lnob run demo                               # every indicator x every dimension and 2-way intersection
  lnob run demo --depth 1 --indicator basic_sanitation
  lnob run reach --fields reach_fields.yml --definitions my_indicators.yml
  lnob run demo --engine spark --spark-master local[4]   # the same estimates on Apache Spark
"""


def register(app: typer.Typer) -> None:
    app.command("run", epilog=RUN_EPILOG)(run)
    app.command("results")(results)
    app.add_typer(indicators_app, name="indicators")


def _split(values: List[str]) -> list[str] | None:
    items = [v.strip() for val in values for v in val.split(",") if v.strip()]
    return items or None


def run(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name. Example: demo"),
    depth: int = typer.Option(2, "--depth", help="Largest number of dimensions crossed (0 = totals only)."),
    indicator: List[str] = typer.Option([], "--indicator", "-i", metavar="ID", help="Only these indicators (repeatable or comma-separated)."),
    dimension: List[str] = typer.Option([], "--dimension", "-d", metavar="ID", help="Only these dimensions (repeatable or comma-separated)."),
    definitions: List[Path] = typer.Option([], "--definitions", metavar="FILE", help="Extra definitions file (YAML, format: 1); repeatable."),
    no_builtin: bool = typer.Option(False, "--no-builtin", help="Do not load the ready-made library."),
    fields: Optional[Path] = typer.Option(None, "--fields", metavar="FILE", help="Field map (YAML): canonical name -> the form's question."),
    variance: str = typer.Option("design", "--variance", metavar="design|ultimate-cluster", help="Variance: the project's full design, or first-stage PSUs only (with replacement)."),
    force: bool = typer.Option(False, "--force", help="Recompute even indicators whose definition and data are unchanged."),
    threads: Optional[int] = typer.Option(None, "--threads", help="DuckDB threads (default: all cores)."),
    engine: Optional[str] = typer.Option(None, "--engine", metavar="duckdb|spark", envvar="LNOB_ENGINE", help="Where the estimates run: DuckDB (default) or Apache Spark (pip install 'lnob[spark]', Java 17)."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master", metavar="URL", envvar="LNOB_SPARK_MASTER", help="Spark master with --engine spark, e.g. local[4] or spark://host:7077 (default: local[*])."),
) -> None:
    """Compute every indicator for every dimension and intersection, with the project's survey design."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from lnob.indicators.services import ENGINES, load_field_map, run_project

    choice(variance, ("design", "ultimate-cluster"), "--variance")
    if engine is not None:
        choice(engine, ENGINES, "--engine")
    workspace(ctx)
    fmap = load_field_map(fields) if fields else None
    with Progress(TextColumn("{task.description:<22}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=False) as bar:
        tasks = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        res = run_project(project, depth=depth, dimensions=_split(dimension), indicators=_split(indicator),
                          variance=variance, definitions=definitions, builtin=not no_builtin, field_map=fmap,
                          force=force, progress=progress, threads=threads, engine=engine,
                          spark_master=spark_master)
    for p in res.problems:
        line = f"{p.level} [{p.code}]: {p.message} (at {p.where})" + (f" — hint: {p.hint}" if p.hint else "")
        err.print(" ".join(line.split()), markup=False)
    rows = sum(len(c.rows) for c in res.computed)
    err.print(_("%(n)d indicators computed (%(r)d results), %(u)d unchanged, in %(s).1f s")
              % {"n": len(res.computed), "r": rows, "u": len(res.unchanged), "s": res.seconds}, markup=False)
    if any(p.level == "error" for p in res.problems):
        raise typer.Exit(1)


KEYS = ["indicator", "sdg", "groups", "estimate", "se", "ci_low", "ci_high", "n", "population", "flags"]


def results(
    ctx: typer.Context,
    project: str = typer.Argument(..., metavar="PROJECT", help="Project short name. Example: demo"),
    indicator: Optional[str] = typer.Option(None, "--indicator", "-i", metavar="ID", help="Only this indicator."),
    fmt: str = typer.Option("json", "--format", "-f", metavar="csv|json", help="Output format."),
) -> None:
    """Print the stored indicator results (JSON array or CSV)."""
    from lnob.indicators.services import results as get_results

    choice(fmt, ("csv", "json"), "--format")
    workspace(ctx)
    rows = get_results(project, indicator)
    if fmt == "json":
        out.print(json.dumps([{k: r[k] for k in KEYS} for r in rows], ensure_ascii=False), markup=False, highlight=False)
        return
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(KEYS)
    for r in rows:
        w.writerow([r["indicator"], " ".join(r["sdg"]), ";".join(f"{k}={v}" for k, v in r["groups"].items()),
                    *("" if r[k] is None else repr(r[k]) if isinstance(r[k], float) else r[k]
                      for k in ("estimate", "se", "ci_low", "ci_high", "n", "population")),
                    " ".join(r["flags"])])


@indicators_app.command("list")
def list_cmd(
    definitions: List[Path] = typer.Option([], "--definitions", metavar="FILE", help="Extra definitions file; repeatable."),
    fmt: str = typer.Option("table", "--format", "-f", metavar="table|json", help="Output format."),
    lang: str = typer.Option("en", "--lang", help="Language of the titles (en, vi, hi)."),
) -> None:
    """List the indicators and dimensions (ready-made library plus --definitions)."""
    from lnob.indicators.definitions import load_library

    choice(fmt, ("table", "json"), "--format")
    lib = load_library(definitions)
    if fmt == "json":
        out.print(json.dumps({
            "indicators": [{"id": i.id, "title": i.label(lang), "sdg": i.sdg, "series": i.series, "kind": i.kind,
                            "unit": i.unit, "higher_is_better": i.higher_is_better, "where": i.where} for i in lib.indicators],
            "dimensions": [{"id": d.id, "title": d.label(lang), "unit": d.unit, "sdmx": d.sdmx, "factors": d.factors,
                            "where": d.where} for d in lib.dimensions]}, ensure_ascii=False, indent=2), markup=False)
        return
    from rich.table import Table

    t = Table(title=_("Indicators"))
    for c in ("id", "title", "SDG", "kind", "unit"):
        t.add_column(c)
    for i in lib.indicators:
        t.add_row(i.id, i.label(lang), ", ".join(i.sdg), i.kind, i.unit)
    out.print(t)
    t = Table(title=_("Dimensions"))
    for c in ("id", "title", "SDMX", "LNOB factors"):
        t.add_column(c)
    for d in lib.dimensions:
        t.add_row(d.id, d.label(lang), d.sdmx or "-", ", ".join(d.factors))
    out.print(t)
