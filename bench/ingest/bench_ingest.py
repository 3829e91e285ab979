"""Ingest benchmark: OpenRosa submissions under load, crash safety, and a large export.

Run on demand (never part of the test suite):

    .venv/bin/python bench/ingest/bench_ingest.py                 # everything
    .venv/bin/python bench/ingest/bench_ingest.py --skip-export   # load + kill -9 only
    .venv/bin/python bench/ingest/bench_ingest.py --skip-load --export-rows 1000000 --export-fields 200

What it does:

1. **Setup.** A fresh PostgreSQL database ``lnob_bench_<pid>`` on ``--postgres`` (default
   ``postgresql://postgres@127.0.0.1:5432``), a workspace using it (``LNOB_DATABASE_URL``), the
   project ``bench`` with the shipped ``lnob_household`` form and an enumerator account.  The
   submissions are real instances of that form rendered by ``lnob.demo`` (a scratch SQLite demo
   workspace is built with ``lnob demo --no-serve`` and its stored XML is reused).
2. **Load.** ``lnob serve`` on loopback; ``--connections`` client threads (keep-alive HTTP/1.1,
   Digest auth answered like ODK Collect: one challenge per connection, then a growing nonce
   count) POST ``multipart/form-data`` submissions for ``--seconds``.  Reports submissions/s
   (acknowledged with 201) and latency percentiles, then counts in PostgreSQL: every
   acknowledged instanceID present (0 lost) and no instanceID twice (0 duplicated).
3. **kill -9.** Load again, ``SIGKILL`` the server mid-run, restart it, count: no
   acknowledged submission lost.  The submissions that got no answer are sent again (as Collect
   would) and must be accepted (201, or 202 when the crash came after the commit).
4. **Export.** A form with ``--export-fields`` questions, ``--export-rows`` rows generated
   directly into the analytics store (DuckDB SQL), then ``lnob export`` to CSV (zip), Parquet
   and XLSX (XLSX on ``--xlsx-rows``), each in its own process; wall time and peak RSS, also at
   a tenth of the rows to show memory does not grow with the data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PASSWORD = "bench-pass-phrase-1"


def lnob(home: Path, *args, env=None, stdin=None, check=True):
    cmd = [PY, "-m", "lnob", "--home", str(home), *args]
    t = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
    print(f"  lnob {args[0]} {args[1] if len(args) > 1 else ''}: {time.perf_counter() - t:.1f} s", flush=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_env(home: Path, db_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    env.update(LNOB_HOME=str(home), LNOB_DATABASE_URL=db_url)
    return env


def create_database(base: str) -> str:
    import psycopg

    name = f"lnob_bench_{os.getpid()}"
    with psycopg.connect(base.rstrip("/") + "/postgres", autocommit=True) as con:
        con.execute(f'drop database if exists "{name}"')
        con.execute(f'create database "{name}"')
    return base.rstrip("/") + "/" + name


def demo_submissions(work: Path, households: int) -> list[tuple[str, bytes]]:
    """Real instances of the demo form, rendered by lnob.demo into a scratch workspace."""
    src = work / "demo-src"
    db = src / "lnob.sqlite3"
    if not db.exists():
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
        t = time.perf_counter()
        subprocess.run([PY, "-m", "lnob", "--home", str(src), "demo", "--households", str(households), "--no-serve"],
                       check=True, env=env, capture_output=True)
        print(f"  rendered {households} demo households in {time.perf_counter() - t:.0f} s", flush=True)
    con = sqlite3.connect(db)
    rows = con.execute("select instance_id, raw from records_record order by id").fetchall()
    con.close()
    return [(iid, raw.encode("utf-8")) for iid, raw in rows]


class Client(threading.Thread):
    """One keep-alive connection answering Digest challenges like ODK Collect."""

    def __init__(self, port, slug, user, jobs: queue.Queue, results: list, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.slug, self.user = port, slug, user
        self.jobs, self.results, self.stop = jobs, results, stop
        self.conn = None
        self.challenge = None
        self.nc = 0

    def _auth(self, method, uri):
        p = self.challenge
        self.nc += 1
        nc, cnonce = f"{self.nc:08x}", uuid.uuid4().hex[:16]
        ha1 = hashlib.md5(f"{self.user}:{p['realm']}:{PASSWORD}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
        resp = hashlib.md5(f"{ha1}:{p['nonce']}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
        return (f'Digest username="{self.user}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
                f'response="{resp}", qop=auth, nc={nc}, cnonce="{cnonce}", algorithm=MD5, opaque="{p["opaque"]}"')

    def post(self, xml: bytes):
        uri = f"/openrosa/{self.slug}/submission"
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
                f"filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n").encode() + xml + \
            f"\r\n--{boundary}--\r\n".encode()
        for _attempt in range(3):
            if self.conn is None:
                self.conn = HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"X-OpenRosa-Version": "1.0", "Content-Type": f"multipart/form-data; boundary={boundary}",
                       "Date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())}
            if self.challenge:
                headers["Authorization"] = self._auth("POST", uri)
            self.conn.request("POST", uri, body=body, headers=headers)
            resp = self.conn.getresponse()
            resp.read()
            if resp.status == 401:
                www = resp.getheader("WWW-Authenticate", "")
                self.challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', www.split("Basic")[0]))
                self.nc = 0
                continue
            return resp.status
        return 401

    def run(self):
        while not self.stop.is_set():
            try:
                iid, xml = self.jobs.get_nowait()
            except queue.Empty:
                return
            t = time.perf_counter()
            try:
                status = self.post(xml)
            except (OSError, ConnectionError, Exception) as exc:  # the server died
                self.results.append((iid, None, time.perf_counter() - t, type(exc).__name__))
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
                continue
            self.results.append((iid, status, time.perf_counter() - t, None))


def start_server(home, env, port, threads):
    deadline = time.time() + 90
    while True:  # after a kill -9 the port can stay busy for a moment
        log_path = home / f"serve-{port}-{time.time():.0f}.log"
        log = open(log_path, "w")
        proc = subprocess.Popen([PY, "-m", "lnob", "--home", str(home), "serve", "--port", str(port),
                                 "--threads", str(threads)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        time.sleep(1.5)
        if proc.poll() is None or time.time() > deadline:
            break
        if "port-in-use" not in log_path.read_text():
            raise SystemExit("the server did not start: " + log_path.read_text()[-2000:])
        time.sleep(2)
    while time.time() < deadline:
        try:
            c = HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("HEAD", "/openrosa/bench/submission", headers={"X-OpenRosa-Version": "1.0"})
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start; see " + str(log_path))


def run_load(port, items, connections, seconds, kill=None):
    jobs: queue.Queue = queue.Queue()
    for it in items:
        jobs.put(it)
    results: list = []
    stop = threading.Event()
    clients = [Client(port, "bench", "enum", jobs, results, stop) for _ in range(connections)]
    t0 = time.perf_counter()
    for c in clients:
        c.start()
    if kill is not None:
        time.sleep(kill[0])
        os.killpg(kill[1].pid, signal.SIGKILL)
        killed_at = time.perf_counter() - t0
        time.sleep(1.0)
        stop.set()
    else:
        deadline = t0 + seconds
        while time.perf_counter() < deadline and any(c.is_alive() for c in clients):
            time.sleep(0.2)
        stop.set()
        killed_at = None
    for c in clients:
        c.join(timeout=90)
    return results, time.perf_counter() - t0, killed_at


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def db_ids(db_url) -> tuple[int, int, set]:
    import psycopg

    with psycopg.connect(db_url) as con:
        rows = con.execute("select r.instance_id from records_record r join core_project p on p.id = r.project_id "
                           "where p.slug = 'bench'").fetchall()
    ids = [r[0] for r in rows]
    return len(ids), len(set(ids)), set(ids)


def load_bench(args, work: Path, out: dict) -> None:
    db_url = create_database(args.postgres)
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = make_env(home, db_url)
    lnob(home, "init", env=env)
    lnob(home, "project", "create", "bench", "--name", "Ingest benchmark", env=env)
    lnob(home, "forms", "add", "bench", str(ROOT / "src/lnob/forms/library/lnob_household.xlsx"), env=env)
    lnob(home, "user", "create", "enum", "--password-stdin", "--project", "bench", "--role", "enumerator", env=env,
         stdin=PASSWORD + "\n")
    subs = demo_submissions(work, args.households)
    need = int(args.seconds * 600) + 4000
    if len(subs) < need:
        print(f"  note: only {len(subs)} distinct submissions for up to {need}", flush=True)
    server = start_server(home, env, args.port, args.threads)
    try:
        # -- sustained load --------------------------------------------------------------------
        first = subs[: len(subs) - 4000]
        cpu0 = cpu_seconds(server.pid)
        results, elapsed, _k = run_load(args.port, first, args.connections, args.seconds)
        cpu = cpu_seconds(server.pid) - cpu0
        ok = [r for r in results if r[1] == 201]
        lat = sorted(r[2] for r in ok)
        statuses = {}
        for r in results:
            statuses[str(r[1])] = statuses.get(str(r[1]), 0) + 1
        n, distinct, ids = db_ids(db_url)
        acked = {r[0] for r in ok}
        load = {
            "connections": args.connections, "server_threads": args.threads, "seconds": round(elapsed, 1),
            "sent": len(results), "statuses": statuses, "acknowledged_201": len(ok),
            "per_second": round(len(ok) / elapsed, 1),
            "latency_ms": {"p50": round(1000 * lat[len(lat) // 2], 1) if lat else None,
                           "p95": round(1000 * lat[int(len(lat) * 0.95)], 1) if lat else None,
                           "p99": round(1000 * lat[int(len(lat) * 0.99)], 1) if lat else None,
                           "mean": round(1000 * statistics.fmean(lat), 1) if lat else None},
            "db_records": n, "lost": len(acked - ids), "duplicated": n - distinct,
            "server_cpu_s": round(cpu, 1), "server_cpu_ms_per_submission": round(1000 * cpu / max(len(ok), 1), 1),
            "load_average": os.getloadavg()[0],
        }
        out["load"] = load
        print("load:", json.dumps(load), flush=True)
        # -- kill -9 mid-run ----------------------------------------------------------------------
        rest = subs[len(subs) - 4000:]
        results, elapsed, killed_at = run_load(args.port, rest, args.connections, None, kill=(args.kill_after, server))
        server.wait()
        acked = {r[0] for r in results if r[1] in (201, 202)}
        unanswered = [r[0] for r in results if r[1] is None]
        server = start_server(home, env, args.port, args.threads)
        n, distinct, ids = db_ids(db_url)
        crash = {"killed_after_s": round(killed_at, 1), "acknowledged_before_kill": len(acked),
                 "unanswered": len(unanswered), "db_records_after_restart": n, "lost": len(acked - ids),
                 "duplicated": n - distinct}
        # Collect sends the unanswered ones again
        by_id = dict(rest)
        resend = [(i, by_id[i]) for i in unanswered] + [(i, x) for i, x in rest
                                                       if i not in {r[0] for r in results}]
        results2, _e, _k = run_load(args.port, resend, args.connections, 120)
        st = {}
        for r in results2:
            st[str(r[1])] = st.get(str(r[1]), 0) + 1
        n, distinct, ids = db_ids(db_url)
        crash.update({"resent": len(resend), "resent_statuses": st, "db_records_final": n,
                      "missing_after_resend": len({i for i, _x in rest} - ids),
                      "duplicated_final": n - distinct})
        out["kill9"] = crash
        print("kill -9:", json.dumps(crash), flush=True)
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    out["database"] = db_url.rsplit("/", 1)[-1]


# -- export ----------------------------------------------------------------------------------------

def wide_form(fields: int) -> str:
    rows = ["| survey |  |  |  |", "|  | type | name | label |"]
    kinds = ["integer", "decimal", "select_one yn", "text"]
    for i in range(fields):
        rows.append(f"|  | {kinds[i % 4]} | q{i:03d} | Question {i} |")
    rows += ["| choices |  |  |  |", "|  | list_name | name | label |", "|  | yn | yes | Yes |",
             "|  | yn | no | No |", "| settings |  |  |  |", "|  | form_id | version |  |", "|  | wide | 1 |  |"]
    return "\n".join(rows) + "\n"


def generate_wide(store: Path, slug: str, rows: int, fields: int) -> float:
    import duckdb

    cols = []
    for i in range(fields):
        k = i % 4
        if k == 0:
            cols.append(f"((range * {i + 7}) % 1000)::BIGINT as q{i:03d}")
        elif k == 1:
            cols.append(f"((range * {i + 3}) % 10007) / 7.0 as q{i:03d}")
        elif k == 2:
            cols.append(f"case when (range + {i}) % 3 = 0 then 'no' else 'yes' end as q{i:03d}")
        else:
            cols.append(f"case when range % 97 = {i % 97} then '=cmd|' || range else 'answer ' || (range % 5000) "
                        f"end as q{i:03d}")
    t = time.perf_counter()
    con = duckdb.connect(str(store))
    con.execute("drop table if exists form_wide")
    con.execute(f"create table form_wide as select range + 1 as _record_id, '{slug}' as _project, "
                f"'uuid:' || range as _instance_id, '1' as _form_version, {', '.join(cols)} "
                f"from range({rows})")
    con.close()
    return time.perf_counter() - t


def timed_export(home: Path, env, fmt: str, out: Path) -> dict:
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(p.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.stderr.write(p.stderr)")
    proc = subprocess.run([PY, "-c", wrapper, PY, "-m", "lnob", "--home", str(home), "export", "wide", "--format", fmt,
                           "--out", str(out)], capture_output=True, text=True, env=env)
    code, secs, rss = proc.stdout.split()
    if code != "0":
        raise SystemExit(proc.stderr)
    size = sum(f.stat().st_size for f in out.rglob("*")) if out.is_dir() else out.stat().st_size
    return {"seconds": round(float(secs), 1), "peak_rss_mb": round(int(rss) / 1024), "bytes": size}


def export_bench(args, work: Path, out: dict) -> None:
    home = work / "export-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    lnob(home, "init", env=env)
    lnob(home, "project", "create", "wide", "--name", "Wide export", env=env)
    form = work / "wide.md"
    form.write_text(wide_form(args.export_fields))
    lnob(home, "forms", "add", "wide", str(form), env=env)
    res = {}
    for rows in (args.export_rows // 10, args.export_rows):
        gen = generate_wide(home / "analytics.duckdb", "wide", rows, args.export_fields)
        r = {"generate_s": round(gen, 1)}
        for fmt, suffix in (("csv", ".zip"), ("parquet", "-pq")):
            target = work / f"wide-{rows}{suffix}"
            shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
            r[fmt] = timed_export(home, env, fmt, target)
            print(f"export {rows} x {args.export_fields} {fmt}: {r[fmt]}", flush=True)
        if rows <= args.xlsx_rows:
            target = work / f"wide-{rows}.xlsx"
            target.unlink(missing_ok=True)
            r["xlsx"] = timed_export(home, env, "xlsx", target)
            print(f"export {rows} x {args.export_fields} xlsx: {r['xlsx']}", flush=True)
        res[str(rows)] = r
    out["export"] = {"fields": args.export_fields, "by_rows": res}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--work", default="/tmp/lnob-bench-ingest")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8, help="server worker threads")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--households", type=int, default=40000, help="distinct demo submissions to render")
    ap.add_argument("--kill-after", type=float, default=5.0)
    ap.add_argument("--export-rows", type=int, default=1_000_000)
    ap.add_argument("--export-fields", type=int, default=200)
    ap.add_argument("--xlsx-rows", type=int, default=100_000, help="largest row count also exported to XLSX")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--skip-export", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    out: dict = {"cpus": os.cpu_count()}
    if not args.skip_load:
        load_bench(args, work, out)
    if not args.skip_export:
        export_bench(args, work, out)
    (work / "results.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
