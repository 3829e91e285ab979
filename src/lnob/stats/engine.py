"""Engines: where the survey computation runs (DuckDB embedded, or PostgreSQL).

This module owns connections, loading files (CSV, Parquet, Excel) into a table of the
engine, naming existing tables, and running the SQL written by :mod:`lnob.stats.sqlgen`.
Only small aggregates (per stratum, per PSU, per domain) ever come back to Python.

Adding an engine = a :class:`~lnob.stats.dialect.Dialect` subclass + an :class:`Engine`
subclass implementing ``execute``, ``columns`` and ``_create_from_file``; see docs/stats.md.
"""

from __future__ import annotations

import csv
import decimal
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lnob.errors import InputError, NotFound, UsageError
from lnob.i18n import _
from lnob.stats.dialect import Dialect, DuckDBDialect, PostgresDialect

#: Strings read as missing values in text files (R's read.csv default "NA", and empty cells).
NULL_STRINGS = ("NA", "")


@dataclass
class Table:
    """A relation inside an engine that estimates can be computed on."""

    engine: "Engine"
    name: str
    schema: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # name -> SQL type, in table order
    #: design checks and design counts already computed for this table (per design); call
    #: :meth:`refresh` after changing the table's rows.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def refresh(self) -> None:
        self.cache.clear()
        self.columns = self.engine.columns(self.name, self.schema)

    @property
    def sql(self) -> str:
        return self.engine.dialect.qualified(self.name, self.schema)

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"Table({self.sql} on {self.engine.dialect.name}, {len(self.columns)} columns)"


