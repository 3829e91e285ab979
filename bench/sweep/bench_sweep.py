"""Indicator sweep benchmark: 20 ready-made indicators × 8 dimensions + all 2-way intersections.

Usage (build the 1M-person demo first, ~3 min):

    LNOB_HOME=/tmp/lnob-sweep .venv/bin/lnob demo --households 250000 --no-serve
    .venv/bin/python bench/sweep/bench_sweep.py /tmp/lnob-sweep [--variance design|ultimate-cluster] [--threads 2]

Runs the library runner (the same code as ``lnob run``) on the workspace's analytics store,
read-only, without storing results, with the demo's survey design (``--variance design``, the
default: strata, villages and households with the fpc at both stages, R's full multistage
variance), and prints wall time (with the part spent in ``lnob.stats.estimate_tables``), CPU
time, the load average and peak memory (max RSS).  The machine is often shared: compare CPU
times as well as wall times, and repeat the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

DIMENSIONS = ["sex", "age", "disability", "wealth", "urbanisation", "ethnic_group", "religion", "migration"]
INDICATORS = ["wgss_disability", "wgss_persons_with_disability", "basic_drinking_water", "water_on_premises",
              "water_sufficient", "surface_water", "basic_sanitation", "open_defecation", "shared_sanitation",
              "school_attendance", "birth_registration", "child_marriage", "health_insurance", "dependency_ratio",
              "social_protection", "social_protection_persons", "household_size", "mpi_dep_water",
              "mpi_dep_sanitation", "mpi_dep_assets"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("home", type=Path)
    ap.add_argument("--variance", default="design", choices=["design", "ultimate-cluster"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--memory-limit", help="DuckDB memory_limit for the connection, e.g. 700MB "
                    "(DuckDB then spills to disk instead of growing)")
    a = ap.parse_args()
    import duckdb

    from lnob.demo.build import DESIGN_COLUMNS
    from lnob.forms.xlsform import convert
    from lnob.indicators.definitions import load_library
    from lnob.indicators.runner import Runner, UnitSource

    load0 = os.getloadavg()
    t0 = time.perf_counter()
    con = duckdb.connect(str(a.home / "analytics.duckdb"), read_only=True)
    con.execute(f"SET threads={a.threads}")
    if a.memory_limit:
        con.execute(f"SET memory_limit='{a.memory_limit}'")
    design = dict(DESIGN_COLUMNS)  # what the demo project declares
    sources = {"household": UnitSource.from_design("household", {"table": "demo_household", **design}),
               "person": UnitSource.from_design("person", {"table": "demo_person", "household": "_record_id", **design})}
    form = convert(Path(__file__).resolve().parents[2] / "src/lnob/forms/library/lnob_household.xlsx").schema
    lib = load_library()
    import lnob.stats

    est_time = [0.0]
    estimate_tables = lnob.stats.estimate_tables

    def timed_estimate_tables(*args, **kw):  # the runner imports it from lnob.stats at call time
        t = time.perf_counter()
        try:
            return estimate_tables(*args, **kw)
        finally:
            est_time[0] += time.perf_counter() - t

    lnob.stats.estimate_tables = timed_estimate_tables
    t1 = time.perf_counter()
    res = Runner(con, lib, sources, form=form, depth=a.depth, dimensions=DIMENSIONS, indicators=INDICATORS,
                 variance=a.variance).run()
    t2 = time.perf_counter()
    rows = sum(len(c.rows) for c in res.computed)
    persons = con.execute("SELECT COUNT(*) FROM demo_person").fetchone()[0]
    print(f"persons: {persons:,}  indicators computed: {len(res.computed)}  dimensions: {res.dimensions}")
    print(f"variance: {a.variance}  depth: {a.depth}  threads: {a.threads}  memory_limit: {a.memory_limit or 'default'}")
    ru = resource.getrusage(resource.RUSAGE_SELF)
    est = est_time[0]  # the estimate_tables calls (one per unit of analysis)
    print(f"results: {rows:,}  sweep: {t2 - t1:.1f} s  (setup {t1 - t0:.1f} s)")
    print(f"  of which lnob.stats.estimate_tables: {est:.1f} s; the rest is the runner (analysis tables, "
          f"snapshots)")
    print(f"process CPU time (user + sys): {ru.ru_utime + ru.ru_stime:.1f} s; load average at the start: "
          f"{' '.join(f'{x:.1f}' for x in load0)}, at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"peak memory (max RSS): {ru.ru_maxrss / 1024:.0f} MB")
    for p in res.problems:
        print(" ", p.level, p.code, p.message, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
