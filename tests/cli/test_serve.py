"""``lnob serve`` runs a real server with static files; a busy port is a clear error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers import lnob


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve")
    assert lnob("init", home=home).code == 0
    return home


def test_serve_serves_pages_and_static_files(home):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lnob", "--home", str(home), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        deadline = time.time() + 30
        body = None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    body = resp.read().decode()
                    assert resp.status == 200
                    assert resp.headers["X-Content-Type-Options"] == "nosniff"
                    assert resp.headers["Server"] != "WSGIServer"  # not Django's runserver
                break
            except OSError:
                time.sleep(0.3)
        assert body is not None, "server did not answer"
        import re

        css = re.search(r'href="(/static/lnob/lnob[^"]*\.css)"', body).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=5) as resp:
            assert resp.status == 200 and b"--accent" in resp.read()
        # a second server on the same port: a one-line error with a hint
        r = lnob("serve", "--port", str(port), home=home)
        assert r.code == 1 and "serve.port-in-use" in r.err and "--port" in r.err
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_head_answers_have_no_body(home):
    """ODK Collect sends HEAD before POST on the same connection: a body would corrupt the next answer."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    assert lnob("project", "create", "headp", "--name", "H", home=home).code == 0
    proc = subprocess.Popen([sys.executable, "-m", "lnob", "--home", str(home), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for path in ["/openrosa/headp/submission", "/openrosa/nope/submission", "/"]:
            deadline = time.time() + 30
            while True:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=2)
                    break
                except OSError:
                    assert time.time() < deadline, "server did not answer"
                    time.sleep(0.3)
            s.sendall(f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            head, _, body = data.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 "), head
            assert body == b"", f"HEAD {path} answered with a {len(body)}-byte body"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
