"""Storing records and keeping the analytics store in step with them.

* :func:`store_records` bulk-inserts submissions (raw XML kept unchanged, with
  its sha256) in one transaction.  An instanceID already in the project with
  the same hash is skipped and reported as a duplicate; with a different hash
  it is refused and reported as a conflict (OpenRosa's 409).
* :func:`sync_analytics` writes typed rows for the records not yet synced into
  the analytics store (DuckDB): ``form_<id>`` (one row per record) and
  ``form_<id>__<repeat>`` (one row per repeat instance), see
  :mod:`lnob.records.analytics`.  It is incremental: a small ``_sync`` table in
  the store keeps, per form, the highest record id written.  Each batch (rows
  and ``_sync``) is one DuckDB transaction.  An edit (``deprecatedID``)
  replaces the rows of the record it deprecates.
* :func:`reset_analytics` removes a project's rows of a form from the store
  (used to rebuild).

Column types: integer → BIGINT, decimal → DOUBLE, date → DATE, everything else
(select_one, select_multiple, text, dateTime…) → VARCHAR.  Every table has
``_record_id`` (the transactional Record id); record tables add ``_project``
(the project's short name — a form id may be used by several projects, filter
on it), ``_instance_id`` and ``_form_version``; repeat tables add ``_index`` and
``_parent_index``.  Bulk inserts go through DuckDB scans of NumPy arrays (no
row-by-row inserts).
"""

from __future__ import annotations

import hashlib
import os
import threading
from contextlib import contextmanager
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

import numpy as np
from django.db import transaction

from lnob.errors import LnobError, Problem, UsageError
from lnob.forms.xlsform import FormSchema
from lnob.i18n import _
from lnob.records.analytics import AnalyticsStore, table_name
from lnob.records.models import Record
from lnob.records.parse import columnarise
from lnob.records.parse import layout as _layout

SYNC_TABLE = "_sync"
#: seconds a write waits for another process to release the analytics store
WRITE_LOCK_WAIT = 15.0


@dataclass
class RecordItem:
    """One submission to store; ``instance_id`` is read from the XML when not given."""

    raw: str
    instance_id: str | None = None
    deprecated_id: str = ""
    #: ``xml`` (an OpenRosa instance) or ``json`` (an imported row, see :mod:`lnob.records.imports`)
    raw_format: str = "xml"


@dataclass
class StoreResult:
    created: int = 0
    #: instanceIDs already stored with identical content (skipped)
    duplicates: list[str] = dc_field(default_factory=list)
    #: instanceIDs already stored with different content (refused)
    conflicts: list[Problem] = dc_field(default_factory=list)
    #: items that could not be read (bad XML, another form, no instanceID)
    rejected: list[Problem] = dc_field(default_factory=list)


def default_store() -> AnalyticsStore:
    """The analytics store of the open workspace."""
    from django.conf import settings

    from lnob.workspace import ANALYTICS_FILE

    return AnalyticsStore(Path(settings.HOME) / ANALYTICS_FILE)


@contextmanager
def open_store(store: AnalyticsStore):
    """A read-write connection to the analytics store (waiting a little while another process holds
    it, see :func:`lnob.records.analytics.connect_with_retry`), with a clear error when it stays locked."""
    import duckdb

    from lnob.records.analytics import connect_with_retry

    try:
        con = connect_with_retry(store.path, wait=WRITE_LOCK_WAIT)
    except duckdb.IOException as exc:
        raise LnobError(
            _("the analytics store cannot be opened for writing: %(error)s")
            % {"error": str(exc).splitlines()[0]},
            where=str(store.path),
            hint=_("another lnob process (the web server?) is using it; stop it or try again when it is done"),
            code="records.analytics-locked",
        ) from None
    try:
        yield con
    finally:
        con.close()


def _head(raw: str) -> tuple[str, str | None, str | None, str]:
    """form id, version, instanceID and deprecatedID of an instance document."""
    from defusedxml import ElementTree as ET

    root = ET.fromstring(raw)
    iid = dep = None
    for el in root:
        if el.tag.rsplit("}", 1)[-1] == "meta":
            for m in el:
                name = m.tag.rsplit("}", 1)[-1]
                if name == "instanceID":
                    iid = (m.text or "").strip() or None
                elif name == "deprecatedID":
                    dep = (m.text or "").strip() or None
    return root.get("id") or "", root.get("version"), iid, dep or ""


