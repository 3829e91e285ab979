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


def test_head_answers_have_no_body_on_a_kept_alive_connection(home):
    """ODK Collect sends HEAD before POST on the same connection: a body would corrupt the next answer."""
    import http.client

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    proc = subprocess.Popen([sys.executable, "-m", "lnob", "--home", str(home), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("HEAD", "/openrosa/nope/submission")
                first = conn.getresponse()
                break
            except OSError:
                assert time.time() < deadline, "server did not answer"
                time.sleep(0.3)
        assert first.read() == b""
        conn.request("GET", "/")
        second = conn.getresponse()
        assert second.status == 200 and b"<!doctype html>" in second.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
