"""Entry point of the ``lnob`` command: global options, command registry, error edge."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Optional

import typer

from lnob import __version__
from lnob.cli.common import State, default_home, err
from lnob.errors import LnobError
from lnob.i18n import _

app = typer.Typer(
    name="lnob",
    help="lnob — community-driven data that leaves no one behind.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Modules under lnob.cli that each define ``register(app)``.
COMMAND_MODULES = [
    "workspace_cmds",
    "admin_cmds",
    "forms_cmds",
    "estimate",
    "inequality",
    "sdg_cmds",
    "indicators_cmds",
    "mpi",
    "equity_cmds",
    "records_cmds",
    "jobs_cmds",
    "api_cmds",
    "publish_cmds",
    "coalition_cmds",
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lnob {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(
        None,
        "--home",
        metavar="DIR",
        help="Workspace directory (default: $LNOB_HOME, else ./lnob-data).",
        show_default=False,
    ),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """lnob — community-driven data that leaves no one behind.

    Run `lnob demo` to build a demo workspace and open the platform, or
    `lnob COMMAND --help` for any command.
    """
    ctx.obj = State(home=home if home is not None else default_home(), debug=debug)


for _name in COMMAND_MODULES:
    importlib.import_module(f"lnob.cli.{_name}").register(app)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and translate every failure into one line and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = _debug_requested(argv)
    try:
        result = app(args=argv, prog_name="lnob", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except LnobError as exc:
        if debug:
            raise
        err.print(exc.one_line(), markup=False)
        code = exc.exit_code
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        err.print(_("aborted"), markup=False)
        code = 130
    except typer.TyperException as exc:  # usage errors: bad option, missing argument…
        if debug:
            raise
        code = exc.exit_code
        if type(exc).__name__ == "NoArgsIsHelpError":
            err.print(exc.format_message(), markup=False)
            return 0
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "lnob"
        message = " ".join(exc.format_message().split())
        err.print(f"error [usage]: {message} (at {where}) — hint: run '{where} --help'", markup=False)
    except KeyboardInterrupt:
        err.print(_("interrupted"), markup=False)
        code = 130
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            raise
        err.print(
            f"error [internal]: {type(exc).__name__}: {exc} — hint: this is a bug in lnob; "
            "run again with --debug and report the traceback",
            markup=False,
        )
        code = 70
    return code


def entry() -> None:  # pragma: no cover - console script
    sys.exit(run())
