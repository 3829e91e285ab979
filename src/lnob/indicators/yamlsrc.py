"""YAML reading that keeps line numbers, so every error can point at ``file:line``.

:func:`load` returns plain Python values, except that mappings are :class:`LMap` (a dict
that also knows the line and column of each value) and sequences are :class:`LList` (a
list that knows the line of each item).  Duplicate keys are an error (plain YAML keeps the
last one silently).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lnob.errors import InputError
from lnob.i18n import _


class LMap(dict):
    """A mapping read from YAML: ``line`` of the mapping, ``pos[key]`` = (line, column, style) of a value."""

    line: int = 0
    source: str = ""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.pos: dict = {}
        self.key_line: dict = {}

    def where(self, key=None) -> str:
        if key is not None and key in self.pos:
            return f"{self.source}:{self.pos[key][0]}"
        if key is not None and key in self.key_line:
            return f"{self.source}:{self.key_line[key]}"
        return f"{self.source}:{self.line}"

    def expr_source(self, key) -> str:
        """``file:line:column`` where the text of the scalar ``key`` starts (for expression errors)."""
        line, col, style = self.pos.get(key, (self.line, 1, None))
        if style in ("'", '"'):
            return f"{self.source}:{line}:{col + 1}"
        if style in ("|", ">"):
            return f"{self.source}:{line + 1}"
        return f"{self.source}:{line}:{col}"


class LList(list):
    line: int = 0
    source: str = ""

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []

    def where(self, index=None) -> str:
        if index is not None and index < len(self.lines):
            return f"{self.source}:{self.lines[index]}"
        return f"{self.source}:{self.line}"


def _loader(source: str):
    class Loader(yaml.SafeLoader):
        pass

    def construct_map(loader, node):
        loader.flatten_mapping(node)
        m = LMap()
        m.line, m.source = node.start_mark.line + 1, source
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise InputError(_("a key must be a plain value"), where=f"{source}:{k_node.start_mark.line + 1}",
                                 hint=_("write keys as plain words"), code="indicators.yaml") from None
            if key in m:
                raise InputError(
                    _("duplicate key %(key)r") % {"key": key}, where=f"{source}:{k_node.start_mark.line + 1}",
                    hint=_("each key may appear once in a mapping; the first is at line %(line)s")
                    % {"line": m.key_line[key]},
                    code="indicators.yaml-duplicate-key",
                )
            m[key] = loader.construct_object(v_node, deep=True)
            m.key_line[key] = k_node.start_mark.line + 1
            m.pos[key] = (v_node.start_mark.line + 1, v_node.start_mark.column + 1,
                          getattr(v_node, "style", None))
        return m

    def construct_seq(loader, node):
        out = LList()
        out.line, out.source = node.start_mark.line + 1, source
        for v_node in node.value:
            out.append(loader.construct_object(v_node, deep=True))
            out.lines.append(v_node.start_mark.line + 1)
        return out

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return Loader


def loads(text: str, source: str = "<text>"):
    """Parse YAML ``text``; errors name ``source:line``."""
    try:
        return yaml.load(text, Loader=_loader(source))  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise InputError(
            _("the file is not valid YAML: %(problem)s") % {"problem": exc.problem or exc.context or ""},
            where=where, hint=_("check the indentation and quoting at that line"), code="indicators.yaml",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(_("the file is not valid YAML: %(problem)s") % {"problem": str(exc)}, where=source,
                         hint=_("check the file"), code="indicators.yaml") from None


def load(path) -> object:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(_("file %(path)s does not exist") % {"path": str(path)}, where=str(path),
                         hint=_("check the path"), code="indicators.file-not-found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(_("file %(path)s cannot be read: %(error)s") % {"path": str(path), "error": exc},
                         where=str(path), hint=_("definitions are UTF-8 YAML files"),
                         code="indicators.unreadable") from None
    return loads(text, _display(path))


def _display(path: Path) -> str:
    """A short name for messages: paths inside the package are shown from ``indicators/``."""
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parent.parent))
    except ValueError:
        return str(path)
