"""The analytics store: a DuckDB file of typed tables, one set per form.

Table naming (stable; later layers read these):

* ``<form_id>`` sanitised as ``form_<id>`` — one row per record: the record's
  ``_record_id`` (transactional id), ``_instance_id``, ``_form_version`` and one
  typed column per question (group paths flattened with ``__``);
* ``form_<id>__<repeat>`` — one row per repeat instance, with ``_record_id``,
  ``_index`` (1-based position) and ``_parent_index`` (0 = the record itself).

Analysis never reads the transactional tables row by row; it reads these.

DuckDB lets one process write a database file at a time (and no other process
read it meanwhile).  lnob's processes hold the store only for the moment they
need it, and :func:`connect_with_retry` waits a little when another process
holds it, instead of failing at once.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path

#: how long to wait for another process to release the store (seconds)
LOCK_WAIT = 15.0


def connect_with_retry(path, *, read_only: bool = False, wait: float = LOCK_WAIT):
    """``duckdb.connect`` that retries while another process holds the file's lock."""
    import duckdb

    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def table_name(form_id: str, repeat: str | None = None) -> str:
    """The analytics table for a form (or one of its repeats)."""
    base = "form_" + re.sub(r"[^0-9A-Za-z_]+", "_", form_id).strip("_").lower()
    if repeat:
        base += "__" + re.sub(r"[^0-9A-Za-z_]+", "_", repeat).strip("_").lower()
    return base


class AnalyticsStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def ensure(self) -> None:
        """Create the store file if it does not exist."""
        with self.connect():
            pass

    @contextmanager
    def connect(self, *, read_only: bool = False):
        if read_only and not self.path.exists():
            self.ensure()
        con = connect_with_retry(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    def tables(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.connect(read_only=True) as con:
            return [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