@transaction.atomic
def store_records(project, form_version, items: Iterable, source: str = Record.Source.IMPORT, *,
                  batch_size: int = 2000) -> StoreResult:
    """Store submissions of ``form_version`` in ``project``; see :class:`StoreResult`.

    ``items``: raw instance XML strings, or :class:`RecordItem` (faster when the
    caller already knows the instanceID).
    """
    if source not in Record.Source.values:
        raise UsageError(
            _("unknown record source %(source)r") % {"source": source},
            hint=_("sources are: %(s)s") % {"s": ", ".join(Record.Source.values)},
            code="records.unknown-source",
        )
    form = form_version.form
    if form.project_id != project.pk:
        raise UsageError(
            _("form %(form)s does not belong to project %(project)s") % {"form": form.form_id,
                                                                      "project": project.slug},
            code="records.wrong-project",
        )
    result = StoreResult()
    prepared: dict[str, tuple[str, str, str, str]] = {}  # instance_id → (raw, sha, deprecated, format)
    for n, item in enumerate(items, start=1):
        if isinstance(item, RecordItem):
            raw, iid, dep, fmt = item.raw, item.instance_id, item.deprecated_id or "", item.raw_format
        else:
            raw, iid, dep, fmt = (item.decode("utf-8") if isinstance(item, bytes) else item), None, "", "xml"
        if iid is None:
            try:
                fid, _version, iid, dep = _head(raw)
            except Exception as exc:
                result.rejected.append(Problem(
                    code="records.bad-xml", message=_("not well-formed XML: %(e)s") % {"e": exc},
                    where=_("item %(n)d") % {"n": n}, hint=_("send complete OpenRosa instance documents"),
                    level="error"))
                continue
            if fid != form.form_id:
                result.rejected.append(Problem(
                    code="records.other-form",
                    message=_("the record is for form %(other)r, not %(form)r") % {"other": fid,
                                                                                 "form": form.form_id},
                    where=_("item %(n)d") % {"n": n}, hint=_("store it with its own form"), level="error"))
                continue
            if _version is not None and _version != form_version.version:
                result.rejected.append(Problem(
                    code="records.other-version",
                    message=_("the record is for version %(other)r of form %(form)s, not %(version)r")
                    % {"other": _version, "form": form.form_id, "version": form_version.version},
                    where=_("item %(n)d") % {"n": n}, hint=_("store it with the form version it was filled in"),
                    level="error"))
                continue
            if not iid:
                result.rejected.append(Problem(
                    code="records.no-instance-id", message=_("the record has no meta/instanceID"),
                    where=_("item %(n)d") % {"n": n},
                    hint=_("every OpenRosa instance needs meta/instanceID ('uuid:…')"), level="error"))
                continue
        sha = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        if iid in prepared:
            if prepared[iid][1] == sha:
                result.duplicates.append(iid)
            else:
                result.conflicts.append(_conflict(iid))
            continue
        prepared[iid] = (raw, sha, dep, fmt)
    ids = list(prepared)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for iid, sha in Record.objects.filter(project=project, instance_id__in=chunk).values_list(
                "instance_id", "raw_sha256"):
            raw, new_sha, _dep, _fmt = prepared.pop(iid)
            if sha == new_sha:
                result.duplicates.append(iid)
            else:
                result.conflicts.append(_conflict(iid))
    objs = [
        Record(project=project, form=form, form_version=form_version, instance_id=iid, raw=raw,
               raw_format=fmt, raw_sha256=sha, source=source, deprecated_id=dep)
        for iid, (raw, sha, dep, fmt) in prepared.items()
    ]
    Record.objects.bulk_create(objs, batch_size=batch_size)
    result.created = len(objs)
    return result


def _conflict(iid: str) -> Problem:
    return Problem(
        code="records.conflict",
        message=_("a different record with this instanceID is already stored"),
        where=iid,
        hint=_("an edited record needs a new instanceID and meta/deprecatedID naming the old one"),
        level="error",
    )


# -- analytics store -------------------------------------------------------------------------------

@dataclass
class SyncResult:
    records: int = 0
    #: rows added per table
    rows: dict[str, int] = dc_field(default_factory=dict)
    problems: list[Problem] = dc_field(default_factory=list)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ensure_sync_table(con) -> None:
    con.execute(
        f"create table if not exists {SYNC_TABLE} (form_pk BIGINT PRIMARY KEY, project VARCHAR, "
        "form_id VARCHAR, last_record_id BIGINT, synced_at TIMESTAMP)"
    )


def _table_columns(con, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table]).fetchall()
    return {r[0]: r[1] for r in rows}


