"""A project's own indicator definitions: stored versions, checking, saving, history.

A project may add its own indicators and dimensions to the ready-made library, written in the
definitions format (``format: 1``, docs/indicators.md).  They are kept in the transactional
database as :class:`~lnob.indicators.models.DefinitionVersion` rows: saving never changes a
version, it adds the next one (who, when, sha256 of the text); ``lnob run`` and the web
"run now" button use the latest.

* :func:`check` — every problem of a text, each with its code, message, ``where``
  (``project:<slug>/v<n>:<line>[:<column>]``) and hint, in three passes: the loader (syntax,
  keys, SDG codes, one-category dimensions…), the binding of every expression of the project's
  own indicators, dimensions and member variables to the project's form (unknown fields, type
  misuse, questions of a module the form lacks), then — when the project has analysis tables —
  a run of the project's own indicators on the data (:class:`lnob.indicators.runner.Runner`,
  the code ``lnob run`` uses; nothing stored) that finds empty populations.
* :func:`save` — check, then store a new version (or nothing at all: no partial write) and
  record a ``definitions`` audit event.
* :func:`latest`, :func:`texts`, :func:`library`, :func:`diff`, :func:`line_of`, :func:`context_of`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field

from lnob.errors import InputError, LnobError, Problem
from lnob.i18n import _

_WHERE_LINE = re.compile(r":(\d+)(?::(\d+))?$")


class DefinitionsRejected(InputError):
    """The text has errors; nothing was saved.  ``problems`` lists every one."""

    code = "indicators.definitions-rejected"

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(
            _("the definitions have %(n)d error(s); nothing was saved: %(first)s") % {"n": len(problems),
                                                                                      "first": first.message},
            where=first.where, hint=first.hint, code=self.code)
        self.problems = problems


@dataclass
class Check:
    problems: list[Problem] = field(default_factory=list)
    #: the project's own indicator and dimension ids found in the text
    indicators: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    #: whether the indicators were also run on the project's data
    data_checked: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    """Line ends as ``\\n`` and one final newline (a browser's textarea sends ``\\r\\n``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""


def latest(project):
    from lnob.indicators.models import DefinitionVersion

    return DefinitionVersion.objects.filter(project=project).order_by("-number").first()


def texts(project) -> list[tuple[str, str]]:
    """``[(source, text)]`` of the project's latest version (empty when it has none)."""
    v = latest(project)
    return [(v.source, v.text)] if v is not None and v.text.strip() else []


def source_for(project, number: int) -> str:
    return f"project:{project.slug}/v{number}"


def line_of(where: str | None) -> tuple[int | None, int | None]:
    """(line, column) of a ``where`` such as ``project:demo/v3:12:7`` (None when it has none)."""
    m = _WHERE_LINE.search(where or "")
    if not m:
        return None, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w]*)\s*:")
_ID_LINE = re.compile(r"^\s*(?:-\s+)?id\s*:\s*['\"]?([a-z][a-z0-9_]*)")


def context_of(text: str, line: int | None) -> tuple[str | None, str | None]:
    """(id of the indicator or dimension, key) at ``line`` of ``text``: the field an error is about."""
    lines = text.splitlines()
    if not line or line > len(lines):
        return None, None
    m = _KEY.match(lines[line - 1])
    key = m.group(1) if m else None
    if key is None:  # a value on its own line (a list item): the key above it that holds it
        indent = len(lines[line - 1]) - len(lines[line - 1].lstrip(" -"))
        for prev in reversed(lines[:line - 1]):
            m = _KEY.match(prev)
            if m and len(prev) - len(prev.lstrip(" -")) < indent:
                key = m.group(1)
                break
    for prev in reversed(lines[:line]):
        mid = _ID_LINE.match(prev)
        if mid:
            return mid.group(1), key
        if prev[:1].isalpha():
            break  # a top-level key: outside any indicator or dimension
    return None, key


def diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """A unified diff of two versions' texts (lines without their newline)."""
    return [line.rstrip("\n") for line in difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                                 old_name, new_name)]


def _problem(exc: LnobError, level: str = "error") -> Problem:
    return Problem(exc.code, exc.message, exc.where, exc.hint, level)


def expect_of(ind, key: str):
    """The type an indicator's expression must have (as the runner compiles it)."""
    if ind.kind == "ratio" and key in ("numerator", "denominator"):
        return ["numeric", "boolean"]
    return "boolean" if key == "population" or (key == "outcome" and ind.kind == "proportion") else "numeric"


