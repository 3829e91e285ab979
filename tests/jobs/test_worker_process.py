"""Real worker processes on a real workspace: a worker killed mid-job (kill -9), another one finishes it;
concurrent workers run each job once; the CLI shows progress."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from helpers import lnob


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    env.update(extra)
    return env


def _row(home, job_id):
    con = sqlite3.connect(f"file:{home / 'lnob.sqlite3'}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("select status, progress_done, attempts, locked_by from jobs_job where id = ?",
                           (job_id,)).fetchone()
    finally:
        con.close()


def _enqueue(home, code: str) -> list[int]:
    script = ("import json, sys; from lnob.workspace import Workspace; Workspace(sys.argv[1]).open(); "
              "from lnob.jobs.queue import enqueue; ids = []\n" + code + "\nprint(json.dumps(ids))")
    proc = subprocess.run([sys.executable, "-c", script, str(home)], capture_output=True, text=True, env=_env(),
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("jobs") / "ws"
    r = lnob("init", home=home)
    assert r.code == 0, r.err
    return home


def test_a_killed_worker_s_job_is_finished_by_the_next_worker(home):
    r = lnob("jobs", "add", "sleep", "--args", '{"seconds": 6, "steps": 12}', home=home)
    assert r.code == 0, r.err
    job_id = int(r.out.strip())
    env = _env(LNOB_JOBS_STALE_AFTER="2", LNOB_JOBS_POLL="0.2")
    first = subprocess.Popen([sys.executable, "-m", "lnob", "--home", str(home), "worker"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = _row(home, job_id)
            if row and row[0] == "running" and row[1] >= 3:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the first worker did not get going: {_row(home, job_id)}")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        first.stderr.close()
    status, done, attempts, locked_by = _row(home, job_id)
    assert status == "running" and 3 <= done < 12 and attempts == 1 and locked_by
    shown = lnob("jobs", "list", home=home)
    assert shown.code == 0 and [str(job_id), "sleep", "-", "running"] == shown.out.splitlines()[1].split()[:4]
    time.sleep(2.5)  # the heartbeat goes stale
    second = lnob("worker", "--once", home=home, env={"LNOB_JOBS_STALE_AFTER": "2"})
    assert second.code == 0, second.err
    assert f"job #{job_id} sleep: done" in second.err
    job = json.loads(lnob("jobs", "show", str(job_id), home=home).out)
    assert job["status"] == "done" and job["attempts"] == 2 and job["result"] == {"slept": 6.0, "steps": 12}
    assert job["progress"]["done"] == 12 and job["locked_by"] is None


def test_concurrent_workers_run_every_job_exactly_once(home):
    ids = _enqueue(home, "for i in range(24): ids.append(enqueue('sleep', {'seconds': 0.05, 'steps': 1}).pk)")
    cmd = [sys.executable, "-m", "lnob", "--home", str(home), "worker", "--once", "--concurrency", "3"]
    procs = [subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errs
    rows = [_row(home, i) for i in ids]
    assert all(r[0] == "done" and r[2] == 1 for r in rows), rows
    ran = sum(e.count(": done") for e in errs)
    assert ran == len(ids)


def test_cli_token_and_jobs_commands(home):
    assert lnob("user", "create", "asha", "--password-stdin", home=home, stdin="a-long-passphrase\n").code == 0
    r = lnob("token", "create", "asha", "--name", "sync", home=home)
    assert r.code == 0 and r.out.strip().startswith("lnob_") and "not shown again" in r.err
    listed = lnob("token", "list", home=home)
    assert r.out.strip() not in listed.out and r.out.strip()[:13] in listed.out
    assert lnob("token", "create", "nobody", home=home).code == 1
    bad = lnob("jobs", "add", "sleeep", home=home)
    assert bad.code == 2 and "did you mean 'sleep'" in bad.err
    assert lnob("jobs", "show", "999", home=home).code == 1
