"""Exporting a project's records from the analytics store (``lnob export``).

One table per form and one per repeat, named as in the analytics store
(``form_<id>``, ``form_<id>__<repeat>``), linked by ``_record_id`` (and
``_index``/``_parent_index`` for repeats); only the project's rows.

* ``csv`` — **a ZIP file** holding one CSV per table (UTF-8, comma, header row).
  A ZIP is used even for a form without repeats, so an export is always one file
  whose layout does not depend on the form.
* ``xlsx`` — one workbook, one sheet per table (openpyxl write-only mode); a
  table longer than Excel's 1,048,576 rows continues on sheets ``name (2)``….
  Sheet names are cut to Excel's 31 characters; the sheet ``tables`` maps
  sheet names to table names.
* ``parquet`` — **a directory** with one ``<table>.parquet`` per table (DuckDB ``COPY``).

Rows come in the order they were stored (record by record; the analytics sync
writes them in record order), without a sort, so that memory does not grow
with the data: CSV and Parquet are written by DuckDB's
``COPY`` (streaming, one thread, a 256 MB memory limit, Parquet row groups of
16,384 rows), XLSX rows are fetched in batches and
written by openpyxl's write-only workbook.

**Formula injection.**  In CSV and XLSX, a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that
spreadsheet programs show it as text instead of running it.  Numbers and dates
stay numbers and dates (only text columns are touched); Parquet is typed and
left unchanged.

**Personal fields** (``lnob::personal`` in the form, changed by the marks set on
the form page: :func:`lnob.forms.personal.personal_paths`) are left out unless
``include_personal`` is true; the caller decides who may
(:func:`lnob.core.services.may_see_personal`).
Every export is written to the audit log (``export``: project, target path,
format, tables, rows, whether personal fields were included).

**Microdata releases** (:mod:`lnob.records.release`) export one table and pass
``masker``: called with the open DuckDB connection (the data cannot change while
it is open), it returns the cells to blank — ``{table: [(record id, parent
index, index, column), …]}`` (0 for the indexes of the record table) — and the
export writes those cells as missing.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from lnob.errors import InputError, UsageError
from lnob.forms.xlsform import FormSchema
from lnob.i18n import _
from lnob.records.analytics import table_name

FORMATS = ("csv", "xlsx", "parquet")
XLSX_MAX_ROWS = 1_048_576
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
#: DuckDB settings while exporting (bounded memory, spill to disk)
DUCKDB_MEMORY = "256MB"


@dataclass
class TableSpec:
    name: str
    columns: list[str]
    types: dict[str, str]
    sql: str
    params: list


@dataclass
class ExportResult:
    path: Path
    format: str
    tables: dict[str, int] = dc_field(default_factory=dict)
    personal_left_out: list[str] = dc_field(default_factory=list)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def neutralise(value):
    """A cell value safe for spreadsheets: text starting with = + - @ tab CR gets a leading '."""
    if isinstance(value, str) and value[:1] in DANGEROUS:
        return "'" + value
    return value


def _neutral_expr(c: str) -> str:
    return f"CASE WHEN left({c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {c} ELSE {c} END"


def _neutral_sql(col: str) -> str:
    c = _q(col)
    return f"{_neutral_expr(c)} AS {c}"


#: the temporary table of cells to blank (microdata releases)
MASK_TABLE = "_lnob_release_mask"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _masked_sql(col: str, table: str, neutral: bool, repeat: bool) -> str:
    c = _q(col)
    value = _neutral_expr(c) if neutral else c
    pidx, idx = ("coalesce(t._parent_index, 0)", "coalesce(t._index, 0)") if repeat else ("0", "0")
    return (f"CASE WHEN EXISTS (SELECT 1 FROM {MASK_TABLE} m WHERE m.tbl = {_lit(table)} AND m.col = {_lit(col)} "
            f"AND m.rid = t._record_id AND m.pidx = {pidx} AND m.idx = {idx}) THEN NULL ELSE {value} END AS {c}")


def personal_columns(form) -> dict[str, set[str]]:
    """Analytics columns of personal fields, per table, over every version of the form
    (the XLSForm's ``lnob::personal`` column, changed by the marks set on the form page)."""
    from lnob.forms.personal import marks

    form_marks = marks(form)
    out: dict[str, set[str]] = {}
    for sj in form.versions.values_list("survey_json", flat=True):
        for f in FormSchema(sj).fields:
            if form_marks.get(f.path, f.personal):
                out.setdefault(table_name(form.form_id, f.repeat), set()).add(f.column)
    return out


