"""Browser tests: a demo workspace served by `lnob serve` in a subprocess, driven by Playwright
with Debian's Chromium (scripts/install_browser.sh).  Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LNOB = [sys.executable, "-m", "lnob"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of a served demo workspace (800 households, indicators run)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed: run scripts/install_browser.sh")
    pytest.importorskip("playwright", reason="Playwright not installed: run scripts/install_browser.sh")
    home = tmp_path_factory.mktemp("browser_home")
    env = {**os.environ, "LNOB_HOME": str(home)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for cmd in (["demo", "--no-serve", "--households", "800"], ["run", "demo"]):
        r = subprocess.run(LNOB + ["--home", str(home), *cmd], env=env, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stderr
    port = _free_port()
    proc = subprocess.Popen(LNOB + ["--home", str(home), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("lnob serve did not answer: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
