"""Benchmark of lnob.stats against R survey and the svy package (run on demand).

    .venv/bin/python bench/stats/bench_estimate.py [--rows 1000000] [--dir /tmp/lnob-bench]

It writes a stratified two-stage sample (50 strata, 2,000 PSUs, 10 SSUs per PSU, 20 domains,
8 extra dimensions) to CSV and measures, each in its own process with peak memory from
/usr/bin/time -v:

(a) end to end on the same CSV: ``lnob estimate`` (installed CLI) vs an Rscript doing
    read.csv + svydesign + svyby(~y, ~domain, svymean);
(b) estimation alone, data already loaded: lnob.stats (DuckDB table) vs svydesign + svyby
    timed inside R vs the ``svy`` package from PyPI (install it in the venv for the benchmark
    only; it is not a project dependency);
(c) 108 domain tables (mean of y, proportions of z and cat, by 8 dimensions and their 28
    2-way crossings) on the same rows with one ``estimate_tables`` call.

It checks that the domain means and SEs agree and prints ratios.  Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
LNOB = str(Path(PY).with_name("lnob"))
DIM_LEVELS = [2, 3, 4, 5, 2, 3, 4, 6]


def generate(path: Path, rows: int, seed: int = 42) -> None:
    rng = np.random.default_rng(seed)
    n_strata, n_psu, n_ssu = 50, 2000, 10
    psu = np.sort(rng.integers(0, n_psu, rows))  # ~500 rows per PSU
    psu[:n_psu] = np.arange(n_psu)  # every PSU sampled
    psu = np.sort(psu)
    stratum = psu // (n_psu // n_strata)
    ssu = rng.integers(0, n_ssu, rows)
    w = np.round(rng.uniform(50, 150, rows) * (1 + stratum / 50), 4)
    domain = rng.integers(0, 20, rows)
    psu_effect = rng.normal(0, 5, n_psu)[psu]
    y = np.round(100 + stratum * 0.5 + domain * 0.3 + psu_effect + rng.normal(0, 20, rows), 3)
    z = (rng.random(rows) < 0.2 + 0.01 * domain).astype(int)
    cat = np.array(["a", "b", "c"])[rng.choice(3, rows, p=[0.5, 0.3, 0.2])]
    dims = [rng.integers(0, k, rows) for k in DIM_LEVELS]
    with open(path, "w") as fh:
        fh.write("stratum,psu,ssu,w,domain,y,z,cat," + ",".join(f"d{i + 1}" for i in range(8)) + "\n")
        step = 100_000
        for a in range(0, rows, step):
            b = min(rows, a + step)
            cols = [stratum[a:b], psu[a:b], ssu[a:b], w[a:b], domain[a:b], y[a:b], z[a:b], cat[a:b]]
            cols += [d[a:b] for d in dims]
            lines = [",".join(map(str, vals)) for vals in zip(*[c.tolist() for c in cols])]
            fh.write("\n".join(lines) + "\n")


def timed(cmd: list[str], stdout_path: Path | None = None, env=None) -> dict:
    """Run under /usr/bin/time -v: wall seconds, peak RSS (MB), stdout text."""
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed:\n{proc.stderr[-3000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if stdout_path:
        stdout_path.write_text(proc.stdout)
    return {"wall": wall, "peak_mb": int(m.group(1)) / 1024 if m else float("nan"), "out": proc.stdout}


R_E2E = r"""
suppressMessages({library(survey); library(jsonlite)})
a <- commandArgs(TRUE)
d <- read.csv(a[1])
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
r <- svyby(~y, ~domain, des, svymean)
cat(toJSON(data.frame(domain = r$domain, estimate = coef(r), se = SE(r)), digits = NA))
"""

R_EST = r"""
suppressMessages({library(survey); library(jsonlite)})
a <- commandArgs(TRUE)
d <- read.csv(a[1])
t0 <- proc.time()[["elapsed"]]
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
r <- svyby(~y, ~domain, des, svymean)
t1 <- proc.time()[["elapsed"]]
cat(toJSON(list(seconds = t1 - t0, domain = r$domain, estimate = unname(coef(r)), se = unname(SE(r))),
           digits = NA, auto_unbox = TRUE))
"""

LNOB_EST = r"""
import json, sys, time
from lnob.stats import connect, Design, Mean, estimate
eng = connect("duckdb")
tab = eng.load(sys.argv[1])
des = Design(weights="w", strata="stratum", clusters=["psu"])
estimate(tab, des, [Mean("y")], by=["domain"])  # first call also runs the design checks
times = []
for _ in range(3):
    tab.cache.clear()
    t0 = time.perf_counter()
    rows = estimate(tab, des, [Mean("y")], by=["domain"])
    times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": min(times), "domain": [r.domain["domain"] for r in rows],
                  "estimate": [r.estimate for r in rows], "se": [r.se for r in rows]}))
"""

LNOB_TABLES = r"""
import itertools, json, sys, time
from lnob.stats import connect, Design, Mean, Proportion, estimate_tables
eng = connect("duckdb")
tab = eng.load(sys.argv[1])
des = Design(weights="w", strata="stratum", clusters=["psu"])
dims = [f"d{i}" for i in range(1, 9)]
tables = [[d] for d in dims] + [list(p) for p in itertools.combinations(dims, 2)]
specs = [Mean("y"), Proportion("z"), Proportion("cat")]
t0 = time.perf_counter()
res = estimate_tables(tab, des, specs, tables)  # ci="logit": includes R's IRLS replay pass
secs = time.perf_counter() - t0
t0 = time.perf_counter()
estimate_tables(tab, des, specs, tables, ci="beta")  # design facts now cached; no replay pass
secs_beta = time.perf_counter() - t0
print(json.dumps({"seconds": secs, "seconds_beta": secs_beta, "tables": len(tables) * len(specs),
                  "domain_sets": len(tables), "estimates": sum(len(r) for r in res)}))
