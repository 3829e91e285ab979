"""SQL dialects: the only place that knows how one SQL engine differs from another.

The SQL that :mod:`lnob.stats.sqlgen` writes is plain ANSI SQL (CTEs, ``GROUPING SETS``,
``GROUPING()``, window functions, ``VAR_POP``) plus the few spellings gathered here:
identifier quoting, literals, the double type, materialised CTEs, and how to list a
relation's columns.  A new engine (Spark, Trino, ...) is a subclass of :class:`Dialect`
plus a connection class in :mod:`lnob.stats.engine`.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re

_NUMERIC_TYPE = re.compile(
    r"^(tinyint|smallint|integer|int|int2|int4|int8|bigint|hugeint|utinyint|usmallint|uinteger|"
    r"ubigint|uhugeint|float|float4|float8|real|double|double precision|decimal|numeric)\b",
    re.IGNORECASE,
)


class Dialect:
    """Spelling rules of one SQL engine (ANSI defaults)."""

    name = "ansi"
    double_type = "DOUBLE PRECISION"
    text_type = "VARCHAR"
    #: ``WITH x AS MATERIALIZED (...)`` keeps a CTE that is read several times from being
    #: recomputed; engines without the keyword return "".
    materialized = "MATERIALIZED"

    def quote(self, name: str) -> str:
        """Quote an identifier (column or table name); dots and spaces are kept verbatim."""
        return '"' + str(name).replace('"', '""') + '"'

    def qualified(self, name: str, schema: str | None = None) -> str:
        """Quote a table name, optionally qualified by its schema."""
        return (self.quote(schema) + "." if schema else "") + self.quote(name)

    def literal(self, value) -> str:
        """A safe SQL literal for a Python value (no user text is ever spliced unescaped)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                return f"CAST('{value!r}' AS {self.double_type})"
            return repr(float(value))
        if isinstance(value, decimal.Decimal):
            return str(value)
        if isinstance(value, _dt.datetime):
            return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
        if isinstance(value, _dt.date):
            return f"DATE '{value.isoformat()}'"
        return "'" + str(value).replace("'", "''") + "'"

    def double(self, expr: str) -> str:
        return f"CAST({expr} AS {self.double_type})"

    def round(self, expr: str, digits: int) -> str:
        return f"ROUND({expr}, {int(digits)})"

    def is_numeric_type(self, type_name: str) -> bool:
        return bool(_NUMERIC_TYPE.match(type_name.strip()))


class DuckDBDialect(Dialect):
    name = "duckdb"
    double_type = "DOUBLE"


class PostgresDialect(Dialect):
    name = "postgresql"
    double_type = "DOUBLE PRECISION"
    text_type = "TEXT"

    def round(self, expr: str, digits: int) -> str:  # ROUND(double, int) does not exist
        return f"ROUND(CAST({expr} AS NUMERIC), {int(digits)})"
