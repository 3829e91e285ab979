"""Serve the platform with waitress, a production-grade pure-Python WSGI server.

Static files are collected into the workspace by ``lnob init`` and served by
WhiteNoise from inside the application, so one process is all a coalition
needs on a laptop; behind a reverse proxy the same command serves production.
"""

from __future__ import annotations

import errno
import socket

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


def serve(workspace, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve the workspace's platform until interrupted."""
    check_port(host, port)
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    from lnob.cli.common import err
    from lnob.web.wsgi import application

    call_command("collectstatic", interactive=False, verbosity=0)
    url = f"http://{host}:{port}/"
    err.print(_("Serving lnob at %(url)s — press Ctrl+C to stop.") % {"url": url}, markup=False)
    waitress_serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="lnob",
        clear_untrusted_proxy_headers=True,
        max_request_body_size=64 * 1024 * 1024,
        _quiet=True,
    )
