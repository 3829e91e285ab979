"""Serve the platform: a production WSGI server plus the analytics sync process.

* On Linux and macOS, gunicorn with several worker processes (threads in each):
  a Python process is bound to one CPU core by its interpreter lock, so several
  processes are needed to use the machine.  On Windows (no ``fork``), waitress,
  a pure-Python production server, in one process.
* Static files are collected into the workspace and served by WhiteNoise from
  inside the application, so one command is all a coalition needs on a laptop;
  behind a reverse proxy the same command serves production (docs/deploy.md).
* A companion process (``lnob sync --watch``) keeps the analytics store in step
  with new submissions; the web workers never write to DuckDB, whose file allows
  one writer at a time.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time

from lnob.errors import ServeError
from lnob.i18n import _


def check_port(host: str, port: int) -> None:
    """Fail early, with a hint, when ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ServeError(
            _("cannot resolve the host name %(host)r") % {"host": host},
            where="--host",
            hint=_("use an IP address such as 127.0.0.1 or 0.0.0.0"),
            code="serve.bad-host",
        ) from None
    family, _type, _proto, _canon, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    if os.name == "posix":
        # as the servers do: a port left in TIME_WAIT by a stopped server can be reused at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                _("port %(port)d on %(host)s is already in use") % {"port": port, "host": host},
                where=f"{host}:{port}",
                hint=_("stop the program using it, or choose another port with --port %(p)d") % {"p": port + 1},
                code="serve.port-in-use",
            ) from None
        raise ServeError(
            _("cannot listen on %(host)s:%(port)d: %(error)s") % {"host": host, "port": port, "error": exc.strerror},
            where=f"{host}:{port}",
            hint=_("ports below 1024 need administrator rights; try --port 8000"),
            code="serve.cannot-listen",
        ) from None
    finally:
        sock.close()


def default_workers() -> int:
    if os.name != "posix":
        return 1
    return max(1, min(4, (os.cpu_count() or 1) + 1))


def serve(workspace, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          workers: int | None = None) -> None:
    """Serve the workspace's platform until interrupted."""
    check_port(host, port)
    from django.core.management import call_command
    from django.db import connections

    from lnob.cli.common import err

    call_command("collectstatic", interactive=False, verbosity=0)
    workers = workers or default_workers()
    # the web workers leave the analytics store to the sync process
    os.environ["LNOB_BACKGROUND_SYNC"] = "0"
    from django.conf import settings

    settings.LNOB_BACKGROUND_SYNC = False
    syncer = subprocess.Popen(
        [sys.executable, "-m", "lnob", "--home", str(workspace.home), "sync", "--watch"],
        stdin=subprocess.DEVNULL,
    )
    connections.close_all()  # never share a database connection with forked workers
    url = f"http://{host}:{port}/"
    err.print(_("Serving lnob at %(url)s — press Ctrl+C to stop.") % {"url": url}, markup=False)
    try:
        if workers > 1 and os.name == "posix":
            _gunicorn(host, port, workers, threads)
        else:
            _waitress(host, port, threads)
    finally:
        syncer.send_signal(signal.SIGTERM)
        try:
            syncer.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            syncer.kill()


def _waitress(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from lnob.web.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="lnob",
                   clear_untrusted_proxy_headers=True, max_request_body_size=64 * 1024 * 1024, _quiet=True)


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from lnob.web.wsgi import application

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        "graceful_timeout": 20,
        "keepalive": 30,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "lnob",
        "limit_request_field_size": 16384,
    }

    class _App(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    _App().run()


def sync_loop(workspace, *, project: str | None = None, watch: bool = False, interval: float = 2.0) -> None:
    """Sync the analytics store once, or keep syncing (``watch``) until terminated."""
    from django.db import close_old_connections

    from lnob.core.models import Project
    from lnob.core.services import get_project
    from lnob.errors import LnobError
    from lnob.records.models import Record
    from lnob.records.services import sync_analytics

    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    parent = os.getppid()
    seen: dict[int, int] = {}
    while True:
        if watch and os.getppid() != parent:
            return  # the server that started us is gone (even after kill -9): stop too
        projects = [get_project(project)] if project else list(Project.objects.all())
        for p in projects:
            latest = Record.objects.filter(project=p).order_by("-id").values_list("id", flat=True).first() or 0
            if watch and seen.get(p.pk) == latest:
                continue  # nothing new since the last sync
            try:
                sync_analytics(p, workers=1)
                seen[p.pk] = latest
            except LnobError as exc:
                if not watch:
                    raise
                print(exc.one_line(), file=sys.stderr, flush=True)
        if not watch or stop:
            return
        close_old_connections()
        for _i in range(int(interval / 0.2) or 1):
            if stop:
                return
            time.sleep(0.2)
