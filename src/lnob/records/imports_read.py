"""Reading import files into plain tables (header + rows), with one-line errors.

:func:`read_tables` accepts

* a CSV file (Kobo's or onadata's flat export; ``,`` ``;`` or tab separated, detected);
* an XLSX workbook (Kobo's multi-sheet export: one sheet for the records, one per repeat);
* a ZIP of CSV files (ODK Central's "CSV zip": ``<form>.csv`` and ``<form>-<repeat>.csv``).

Text encodings: UTF-8 (with or without a byte-order mark), else Windows-1252 with a
warning (Excel's "CSV" on Windows), else an error.  Every error names the file, sheet,
row and column where it can, and nothing is read partially: a file either yields all
its tables or raises :class:`lnob.errors.InputError`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import zipfile
from dataclasses import dataclass
from dataclasses import field as dc_field

from lnob.errors import InputError, Problem
from lnob.i18n import _

#: default largest import file (bytes); override with LNOB_IMPORT_MAX_SIZE (Django setting or environment)
DEFAULT_MAX_SIZE = 200_000_000
#: largest total of uncompressed members in a ZIP / XLSX (a guard against zip bombs)
MAX_UNCOMPRESSED = 2_000_000_000

#: cell texts that mean "no answer" in exports (onadata / Kobo legacy "n/a")
MISSING_MARKERS = frozenset({"n/a"})


@dataclass
class Table:
    """One sheet or CSV file: ``header`` and ``rows`` (cell values), ``name`` as in the file."""

    name: str
    header: list[str]
    rows: list[list]
    #: the file row number of ``rows[0]`` (the header is row 1)
    first_row: int = 2
    #: "sheet" for XLSX sheets, "file" for CSV members of a ZIP, "" for a plain CSV
    kind: str = ""


@dataclass
class ReadResult:
    kind: str  # "csv", "xlsx", "zip"
    tables: list[Table]
    warnings: list[Problem] = dc_field(default_factory=list)


def max_size() -> int:
    try:
        from django.conf import settings

        if settings.configured and getattr(settings, "LNOB_IMPORT_MAX_SIZE", None):
            return int(settings.LNOB_IMPORT_MAX_SIZE)
    except Exception:  # pragma: no cover - Django missing
        pass
    env = os.environ.get("LNOB_IMPORT_MAX_SIZE")
    return int(env) if env and env.isdigit() else DEFAULT_MAX_SIZE


def where(filename: str, table: Table | None = None, row: int | None = None, column: str | None = None) -> str:
    """``file.xlsx, sheet 'roster', row 5, column 'ind_age'`` (the parts that are known)."""
    parts = [filename]
    if table is not None and table.kind == "sheet":
        parts.append(_("sheet %(name)r") % {"name": table.name})
    elif table is not None and table.kind == "file":
        parts.append(_("file %(name)r") % {"name": table.name})
    if row is not None:
        parts.append(_("row %(n)d") % {"n": row})
    if column is not None:
        parts.append(_("column %(name)r") % {"name": column})
    return ", ".join(parts)


def cell_text(value) -> str | None:
    """A cell as the text an instance document would hold (None: empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None and value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    text = str(value)
    if not text.strip() or text.strip() in MISSING_MARKERS:
        return None
    return text


def read_tables(data: bytes, filename: str) -> ReadResult:
    """The tables of an import file (see the module docstring)."""
    limit = max_size()
    if len(data) > limit:
        raise InputError(
            _("the file is too large (%(size)s bytes; the limit is %(limit)s)") % {"size": f"{len(data):,}",
                                                                                 "limit": f"{limit:,}"},
            where=filename,
            hint=_("split the export (e.g. by date) and import the parts, or raise LNOB_IMPORT_MAX_SIZE"),
            code="records.import-too-large",
        )
    if not data.strip():
        raise InputError(_("the file is empty"), where=filename,
                         hint=_("export the data again; the file has no rows"), code="records.import-empty")
    if data[:4] == b"PK\x03\x04":
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            names = zf.namelist()
        except zipfile.BadZipFile as exc:
            raise InputError(_("the file is a damaged ZIP/XLSX file: %(e)s") % {"e": exc}, where=filename,
                             hint=_("download the export again"), code="records.import-unreadable") from None
        if sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED:
            raise InputError(_("the file unpacks to more than %(n)s bytes") % {"n": f"{MAX_UNCOMPRESSED:,}"},
                             where=filename, hint=_("split the export and import the parts"),
                             code="records.import-too-large")
        if "xl/workbook.xml" in names:
            return _read_xlsx(data, filename)
        return _read_zip(zf, filename)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(_("old Excel files (.xls) cannot be read"), where=filename,
                         hint=_("export as XLSX or CSV, or save the file as .xlsx in Excel"),
                         code="records.import-xls")
    text, warning = decode(data, filename)
    table = _read_csv_text(text, filename, name=filename, kind="")
    return ReadResult("csv", [table], [warning] if warning else [])


def decode(data: bytes, filename: str) -> tuple[str, Problem | None]:
    """UTF-8 (BOM or not), else Windows-1252 with a warning, else an error."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        bad = exc.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[:bad].count(b"\n") + 1
        raise InputError(
            _("the file is neither UTF-8 nor Windows-1252 text"),
            where=_("%(file)s, line %(line)d") % {"file": filename, "line": line},
            hint=_("save it as 'CSV UTF-8' (Excel: File › Save as › CSV UTF-8)"),
            code="records.import-encoding",
        ) from None
    line = data[:bad].count(b"\n") + 1
    return text, Problem(
        code="records.import-encoding",
        message=_("the file is not UTF-8; it was read as Windows-1252"),
        where=_("%(file)s, line %(line)d (first non-UTF-8 byte)") % {"file": filename, "line": line},
        hint=_("check accented letters; save as 'CSV UTF-8' to avoid this"),
    )


def _read_csv_text(text: str, filename: str, *, name: str, kind: str) -> Table:
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError(_("the file contains NUL bytes: it is not a text (CSV) file"),
                         where=_("%(file)s, line %(line)d") % {"file": filename, "line": line},
                         hint=_("import the CSV or XLSX export itself"), code="records.import-not-csv")
    sample = text[:65536]
    first = sample.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    table = Table(name=name, header=[], rows=[], kind=kind)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError(_("the file has no header row"), where=where(filename, table, 1),
                             hint=_("the first row must hold the column names"), code="records.import-empty")
        table.header = check_header([h.strip() for h in header], filename, table)
        width = len(header)
        for row in reader:
            if not row or not any(c.strip() for c in row):
                table.rows.append([None] * width)
                continue
            if len(row) > width:
                if any(c.strip() for c in row[width:]):
                    raise InputError(
                        _("the row has %(n)d cells but the header has %(w)d columns") % {"n": len(row), "w": width},
                        where=where(filename, table, reader.line_num), hint=_("check separators and quotes"),
                        code="records.import-ragged")
                row = row[:width]
            elif len(row) < width:
                row = row + [""] * (width - len(row))
            table.rows.append(row)
    except csv.Error as exc:
        raise InputError(_("the CSV file is malformed: %(e)s") % {"e": exc},
                         where=where(filename, table, reader.line_num),
                         hint=_("check quotes; export the file again"), code="records.import-bad-csv") from None
    while table.rows and not any(c not in (None, "") for c in table.rows[-1]):
        table.rows.pop()
    return table


def check_header(header: list, filename: str, table: Table) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header, start=1):
        h = "" if h is None else str(h).strip()
        if not h:
            out.append(f"#{i}")  # an unnamed column: reported as unknown unless empty
            continue
        if h in seen:
            raise InputError(
                _("the column name %(name)r appears twice (columns %(a)d and %(b)d)") % {"name": h, "a": seen[h],
                                                                                       "b": i},
                where=where(filename, table, 1, h),
                hint=_("rename or remove one of them; each column must hold one question"),
                code="records.import-duplicate-column",
            )
        seen[h] = i
        out.append(h)
    return out


def _read_xlsx(data: bytes, filename: str) -> ReadResult:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(_("the workbook cannot be read: %(e)s") % {"e": str(exc).splitlines()[0] if str(exc) else
                                                                  type(exc).__name__},
                         where=filename, hint=_("save it again as .xlsx, or export the data as CSV"),
                         code="records.import-unreadable") from None
    tables = []
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # exports often carry a wrong <dimension>
            table = Table(name=ws.title, header=[], rows=[], kind="sheet")
            it = ws.iter_rows(values_only=True)
            header = next(it, None)
            if header is None or not any(h not in (None, "") for h in header):
                continue
            while header and header[-1] in (None, ""):
                header = header[:-1]
            table.header = check_header(list(header), filename, table)
            width = len(header)
            for n, row in enumerate(it, start=2):
                row = list(row)
                if len(row) > width:
                    if any(c not in (None, "") for c in row[width:]):
                        raise InputError(_("a cell has a value but its column has no name"),
                                         where=where(filename, table, n, f"#{width + 1}"),
                                         hint=_("give the column a name in row 1 or clear it"),
                                         code="records.import-ragged")
                    row = row[:width]
                elif len(row) < width:
                    row += [None] * (width - len(row))
                table.rows.append(row)
            while table.rows and all(c in (None, "") for c in table.rows[-1]):
                table.rows.pop()
            tables.append(table)
    finally:
        wb.close()
    if not tables:
        raise InputError(_("the workbook has no sheet with a header row"), where=filename,
                         hint=_("export the data again"), code="records.import-empty")
    return ReadResult("xlsx", tables)


def _read_zip(zf: zipfile.ZipFile, filename: str) -> ReadResult:
    members = [i for i in zf.infolist() if i.filename.lower().endswith(".csv") and not i.is_dir()
               and not os.path.basename(i.filename).startswith((".", "__MACOSX"))]
    if not members:
        raise InputError(_("the ZIP file holds no CSV files"), where=filename,
                         hint=_("use ODK Central's 'CSV file (.zip)' export, or import the CSV or XLSX file"),
                         code="records.import-unreadable")
    tables, warnings = [], []
    for info in members:
        raw = zf.read(info)
        name = os.path.basename(info.filename)
        text, warning = decode(raw, f"{filename}: {name}")
        if warning:
            warnings.append(warning)
        if not text.strip():
            continue
        tables.append(_read_csv_text(text, filename, name=name, kind="file"))
    if not tables:
        raise InputError(_("every CSV file in the ZIP is empty"), where=filename,
                         hint=_("export the data again"), code="records.import-empty")
    return ReadResult("zip", tables, warnings)
