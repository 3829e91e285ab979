#!/usr/bin/env python3
"""Developer bootstrap: ``python3 dev.py demo`` and ``python3 dev.py test``.

Needs nothing but Python >= 3.11 with pip.  It creates a virtual environment in
``.venv`` beside this file (once), installs lnob into it in editable mode with
its test extras (again whenever ``pyproject.toml`` changes), then runs:

* ``demo``  — ``lnob demo``: build the demo workspace in ./lnob-data and serve the
  platform at http://127.0.0.1:8000 (extra arguments are passed on, e.g.
  ``python3 dev.py demo --households 20000``);
* ``test``  — the test suite with pytest (extra arguments are passed to pytest,
  e.g. ``python3 dev.py test -m slow``);
* ``lnob``  — any other lnob command, e.g. ``python3 dev.py lnob --help``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LNOB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".lnob-installed"


def fail(message: str) -> None:
    print(f"error [dev]: {message}", file=sys.stderr)
    sys.exit(1)


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        fail(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]} — "
             "hint: run it with python3.11")
    if not PY.exists():
        print(f"Creating a virtual environment in {VENV} …", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        print("Installing lnob and its dependencies (first run takes a minute) …", file=sys.stderr)
        cmd = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q",
               "-e", f"{ROOT}[test]"]
        if subprocess.call(cmd) != 0:
            fail("installing the dependencies failed — hint: check the network access to PyPI "
                 "and run the command again")
        STAMP.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    what, rest = argv[0], argv[1:]
    if what not in {"demo", "test", "lnob"}:
        fail(f"unknown command {what!r} — hint: use 'demo', 'test' or 'lnob'")
    ensure_env()
    os.chdir(ROOT)
    if what == "demo":
        cmd = [str(PY), "-m", "lnob", "demo", *rest]
    elif what == "test":
        cmd = [str(PY), "-m", "pytest", *rest]
    else:
        cmd = [str(PY), "-m", "lnob", *rest]
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
