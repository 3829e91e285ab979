"""The Apache Spark engine: the same compiled statistics, run by Spark SQL (local or a cluster).

This module owns :class:`SparkDialect` (how Spark SQL spells what :mod:`lnob.stats.sqlgen`
writes) and :class:`SparkEngine` (a ``SparkSession`` wrapped as an
:class:`~lnob.stats.engine.Engine`).  Nothing else in :mod:`lnob.stats` changes: the same
queries run, and only small aggregates come back to Python, as on DuckDB and PostgreSQL.

Spark SQL differs from the ANSI SQL of the other engines in a few places, all handled here:

* identifiers are quoted with backticks, string literals escape backslashes;
* ``GROUPING(a, b, ...)`` with several columns is written as Σ 2^k · ``GROUPING(col)``
  (Spark's ``grouping_id`` must list every grouping column, the estimator's sets do not);
* ``ROW_NUMBER() OVER ()`` (a row's own PSU id) becomes ``monotonically_increasing_id()``,
  which is unique and needs no single-partition window;
* Spark has no ``CREATE TEMPORARY TABLE ... AS`` and no ``INSERT`` into a temporary view:
  :meth:`SparkEngine.execute` runs these statements (the only ones the estimator writes) as a
  checkpointed DataFrame registered as a temporary view, and a union for ``INSERT``;
* ANSI mode is switched off for the session, so a division by zero gives NULL (DuckDB gives
  ±inf) instead of failing; the estimator never divides by zero in SQL on valid designs.

Files (CSV, Excel) are read by DuckDB, exactly as the other engines read them, written to
Parquet in a staging directory and read by Spark from there; Parquet files are read by
Spark directly.  On a cluster the staging directory must be on storage every executor sees
(see docs/spark.md).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from lnob.errors import InputError, UsageError
from lnob.i18n import _
from lnob.stats.dialect import Dialect, DuckDBDialect
from lnob.stats.engine import Engine, Table, _duckdb_reader, _num

#: settings of every session lnob creates (a session passed in is used as it is, except ANSI);
#: cluster settings (memory, executors, shuffle partitions) come from spark-submit, --conf or
#: spark-defaults.conf and are not overridden
DEFAULT_CONF = {
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}
#: added for local masters (local, local[N], local[*]): no web UI
LOCAL_CONF = {"spark.ui.enabled": "false"}


class SparkDialect(Dialect):
    name = "spark"
    double_type = "DOUBLE"
    text_type = "STRING"
    materialized = ""

    def quote(self, name: str) -> str:
        return "`" + str(name).replace("`", "``") + "`"

    def literal(self, value) -> str:
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return super().literal(value)


_GROUPING = re.compile(r"GROUPING\(([^()]*,[^()]*)\)")
_CREATE = re.compile(r"^\s*CREATE\s+TEMPORARY\s+TABLE\s+(`(?:[^`]|``)+`)\s+AS\s+(.*)$", re.S | re.I)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(`(?:[^`]|``)+`)\s+VALUES\s+(.*)$", re.S | re.I)
_DROP = re.compile(r"^\s*DROP\s+TABLE\s+IF\s+EXISTS\s+(`(?:[^`]|``)+`)\s*$", re.S | re.I)


def _grouping(match: re.Match) -> str:
    cols = [c.strip() for c in match.group(1).split(",")]
    n = len(cols)
    return "(" + " + ".join(f"GROUPING({c}) * {1 << (n - 1 - i)}" for i, c in enumerate(cols)) + ")"


def to_spark_sql(sql: str) -> str:
    """The estimator's SQL in Spark's spelling (see the module docstring)."""
    sql = _GROUPING.sub(_grouping, sql)
    return sql.replace("ROW_NUMBER() OVER ()", "monotonically_increasing_id()")


def _unquote(name: str) -> str:
    return name[1:-1].replace("``", "`")


class SparkEngine(Engine):
    """Spark SQL through a ``SparkSession`` (pyspark).

    ``master`` is a Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``, ...);
    without it the active session is used, or one is started with ``$LNOB_SPARK_MASTER``,
    spark-submit's master, or pyspark's default ``local[*]``.  ``staging`` is
    the directory for Parquet copies of loaded files and of DuckDB tables (a temporary
    directory, removed on :meth:`close`, when not given).
    """

    def __init__(self, master: str | None = None, *, spark=None, staging: str | os.PathLike | None = None,
                 conf: dict | None = None, app_name: str = "lnob"):
        self.dialect = SparkDialect()
        self._own = False  # stop the session on close() only if this engine started it
        if spark is None and master is None:
            spark = _active_session()
        if spark is None:
            spark = start_session(master, conf=conf, app_name=app_name)
            self._own = True
        self.spark = spark
        # NULL on division by zero and on impossible casts, as the estimator expects
        self.spark.conf.set("spark.sql.ansi.enabled", "false")
        self._own_staging = staging is None
        self.staging = Path(staging) if staging else Path(tempfile.mkdtemp(prefix="lnob-spark-"))
        self.staging.mkdir(parents=True, exist_ok=True)
        self._frames: dict[str, object] = {}  # temporary views created here -> their DataFrame

    # -- Engine ----------------------------------------------------------------------------
    def execute(self, sql: str) -> list[tuple]:
        m = _CREATE.match(sql)
        if m:
            self._register(_unquote(m.group(1)), self.spark.sql(to_spark_sql(m.group(2))))
            return []
        m = _INSERT.match(sql)
        if m:
            name = _unquote(m.group(1))
            old = self.spark.table(self.dialect.quote(name))
            new = self.spark.sql(f"SELECT * FROM VALUES {m.group(2)}").toDF(*old.columns)
            self._register(name, old.unionByName(new))
            return []
        m = _DROP.match(sql)
        if m:
            self._forget(_unquote(m.group(1)))
            return []
        rows = self.spark.sql(to_spark_sql(sql)).collect()
        return [tuple(_num(v) for v in r) for r in rows]

    def columns(self, name: str, schema: str | None = None) -> dict[str, str]:
        try:
            df = self.spark.table(self.dialect.qualified(name, schema))
        except Exception:
            return {}
        return {f: t for f, t in df.dtypes}

    def _create_from_file(self, name: str, path: Path, kind: str) -> None:
        if kind == "parquet":
            df = self.spark.read.parquet(str(path.resolve()))
        else:
            import duckdb

            out = self.staging / f"{name}.parquet"
            local = duckdb.connect()
            try:
                reader = _duckdb_reader(DuckDBDialect(), path, kind, full_sample=True)
                local.execute(f"COPY (SELECT * FROM {reader}) TO {DuckDBDialect().literal(str(out))} "
                              "(FORMAT parquet)")
            finally:
                local.close()
            df = self.spark.read.parquet(str(out))
        self._register(name, df, checkpoint=False)

    def drop(self, table: Table) -> None:
        self._forget(table.name)

    def close(self) -> None:
        for name in list(self._frames):
            self._forget(name)
        if self._own_staging:
            shutil.rmtree(self.staging, ignore_errors=True)
        if self._own:
            self.spark.stop()

    # -- DuckDB tables ---------------------------------------------------------------------
    def from_duckdb(self, con, relation: str, name: str | None = None) -> Table:
        """Copy a DuckDB table or view (``con`` a duckdb connection) to Parquet in the staging
        directory and return it as a table of this engine."""
        name = name or "lnob_data_" + uuid.uuid4().hex[:12]
        out = self.staging / f"{name}.parquet"
        d = DuckDBDialect()
        con.execute(f"COPY (SELECT * FROM {d.quote(relation)}) TO {d.literal(str(out))} (FORMAT parquet)")
        self._register(name, self.spark.read.parquet(str(out)), checkpoint=False)
        return self.table(name)

    # -- temporary views -------------------------------------------------------------------
    def _register(self, name: str, df, checkpoint: bool = True) -> None:
        if checkpoint:  # computed once, like a temporary table (not re-run by every reader)
            df = df.localCheckpoint(eager=True)
        old = self._frames.pop(name, None)
        df.createOrReplaceTempView(name)
        self._frames[name] = df
        if old is not None and old is not df:
            old.unpersist()

    def _forget(self, name: str) -> None:
        df = self._frames.pop(name, None)
        self.spark.catalog.dropTempView(name)
        if df is not None:
            df.unpersist()
        staged = self.staging / f"{name}.parquet"  # a copy made by load() or from_duckdb()
        if staged.is_dir():
            shutil.rmtree(staged, ignore_errors=True)
        elif staged.exists():
            staged.unlink()


def _active_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


def spark_available() -> str | None:
    """None when a Spark session can be started here, otherwise the reason why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return _("pyspark is not installed (pip install 'lnob[spark]')")
    java = shutil.which("java") or (os.environ.get("JAVA_HOME") and
                                    Path(os.environ["JAVA_HOME"], "bin", "java").exists())
    if not java:
        return _("Java is not installed (Spark needs Java 17 or newer, e.g. Debian's openjdk-17-jre-headless)")
    return None


