"""``lnob gaps``, ``lnob behind`` and ``lnob official import|compare``.

Thin edges over :mod:`lnob.equity.gaps`, :mod:`lnob.equity.furthest`, :mod:`lnob.equity.tree`
and :mod:`lnob.equity.official`; the design options are those of ``lnob estimate`` (shared
with ``lnob mpi``, :mod:`lnob.cli.mpi`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from lnob.cli.common import out
from lnob.cli.design_options import (Cluster, Engine, Fay, Fpc, LonelyPsu, Mse, Nest, ReplicateType,
                                     ReplicateWeights, Strata, Weight, design_from_options)
from lnob.cli.mpi import check_format, fmt_num, print_table
from lnob.errors import InputError, UsageError
from lnob.i18n import _

official_app = typer.Typer(help="Official SDG statistics: import, compare with community data, data gaps, progress.",
                           no_args_is_help=True)

GAPS_EPILOG = """\b
Examples:
  # sanitation by ethnicity: each group vs the total, vs Kinh and vs the best-off group
  lnob gaps people.csv --proportion basic_sanitation=1 --by ethnicity --reference kinh \\
      --weight w --strata stratum --cluster village --format json
\b
  # an ordered dimension: compare with the most advantaged quintile
  lnob gaps people.csv --mean income --by quintile --order Q1,Q2,Q3,Q4,Q5 --reference most-advantaged
"""

BEHIND_EPILOG = """\b
Examples:
  # intersections of up to 3 circumstances, groups of at least 30, FDR 5 %
  lnob behind people.csv --proportion basic_sanitation=1 --dimension ethnicity --dimension sex \\
      --dimension area --dimension disability --depth 3 --labels labels.yaml \\
      --what "have basic sanitation" --weight w --strata stratum --cluster village
\b
  # ESCAP's classification tree and D-index on the same circumstances
  lnob behind people.csv --proportion basic_sanitation=1 --dimension area --dimension sex --tree
"""

OFFICIAL_EPILOG = """\b
Examples:
  lnob official import indicator_1-2-1.csv --direction negative
  lnob official import sdg_data.xml --format json
  lnob official compare indicator_1-2-1.csv community.csv --year-tolerance 1
