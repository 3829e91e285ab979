"""The analytics store waits for another process to release its lock instead of failing at once."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from lnob.records.analytics import AnalyticsStore, connect_with_retry


def test_waits_for_the_other_process(tmp_path):
    path = tmp_path / "a.duckdb"
    AnalyticsStore(path).ensure()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(1.5); c.close()",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException):
            connect_with_retry(path, wait=0.1)
        start = time.monotonic()
        con = connect_with_retry(path, read_only=True, wait=10)
        assert time.monotonic() - start > 0.3, "it waited for the lock"
        con.close()
    finally:
        holder.wait(timeout=10)
