"""Fixtures for the equity tests: the healthequal test data and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def cli(capsys):
    """Run ``lnob.cli.main.run(argv)``; return ``(exit code, stdout, stderr)``."""
    from lnob.cli.main import run

    def _run(*argv: str):
        code = run([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run
