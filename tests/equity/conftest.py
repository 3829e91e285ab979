"""Fixtures for the equity tests: the healthequal test data and a CLI runner."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def cli(capsys):
    """Run ``lnob.cli.main.run(argv)``; return ``(exit code, stdout, stderr)``.

    If another command module listed in ``COMMAND_MODULES`` is not importable yet
    (work in progress elsewhere in the tree), a stub with a no-op ``register`` is
    put in its place so that these tests exercise only ``lnob inequality``.
    """
    if "lnob.cli.main" not in sys.modules:
        for _attempt in range(10):
            try:
                importlib.import_module("lnob.cli.main")
                break
            except ModuleNotFoundError as exc:
                name = exc.name or ""
                if not name.startswith("lnob.cli.") or name == "lnob.cli.inequality":
                    raise
                stub = types.ModuleType(name)
                stub.register = lambda app: None
                sys.modules[name] = stub
                sys.modules.pop("lnob.cli.main", None)
    from lnob.cli.main import run

    def _run(*argv: str):
        code = run([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run
