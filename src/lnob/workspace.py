"""The workspace: one directory holding everything a running lnob needs.

Layout of ``<home>`` (``--home``, else ``$LNOB_HOME``, else ``./lnob-data``)::

    lnob.toml          settings: format version, generated secret key
    lnob.sqlite3       the transactional database (unless LNOB_DATABASE_URL)
    analytics.duckdb   the analytics store (typed tables per form)
    static/            collected static files served by the web platform
    media/             uploaded files (attachments, form media)

:class:`Workspace` creates it (idempotently), checks that it was not written by
a newer lnob, and configures Django for it.  Every edge (CLI, web server, tests)
opens the workspace through here.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from lnob import WORKSPACE_FORMAT, __version__
from lnob.errors import WorkspaceError
from lnob.i18n import _

SETTINGS_FILE = "lnob.toml"
ANALYTICS_FILE = "analytics.duckdb"


class Workspace:
    def __init__(self, home: str | os.PathLike) -> None:
        self.home = Path(home).expanduser().resolve()

    # -- paths ---------------------------------------------------------------
    @property
    def settings_path(self) -> Path:
        return self.home / SETTINGS_FILE

    @property
    def analytics_path(self) -> Path:
        return self.home / ANALYTICS_FILE

    @property
    def exists(self) -> bool:
        return self.settings_path.is_file()

    # -- settings file -----------------------------------------------------------
    def read_settings(self) -> dict:
        try:
            with self.settings_path.open("rb") as fh:
                return tomllib.load(fh)
        except FileNotFoundError:
            raise WorkspaceError(
                _("no lnob workspace here"),
                where=str(self.home),
                hint=_("run 'lnob init' (or 'lnob demo') first, or point --home / $LNOB_HOME at your workspace"),
                code="workspace.missing",
            ) from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise WorkspaceError(
                _("the workspace settings file cannot be read: %(error)s") % {"error": exc},
                where=str(self.settings_path),
                hint=_("restore it from a backup, or move the workspace aside and run 'lnob init'"),
                code="workspace.unreadable",
            ) from None

    def _check_format(self, settings: dict) -> None:
        fmt = settings.get("format")
        if not isinstance(fmt, int):
            raise WorkspaceError(
                _("the workspace settings file has no valid 'format' number"),
                where=str(self.settings_path),
                hint=_("restore it from a backup, or move the workspace aside and run 'lnob init'"),
                code="workspace.unreadable",
            )
        if fmt > WORKSPACE_FORMAT:
            raise WorkspaceError(
                _("this workspace was written by a newer lnob (%(written)s, format %(fmt)d); "
                  "this is lnob %(version)s (format %(ours)d)")
                % {"written": settings.get("lnob_version", "?"), "fmt": fmt,
                   "version": __version__, "ours": WORKSPACE_FORMAT},
                where=str(self.home),
                hint=_("upgrade lnob ('pip install -U lnob') or use another --home"),
                code="workspace.newer",
            )

    def _write_settings(self) -> None:
        text = (
            "# lnob workspace settings. Keep this file private: it holds the secret key.\n"
            f"format = {WORKSPACE_FORMAT}\n"
            f'lnob_version = "{__version__}"\n'
            f'secret_key = "{secrets.token_urlsafe(50)}"\n'
        )
        tmp = self.settings_path.with_suffix(".toml.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.settings_path)

    # -- life cycle --------------------------------------------------------------
    def init(self, *, verbosity: int = 0) -> bool:
        """Create the workspace if needed; bring its database up to date.

        Idempotent: running it on an existing workspace changes nothing but
        applying pending migrations.  Returns True when the workspace was new.
        """
        created = False
        if self.home.exists() and not self.home.is_dir():
            raise WorkspaceError(
                _("the workspace path exists and is not a directory"),
                where=str(self.home),
                hint=_("choose another --home"),
                code="workspace.not-a-directory",
            )
        if not self.exists:
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                self._write_settings()
            except OSError as exc:
                raise WorkspaceError(
                    _("cannot create the workspace: %(error)s") % {"error": exc.strerror or exc},
                    where=str(self.home),
                    hint=_("choose a directory you can write to with --home"),
                    code="workspace.unwritable",
                ) from None
            created = True
        self.open(migrate=True, verbosity=verbosity)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        from lnob.records.analytics import AnalyticsStore

        AnalyticsStore(self.analytics_path).ensure()
        return created

    def open(self, *, migrate: bool = True, verbosity: int = 0) -> "Workspace":
        """Check the workspace and configure Django for it."""
        settings = self.read_settings()
        self._check_format(settings)
        configure_django(self.home)
        self._check_database_version()
        if migrate:
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=verbosity)
        return self

    def _check_database_version(self) -> None:
        """Refuse a database that has migrations this lnob does not know."""
        from django.db import connection
        from django.db.migrations.loader import MigrationLoader

        try:
            loader = MigrationLoader(connection, ignore_no_migrations=True)
        except Exception as exc:
            raise WorkspaceError(
                _("cannot read the workspace database: %(error)s") % {"error": exc},
                where=str(self.home),
                hint=_("check LNOB_DATABASE_URL and that the database server is running"),
                code="workspace.database",
            ) from None
        ours = {"core", "forms", "records"}
        unknown = [
            f"{app}.{name}"
            for app, name in loader.applied_migrations
            if app in ours and (app, name) not in loader.disk_migrations
        ]
        if unknown:
            raise WorkspaceError(
                _("the workspace database was migrated by a newer lnob (unknown migrations: %(names)s)")
                % {"names": ", ".join(sorted(unknown))},
                where=str(self.home),
                hint=_("upgrade lnob ('pip install -U lnob') or use another --home"),
                code="workspace.newer",
            )


def configure_django(home: Path) -> None:
    """Point Django at ``home`` and set it up (once per process)."""
    import django
    from django.conf import settings as dj_settings

    home = Path(home).resolve()
    if dj_settings.configured:
        current = Path(getattr(dj_settings, "HOME", home))
        if current != home and os.environ.get("LNOB_HOME") and Path(os.environ["LNOB_HOME"]).resolve() != home:
            raise WorkspaceError(
                _("another workspace is already open in this process"),
                where=str(home),
                hint=_("run one lnob command per workspace"),
                code="workspace.conflict",
            )
    os.environ["LNOB_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lnob.web.settings")
    django.setup()