def plan(project, con, *, forms, include_personal: bool, neutralise_text: bool, only: list[str] | None = None,
         masked: dict[str, set[str]] | None = None) -> tuple[list[TableSpec], list[str]]:
    """The tables to export and the SQL that reads each (only the project's rows).

    ``only`` keeps these analytics tables; ``masked`` maps a table to the columns that have
    cells to blank (listed in the temporary :data:`MASK_TABLE`).
    """
    from lnob.records.services import analytics_tables

    masked = masked or {}
    specs, left_out = [], []
    existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for form in forms:
        personal = {} if include_personal else personal_columns(form)
        tables = analytics_tables(form)
        main = tables[0]
        if main not in existing:
            continue
        for t in tables:
            if t not in existing or (only is not None and t not in only):
                continue
            info = con.execute("select column_name, data_type from information_schema.columns where table_name = ? "
                               "order by ordinal_position", [t]).fetchall()
            drop = personal.get(t, set())
            left_out += [f"{t}.{c}" for c, _t in info if c in drop]
            cols = [(c, ty) for c, ty in info if c not in drop]
            mask = masked.get(t, set())
            select = ", ".join(
                _masked_sql(c, t, neutralise_text and ty == "VARCHAR", t != main) if c in mask
                else _neutral_sql(c) if neutralise_text and ty == "VARCHAR" else _q(c) for c, ty in cols)
            if t == main:
                sql = f"select {select} from {_q(t)} t where _project = ?"
            else:
                sql = (f"select {select} from {_q(t)} t where _record_id in "
                       f"(select _record_id from {_q(main)} where _project = ?)")
            specs.append(TableSpec(t, [c for c, _t in cols], dict(cols), sql, [project.slug]))
    return specs, left_out


