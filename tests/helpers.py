"""Helpers for tests that run the real ``lnob`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str


def lnob(*args: str, home: Path | None = None, stdin: str | None = None, env: dict | None = None,
         timeout: float = 300) -> Result:
    """Run ``python -m lnob [--home HOME] ARGS`` and capture its output."""
    cmd = [sys.executable, "-m", "lnob"]
    if home is not None:
        cmd += ["--home", str(home)]
    cmd += list(args)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    full_env.update(env or {})
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=full_env, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)
