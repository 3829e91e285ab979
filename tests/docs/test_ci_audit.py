"""The CI dependency audit (.ci/audit_deps.py): fails on a known vulnerability, says SKIPPED —
and does not pass silently — when the vulnerability service answers for no package."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_deps.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def run_with(stdout: str, stderr: str = ""):
        monkeypatch.setattr(mod.subprocess, "run",
                            lambda *a, **k: subprocess.CompletedProcess(a, 1, stdout=stdout, stderr=stderr))
        return mod.main()

    return run_with


def test_a_known_vulnerability_fails(audit, capsys):
    report = {"dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
        {"name": "duckdb", "version": "1.3.0", "vulns": []},
        {"name": "lnob", "skip_reason": "Dependency not found on PyPI"}]}
    assert audit(json.dumps(report)) == 1
    out = capsys.readouterr()
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in: 5.2.1)" in out.out
    assert "1 known vulnerabilities in 1 packages" in out.err


def test_clean_audit_passes_and_names_what_was_not_audited(audit, capsys):
    report = {"dependencies": [{"name": "duckdb", "version": "1.3.0", "vulns": []},
                               {"name": "lnob", "skip_reason": "Dependency not found on PyPI"}]}
    assert audit(json.dumps(report)) == 0
    assert "1 packages audited, no known vulnerabilities; 1 not audited: lnob" in capsys.readouterr().out


def test_unreachable_service_is_reported_as_skipped(audit, capsys):
    report = {"dependencies": [{"name": "duckdb", "skip_reason": "Dependency not found on PyPI and could not be "
                                                                 "audited: duckdb (1.3.0)"}]}
    assert audit(json.dumps(report)) == 0
    assert "SKIPPED the dependency audit" in capsys.readouterr().err
    assert audit("", "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'") == 0
    assert "SKIPPED the dependency audit — pip-audit could not run: requests.exceptions.ConnectionError" in \
        capsys.readouterr().err
