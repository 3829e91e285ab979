"""Dashboard latency at 1M records under concurrent load on loopback.

Run on demand (never part of the test suite):

    .venv/bin/python bench/dashboard/bench_dashboard.py /tmp/lnob-dash               # build if missing, run, measure
    .venv/bin/python bench/dashboard/bench_dashboard.py /tmp/lnob-dash --clients 10 --seconds 20

What it does:

1. **Workspace.** ``HOME`` is reused when it holds a workspace; otherwise ``lnob demo --households
   250000 --no-serve`` builds one (about 1.05M persons in 250,000 households, a few minutes).
   When the project ``demo`` has no stored results, ``lnob run demo`` (the full indicator sweep,
   design-based variance, depth 2) is run and timed.  An analyst account ``bench-analyst`` is created
   and the project's dashboard made public (both idempotent).  The member is an analyst, who may
   see every dashboard page (the gap analysis needs ``results.view``); the public pages show the
   disclosure-controlled release to anonymous readers.
2. **Server.** ``lnob serve`` (gunicorn: worker processes with threads, the production path) on
   127.0.0.1, nothing else in front.
3. **Load.** For each page in turn (``--only`` picks some), ``--clients`` threads, each with its own keep-alive HTTP/1.1
   connection and a logged-in session (the analyst, through the real login form), request the page
   back to back for ``--seconds``; every answer must be 200.  The first request of each page is
   timed apart (``cold``: it fills the caches of the server process that answers it; the others
   fill theirs during the window, which shows in p95/p99 — ``--workers 1`` measures warm
   caches).  A request with no answer in 300 s counts as an error.  Pages: the dashboard overview, an indicator page,
   its map, its gap analysis, the public overview and public indicator page (anonymous).
4. **Peers measured in the same run**, under the same load: a static file served by the same
   server (WhiteNoise) and Django's admin login page (a template render with a session and no
   data).  Each page's p95 is printed as a ratio to the admin login page's p95, so a loaded
   machine moves both.

It prints one line per page (requests/s, p50/p95/p99 in ms, ratio) and the load average before
and after, and writes the same as JSON with ``--json``.  Only loopback addresses are used; every
loop is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

PY = sys.executable
USER, PASSWORD = "bench-analyst", "bench-analyst-pass-phrase"
HOST = "127.0.0.1"
#: seconds without an answer after which a request counts as failed (status 599)
TIMEOUT = 300


def lnob(home: Path, *args, stdin=None, check=True, env=None):
    t = time.perf_counter()
    proc = subprocess.run([PY, "-m", "lnob", "--home", str(home), *args], input=stdin, capture_output=True,
                          text=True, env=env)
    secs = time.perf_counter() - t
    if check and proc.returncode != 0:
        raise SystemExit(f"lnob {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc, secs


def django(home: Path, code: str) -> str:
    """Run ``code`` with the workspace's Django set up; returns what it prints."""
    script = "import sys; from lnob.workspace import Workspace; Workspace(sys.argv[1]).open()\n" + code
    proc = subprocess.run([PY, "-c", script, str(home)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return proc.stdout.strip()


def prepare(home: Path, households: int, indicator: str) -> dict:
    info: dict = {}
    if not (home / "lnob.toml").exists():
        print(f"building the demo workspace ({households} households) in {home} …", flush=True)
        _, secs = lnob(home, "demo", "--households", str(households), "--no-serve")
        info["demo_build_s"] = round(secs, 1)
    has = django(home, "from lnob.indicators.models import IndicatorResult as R\n"
                       "print(R.objects.filter(project__slug='demo').count())")
    if int(has or 0) == 0:
        print("running the indicator sweep (lnob run demo) …", flush=True)
        _, secs = lnob(home, "run", "demo")
        info["sweep_s"] = round(secs, 1)
    counts = django(home, (
        "import json, duckdb\nfrom django.conf import settings\n"
        "from lnob.indicators.models import IndicatorResult as R\nfrom lnob.records.models import Record\n"
        "from lnob.core.models import Project\n"
        "Project.objects.filter(slug='demo').update(public=True)\n"
        "con = duckdb.connect(str(settings.HOME / 'analytics.duckdb'), read_only=True)\n"
        "persons = con.execute('select count(*) from demo_person').fetchone()[0]\n"
        "print(json.dumps({'records': Record.objects.filter(project__slug='demo').count(), 'persons': persons,"
        " 'results': R.objects.filter(project__slug='demo').count(),"
        f" 'indicator_rows': len(R.objects.get(project__slug='demo', indicator='{indicator}').rows)}}))"))
    info.update(json.loads(counts.splitlines()[-1]))
    lnob(home, "user", "create", USER, "--password-stdin", "--project", "demo", "--role", "analyst",
         stdin=PASSWORD + "\n", check=False)  # exists already on a second run
    return info


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, workers: int | None, threads: int) -> subprocess.Popen:
    args = [PY, "-m", "lnob", "--home", str(home), "serve", "--port", str(port), "--threads", str(threads)]
    if workers:
        args += ["--workers", str(workers)]
    log = open(home / "bench-serve.log", "w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server stopped: " + (home / "bench-serve.log").read_text()[-3000:])
        try:
            c = HTTPConnection(HOST, port, timeout=5)
            c.request("GET", "/accounts/login/")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not answer in 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class Client:
    """One keep-alive connection with its own cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = HTTPConnection(HOST, port, timeout=TIMEOUT)

    def request(self, method: str, path: str, body: str | None = None, headers=None) -> tuple[int, bytes]:
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except TimeoutError:  # no answer in TIMEOUT seconds: counted as an error, on a new connection
                self.conn.close()
                self.conn = HTTPConnection(HOST, self.port, timeout=TIMEOUT)
                return 599, b""
            except (ConnectionError, OSError):  # the server closed an idle keep-alive connection
                if attempt == 2:
                    raise
                self.conn.close()
                self.conn = HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def login(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        from urllib.parse import urlencode

        body = urlencode({"csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD, "next": "/"})
        status, _ = self.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{self.port}/accounts/login/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed ({status})")


def measure(clients: list[Client], path: str, seconds: float) -> dict:
    lat: list[float] = []
    bad: list[int] = []
    lock = threading.Lock()
    t0 = time.perf_counter()
    status, _ = clients[0].request("GET", path)
    cold = time.perf_counter() - t0
    if status != 200:
        return {"path": path, "status": status, "cold_ms": round(cold * 1000)}
    end = time.perf_counter() + seconds

    def run(c: Client):
        mine, wrong = [], []
        while time.perf_counter() < end:
            t = time.perf_counter()
            st, _ = c.request("GET", path)
            mine.append(time.perf_counter() - t)
            if st != 200:
                wrong.append(st)
        with lock:
            lat.extend(mine)
            bad.extend(wrong)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
    return {"path": path, "status": 200, "requests": len(lat), "errors": len(bad), "rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "max_ms": round(max(lat) * 1000, 1), "cold_ms": round(cold * 1000, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("home", type=Path, help="workspace (reused if it exists)")
    ap.add_argument("--households", type=int, default=250000)
    ap.add_argument("--indicator", default="basic_sanitation")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: lnob serve's)")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--only", default="", help="comma-separated page names to measure (default: all)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    args.home = args.home.resolve()

    info = prepare(args.home, args.households, args.indicator)
    print("workspace:", json.dumps(info), flush=True)
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(args.home, port, args.workers, args.threads)
    try:
        member = [Client(port) for _ in range(args.clients)]
        for c in member:
            c.login()
        anonymous = [Client(port) for _ in range(args.clients)]
        _, overview = member[0].request("GET", "/p/demo/dashboard/")
        css = re.search(rb'href="(/static/[^"]+\.css)"', overview)
        ind = f"/p/demo/dashboard/indicators/{args.indicator}/"
        pages = [
            ("peer: static file", anonymous, css.group(1).decode() if css else "/static/lnob/lnob.css"),
            ("peer: Django admin login", anonymous, "/admin/login/"),
            ("overview", member, "/p/demo/dashboard/"),
            ("indicator", member, ind),
            ("map", member, ind + "map/"),
            ("gaps", member, ind + "gaps/"),
            ("public overview", anonymous, "/p/demo/public/"),
            ("public indicator", anonymous, f"/p/demo/public/indicators/{args.indicator}/"),
        ]
        only = {p.strip() for p in args.only.split(",") if p.strip()}
        results = []
        for name, clients, path in pages:
            if only and name not in only and not name.startswith("peer"):
                continue
            r = {"page": name, **measure(clients, path, args.seconds)}
            results.append(r)
            print(json.dumps(r), flush=True)
    finally:
        stop_server(server)
    load_after = os.getloadavg()
    peer = next((r for r in results if r["page"] == "peer: Django admin login" and r.get("p95_ms")), None)
    print(f"\n{args.clients} concurrent clients, {args.seconds:.0f} s per page, lnob serve (gunicorn) on loopback; "
          f"{info.get('persons', '?'):,} persons, {info.get('records', '?'):,} records")
    print(f"{'page':<26}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'cold ms':>9}{'p95/admin':>11}")
    for r in results:
        if "p95_ms" not in r:
            print(f"{r['page']:<26} HTTP {r['status']}")
            continue
        ratio = f"{r['p95_ms'] / peer['p95_ms']:.1f}×" if peer else "-"
        print(f"{r['page']:<26}{r['rps']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}{r['cold_ms']:>9}{ratio:>11}"
              + (f"  ({r['errors']} errors)" if r["errors"] else ""))
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} "
          f"{load_after[1]:.2f} (1 and 5 min); {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps({"workspace": info, "clients": args.clients, "seconds": args.seconds,
                                         "load_before": load_before, "load_after": load_after, "pages": results},
                                        indent=2))


if __name__ == "__main__":
    main()