# --------------------------------------------------------------------------- check
def check(project, text: str, *, store=None, number: int | None = None) -> Check:
    """Every problem of ``text`` as the project's definitions (see the module docstring)."""
    from lnob.indicators.definitions import load_library

    if number is None:
        last = latest(project)
        number = (last.number if last else 0) + 1
    source = source_for(project, number)
    if store is None:
        from lnob.records.services import default_store

        store = default_store()
    out = Check()
    try:
        lib = load_library(texts=[(source, text)])
    except LnobError as exc:
        out.problems.append(_problem(exc))
        return out
    mine = source + ":"
    own = [i for i in lib.indicators if i.where.startswith(mine)]
    own_dims = [d for d in lib.dimensions if d.where.startswith(mine)]
    own_members = [m for m in lib.members.values() if m.where.startswith(mine)]
    out.indicators, out.dimensions = [i.id for i in own], [d.id for d in own_dims]
    if not (own or own_dims or own_members):
        return out
    _check_binding(project, lib, own, own_dims, own_members, out, store)
    if not out.errors and own:
        _check_data(project, lib, own, own_dims, out, store, mine)
    return out


def _analysis_columns(project, store) -> dict[str, tuple[dict[str, str], object]]:
    """unit -> (columns of its analysis table, UnitSource), for the units whose table exists."""
    from pathlib import Path

    from lnob.indicators.services import sources_of
    from lnob.records.analytics import connect_with_retry

    try:
        sources = sources_of(project)
    except LnobError:
        return {}
    if store is None or not Path(store.path).exists():
        return {}
    out = {}
    con = connect_with_retry(store.path, read_only=True)
    try:
        for unit, src in sources.items():
            rows = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                               "ORDER BY ordinal_position", [src.table]).fetchall()
            if rows:
                out[unit] = (dict(rows), src)
    finally:
        con.close()
    return out


def _check_binding(project, lib, own, own_dims, own_members, out: Check, store) -> None:
    """Bind every expression of the project's own definitions to the form; collect every error."""
    from lnob.indicators.binding import Binding, Resolved
    from lnob.indicators.services import form_schema

    form, _versions = form_schema(project)
    if form is None:
        out.problems.append(Problem("indicators.no-form", _("the project has no form to check the definitions against"),
                                    project.slug, _("upload the project's XLSForm first"), "error"))
        return
    tables = _analysis_columns(project, store)
    form_columns = {f.column: "VARCHAR" for f in form.fields}
    fmap = dict((project.survey_design or {}).get("indicators", {}).get("fields", {}))

    def binding(unit, extra=None):
        cols, src = tables.get(unit, (form_columns, None))
        repeat = src.repeat if src is not None else ("roster" if unit == "person" else None)
        return Binding(lib, cols, form, fmap, repeat_first=repeat, extra=extra)

    person = binding("person")
    extra = {}
    for m in lib.members.values():
        if m in own_members:
            try:
                person.compile(m.cond, expect="boolean")
            except LnobError as exc:
                out.problems.append(_problem(exc))
                continue
        elif person.missing(m.cond.fields()):
            continue
        extra[m.name] = Resolved(m.name, "NULL", "boolean" if m.how == "any" else "integer", None,
                                 f"members.{m.how}")
    units = {u: binding(u, extra) for u in ("household", "person")}
    for ind in own:
        b = units[ind.unit]
        for key, e in ind.expressions().items():
            declared = [n for n in b.missing(e.fields()) if n in lib.fields]
            try:
                b.compile(e, expect=expect_of(ind, key))
            except LnobError as exc:
                if exc.code == "indicators.unknown-field" and declared:
                    exc = _module_missing(ind, declared, lib, exc.where)
                out.problems.append(_problem(exc))
    for d in own_dims:
        b = units[d.unit]
        for name in [n for n in (d.field, d.asset_field) if n]:
            if b.resolve(name) is None:
                from lnob.errors import did_you_mean

                out.problems.append(Problem(
                    "indicators.unknown-field",
                    _("dimension %(d)r uses %(f)r, which the form does not have") % {"d": d.id, "f": name}, d.where,
                    did_you_mean(name, [f.name for f in form.fields]) or _("check the question name in the form"),
                    "error"))
        exprs = [c.when for c in d.categories if c.when is not None] + list(d.assets)
        for e in exprs:
            try:
                b.compile(e, expect="boolean")
            except LnobError as exc:
                out.problems.append(_problem(exc))