"""


def register(app: typer.Typer) -> None:
    app.command("gaps", epilog=GAPS_EPILOG)(gaps_cmd)
    app.command("behind", epilog=BEHIND_EPILOG)(behind_cmd)
    official_app.command("import", epilog=OFFICIAL_EPILOG)(official_import)
    official_app.command("compare", epilog=OFFICIAL_EPILOG)(official_compare)
    app.add_typer(official_app, name="official")


def _measure(table, mean: Optional[str], proportion: Optional[str]):
    """``--mean VAR`` or ``--proportion VAR=LEVEL`` (the level matched to the column's values)."""
    from lnob.stats import checks
    from lnob.stats.contrast import Measure, prepare_levels

    if bool(mean) == bool(proportion):
        raise UsageError(_("give exactly one of --mean VAR and --proportion VAR=LEVEL"), where="--mean",
                         hint=_("e.g. --proportion basic_sanitation=1"), code="equity.no-measure")
    if mean:
        checks.check_columns(table, [(mean, "--mean", True)])
        return Measure(mean)
    if "=" not in proportion:
        raise UsageError(_("bad proportion {p!r}").format(p=proportion), where="--proportion",
                         hint=_("write VAR=LEVEL, the category whose share is wanted, e.g. --proportion water=improved"),
                         code="equity.bad-proportion")
    var, lev = proportion.split("=", 1)
    checks.check_columns(table, [(var, "--proportion", False)])
    levels = prepare_levels(table, None, Measure(var))
    for v in levels:
        if str(v) == lev or (isinstance(v, float) and v.is_integer() and str(int(v)) == lev):
            return Measure(var, v)
    raise UsageError(_("{var!r} has no category {lev!r}").format(var=var, lev=lev), where="--proportion",
                     hint=_("its categories are: {c}").format(c=", ".join(map(str, levels[:20]))),
                     code="equity.unknown-level")


def _dump(records) -> None:
    sys.stdout.write(json.dumps(records, ensure_ascii=False, allow_nan=False, default=str) + "\n")


# --------------------------------------------------------------------------- lnob gaps
def gaps_cmd(
    data: Path = typer.Argument(..., metavar="DATA", help="CSV, Parquet or Excel file, one row per respondent.", show_default=False),
    mean: Optional[str] = typer.Option(None, "--mean", metavar="VAR", help="Compare the mean of VAR. Example: --mean income"),
    proportion: Optional[str] = typer.Option(None, "--proportion", metavar="VAR=LEVEL", help="Compare the share of VAR == LEVEL. Example: --proportion basic_sanitation=1"),
    by: str = typer.Option(..., "--by", metavar="COL[,COL...]", help="The dimension (columns crossed). Example: --by ethnicity"),
    reference: Optional[str] = typer.Option(None, "--reference", metavar="GROUP|best|total|most-advantaged|least-advantaged", help="Also compare with this group (most/least-advantaged need --order). Example: --reference kinh"),
    order: Optional[str] = typer.Option(None, "--order", metavar="A,B,...", help="The dimension is ordered: its groups from most disadvantaged to most advantaged. Example: --order Q1,Q2,Q3,Q4,Q5"),
    adverse: bool = typer.Option(False, "--adverse", help="Lower is better (e.g. child marriage); the best-off group is then the lowest."),
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
    level: float = typer.Option(0.95, "--level", help="Confidence level."),
    engine: Engine = "duckdb",
    fmt: str = typer.Option("table", "--format", metavar="table|json", help="Output format."),
) -> None:
    """Gaps of every group of a dimension: vs the total, vs the best-off group and vs
    --reference — difference and ratio with linearised (correlation-aware) SE and CI."""
    from lnob.equity.gaps import as_records, gaps
    from lnob.stats import connect

    check_format(fmt)
    design = design_from_options(weight, strata, cluster, fpc, nest, replicate_weights, replicate_type,
                                 fay, mse, lonely_psu)
    dims = [c.strip() for c in by.split(",") if c.strip()]
    with connect(engine) as eng:
        table = eng.load(data)
        measure = _measure(table, mean, proportion)
        res = gaps(table, design, measure, dims, reference=reference, favourable=not adverse,
                   order=order, level=level)
    recs = as_records(res)
    if fmt == "json":
        _dump(recs)
        return
    pct = f"{level * 100:g}%"
    heads = [",".join(dims), _("vs"), _("estimate"), "n", _("reference"), _("difference"), f"{pct} CI",
             _("ratio"), f"{pct} CI"]
    rows = []
    for r in recs:
        d, q = r["difference"], r["ratio"]
        rows.append([",".join(str(r[c]) for c in dims), r["compared_with"] + (f" ({r['reference']})" if r["reference"] else ""),
                     fmt_num(r["estimate"]), str(r["n"]), fmt_num(r["reference_estimate"]), fmt_num(d["estimate"]),
                     f"[{fmt_num(d['ci_low'])}, {fmt_num(d['ci_high'])}]", fmt_num(q["estimate"]),
                     f"[{fmt_num(q['ci_low'])}, {fmt_num(q['ci_high'])}]"])
    print_table(heads, rows, title=_("Gaps in {m} (total {t})").format(
        m=measure.var + (f" = {measure.level}" if measure.level is not None else ""), t=fmt_num(res.total.estimate)))


# --------------------------------------------------------------------------- lnob behind
def _labels(path: Optional[Path]):
    if path is None:
        return None
    import yaml

    from lnob.equity.furthest import ROLES, Label

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(_("file {p} does not exist").format(p=str(path)), where="--labels",
                         hint=_("check the path"), code="equity.file-not-found") from None
    except Exception as exc:
        raise InputError(_("cannot read the labels: {e}").format(e=str(exc).splitlines()[0]), where=str(path),
                         hint=_("a YAML mapping: dimension -> category -> {text, role}"),
                         code="equity.bad-labels") from None
    out_ = {}
    for dim, cats in (raw.items() if isinstance(raw, dict) else []):
        out_[str(dim)] = {}
        for cat, lab in (cats or {}).items():
            if isinstance(lab, dict):
                role = str(lab.get("role", "qualifier"))
                if role not in ROLES:
                    raise InputError(_("unknown role {r!r}").format(r=role), where=f"{path}: {dim}.{cat}",
                                     hint=_("choose one of: ") + ", ".join(ROLES), code="equity.bad-labels")
                out_[str(dim)][str(cat)] = Label(str(lab.get("text", cat)), role)
            else:
                out_[str(dim)][str(cat)] = Label(str(lab), "qualifier")
    return out_


def behind_cmd(
    data: Path = typer.Argument(..., metavar="DATA", help="CSV, Parquet or Excel file, one row per respondent.", show_default=False),
    mean: Optional[str] = typer.Option(None, "--mean", metavar="VAR", help="Indicator: the mean of VAR."),
    proportion: Optional[str] = typer.Option(None, "--proportion", metavar="VAR=LEVEL", help="Indicator: the share of VAR == LEVEL. Example: --proportion basic_sanitation=1"),
    dimension: List[str] = typer.Option([], "--dimension", metavar="COL", help="A circumstance to cross (repeat). Example: --dimension sex"),
    depth: int = typer.Option(2, "--depth", help="Largest number of dimensions crossed."),
    min_n: int = typer.Option(30, "--min-n", help="Smallest unweighted group tested (smaller groups still count as tests)."),
    fdr: float = typer.Option(0.05, "--fdr", help="Benjamini-Hochberg false discovery rate over every test."),
    adverse: bool = typer.Option(False, "--adverse", help="Lower is better (worse off = higher)."),
    labels: Optional[Path] = typer.Option(None, "--labels", metavar="FILE.yaml", help="Category labels for the sentences: dimension -> category -> {text, role: adjective|noun|qualifier|area|place}."),
    what: Optional[str] = typer.Option(None, "--what", metavar="TEXT", help="What the indicator says, for the sentences. Example: --what 'have basic sanitation'"),
    tree: bool = typer.Option(False, "--tree", help="Also grow ESCAP's classification tree on the dimensions and report its D-index."),
    min_share: float = typer.Option(0.10, "--min-share", help="Tree: smallest group, as a share of the sample (ESCAP: 0.10)."),
    max_depth: int = typer.Option(3, "--max-depth", help="Tree: largest depth."),
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
    level: float = typer.Option(0.95, "--level", help="Confidence level."),
    engine: Engine = "duckdb",
    fmt: str = typer.Option("table", "--format", metavar="table|json", help="Output format."),
) -> None:
    """Furthest behind: the intersecting groups significantly worse off than the population
    (one-sided tests, Benjamini-Hochberg over every group examined), ranked, each with a
    sentence for a brief; optionally ESCAP's classification tree and D-index."""
    from lnob.equity.furthest import furthest_behind
    from lnob.equity.mpi import _finite
    from lnob.stats import connect

    check_format(fmt)
    design = design_from_options(weight, strata, cluster, fpc, nest, replicate_weights, replicate_type,
                                 fay, mse, lonely_psu)
    labs = _labels(labels)
    with connect(engine) as eng:
        table = eng.load(data)
        measure = _measure(table, mean, proportion)
        s = furthest_behind(table, design, measure, dimension, depth=depth, min_n=min_n, fdr=fdr,
                            favourable=not adverse, level=level, labels=labs, what=what)
        t = None
        if tree:
            from lnob.equity.tree import classification_tree, tree_lines

            t = classification_tree(table, design, measure, dimension, min_share=min_share,
                                    max_depth=max_depth, favourable=not adverse)
    findings = [{"group": f.group, "estimate": _finite(f.estimate.estimate), "ci_low": _finite(f.estimate.ci_low),
                 "ci_high": _finite(f.estimate.ci_high), "n": f.estimate.n,
                 "difference": _finite(f.contrast.estimate), "difference_se": _finite(f.contrast.se),
                 "p_value": f.p_value, "q_value": f.q_value, "sentence": f.sentence} for f in s.findings]
    if fmt == "json":
        rec = {"overall": _finite(s.overall.estimate), "tests": s.m,
               "tested": sum(1 for x in s.tests if x.tested), "fdr": fdr, "findings": findings}
        if t is not None:
            rec["tree"] = {"d_index": _finite(t.d_index),
                           "furthest_behind": {"group": t.furthest_behind.rule, "estimate": t.furthest_behind.estimate,
                                               "n": t.furthest_behind.n},
                           "furthest_ahead": {"group": t.furthest_ahead.rule, "estimate": t.furthest_ahead.estimate,
                                              "n": t.furthest_ahead.n},
                           "leaves": [{"group": lf.rule, "estimate": lf.estimate, "n": lf.n} for lf in t.leaves]}
        _dump(rec)
        return
    out.print(_("{k} of {m} groups are significantly behind (FDR {q:g}; {t} groups had n >= {n}).").format(
        k=len(findings), m=s.m, q=fdr, t=sum(1 for x in s.tests if x.tested), n=min_n), markup=False)
    for i, f in enumerate(findings, start=1):
        out.print(f"{i}. {f['sentence']}  (q = {f['q_value']:.2g})", markup=False)
    if t is not None:
        out.print("", markup=False)
        out.print(_("ESCAP classification tree (D-index {d}):").format(d=fmt_num(t.d_index, 3)), markup=False)
        for line in tree_lines(t, percent=measure.level is not None):
            out.print(line, markup=False)


# --------------------------------------------------------------------------- lnob official
def _official_record(o) -> dict:
    return {"indicator": o.indicator, "series": o.series, "area": o.area, "year": o.year, "value": o.value,
            "unit": o.unit, "disaggregation": o.disaggregation}


def official_import(
    file: Path = typer.Argument(..., metavar="FILE", help="Open SDG CSV, SDMX-CSV or SDMX-ML file.", show_default=False),
    metadata: Optional[Path] = typer.Option(None, "--metadata", metavar="YAML", help="Open SDG metadata of the indicator."),
    indicator: Optional[str] = typer.Option(None, "--indicator", metavar="CODE", help="SDG indicator code when the file does not say. Example: --indicator 1.2.1"),
    direction: str = typer.Option("positive", "--direction", metavar="positive|negative", help="Progress: is higher better (positive) or lower (negative)?"),
    target: Optional[float] = typer.Option(None, "--target", help="Progress: the 2030 target value, if any."),
    limit: Optional[float] = typer.Option(None, "--limit", help="Progress: a natural limit (e.g. 100 for a percentage), without a target."),
    fmt: str = typer.Option("table", "--format", metavar="table|json", help="Output format."),
) -> None:
    """Read an official series, check its codes against the SDG DSD, and show its
    disaggregations and Open SDG's progress-towards-2030 status of the headline."""
    from lnob.equity.official import headline_points, progress, read_official

    check_format(fmt)
    data = read_official(file, metadata, indicator=indicator)
    prog = progress(headline_points(data), direction=direction, target=target, limit=limit)
    if fmt == "json":
        _dump({"indicator": data.indicator, "format": data.format, "observations": len(data.observations),
               "dimensions": data.dimensions(), "progress": prog.__dict__,
               "data": [_official_record(o) for o in data.observations]})
        return
    out.print(_("{f}: indicator {i}, {n} observations ({y0}–{y1})").format(
        f=data.format, i=data.indicator or "?", n=len(data.observations),
        y0=min((o.year for o in data.observations), default="–"),
        y1=max((o.year for o in data.observations), default="–")), markup=False)
    for dim, cats in data.dimensions().items():
        out.print(f"  {dim}: {', '.join(map(str, cats))}", markup=False)
    out.print(_("Progress (headline, Open SDG method): {s} (score {sc}, {by} → {cy})").format(
        s=prog.status, sc=fmt_num(prog.score, 3), by=prog.base_year, cy=prog.current_year), markup=False)


def official_compare(
    official: Path = typer.Argument(..., metavar="OFFICIAL", help="Open SDG CSV, SDMX-CSV or SDMX-ML file.", show_default=False),
    community: Path = typer.Argument(..., metavar="COMMUNITY", help="Community results CSV: estimate, ci_low, ci_high [, se, year, indicator, series, area], then one column per disaggregation.", show_default=False),
    metadata: Optional[Path] = typer.Option(None, "--metadata", metavar="YAML", help="Open SDG metadata of the indicator."),
    indicator: Optional[str] = typer.Option(None, "--indicator", metavar="CODE", help="SDG indicator code when the files do not say."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level of the z-test (when the official value has an SE)."),
    year_tolerance: int = typer.Option(0, "--year-tolerance", help="Match official values up to this many years away (closest first)."),
    fmt: str = typer.Option("table", "--format", metavar="table|json", help="Output format."),
) -> None:
    """Compare community estimates with official values (significant differences flagged)
    and print the data-gap matrix: which disaggregations only the community data has."""
    from lnob.equity.official import compare, gap_matrix, read_community_csv, read_official

    check_format(fmt)
    data = read_official(official, metadata, indicator=indicator)
    com = read_community_csv(community, indicator=indicator or data.indicator)
    res = compare(com, data, alpha=alpha, year_tolerance=year_tolerance)
    gm = gap_matrix(data, com)
    recs = [{"disaggregation": c.community.disaggregation, "year": c.community.year,
             "community": c.community.estimate, "ci_low": c.community.ci_low, "ci_high": c.community.ci_high,
             "official": None if c.official is None else c.official.value,
             "official_year": None if c.official is None else c.official.year,
             "difference": None if c.official is None else c.difference,
             "p_value": c.p_value, "method": c.method, "significant": c.significant, "result": c.direction}
            for c in res]
    if fmt == "json":
        _dump({"indicator": data.indicator, "comparisons": recs, "gaps": gm})
        return
    rows = [[", ".join(f"{k}={v}" for k, v in r["disaggregation"].items()) or _("total"), str(r["year"] or "–"),
             fmt_num(r["community"]), f"[{fmt_num(r['ci_low'])}, {fmt_num(r['ci_high'])}]",
             fmt_num(r["official"]), r["result"]] for r in recs]
    print_table([_("group"), _("year"), _("community"), "CI", _("official"), _("result")], rows,
                title=_("Community vs official, indicator {i}").format(i=data.indicator or "?"))
    print_table([_("dimension"), _("official"), _("community"), _("status")],
                [[g["dimension"], ", ".join(g["official"]) or "–", ", ".join(g["community"]) or "–", g["status"]]
                 for g in gm], title=_("Data gaps"))
