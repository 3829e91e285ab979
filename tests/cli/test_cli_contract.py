"""The CLI contract of the foundation: global options, help, one-line errors."""

from __future__ import annotations

import re

import pytest

from helpers import lnob
from lnob import __version__

ERROR_LINE = re.compile(r"^error \[[a-z0-9.-]+\]: .+ — hint: .+$")


def test_version():
    r = lnob("--version")
    assert r.code == 0
    assert r.out.strip() == f"lnob {__version__}"


@pytest.mark.parametrize(
    "command",
    [[], ["init"], ["serve"], ["demo"], ["project"], ["project", "create"], ["user"], ["user", "create"],
     ["estimate"], ["forms"], ["forms", "add"], ["forms", "list"], ["inequality"], ["sdg"]],
)
def test_help_on_every_command(command):
    r = lnob(*command, "--help")
    assert r.code == 0, r.err
    assert "Usage: lnob" in r.out


def test_every_registered_command_has_help_text():
    from lnob.cli.main import app
    import typer.main

    group = typer.main.get_command(app)

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, path + [name])

    for path, cmd in walk(group, []):
        assert (cmd.help or "").strip(), f"'lnob {' '.join(path)}' has no help text"


def test_unknown_command_is_one_line_usage_error():
    r = lnob("frobnicate")
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and ERROR_LINE.match(lines[0]), r.err
    assert "Traceback" not in r.err


def test_missing_workspace_error(tmp_path):
    r = lnob("project", "create", "x", "--name", "X", home=tmp_path / "nowhere")
    assert r.code == 1
    assert r.err.count("\n") == 1 and ERROR_LINE.match(r.err.strip()), r.err
    assert "workspace.missing" in r.err and "lnob init" in r.err
    assert not (tmp_path / "nowhere").exists(), "an error must not leave a half-made workspace"


def test_home_defaults_to_env_then_cwd(tmp_path):
    r = lnob("init", env={"LNOB_HOME": str(tmp_path / "from-env")})
    assert r.code == 0, r.err
    assert (tmp_path / "from-env" / "lnob.toml").is_file()