def default_out(project, fmt: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(f"{project.slug}-{stamp}" + {"csv": ".zip", "xlsx": ".xlsx", "parquet": "-parquet"}[fmt])


def export_project(project, fmt: str, out: str | Path | None = None, *, form_id: str | None = None,
                   include_personal: bool = False, store=None, actor=None, actor_name: str = "",
                   progress: Callable[[str, int, int], None] | None = None, overwrite: bool = False,
                   only: list[str] | None = None, masker: Callable | None = None,
                   audit_details: dict | None = None) -> ExportResult:
    """Export ``project``'s records in ``fmt`` to ``out`` (see the module docstring).

    ``only`` keeps these analytics tables; ``masker(con)`` returns the cells to blank
    (microdata releases); ``audit_details`` are added to the audit event.
    """
    from lnob.forms.models import Form
    from lnob.forms.services import get_form
    from lnob.records.services import default_store

    if fmt not in FORMATS:
        raise UsageError(_("unknown export format %(f)r") % {"f": fmt}, where="--format",
                         hint=_("formats: %(f)s") % {"f": ", ".join(FORMATS)}, code="records.export-format")
    forms = [get_form(project, form_id)] if form_id else list(Form.objects.filter(project=project).order_by("form_id"))
    out = Path(out) if out else default_out(project, fmt)
    if out.exists() and not overwrite:
        raise InputError(_("the output already exists"), where=str(out),
                         hint=_("choose another --out or remove it first"), code="records.export-exists")
    store = store or default_store()
    result = ExportResult(path=out, format=fmt)
    with store.connect(read_only=True) as con:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        # one thread: the writers keep no out-of-order batches, so memory stays flat for wide tables
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = true")
        masked: dict[str, set[str]] = {}
        if masker is not None:
            cells = masker(con)
            con.execute(f"CREATE TEMP TABLE {MASK_TABLE} (tbl VARCHAR, rid BIGINT, pidx BIGINT, idx BIGINT, "
                        "col VARCHAR)")
            rows = [(t, rid, pidx, idx, col) for t, items in cells.items() for rid, pidx, idx, col in items]
            if rows:
                con.executemany(f"INSERT INTO {MASK_TABLE} VALUES (?, ?, ?, ?, ?)", rows)
            for t, _rid, _p, _i, col in rows:
                masked.setdefault(t, set()).add(col)
        specs, left_out = plan(project, con, forms=forms, include_personal=include_personal,
                               neutralise_text=fmt != "parquet", only=only, masked=masked)
        result.personal_left_out = left_out
        if not specs:
            raise InputError(_("project %(p)s has no records in the analytics store to export") % {"p": project.slug},
                             where=project.slug, hint=_("import or collect records first"),
                             code="records.export-empty")
        if not out.parent.resolve().is_dir():
            raise InputError(_("the folder of the output does not exist"), where=str(out.parent),
                             hint=_("create it first"), code="records.export-no-folder")
        tmp = Path(tempfile.mkdtemp(prefix=".lnob-export-", dir=out.parent.resolve()))
        try:
            con.execute(f"SET temp_directory = '{tmp / 'spill'}'")
            if fmt == "csv":
                _csv(con, specs, tmp, out, result, progress)
            elif fmt == "parquet":
                _parquet(con, specs, tmp, out, result, progress)
            else:
                _xlsx(con, specs, tmp, out, result, progress)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    from lnob.audit.log import record

    record("export", project=project, target=str(out.resolve()), format=fmt, actor=actor, actor_name=actor_name,
           tables=result.tables, personal=bool(include_personal), personal_left_out=len(left_out),
           **(audit_details or {}))
    return result


def _count(con, spec: TableSpec) -> int:
    return con.execute(f"select count(*) from ({spec.sql})", spec.params).fetchone()[0]


def _copy(con, spec: TableSpec, path: Path, options: str) -> int:
    """COPY the table's rows to ``path``; returns the number of rows written."""
    # COPY cannot take parameters in every DuckDB version: the project slug is a validated slug
    sql = spec.sql.replace("?", "'" + spec.params[0].replace("'", "''") + "'")
    row = con.execute(f"COPY ({sql}) TO '{str(path).replace(chr(39), chr(39) * 2)}' ({options})").fetchone()
    return int(row[0]) if row else _count(con, spec)


def _csv(con, specs, tmp: Path, out: Path, result: ExportResult, progress) -> None:
    part = tmp / "out.zip"
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for n, spec in enumerate(specs, start=1):
            path = tmp / f"{spec.name}.csv"
            result.tables[spec.name] = _copy(con, spec, path, "FORMAT csv, HEADER true, DELIMITER ','")
            zf.write(path, f"{spec.name}.csv")
            path.unlink()
            if progress:
                progress("tables", n, len(specs))
    os.replace(part, out)


def _parquet(con, specs, tmp: Path, out: Path, result: ExportResult, progress) -> None:
    part = tmp / "parquet"
    part.mkdir()
    for n, spec in enumerate(specs, start=1):
        result.tables[spec.name] = _copy(con, spec, part / f"{spec.name}.parquet",
                                         "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384")
        if progress:
            progress("tables", n, len(specs))
    os.replace(part, out)


def _sheet_names(specs) -> dict[str, str]:
    names, used = {}, set()
    for s in specs:
        base = s.name[:31]
        name, i = base, 2
        while name in used:
            suffix = f"~{i}"
            name = base[:31 - len(suffix)] + suffix
            i += 1
        used.add(name)
        names[s.name] = name
    return names


def _xlsx(con, specs, tmp: Path, out: Path, result: ExportResult, progress, batch: int = 5000) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    names = _sheet_names(specs)
    index = wb.create_sheet("tables")
    index.append(["sheet", "table", "rows"])
    counts = []
    for n, spec in enumerate(specs, start=1):
        cur = con.execute(spec.sql, spec.params)
        sheet_no, rows, total = 1, 0, 0
        ws = wb.create_sheet(names[spec.name])
        ws.append(spec.columns)
        sheets = [names[spec.name]]
        while True:
            chunk = cur.fetchmany(batch)
            if not chunk:
                break
            for row in chunk:
                if rows >= XLSX_MAX_ROWS - 1:
                    sheet_no += 1
                    name = f"{names[spec.name][:25]} ({sheet_no})"
                    ws = wb.create_sheet(name)
                    sheets.append(name)
                    ws.append(spec.columns)
                    rows = 0
                ws.append(row)  # text was neutralised in SQL; numbers and dates stay typed
                rows += 1
                total += 1
        result.tables[spec.name] = total
        counts.append((sheets, spec.name, total))
        if progress:
            progress("tables", n, len(specs))
    for sheets, name, total in counts:
        for s in sheets:
            index.append([s, name, total])
    part = tmp / "out.xlsx"
    wb.save(part)
    os.replace(part, out)