def _ensure_table(con, table: str, columns: list[tuple[str, str]]) -> dict[str, str]:
    """Create ``table`` or add missing columns; returns the table's column types."""
    existing = _table_columns(con, table)
    if not existing:
        cols = ", ".join(f"{_q(c)} {t}" for c, t in columns)
        con.execute(f"create table {_q(table)} ({cols})")
        return dict(columns)
    for col, typ in columns:
        have = existing.get(col)
        if have is None:
            con.execute(f"alter table {_q(table)} add column {_q(col)} {typ}")
            existing[col] = typ
        elif have != typ:
            # a question changed type between versions: widen
            wider = "DOUBLE" if {have, typ} <= {"BIGINT", "DOUBLE"} else "VARCHAR"
            if have != wider:
                con.execute(f"alter table {_q(table)} alter column {_q(col)} type {wider}")
                existing[col] = wider
    return existing


def _insert(con, table: str, types: dict[str, str], data: dict[str, list]) -> int:
    if not data:
        return 0
    n = len(next(iter(data.values())))
    if n == 0:
        return 0
    arrays = {}
    for c, values in data.items():
        arr = np.empty(n, dtype=object)
        arr[:] = values
        arrays[c] = arr
    view = "_lnob_chunk"
    con.register(view, arrays)
    try:
        cols = list(data)
        select = ", ".join(f"{_q(c)}::{types[c]}" for c in cols)
        con.execute(f"insert into {_q(table)} ({', '.join(_q(c) for c in cols)}) select {select} from {view}")
    finally:
        con.unregister(view)
    return n


def sync_analytics(project, *, store: AnalyticsStore | None = None, form=None, batch_size: int = 5000,
                   progress: Callable[[str, int, int], None] | None = None,
                   workers: int | None = None) -> SyncResult:
    """Write the typed rows of records not yet in the analytics store (all forms, or ``form``).

    ``workers``: processes that parse the XML (default: one per CPU, at most 4, when more
    than 20,000 records are pending; 1 = parse in this process).  If worker processes
    cannot be used, parsing falls back to this process.

    Calls in one process for the same store run one after the other (a lock per store
    file): two threads syncing at once would conflict on DuckDB's ``_sync`` rows, and the
    second finds nothing left to do anyway.
    """
    store = store or default_store()
    with _sync_lock(store):
        return _sync_analytics(project, store=store, form=form, batch_size=batch_size, progress=progress,
                               workers=workers)


_SYNC_LOCKS: dict[str, threading.Lock] = {}
_SYNC_LOCKS_GUARD = threading.Lock()


def _sync_lock(store: AnalyticsStore) -> threading.Lock:
    key = str(Path(store.path).resolve())
    with _SYNC_LOCKS_GUARD:
        return _SYNC_LOCKS.setdefault(key, threading.Lock())


def _sync_analytics(project, *, store: AnalyticsStore, form, batch_size: int, progress, workers) -> SyncResult:
    from lnob.forms.models import Form, FormVersion

    forms = [form] if form is not None else list(Form.objects.filter(project=project).order_by("id"))
    result = SyncResult()
    with open_store(store) as con:
        _ensure_sync_table(con)
        cursors = {}
        for fm in forms:
            row = con.execute(f"select last_record_id from {SYNC_TABLE} where form_pk = ?", [fm.pk]).fetchone()
            cursors[fm.pk] = row[0] if row else 0
    totals = {fm.pk: Record.objects.filter(form=fm, id__gt=cursors[fm.pk]).count() for fm in forms}
    n_workers = workers if workers is not None else (
        min(os.cpu_count() or 1, 4) if max(totals.values(), default=0) > PARALLEL_THRESHOLD else 1)
    # the pool is started before the store is opened again: forked workers inherit no DuckDB state
    pool = _make_pool(n_workers) if n_workers > 1 else None
    try:
        with open_store(store) as con:
            for fm in forms:
                cursor, total = cursors[fm.pk], totals[fm.pk]
                if not total:
                    continue
                schemas: dict[int, tuple[str, dict]] = {}
                main = table_name(fm.form_id)
                done = 0
                step = batch_size * max(n_workers, 1)
                while True:
                    batch = list(
                        Record.objects.filter(form=fm, id__gt=cursor).order_by("id")
                        .values_list("id", "instance_id", "form_version_id", "raw", "deprecated_id")[:step]
                    )
                    if not batch:
                        break
                    for fv_id in {b[2] for b in batch} - set(schemas):
                        fv = FormVersion.objects.only("version", "survey_json").get(pk=fv_id)
                        schemas[fv_id] = (fv.version, fv.survey_json)
                    pool = _sync_batch(con, project, fm, main, batch, schemas, result, pool, n_workers)
                    cursor = batch[-1][0]
                    done += len(batch)
                    if progress:
                        progress("analytics", done, total)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return result