def start_session(master: str | None = None, *, conf: dict | None = None, app_name: str = "lnob"):
    """A ``SparkSession`` for ``master`` (the active one when ``master`` is None and one runs)."""
    reason = spark_available()
    if reason:
        raise UsageError(_("the Spark engine cannot start: {reason}").format(reason=reason),
                         where="--engine", hint=_("install pyspark and Java 17, or use the DuckDB engine"),
                         code="stats.spark-unavailable")
    from pyspark.sql import SparkSession

    if master is None:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
    master = master or os.environ.get("LNOB_SPARK_MASTER") or None
    builder = SparkSession.builder.appName(app_name)
    if master:  # otherwise spark-submit's --master, spark-defaults.conf, or pyspark's local[*]
        builder = builder.master(master)
    local = (master or "local").startswith("local")
    for k, v in {**DEFAULT_CONF, **(LOCAL_CONF if local else {}), **(conf or {})}.items():
        builder = builder.config(k, v)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        raise InputError(_("cannot start Spark at {master}: {reason}").format(
            master=master or "local[*]", reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
            where="--spark-master", hint=_("check the master URL, e.g. local[4] or spark://host:7077"),
            code="stats.engine-unreachable") from exc
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    if sc.master.startswith("local") and spark.conf.get("spark.sql.shuffle.partitions") == "200":
        # Spark's default of 200 shuffle partitions is meant for clusters; one machine's
        # aggregates are small (per stratum, PSU and domain)
        spark.conf.set("spark.sql.shuffle.partitions", str(max(2, 2 * sc.defaultParallelism)))
    return spark
