"""Shared pieces of the CLI: the global state, consoles and output helpers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console

from lnob.errors import UsageError

#: stdout for results, stderr for progress and messages (so pipes stay clean).
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class State:
    home: Path = field(default_factory=lambda: default_home())
    debug: bool = False


def default_home() -> Path:
    """The workspace: ``$LNOB_HOME``, else ``./lnob-data``."""
    env = os.environ.get("LNOB_HOME")
    return Path(env) if env else Path("lnob-data")


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def workspace(ctx: typer.Context, *, create: bool = False):
    """Open the workspace named by ``--home`` and configure Django for it."""
    from lnob.workspace import Workspace

    ws = Workspace(state(ctx).home)
    if create:
        ws.init()
    ws.open()
    import getpass

    from lnob.audit.log import set_process_actor

    try:
        who = getpass.getuser()
    except Exception:  # pragma: no cover - no login name (containers)
        who = "unknown"
    set_process_actor(f"cli:{who}")  # audit events from this command name the OS user
    return ws


def choice(value: str, allowed, option: str) -> str:
    if value not in allowed:
        raise UsageError(
            f"{value!r} is not a valid value for {option}",
            where=option,
            hint="choose one of: " + ", ".join(allowed),
        )
    return value