"""

SVY_EST = r"""
import json, sys, time
import polars as pl
import svy
df = pl.read_csv(sys.argv[1])
t0 = time.perf_counter()
s = svy.Sample(df, svy.Design(stratum="stratum", psu="psu", wgt="w"))
est = s.estimation.mean("y", by="domain")
secs = time.perf_counter() - t0
t = est.to_polars().sort("domain")
print(json.dumps({"seconds": secs, "domain": t["domain"].to_list(), "estimate": t["est"].to_list(),
                  "se": t["se"].to_list()}))
"""


def max_rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/lnob-bench")
    ap.add_argument("--keep", action="store_true", help="reuse an existing CSV")
    args = ap.parse_args()
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    csv = work / f"sample_{args.rows}.csv"
    if not (args.keep and csv.exists()):
        t0 = time.perf_counter()
        generate(csv, args.rows)
        print(f"generated {csv} ({csv.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
    for name, text in {"e2e.R": R_E2E, "est.R": R_EST, "lnob_est.py": LNOB_EST,
                       "lnob_tables.py": LNOB_TABLES, "svy_est.py": SVY_EST}.items():
        (work / name).write_text(textwrap.dedent(text))
    print(f"machine: {os.cpu_count()} cores; R: {shutil.which('Rscript')}")
    res = {}
    # (a) end to end
    res["lnob_e2e"] = timed([LNOB, "estimate", str(csv), "--weight", "w", "--strata", "stratum",
                             "--cluster", "psu", "--mean", "y", "--by", "domain", "--format", "json"])
    res["r_e2e"] = timed(["Rscript", str(work / "e2e.R"), str(csv)])
    lnob_rows = sorted(json.loads(res["lnob_e2e"]["out"]), key=lambda r: r["domain"])
    r_rows = sorted(json.loads(res["r_e2e"]["out"]), key=lambda r: r["domain"])
    agree_a = (max_rel([r["estimate"] for r in lnob_rows], [r["estimate"] for r in r_rows]),
               max_rel([r["se"] for r in lnob_rows], [r["se"] for r in r_rows]))
    # (b) estimation only
    res["lnob_est"] = timed([PY, str(work / "lnob_est.py"), str(csv)])
    res["r_est"] = timed(["Rscript", str(work / "est.R"), str(csv)])
    try:
        res["svy_est"] = timed([PY, str(work / "svy_est.py"), str(csv)])
    except RuntimeError as exc:
        res["svy_est"] = None
        print(f"svy could not run (pip install svy into the venv): {str(exc).splitlines()[-1]}")
    le, re_ = json.loads(res["lnob_est"]["out"]), json.loads(res["r_est"]["out"])
    agree_b = (max_rel(le["estimate"], re_["estimate"]), max_rel(le["se"], re_["se"]))
    # (c) 100+ domain tables
    res["tables"] = timed([PY, str(work / "lnob_tables.py"), str(csv)])
    tb = json.loads(res["tables"]["out"])

    print()
    print(f"rows: {args.rows:,}; design: 50 strata, 2,000 PSUs; svyby(~y, ~domain) with 20 domains")
    print("(a) end to end, same CSV (whole process):")
    print(f"    lnob estimate      {res['lnob_e2e']['wall']:8.2f} s   peak {res['lnob_e2e']['peak_mb']:7.0f} MB")
    print(f"    R read.csv+svyby   {res['r_e2e']['wall']:8.2f} s   peak {res['r_e2e']['peak_mb']:7.0f} MB")
    print(f"    speed-up vs R      {res['r_e2e']['wall'] / res['lnob_e2e']['wall']:8.1f} x   (target >= 10x)")
    print(f"    agreement with R   max rel diff estimate {agree_a[0]:.1e}, SE {agree_a[1]:.1e}")
    print("(b) estimation alone, data loaded:")
    print(f"    lnob.stats         {le['seconds']:8.3f} s   (process peak {res['lnob_est']['peak_mb']:.0f} MB)")
    print(f"    R svydesign+svyby  {re_['seconds']:8.3f} s   (process peak {res['r_est']['peak_mb']:.0f} MB)")
    print(f"    speed-up vs R      {re_['seconds'] / le['seconds']:8.1f} x   (target >= 100x)")
    if res["svy_est"]:
        se = json.loads(res["svy_est"]["out"])
        print(f"    svy (PyPI)         {se['seconds']:8.3f} s   (process peak {res['svy_est']['peak_mb']:.0f} MB)")
        print(f"    speed-up vs svy    {se['seconds'] / le['seconds']:8.1f} x   (target >= 5x)")
        print(f"    svy vs lnob        max rel diff estimate {max_rel(se['estimate'], le['estimate']):.1e}, "
              f"SE {max_rel(se['se'], le['se']):.1e}")
    print(f"    lnob vs R          max rel diff estimate {agree_b[0]:.1e}, SE {agree_b[1]:.1e}")
    print("(c) many domain tables in one call:")
    print(f"    {tb['tables']} tables ({tb['domain_sets']} domain sets x 3 estimators, "
          f"{tb['estimates']} estimates): {tb['seconds']:.2f} s   (target <= 10 s; process peak "
          f"{res['tables']['peak_mb']:.0f} MB)")
    print(f"    the same with --ci beta (no logit replay pass, design facts cached): "
          f"{tb['seconds_beta']:.2f} s")


if __name__ == "__main__":
    main()
