"""Design-based survey estimation compiled to SQL (DuckDB or PostgreSQL), matching R ``survey``.

Public API::

    from lnob.stats import connect, Design, ReplicateDesign, Mean, Total, Proportion, Ratio, estimate

    eng = connect("duckdb")                 # or connect("postgresql://user@host/db")
    tab = eng.load("api_strat.csv")         # CSV, Parquet or Excel; or eng.table("name")
    des = Design(weights="pw", strata="stype", fpc="fpc")
    rows = estimate(tab, des, [Mean("api00"), Proportion("awards")], by=["stype"], deff=True)

Each result row (:class:`Result`) has statistic, variable, level, domain, estimate, se, ci_low,
ci_high, n, population, df and deff.  :func:`estimate_tables` computes many domain tables in
one pass over the data.  The module owns nothing itself; see the submodules and docs/stats.md.
"""

from lnob.stats.design import LONELY_RULES, REPLICATE_TYPES, Design, ReplicateDesign
from lnob.stats.engine import DuckDBEngine, Engine, PostgresEngine, Table, connect
from lnob.stats.estimate import CI_METHODS, estimate, estimate_tables
from lnob.stats.specs import Mean, Proportion, Ratio, Result, Total

__all__ = [
    "CI_METHODS",
    "LONELY_RULES",
    "REPLICATE_TYPES",
    "Design",
    "DuckDBEngine",
    "Engine",
    "Mean",
    "PostgresEngine",
    "Proportion",
    "Ratio",
    "ReplicateDesign",
    "Result",
    "Table",
    "Total",
    "connect",
    "estimate",
    "estimate_tables",
]