def _module_missing(ind, names: list[str], lib, where) -> InputError:
    """A canonical field (declared under ``fields:``) that neither the form nor any alias provides."""
    tried = []
    for n in names:
        tried += [n] + [a.field or (a.expr.text if a.expr is not None else "") for a in lib.fields[n].aliases]
    return InputError(
        _("the form lacks the questions of module %(m)s that indicator %(i)r needs: %(f)s")
        % {"m": ind.module or "-", "i": ind.id, "f": ", ".join(names)}, where=where,
        hint=_("the form has none of %(t)s; add the questions to the form, or map them in the project's field "
               "map (survey_design.indicators.fields)") % {"t": ", ".join(dict.fromkeys(t for t in tried if t))},
        code="indicators.module-missing")


def _check_data(project, lib, own, own_dims, out: Check, store, mine: str) -> None:
    """Run the project's own indicators on its data (nothing stored): empty populations, constant dimensions."""
    from pathlib import Path

    import duckdb

    from lnob.indicators.runner import Runner
    from lnob.indicators.services import consented_sources, form_schema, sources_of
    from lnob.records.analytics import connect_with_retry

    try:
        sources = sources_of(project)
    except LnobError:
        return
    if store is None or not Path(store.path).exists():
        return
    form, _versions = form_schema(project)
    fmap = dict((project.survey_design or {}).get("indicators", {}).get("fields", {}))
    try:
        con = connect_with_retry(store.path, read_only=True)
    except duckdb.Error:
        out.problems.append(Problem("indicators.store-busy", _("the data could not be read to check the populations"),
                                    str(store.path), _("save again in a moment"), "warning"))
        return
    try:
        sources, _excluded = consented_sources(con, sources, form)
        runner = Runner(con, lib, sources, form=form, field_map=fmap, depth=1 if own_dims else 0,
                        dimensions=[d.id for d in own_dims], indicators=[i.id for i in own], force=True)
        res = runner.run()
    except LnobError as exc:
        out.problems.append(_problem(exc))
        return
    finally:
        con.close()
    out.data_checked = True
    for p in res.problems:
        ours = (p.where or "").startswith(mine)
        if ours and p.code == "indicators.dimension-unavailable":  # a project's own dimension must work
            p = Problem(p.code, p.message, p.where, p.hint, "error")
        if p.level == "error" or ours:
            out.problems.append(p)


# --------------------------------------------------------------------------- save
def save(project, text: str, *, user=None, actor_name: str = "", comment: str = "", store=None):
    """Check ``text`` and store it as the project's next definitions version.

    Returns ``(version, created)``: an unchanged text stores nothing and returns the latest
    version.  Any error raises :class:`DefinitionsRejected` (every problem in ``problems``)
    and stores nothing.
    """
    from django.db import IntegrityError, transaction

    from lnob.audit.log import record
    from lnob.indicators.models import DefinitionVersion

    text = normalise(text)
    if len(text) > 1_000_000:
        raise InputError(_("the definitions are too long (%(n)d characters; at most 1,000,000)") % {"n": len(text)},
                         where="definitions", hint=_("split them, or remove unused indicators"),
                         code="indicators.definitions-too-long")
    last = latest(project)
    if last is not None and last.text == text:
        return last, False
    number = (last.number if last else 0) + 1
    result = check(project, text, store=store, number=number)
    if result.errors:
        raise DefinitionsRejected(result.errors)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    name = user.get_username() if user is not None else actor_name
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = DefinitionVersion.objects.create(
                    project=project, number=number, text=text, sha256=sha256(text), created_by=user,
                    created_by_name=(name or "")[:150], comment=(comment or "")[:500])
                record("definitions", actor=user, actor_name=name or "", project=project, target=f"v{number}",
                       version=number, sha256=version.sha256, previous=last.number if last else None,
                       indicators=result.indicators, dimensions=result.dimensions, comment=comment[:500])
            return version, True
        except IntegrityError:  # someone saved at the same moment: take the next number
            number = latest(project).number + 1
    raise InputError(_("the definitions could not be saved: others are saving at the same time"), where="definitions",
                     hint=_("save again"), code="indicators.definitions-busy")


#: parsed libraries per process, keyed by the definitions' source and sha256 ("" = ready-made only):
#: parsing the shipped YAML costs 0.2–0.7 s, too much for every page view
_LIBRARIES: dict = {}


def library(project):
    """The ready-made library plus the project's latest definitions (what ``lnob run`` uses).

    The result is shared by the process's callers (pages, API): read it, do not modify it."""
    from lnob.indicators.definitions import load_library

    v = latest(project) if project is not None else None
    own = v is not None and v.text.strip()
    key = (v.source, v.sha256) if own else ""
    lib = _LIBRARIES.get(key)
    if lib is None:
        lib = load_library(texts=[(v.source, v.text)] if own else None)
        if len(_LIBRARIES) >= 16:
            _LIBRARIES.clear()
        _LIBRARIES[key] = lib
    return lib