def _make_pool(n_workers: int):
    """A process pool for parsing (fork where available: no re-import of the caller's main module)."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    method = "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"
    try:
        return ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context(method))
    except (OSError, ValueError):  # pragma: no cover - no processes available
        return None


PARALLEL_THRESHOLD = 20_000


def _merge_parts(parts: list[dict]) -> dict:
    out = parts[0]
    for p in parts[1:]:
        for c, lst in p["main"].items():
            out["main"][c].extend(lst)
        for k, cols in p["repeats"].items():
            for c, lst in cols.items():
                out["repeats"][k][c].extend(lst)
        out["deprecated"].extend(p["deprecated"])
        out["problems"].extend(p["problems"])
        out["n"] += p["n"]
    return out


def _sync_batch(con, project, form, main: str, batch, schemas, result: SyncResult, pool=None,
                n_workers: int = 1):
    """Parse and write one batch in one DuckDB transaction; returns the pool (None if it broke)."""
    main_cols, rep_cols = _layout(schemas)
    data = None
    if pool is not None and len(batch) > 1:
        from concurrent.futures.process import BrokenProcessPool

        size = -(-len(batch) // n_workers)
        try:
            futures = [pool.submit(columnarise, batch[i:i + size], schemas, project.slug)
                       for i in range(0, len(batch), size)]
            data = _merge_parts([f.result() for f in futures])
        except (BrokenProcessPool, OSError):
            pool.shutdown(cancel_futures=True)
            pool = None  # parse here from now on
    if data is None:
        data = columnarise(batch, schemas, project.slug)
    result.records += data["n"]
    result.problems.extend(data["problems"])
    deprecated = data["deprecated"]
    con.execute("begin transaction")
    try:
        types = _ensure_table(con, main, list(main_cols.items()))
        n = _insert(con, main, types, data["main"])
        result.rows[main] = result.rows.get(main, 0) + n
        for key, cols in rep_cols.items():
            t = table_name(form.form_id, key)
            rtypes = _ensure_table(con, t, list(cols.items()))
            n = _insert(con, t, rtypes, data["repeats"][key])
            result.rows[t] = result.rows.get(t, 0) + n
        if deprecated:
            _drop_instances(con, project.slug, main, [table_name(form.form_id, k) for k in rep_cols], deprecated)
        con.execute(
            f"insert or replace into {SYNC_TABLE} values (?, ?, ?, ?, now()::TIMESTAMP)",
            [form.pk, project.slug, form.form_id, batch[-1][0]],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return pool


def _drop_instances(con, project_slug: str, main: str, repeat_tables: list[str], instance_ids: list[str]) -> None:
    ids = np.array(instance_ids, dtype=object)
    con.register("_lnob_dep", {"iid": ids})
    try:
        sub = (f"select _record_id from {_q(main)} where _project = ? and _instance_id in "
               f"(select iid from _lnob_dep)")
        for t in repeat_tables:
            if _table_columns(con, t):
                con.execute(f"delete from {_q(t)} where _record_id in ({sub})", [project_slug])
        con.execute(f"delete from {_q(main)} where _record_id in ({sub})", [project_slug])
    finally:
        con.unregister("_lnob_dep")


def analytics_tables(form) -> list[str]:
    """The analytics tables of a form (record table first, then one per repeat, over all versions)."""
    names = [table_name(form.form_id)]
    for sj in form.versions.values_list("survey_json", flat=True):
        for r in FormSchema(sj).repeats:
            t = table_name(form.form_id, r.key)
            if t not in names:
                names.append(t)
    return names


def reset_analytics(project, form, *, store: AnalyticsStore | None = None) -> None:
    """Remove ``project``'s rows of ``form`` from the analytics store (other projects' rows stay).

    Tables left empty are dropped, so the next sync creates them with the
    current columns.
    """
    store = store or default_store()
    tables = analytics_tables(form)
    main, repeats = tables[0], tables[1:]
    with open_store(store) as con:
        _ensure_sync_table(con)
        con.execute("begin transaction")
        try:
            if _table_columns(con, main):
                sub = f"select _record_id from {_q(main)} where _project = ?"
                for t in repeats:
                    if _table_columns(con, t):
                        con.execute(f"delete from {_q(t)} where _record_id in ({sub})", [project.slug])
                con.execute(f"delete from {_q(main)} where _project = ?", [project.slug])
            con.execute(f"delete from {SYNC_TABLE} where form_pk = ? or (project = ? and form_id = ?)",
                        [form.pk, project.slug, form.form_id])
            for t in [*repeats, main]:
                if _table_columns(con, t):
                    left = con.execute(f"select count(*) from {_q(t)}").fetchone()[0]
                    if left == 0:
                        con.execute(f"drop table {_q(t)}")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
