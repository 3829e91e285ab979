"""The docs say what the code does: architecture tree, permission matrix, README commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "lnob"


def _doc(name):
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def test_architecture_lists_every_package_and_module_and_nothing_else():
    doc = _doc("architecture.md")
    named = set(re.findall(r"`(src/lnob/[^`]+)`", doc))
    on_disk = {f"src/lnob/{p.name}/" for p in PKG.iterdir() if p.is_dir() and not p.name.startswith("__")}
    on_disk |= {f"src/lnob/{p.name}" for p in PKG.glob("*.py") if p.name != "__main__.py"}
    missing = sorted(p for p in on_disk if p not in named)
    assert not missing, f"docs/architecture.md does not describe: {missing}"
    # everything the doc names as existing must exist (planned layers are named as src/lnob/<layer>/)
    for path in named:
        if "<" in path:
            continue
        assert (ROOT / path.rstrip("/")).exists(), f"docs/architecture.md names {path}, which does not exist"


def test_every_package_has_a_docstring():
    for init in PKG.rglob("__init__.py"):
        if "migrations" in init.parts:
            continue
        text = init.read_text(encoding="utf-8").lstrip()
        assert text.startswith('"""'), f"{init.relative_to(ROOT)} has no docstring saying what it owns"


def test_permission_matrix_in_docs_matches_code():
    from lnob.core.roles import PERMISSIONS, ROLES

    doc = _doc("permissions.md")
    block = doc.split("<!-- matrix:start")[1].split("<!-- matrix:end -->")[0]
    rows = [r for r in block.splitlines() if r.startswith("| `")]
    documented = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        documented[cells[0].strip("`")] = frozenset(r for r, c in zip(ROLES, cells[1:]) if c == "yes")
    assert documented == PERMISSIONS


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start")[1].split("\n## ")[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", quick, re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    test_cmd = subprocess.run([sys.executable, str(ROOT / ".ci" / "readme_command.py"), "test"],
                              capture_output=True, text=True, check=True).stdout.strip()
    demo_cmd = subprocess.run([sys.executable, str(ROOT / ".ci" / "readme_command.py"), "demo"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert {test_cmd, demo_cmd} == set(commands)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_command.py test" in ci
