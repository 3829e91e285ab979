"""A tiny, safe evaluator for the XPath subset used in XLSForm ``constraint`` and ``relevant``.

Never ``eval``: expressions are tokenised and parsed by hand into a small tree
that is then interpreted.  Supported:

* ``.`` (the question's own value), ``${name}`` (another question), numbers, ``'text'``/``"text"``;
* ``or``, ``and``, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``+``, ``-``, ``*``, ``div``, ``mod``,
  parentheses, unary minus;
* functions ``not``, ``true``, ``false``, ``selected``, ``count-selected``, ``string-length``,
  ``number``, ``int``, ``string``, ``contains``, ``starts-with``, ``ends-with``, ``boolean``.

Anything else (``regex()``, ``today()``, paths, ``instance()``…) raises
:class:`NotEvaluable`; callers skip the rule and count it.  Comparison follows
XPath 1.0: with a number on either side both sides are compared as numbers (an
empty answer is NaN, so ``. >= 0`` is false for it); otherwise ``=``/``!=``
compare text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>\d+(?:\.\d*)?|\.\d+)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<ref>\$\{[A-Za-z_][\w.\-]*\})
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<dot>\.(?![\w.]))
    | (?P<name>[A-Za-z_][\w\-]*(?::[A-Za-z_][\w\-]*)?)
    )""", re.VERBOSE)

MAX_LENGTH = 2000


class NotEvaluable(Exception):
    """The expression uses something outside the safe subset."""


def tokenize(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_LENGTH:
        raise NotEvaluable("expression too long")
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise NotEvaluable(f"cannot read {text[pos:pos + 10]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens):
        self.t = tokens
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise NotEvaluable(f"expected {value!r}")
        self.i += 1
        return tok

    def parse(self):
        node = self.or_()
        if self.i != len(self.t):
            raise NotEvaluable("unexpected text after the expression")
        return node

    def or_(self):
        node = self.and_()
        while self.peek() == ("name", "or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.cmp()
        while self.peek() == ("name", "and"):
            self.take()
            node = ("and", node, self.cmp())
        return node

    def cmp(self):
        node = self.add()
        while self.peek()[0] == "op" and self.peek()[1] in ("=", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            node = ("cmp", op, node, self.add())
        return node

    def add(self):
        node = self.mul()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = ("arith", op, node, self.mul())
        return node

    def mul(self):
        node = self.unary()
        while (self.peek()[0] == "op" and self.peek()[1] == "*") or self.peek() in (("name", "div"),
                                                                                    ("name", "mod")):
            op = self.take()[1]
            node = ("arith", op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        kind, value = self.peek()
        if kind == "num":
            self.take()
            return ("lit", float(value))
        if kind == "str":
            self.take()
            return ("lit", value[1:-1])
        if kind == "dot":
            self.take()
            return ("dot",)
        if kind == "ref":
            self.take()
            return ("ref", value[2:-1])
        if kind == "op" and value == "(":
            self.take()
            node = self.or_()
            self.take(")")
            return node
        if kind == "name":
            self.take()
            if self.peek() != ("op", "("):
                raise NotEvaluable(f"paths such as {value!r} are not supported")
            self.take("(")
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.or_())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.or_())
            self.take(")")
            if value not in _FUNCS:
                raise NotEvaluable(f"function {value}() is not supported")
            return ("call", value, args)
        raise NotEvaluable(f"unexpected {value!r}")


_CACHE: dict[str, tuple] = {}


def compile_expr(text: str):
    """Parse once (cached); raises :class:`NotEvaluable`."""
    node = _CACHE.get(text)
    if node is None:
        node = _Parser(tokenize(text)).parse()
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[text] = node
    return node


def _num(v) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if v is None:
        return math.nan
    try:
        return float(str(v).strip())
    except ValueError:
        return math.nan


def _str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _bool(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    return _str(v) != ""


def _compare(op, a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        if op in ("=", "!="):
            return (_bool(a) == _bool(b)) == (op == "=")
        a, b = _num(a), _num(b)
    elif isinstance(a, float) or isinstance(b, float) or op not in ("=", "!="):
        a, b = _num(a), _num(b)
    else:
        a, b = _str(a), _str(b)
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _f_selected(a, b):
    return _str(b).strip() in _str(a).split()


_FUNCS: dict[str, Callable] = {
    "not": lambda a: not _bool(a),
    "true": lambda: True,
    "false": lambda: False,
    "boolean": _bool,
    "selected": _f_selected,
    "count-selected": lambda a: float(len(_str(a).split())),
    "string-length": lambda a: float(len(_str(a))),
    "number": _num,
    "int": lambda a: float(math.trunc(_num(a))) if not math.isnan(_num(a)) else math.nan,
    "string": _str,
    "contains": lambda a, b: _str(b) in _str(a),
    "starts-with": lambda a, b: _str(a).startswith(_str(b)),
    "ends-with": lambda a, b: _str(a).endswith(_str(b)),
}


def evaluate(text: str, *, dot=None, lookup: Callable[[str], object] | None = None):
    """Evaluate ``text`` with ``.`` = ``dot`` (text or None) and ``${name}`` from ``lookup``.

    ``lookup`` may raise :class:`NotEvaluable` for names it cannot resolve.
    """
    node = compile_expr(text)
    return _eval(node, dot, lookup)


def truth(text: str, **kw) -> bool:
    return _bool(evaluate(text, **kw))


def _eval(node, dot, lookup):
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "dot":
        return dot
    if kind == "ref":
        if lookup is None:
            raise NotEvaluable("no values to look up")
        return lookup(node[1])
    if kind == "or":
        return _bool(_eval(node[1], dot, lookup)) or _bool(_eval(node[2], dot, lookup))
    if kind == "and":
        return _bool(_eval(node[1], dot, lookup)) and _bool(_eval(node[2], dot, lookup))
    if kind == "cmp":
        return _compare(node[1], _eval(node[2], dot, lookup), _eval(node[3], dot, lookup))
    if kind == "neg":
        return -_num(_eval(node[1], dot, lookup))
    if kind == "arith":
        a, b = _num(_eval(node[2], dot, lookup)), _num(_eval(node[3], dot, lookup))
        op = node[1]
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0 or math.isnan(a) or math.isnan(b):
            return math.nan
        return a / b if op == "div" else math.fmod(a, b)
    if kind == "call":
        args = [_eval(a, dot, lookup) for a in node[2]]
        try:
            return _FUNCS[node[1]](*args)
        except TypeError:
            raise NotEvaluable(f"wrong number of arguments for {node[1]}()") from None
    raise NotEvaluable(kind)  # pragma: no cover
