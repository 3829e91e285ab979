"""Typed errors shared by every layer.

Every error lnob raises for a user mistake is an :class:`LnobError` with

* ``code`` — a stable, dotted identifier (``stats.unknown-column``) that scripts
  and tests can rely on; it never changes once released;
* ``message`` — what was wrong, in plain language;
* ``where`` — where it was wrong (file, row, field, option), when known;
* ``hint`` — how to fix it.

The edges translate these: the CLI prints :meth:`LnobError.one_line` and exits
with :attr:`LnobError.exit_code`; the web platform shows the message and hint on
the page.  Nothing else in lnob should print a traceback to a user.
"""

from __future__ import annotations

from dataclasses import dataclass


class LnobError(Exception):
    """Base class of all user-facing lnob errors."""

    code: str = "lnob.error"
    exit_code: int = 1

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        if code is not None:
            self.code = code

    def one_line(self) -> str:
        """The error as one line: ``error [code]: what (where) — hint: how``."""
        text = f"error [{self.code}]: {self.message}"
        if self.where:
            text += f" (at {self.where})"
        if self.hint:
            text += f" — hint: {self.hint}"
        return " ".join(text.split())

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "where": self.where, "hint": self.hint}

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.one_line()


class UsageError(LnobError):
    """The command or call itself was wrong (options, arguments)."""

    code = "usage"
    exit_code = 2


class NotFound(LnobError):
    """A named thing (project, user, form, column…) does not exist."""

    code = "not-found"


class AlreadyExists(LnobError):
    code = "already-exists"


class WorkspaceError(LnobError):
    """The workspace directory is missing, unreadable or from another version."""

    code = "workspace"


class InputError(LnobError):
    """A file or value supplied by the user could not be used."""

    code = "input"


class DesignError(InputError):
    """A survey design is inconsistent (weights, strata, clusters, fpc)."""

    code = "stats.design"


class ServeError(LnobError):
    code = "serve"


@dataclass(frozen=True)
class Problem:
    """A non-fatal finding (a warning or a row-level problem) with the same shape as an error."""

    code: str
    message: str
    where: str | None = None
    hint: str | None = None
    level: str = "warning"


def close_matches(name: str, candidates, n: int = 3) -> list[str]:
    """Names in ``candidates`` that look like ``name`` (for "did you mean" hints)."""
    import difflib

    candidates = [str(c) for c in candidates]
    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[f] for f in found]


def did_you_mean(name: str, candidates) -> str | None:
    matches = close_matches(name, candidates)
    if not matches:
        return None
    return "did you mean " + " or ".join(repr(m) for m in matches) + "?"
