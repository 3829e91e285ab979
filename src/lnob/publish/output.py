"""Writing outputs atomically: everything goes to a temporary sibling first and is moved into
place only when complete, so a failure never leaves a half-written file or directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from lnob.errors import InputError
from lnob.i18n import _


def _not_writable(path: Path, exc: Exception | None = None) -> InputError:
    why = f": {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else ""
    return InputError(_("cannot write %(p)s%(w)s") % {"p": path, "w": why}, where=str(path),
                      hint=_("choose a path in a directory you can write to"), code="publish.not-writable")


def check_parent(path: Path) -> Path:
    path = Path(path).expanduser().absolute()
    parent = path.parent
    if not parent.is_dir():
        raise InputError(_("the directory %(p)s does not exist") % {"p": parent}, where=str(path),
                         hint=_("create it first, or choose another path"), code="publish.not-writable")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _not_writable(path)
    return path


@contextmanager
def atomic_file(path, mode: str = "wb"):
    """Yield a temporary file next to ``path``; it replaces ``path`` when the block succeeds."""
    path = check_parent(path)
    if path.is_dir():
        raise InputError(_("%(p)s is a directory") % {"p": path}, where=str(path),
                         hint=_("give a file name, e.g. brief.pdf"), code="publish.not-writable")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _not_writable(path, exc) from None
    try:
        with os.fdopen(fd, mode) as f:
            yield f
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(path, *, replace: bool = False):
    """Yield a temporary directory next to ``path``; it becomes ``path`` when the block succeeds.

    An existing non-empty ``path`` is an error unless ``replace`` (then it is swapped out and
    removed only after the new one is in place)."""
    path = check_parent(path)
    if path.exists() and not path.is_dir():
        raise InputError(_("%(p)s exists and is not a directory") % {"p": path}, where=str(path),
                         hint=_("choose a directory for --out"), code="publish.not-writable")
    if path.is_dir() and any(path.iterdir()) and not replace:
        raise InputError(_("the directory %(p)s is not empty") % {"p": path}, where=str(path),
                         hint=_("choose a new directory, or add --force to replace it"), code="publish.exists")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise _not_writable(path, exc) from None
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        old = None
        if path.exists():
            old = path.parent / f".{path.name}.old-{os.getpid()}"
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