class Engine:
    """A connection to one SQL engine."""

    dialect: Dialect

    def execute(self, sql: str) -> list[tuple]:  # pragma: no cover - abstract
        raise NotImplementedError

    def columns(self, name: str, schema: str | None = None) -> dict[str, str]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- sources ---------------------------------------------------------------------------
    def table(self, name: str, schema: str | None = None) -> Table:
        """An existing table (or view) of the engine."""
        cols = self.columns(name, schema)
        if not cols:
            raise NotFound(
                _("table {name!r} does not exist or has no columns").format(name=name),
                where=self.dialect.name,
                hint=_("check the table name (and schema)"),
                code="stats.unknown-table",
            )
        return Table(self, name, schema, cols)

    def load(self, path, name: str | None = None) -> Table:
        """Load a CSV, Parquet or Excel file into a new (temporary) table and return it."""
        path = Path(path)
        if not path.exists():
            raise NotFound(
                _("file {path} does not exist").format(path=str(path)),
                where=str(path),
                hint=_("check the path; DATA must be a CSV, Parquet or Excel file"),
                code="stats.file-not-found",
            )
        if not path.is_file() or not os.access(path, os.R_OK):
            raise InputError(
                _("file {path} cannot be read").format(path=str(path)),
                where=str(path),
                hint=_("check that it is a readable file"),
                code="stats.unreadable-file",
            )
        name = name or "lnob_data_" + uuid.uuid4().hex[:12]
        suffix = path.suffix.lower()
        try:
            if suffix in (".xlsx", ".xlsm"):
                with tempfile.TemporaryDirectory() as tmp:
                    csv_path = Path(tmp) / "sheet.csv"
                    _excel_to_csv(path, csv_path)
                    self._create_from_file(name, csv_path, "csv")
            elif suffix in (".parquet", ".pq"):
                self._create_from_file(name, path, "parquet")
            else:
                self._create_from_file(name, path, "csv")
        except (InputError, UsageError):
            raise
        except Exception as exc:
            raise InputError(
                _("could not read {path}: {reason}").format(
                    path=str(path), reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                ),
                where=str(path),
                hint=_("DATA must be a CSV (with a header row), Parquet or Excel (.xlsx) file"),
                code="stats.unreadable-file",
            ) from exc
        return self.table(name)

    def _create_from_file(self, name: str, path: Path, kind: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def drop(self, table: Table) -> None:
        self.execute(f"DROP TABLE IF EXISTS {table.sql}")


def _duckdb_reader(dialect: Dialect, path: Path, kind: str, full_sample: bool = False) -> str:
    lit = dialect.literal(str(path))
    if kind == "parquet":
        return f"read_parquet({lit})"
    nulls = ", ".join(dialect.literal(s) for s in NULL_STRINGS)
    # Yes/No, true/false stay text (as R's read.csv keeps "Yes"/"No"); numbers are BIGINT/DOUBLE.
    types = "['BIGINT', 'DOUBLE', 'VARCHAR']"
    sample = ", sample_size=-1" if full_sample else ""
    return (f"read_csv({lit}, header=true, auto_detect=true, nullstr=[{nulls}]{sample}, "
            f"auto_type_candidates={types})")


def _excel_to_csv(path: Path, out: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        for row in ws.iter_rows(values_only=True):
            writer.writerow(["NA" if v is None else v for v in row])
    wb.close()


class DuckDBEngine(Engine):
    """DuckDB, embedded (in memory unless a database file is given)."""

    def __init__(self, database: str = ":memory:", threads: int | None = None, connection=None):
        import duckdb

        self.dialect = DuckDBDialect()
        self.con = connection if connection is not None else duckdb.connect(database)
        self._own = connection is None
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def execute(self, sql: str) -> list[tuple]:
        cur = self.con.execute(sql)
        try:
            return cur.fetchall()
        except Exception:  # statements without a result set
            return []

    def columns(self, name: str, schema: str | None = None) -> dict[str, str]:
        try:
            rows = self.con.execute(f"DESCRIBE {self.dialect.qualified(name, schema)}").fetchall()
        except Exception:
            return {}
        return {r[0]: str(r[1]) for r in rows}

    def _create_from_file(self, name: str, path: Path, kind: str) -> None:
        # column types are sniffed from a sample of rows; if a later row does not fit, read
        # again with types sniffed from the whole file (slower, so only when needed)
        import duckdb

        sql = "CREATE TABLE {t} AS SELECT * FROM {r}"
        try:
            self.con.execute(sql.format(t=self.dialect.quote(name),
                                        r=_duckdb_reader(self.dialect, path, kind)))
        except duckdb.Error:
            if kind != "csv":
                raise
            self.con.execute(sql.format(t=self.dialect.quote(name),
                                        r=_duckdb_reader(self.dialect, path, kind, full_sample=True)))

    def close(self) -> None:
        if self._own:
            self.con.close()


def _num(v):
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 2**63 else float(v)
    return v


_PG_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "VARCHAR": "text",
}


class PostgresEngine(Engine):
    """PostgreSQL through psycopg 3; files are loaded into TEMPORARY tables."""

    def __init__(self, url: str):
        import psycopg

        self.dialect = PostgresDialect()
        try:
            self.con = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except Exception as exc:
            raise InputError(
                _("cannot connect to PostgreSQL: {reason}").format(reason=str(exc).splitlines()[0]),
                where="--engine",
                hint=_("check the URL, e.g. postgresql://user@host:5432/dbname"),
                code="stats.engine-unreachable",
            ) from exc

    def execute(self, sql: str) -> list[tuple]:
        with self.con.cursor() as cur:
            cur.execute(sql)
            if cur.description is None:
                return []
            rows = cur.fetchall()
        # SUM(bigint) and NUMERIC come back as Decimal: use Python numbers like DuckDB does.
        return [tuple(_num(v) for v in r) for r in rows]

    def columns(self, name: str, schema: str | None = None) -> dict[str, str]:
        rel = self.dialect.qualified(name, schema)
        sql = (
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        )
        with self.con.cursor() as cur:
            cur.execute(sql, (rel,))
            return {r[0]: r[1] for r in cur.fetchall()}

    def _create_from_file(self, name: str, path: Path, kind: str) -> None:
        import duckdb

        local = duckdb.connect()
        try:
            rel = local.execute(f"SELECT * FROM {_duckdb_reader(DuckDBDialect(), path, kind, True)}")
            desc = rel.description
            cols = []
            for col_name, type_code, *_rest in desc:
                t = str(type_code).upper()
                pg = _PG_TYPES.get(t) or ("numeric" if t.startswith("DECIMAL") else "text")
                cols.append(f"{self.dialect.quote(col_name)} {pg}")
            table = self.dialect.quote(name)
            with self.con.cursor() as cur:
                cur.execute(f"CREATE TEMPORARY TABLE {table} ({', '.join(cols)})")
                with cur.copy(f"COPY {table} FROM STDIN") as copy:
                    while True:
                        batch = rel.fetchmany(20000)
                        if not batch:
                            break
                        for row in batch:
                            copy.write_row(row)
        finally:
            local.close()

    def close(self) -> None:
        self.con.close()


def connect(target: str | None = "duckdb", *, threads: int | None = None) -> Engine:
    """Open an engine: ``"duckdb"`` (in memory), ``"duckdb:PATH"`` (a DuckDB file), a
    ``postgresql://`` URL, or Spark: ``"spark"``, ``"spark:MASTER"`` or ``spark://host:port``."""
    target = target or "duckdb"
    if target == "duckdb":
        return DuckDBEngine(threads=threads)
    if target.startswith("duckdb:"):
        return DuckDBEngine(target[len("duckdb:"):], threads=threads)
    if target.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(target)
    if target == "spark" or target.startswith("spark:"):
        from lnob.stats.spark import SparkEngine

        # "spark" (the active session, or local[*]), "spark:local[4]", "spark:yarn", or a
        # master URL "spark://host:7077"
        master = None if target == "spark" else target if target.startswith("spark://") else target[6:]
        return SparkEngine(master or None)
    raise UsageError(
        _("unknown engine {target!r}").format(target=target),
        where="--engine",
        hint=_("use 'duckdb', a postgresql:// URL or 'spark' (spark:MASTER)"),
        code="stats.unknown-engine",
    )
