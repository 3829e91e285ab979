"""Workspace commands: ``init``, ``serve``, ``demo``."""

from __future__ import annotations

from typing import Optional

import typer

from lnob.cli.common import err, out, state, workspace
from lnob.i18n import _

DEMO_USER = "demo"
DEMO_PASSWORD = "leave-no-one-behind"


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("demo")(demo)
    app.command("sync")(sync)


def init(ctx: typer.Context) -> None:
    """Create the workspace: settings, SQLite database, analytics store.

    Idempotent: on an existing workspace it only applies pending upgrades.

    Example: lnob --home ./my-coalition init
    """
    from lnob.workspace import Workspace

    ws = Workspace(state(ctx).home)
    created = ws.init()
    if created:
        out.print(_("Created the workspace in %(home)s") % {"home": ws.home}, markup=False)
    else:
        out.print(_("The workspace in %(home)s is ready (nothing to create)") % {"home": ws.home}, markup=False)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    threads: int = typer.Option(8, "--threads", min=1, max=64, help="Threads per worker process."),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, max=64,
        help="Worker processes (default: 1 + the number of CPUs, at most 4, on Linux/macOS; 1 on Windows).",
    ),
) -> None:
    """Serve the web platform with a production WSGI server (gunicorn, or waitress on Windows).

    Static files are included. A companion process keeps the analytics store in step with
    submissions from phones.

    Example: lnob serve --host 0.0.0.0 --port 8080
    """
    ws = workspace(ctx)
    from lnob.web.server import serve as run_server

    run_server(ws, host=host, port=port, threads=threads, workers=workers)


def sync(
    ctx: typer.Context,
    project: Optional[str] = typer.Argument(None, metavar="[PROJECT]", help="Project short name (default: all)."),
    watch: bool = typer.Option(False, "--watch", help="Keep running, syncing new records as they arrive."),
    interval: float = typer.Option(2.0, "--interval", min=0.2, help="Seconds between checks with --watch."),
) -> None:
    """Bring the analytics store up to date with the records (incremental).

    `lnob serve` runs `lnob sync --watch` beside the web server.

    Example: lnob sync demo
    """
    ws = workspace(ctx)
    from lnob.web.server import sync_loop

    sync_loop(ws, project=project, watch=watch, interval=interval)


def demo(
    ctx: typer.Context,
    households: int = typer.Option(5000, "--households", min=10, help="Households to generate (about 4 persons each)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives the same data."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the demo workspace but do not start the server."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Build the demo workspace (project 'demo' with realistic survey data), then serve it.

    Example: lnob demo --households 20000 --seed 7
    """
    from lnob.web.server import check_port

    if not no_serve:
        check_port(host, port)  # fail before minutes of work, not after
    ws = workspace(ctx, create=True)
    from django.contrib.auth import get_user_model

    from lnob.core import services
    from lnob.demo import build_demo

    with _progress() as progress:
        summary = build_demo(ws.home, households=households, seed=seed, progress=progress)

    User = get_user_model()
    user = User.objects.filter(username=DEMO_USER).first()
    if user is None:
        user = services.create_user(DEMO_USER, DEMO_PASSWORD, validate=False)
    else:
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save()
    services.grant_role(user, services.get_project("demo"), "owner")

    out.print(
        _("Demo workspace ready in %(home)s: project 'demo', %(h)d households, %(p)d persons.")
        % {"home": ws.home, "h": summary.households, "p": summary.persons},
        markup=False,
    )
    url = f"http://{host}:{port}/"
    out.print(_("Open %(url)s and log in as user '%(user)s' with password '%(pw)s'.")
              % {"url": url, "user": DEMO_USER, "pw": DEMO_PASSWORD}, markup=False)
    if no_serve:
        return
    from lnob.web.server import serve as run_server

    run_server(ws, host=host, port=port)


class _progress:
    """A rich progress bar on stderr fed by ``progress(stage, done, total)`` calls."""

    def __enter__(self):
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
            console=err, transient=False,
        )
        self._tasks: dict[str, int] = {}
        self._bar.__enter__()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._bar.add_task(stage, total=max(total, 1))
        self._bar.update(task, completed=done, total=max(total, 1))

    def __exit__(self, *exc) -> None:
        self._bar.__exit__(*exc)
