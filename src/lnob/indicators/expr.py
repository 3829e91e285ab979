"""A small, safe expression language for indicators, compiled to SQL.

Indicator definitions use it for outcomes (``sanitation in ('flush_sewer', 'pit_slab')``),
numerators, denominators and population filters (``age between 20 and 24 and sex = 'f'``)
over form fields.  The grammar, the types and the null semantics are in
``docs/expressions.md``; in short::

    expr   := or
    or     := and ("or" and)*
    and    := not ("and" not)*
    not    := "not" not | cmp
    cmp    := sum [ ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") sum
                  | ["not"] "in" "(" expr ("," expr)* ")"
                  | ["not"] "between" sum "and" sum
                  | "is" ["not"] "null" ]
    sum    := prod (("+" | "-") prod)*
    prod   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | atom
    atom   := NUMBER | STRING | "true" | "false" | "null" | NAME | `QUOTED NAME`
            | FUNCTION "(" [expr ("," expr)*] ")" | "(" expr ")"

Safety: the text is tokenized and parsed by the hand-written code below (no ``eval``, no
``exec``, no ``compile``, no Python ``ast``).  Only the node types of this module exist;
SQL is generated from them with every identifier quoted and every literal escaped, so no
user text reaches SQL unescaped.  Length, nesting and token count are bounded, so hostile
input gives an :class:`ExpressionError`, never a ``RecursionError``.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from lnob.errors import InputError, UsageError, close_matches
from lnob.i18n import _

#: Longest expression accepted, in characters.
MAX_LENGTH = 20_000
#: Most tokens accepted.
MAX_TOKENS = 4_000
#: Deepest nesting of parentheses, function calls and prefix operators.
MAX_NESTING = 48
#: Highest syntax tree (long chains of + or * count: a+b+c is 3 levels).
MAX_HEIGHT = 160
#: Longest field name (PostgreSQL truncates identifiers at 63 bytes; see quote_ident).
MAX_NAME = 255

TYPES = ("integer", "decimal", "text", "select_one", "select_multiple", "date", "boolean")
NUMERIC = frozenset({"integer", "decimal"})
TEXTUAL = frozenset({"text", "select_one"})

_TYPE_ALIASES = {
    "int": "integer", "integer": "integer", "decimal": "decimal", "float": "decimal",
    "number": "decimal", "numeric": "decimal", "text": "text", "string": "text",
    "select_one": "select_one", "select_multiple": "select_multiple", "date": "date",
    "boolean": "boolean", "bool": "boolean",
}

KEYWORDS = frozenset({"and", "or", "not", "in", "is", "null", "true", "false", "between"})

#: name -> (min args, max args or None)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count_selected": (1, 1),
    "coalesce": (2, None),
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "round": (1, 2),
    "if": (3, 3),
    "any": (1, None),
    "all": (1, None),
    "count_true": (1, None),
}

DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "postgresql": "postgres"}

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}
_COMPARE = ("=", "!=", "<", "<=", ">", ">=")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHITESPACE_RUN = r"\s+"


# =========================================================================== errors


class ExpressionError(InputError):
    """An expression could not be parsed or does not fit the form's fields.

    ``line`` and ``column`` (1-based) locate the problem inside the expression; ``where``
    is ``source:line:column`` in the file the expression came from when that is known.
    """

    code = "indicators.expr-syntax"

    def __init__(self, message: str, *, where=None, hint=None, code=None, line=None, column=None,
                 offset=None, length=None) -> None:
        super().__init__(message, where=where, hint=hint, code=code)
        self.line = line
        self.column = column
        self.offset = offset
        self.length = length


class _Source:
    """Maps offsets in the expression to ``file:line:column``."""

    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.file = source or "expression"
        self.base_line = 1
        self.base_col = 1
        m = re.match(r"^(.*?):(\d+)(?::(\d+))?$", source or "")
        if m:
            self.file = m.group(1) or "expression"
            self.base_line = int(m.group(2))
            self.base_col = int(m.group(3)) if m.group(3) else 1
            self.explicit_line = True
        else:
            self.explicit_line = False

    def line_col(self, offset: int) -> tuple[int, int]:
        before = self.text[:offset]
        line = before.count("\n") + 1
        col = offset - (before.rfind("\n") + 1) + 1
        return line, col

    def where(self, offset: int) -> tuple[str, int, int]:
        line, col = self.line_col(offset)
        file_line = self.base_line + line - 1
        file_col = col + (self.base_col - 1 if line == 1 else 0)
        return f"{self.file}:{file_line}:{file_col}", line, col

    def error(self, message: str, offset: int, length: int = 1, *, hint=None, code=None) -> ExpressionError:
        where, line, col = self.where(offset)
        return ExpressionError(message, where=where, hint=hint, code=code or ExpressionError.code,
                               line=line, column=col, offset=offset, length=length)


# =========================================================================== tokens


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, name, qname, op, eof
    value: str
    offset: int
    end: int

    @property
    def keyword(self) -> str | None:
        if self.kind == "name" and self.value.lower() in KEYWORDS:
            return self.value.lower()
        return None


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def _check_characters(src: _Source) -> None:
    text = src.text
    for i, ch in enumerate(text):
        if ch in _BIDI:
            raise src.error(_("the expression contains an invisible text-direction control (%(char)s)")
                            % {"char": _char_name(ch)}, i, code="indicators.expr-bad-character",
                            hint=_("delete it: such characters can make code read differently from what it does"))
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r":
            raise src.error(_("the expression contains a control or unassigned character (%(char)s)")
                            % {"char": _char_name(ch)}, i, code="indicators.expr-bad-character",
                            hint=_("delete it"))


def tokenize(text: str, src: _Source) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if len(tokens) >= MAX_TOKENS:
            raise src.error(_("the expression is too long (more than %(n)d tokens)") % {"n": MAX_TOKENS}, i,
                            code="indicators.expr-too-long", hint=_("split it into several named indicators"))
        start = i
        if ch.isascii() and ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            i = m.end()
            if i < n and (text[i].isalnum() or text[i] == "_"):
                raise src.error(_("a number cannot run into a name: %(text)r") % {"text": text[start:i + 1]}, start,
                                i + 1 - start, hint=_("put a space or an operator between them; names start with a letter"))
            if i - start > 40:
                raise src.error(_("this number is too long"), start, i - start, code="indicators.expr-bad-number",
                                hint=_("use at most 40 characters"))
            tokens.append(Token("num", text[start:i], start, i))
            continue
        if ch in "'\"":
            quote = ch
            i += 1
            buf = []
            while True:
                if i >= n or text[i] in "\r\n":
                    raise src.error(_("this text is not closed: add %(q)s at its end") % {"q": quote}, start,
                                    code="indicators.expr-unclosed-string",
                                    hint=_("texts are written 'like this'; write \\' for a quote inside"))
                c = text[i]
                if c == "\\":
                    nxt = text[i + 1] if i + 1 < n else ""
                    if nxt not in _ESCAPES:
                        raise src.error(_("unknown escape \\%(c)s in a text") % {"c": nxt}, i, 2,
                                        hint=_("write \\\\ for a backslash, \\' or \\\" for a quote, \\n, \\t"))
                    buf.append(_ESCAPES[nxt])
                    i += 2
                    continue
                if c == quote:
                    i += 1
                    break
                buf.append(c)
                i += 1
            tokens.append(Token("str", "".join(buf), start, i))
            continue
        if ch == "`":
            close = text.find("`", i + 1)
            line_end = min([p for p in (text.find("\n", i), text.find("\r", i)) if p >= 0] or [n])
            if close < 0 or close > line_end:
                raise src.error(_("this field name is not closed: add ` at its end"), start,
                                code="indicators.expr-unclosed-name", hint=_("write names with dots or slashes as `group/question`"))
            name = text[i + 1:close]
            if not name.strip():
                raise src.error(_("empty field name ``"), start, 2, hint=_("write the name between the backquotes"))
            if len(name) > MAX_NAME:
                raise src.error(_("this field name is longer than %(n)d characters") % {"n": MAX_NAME}, start,
                                close + 1 - start, code="indicators.expr-bad-name", hint=_("use the form's field name"))
            for j, c in enumerate(name):
                if unicodedata.category(c) == "Cf":
                    raise src.error(_("a field name contains an invisible character (%(char)s)") % {"char": _char_name(c)},
                                    i + 1 + j, code="indicators.expr-bad-character", hint=_("delete it"))
            tokens.append(Token("qname", name, start, close + 1))
            i = close + 1
            continue
        if ch == "_" or ch.isalpha():
            i += 1
            while i < n and (text[i].isalnum() or text[i] == "_" or unicodedata.category(text[i]).startswith("M")):
                i += 1
            name = text[start:i]
            if len(name) > MAX_NAME:
                raise src.error(_("this name is longer than %(n)d characters") % {"n": MAX_NAME}, start, i - start,
                                code="indicators.expr-bad-name", hint=_("use the form's field name"))
            tokens.append(Token("name", name, start, i))
            continue
        two = text[i:i + 2]
        if two in ("<=", ">=", "!=", "<>", "=="):
            tokens.append(Token("op", {"<>": "!=", "==": "="}.get(two, two), start, i + 2))
            i += 2
            continue
        if ch in "+-*/=<>(),":
            tokens.append(Token("op", ch, start, i + 1))
            i += 1
            continue
        if ch.isspace():
            raise src.error(_("unusual space character %(char)s") % {"char": _char_name(ch)}, i,
                            code="indicators.expr-bad-character", hint=_("replace it with an ordinary space"))
        hints = {";": _("an expression is one formula: there are no statements or ';'"),
                 "&": _("write 'and'"), "|": _("write 'or'"), "!": _("write 'not' or '!='"),
                 "[": _("lists are written in parentheses: x in ('a', 'b')"),
                 "$": _("refer to fields by name, e.g. age, or `group/age`"),
                 "%": _("there is no '%' operator"), "#": _("there are no comments in expressions")}
        raise src.error(_("unexpected character %(char)r") % {"char": ch}, i,
                        hint=hints.get(ch, _("see docs/expressions.md for what an expression may contain")))
    tokens.append(Token("eof", "", n, n))
    return tokens


# =========================================================================== syntax tree


@dataclass(eq=False)
class Node:
    offset: int
    end: int
    height: int = field(default=1, init=False)

    def children(self) -> list["Node"]:
        return []


@dataclass(eq=False)
class Literal(Node):
    kind: str = "null"  # number, text, boolean, null
    value: object = None


@dataclass(eq=False)
class Field(Node):
    name: str = ""


@dataclass(eq=False)
class Unary(Node):
    op: str = "-"  # "-" or "not"
    operand: Node = None

    def children(self):
        return [self.operand]


@dataclass(eq=False)
class Binary(Node):
    op: str = "+"
    left: Node = None
    right: Node = None

    def children(self):
        return [self.left, self.right]


@dataclass(eq=False)
class BoolOp(Node):
    op: str = "and"
    items: list = None

    def children(self):
        return list(self.items)


@dataclass(eq=False)
class In(Node):
    operand: Node = None
    items: list = None
    negated: bool = False

    def children(self):
        return [self.operand, *self.items]


@dataclass(eq=False)
class IsNull(Node):
    operand: Node = None
    negated: bool = False

    def children(self):
        return [self.operand]


@dataclass(eq=False)
class Between(Node):
    operand: Node = None
    low: Node = None
    high: Node = None
    negated: bool = False

    def children(self):
        return [self.operand, self.low, self.high]


@dataclass(eq=False)
class Call(Node):
    name: str = ""
    args: list = None
    name_end: int = 0

    def children(self):
        return list(self.args)


# =========================================================================== parser

_BP_OR, _BP_AND, _BP_NOT, _BP_CMP, _BP_SUM, _BP_PROD, _BP_UNARY = 10, 20, 30, 40, 50, 60, 70


class _Parser:
    def __init__(self, tokens: list[Token], src: _Source) -> None:
        self.tokens = tokens
        self.i = 0
        self.src = src
        self.nesting = 0

    # ---- helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def error(self, message, tok: Token, *, hint=None, code=None) -> ExpressionError:
        return self.src.error(message, tok.offset, max(tok.end - tok.offset, 1), hint=hint, code=code)

    def describe(self, tok: Token) -> str:
        if tok.kind == "eof":
            return _("the end of the expression")
        if tok.kind == "str":
            return _("the text %(t)r") % {"t": tok.value}
        return repr(self.src.text[tok.offset:tok.end])

    def expect_op(self, op: str, what: str) -> Token:
        if self.tok.kind == "op" and self.tok.value == op:
            return self.advance()
        raise self.error(_("expected %(what)s, found %(found)s") % {"what": what, "found": self.describe(self.tok)},
                         self.tok, hint=self._hint_for(self.tok))

    def _hint_for(self, tok: Token) -> str | None:
        if tok.kind == "eof":
            return _("the expression ends too early: is a closing parenthesis or an operand missing?")
        if tok.kind == "op" and tok.value == ")":
            return _("there is one closing parenthesis too many")
        if tok.kind == "name" and tok.keyword is None:
            return _("two operands follow each other: is an operator (and, or, =, +) missing?")
        return None

    def make(self, node: Node) -> Node:
        kids = node.children()
        node.height = 1 + max((k.height for k in kids), default=0)
        if node.height > MAX_HEIGHT:
            raise self.src.error(
                _("the expression is nested too deeply (more than %(n)d levels)") % {"n": MAX_HEIGHT},
                node.offset, code="indicators.expr-too-deep",
                hint=_("split it into several named indicators, or use any(...)/all(...) for long lists of conditions"))
        return node

    def enter(self, tok: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(_("the expression is nested too deeply (more than %(n)d levels)") % {"n": MAX_NESTING},
                             tok, code="indicators.expr-too-deep",
                             hint=_("split it into several named indicators"))

    # ---- grammar
    def parse(self) -> Node:
        if self.tok.kind == "eof":
            raise self.error(_("the expression is empty"), self.tok, code="indicators.expr-empty",
                             hint=_("write a condition such as age >= 18, or a number such as household_size"))
        node = self.expression(0)
        if self.tok.kind != "eof":
            raise self.error(_("unexpected %(found)s") % {"found": self.describe(self.tok)}, self.tok,
                             hint=self._hint_for(self.tok))
        return node

    def _infix(self) -> tuple[str, int] | None:
        t = self.tok
        if t.kind == "op":
            if t.value in ("+", "-"):
                return t.value, _BP_SUM
            if t.value in ("*", "/"):
                return t.value, _BP_PROD
            if t.value in _COMPARE:
                return t.value, _BP_CMP
            return None
        kw = t.keyword
        if kw == "or":
            return "or", _BP_OR
        if kw == "and":
            return "and", _BP_AND
        if kw in ("in", "between", "is"):
            return kw, _BP_CMP
        if kw == "not" and self.peek().keyword in ("in", "between"):
            return "not " + self.peek().keyword, _BP_CMP
        return None

    def expression(self, min_bp: int) -> Node:
        self.enter(self.tok)
        left = self.prefix()
        while True:
            info = self._infix()
            if info is None:
                break
            op, bp = info
            if bp <= min_bp:
                if bp == _BP_CMP and min_bp == _BP_CMP:
                    raise self.error(_("comparisons cannot be chained"), self.tok, code="indicators.expr-syntax",
                                     hint=_("write a < x and x < b, or x between a and b"))
                break
            op_tok = self.advance()
            if op in ("and", "or"):
                items = [left]
                while True:
                    items.append(self.expression(bp))
                    if self.tok.keyword == op:
                        self.advance()
                        continue
                    break
                left = self.make(BoolOp(left.offset, items[-1].end, op=op, items=items))
            elif op in ("+", "-", "*", "/"):
                right = self.expression(bp)
                left = self.make(Binary(left.offset, right.end, op=op, left=left, right=right))
            elif op in _COMPARE:
                right = self.expression(bp)
                left = self.make(Binary(left.offset, right.end, op=op, left=left, right=right))
            elif op in ("in", "not in"):
                if op == "not in":
                    self.advance()
                self.expect_op("(", _("'(' after 'in'"))
                items = []
                if self.tok.kind == "op" and self.tok.value == ")":
                    raise self.error(_("the list after 'in' is empty"), self.tok,
                                     hint=_("write at least one value: x in ('a', 'b')"))
                while True:
                    items.append(self.expression(0))
                    if self.tok.kind == "op" and self.tok.value == ",":
                        self.advance()
                        continue
                    break
                close = self.expect_op(")", _("',' or ')' in the list after 'in'"))
                left = self.make(In(left.offset, close.end, operand=left, items=items, negated=op == "not in"))
            elif op in ("between", "not between"):
                if op == "not between":
                    self.advance()
                low = self.expression(bp)
                if self.tok.keyword != "and":
                    raise self.error(_("expected 'and' in 'between … and …', found %(found)s")
                                     % {"found": self.describe(self.tok)}, self.tok,
                                     hint=_("write x between 15 and 49"))
                self.advance()
                high = self.expression(bp)
                left = self.make(Between(left.offset, high.end, operand=left, low=low, high=high,
                                         negated=op == "not between"))
            elif op == "is":
                negated = False
                if self.tok.keyword == "not":
                    self.advance()
                    negated = True
                if self.tok.keyword != "null":
                    raise self.error(_("expected 'null' after 'is', found %(found)s") % {"found": self.describe(self.tok)},
                                     self.tok, hint=_("write x is null or x is not null; compare values with ="))
                end = self.advance().end
                left = self.make(IsNull(left.offset, end, operand=left, negated=negated))
            else:  # pragma: no cover - _infix returns only the operators above
                raise self.error(_("unexpected %(found)s") % {"found": self.describe(op_tok)}, op_tok)
            if bp == _BP_CMP and self._infix() is not None and self._infix()[1] == _BP_CMP:
                raise self.error(_("comparisons cannot be chained"), self.tok,
                                 hint=_("write a < x and x < b, or x between a and b"))
        self.nesting -= 1
        return left

    def prefix(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.advance()
            try:
                value = decimal.Decimal(t.value)
            except decimal.InvalidOperation:  # pragma: no cover - the tokenizer's regex prevents it
                raise self.error(_("%(t)r is not a number") % {"t": t.value}, t)
            if not value.is_finite() or (value != 0 and abs(value.adjusted()) > 300):
                raise self.error(_("the number %(t)s is out of range") % {"t": t.value}, t,
                                 code="indicators.expr-bad-number", hint=_("use numbers between 1e-300 and 1e300"))
            return self.make(Literal(t.offset, t.end, kind="number", value=value))
        if t.kind == "str":
            self.advance()
            return self.make(Literal(t.offset, t.end, kind="text", value=t.value))
        if t.kind == "qname":
            self.advance()
            return self.make(Field(t.offset, t.end, name=t.value))
        if t.kind == "op":
            if t.value in ("-", "+"):
                self.advance()
                operand = self.expression(_BP_UNARY)
                if t.value == "+":
                    return operand
                return self.make(Unary(t.offset, operand.end, op="-", operand=operand))
            if t.value == "(":
                self.advance()
                inner = self.expression(0)
                close = self.expect_op(")", _("')'"))
                inner.offset, inner.end = t.offset, close.end
                return inner
            raise self.error(_("unexpected %(found)s") % {"found": self.describe(t)}, t,
                             hint=_("an operand (a field, a number, a text or a function) is missing before it"))
        if t.kind == "name":
            kw = t.keyword
            if kw in ("true", "false"):
                self.advance()
                return self.make(Literal(t.offset, t.end, kind="boolean", value=kw == "true"))
            if kw == "null":
                self.advance()
                return self.make(Literal(t.offset, t.end, kind="null", value=None))
            if kw == "not":
                self.advance()
                operand = self.expression(_BP_NOT)
                return self.make(Unary(t.offset, operand.end, op="not", operand=operand))
            nxt = self.peek()
            if kw is None and nxt.kind == "op" and nxt.value == "(":
                return self.call(t)
            if kw is not None:
                raise self.error(_("unexpected keyword %(kw)r") % {"kw": t.value}, t,
                                 hint=_("if a field is called %(kw)r, write it in backquotes: `%(kw)s`") % {"kw": t.value})
            self.advance()
            return self.make(Field(t.offset, t.end, name=t.value))
        if t.kind == "eof":
            raise self.error(_("the expression ends too early"), t, hint=self._hint_for(t))
        raise self.error(_("unexpected %(found)s") % {"found": self.describe(t)}, t,
                         hint=self._hint_for(t))

    def call(self, name_tok: Token) -> Node:
        fname = name_tok.value.lower()
        if fname not in FUNCTIONS:
            matches = close_matches(fname, FUNCTIONS)
            raise self.error(_("unknown function %(f)r") % {"f": name_tok.value}, name_tok,
                             code="indicators.unknown-function",
                             hint=("did you mean " + " or ".join(repr(m) for m in matches) + "?") if matches
                             else _("functions: %(list)s") % {"list": ", ".join(FUNCTIONS)})
        self.advance()
        self.enter(name_tok)
        self.advance()  # (
        args: list[Node] = []
        if not (self.tok.kind == "op" and self.tok.value == ")"):
            while True:
                args.append(self.expression(0))
                if self.tok.kind == "op" and self.tok.value == ",":
                    self.advance()
                    continue
                break
        close = self.expect_op(")", _("',' or ')' after an argument of %(f)s()") % {"f": fname})
        self.nesting -= 1
        lo, hi = FUNCTIONS[fname]
        if len(args) < lo or (hi is not None and len(args) > hi):
            if hi == lo:
                wanted = _("%(n)d argument(s)") % {"n": lo}
            elif hi is None:
                wanted = _("at least %(n)d argument(s)") % {"n": lo}
            else:
                wanted = _("%(lo)d to %(hi)d arguments") % {"lo": lo, "hi": hi}
            raise self.src.error(_("%(f)s() takes %(wanted)s, not %(n)d") % {"f": fname, "wanted": wanted, "n": len(args)},
                                 name_tok.offset, close.end - name_tok.offset, code="indicators.expr-arity",
                                 hint=_("see the list of functions in docs/expressions.md"))
        return self.make(Call(name_tok.offset, close.end, name=fname, args=args, name_end=name_tok.end))


# =========================================================================== schema


@dataclass(frozen=True)
class FieldType:
    """The type of one form field and, for selects, its choice names (None = not known)."""

    type: str
    choices: tuple[str, ...] | None = None


def _field_type(name: str, spec) -> FieldType:
    choices = None
    if isinstance(spec, FieldType):
        return spec
    if isinstance(spec, str):
        type_name = spec
    elif isinstance(spec, Mapping):
        type_name = spec.get("type")
        choices = spec.get("choices")
    elif isinstance(spec, tuple) and len(spec) == 2:
        type_name, choices = spec
    else:
        type_name = getattr(spec, "type", None)
        choices = getattr(spec, "choices", None)
    raw = str(type_name or "").strip()
    base = _TYPE_ALIASES.get(raw.split()[0].lower() if raw else "")
    if base is None:
        raise InputError(
            _("field %(name)r has type %(type)r, which expressions do not know") % {"name": name, "type": raw},
            where=name, hint=_("use one of: %(types)s") % {"types": ", ".join(TYPES)},
            code="indicators.schema-type",
        )
    if choices is not None:
        if isinstance(choices, Mapping):
            choices = list(choices)
        choices = tuple(str(c) for c in choices)
    return FieldType(base, choices)


class Schema:
    """The fields an expression may use: name → :class:`FieldType`.

    Build it from a mapping whose values are a type name (``"integer"``), a mapping
    ``{"type": "select_one", "choices": ["a", "b"]}``, a ``(type, choices)`` pair or any
    object with ``type`` and ``choices`` attributes.  XLSForm spellings such as
    ``"select_one yesno"`` are accepted (the list name is ignored: give ``choices``).
    """

    def __init__(self, fields: Mapping) -> None:
        self.fields: dict[str, FieldType] = {str(k): _field_type(str(k), v) for k, v in fields.items()}

    @classmethod
    def of(cls, schema) -> "Schema":
        return schema if isinstance(schema, Schema) else cls(schema)

    def __contains__(self, name) -> bool:
        return name in self.fields

    def __getitem__(self, name) -> FieldType:
        return self.fields[name]


# =========================================================================== SQL quoting


def quote_ident(name: str, dialect: str = "duckdb") -> str:
    """Quote a column name for SQL: ``"name"`` with inner quotes doubled.

    Refuses NUL characters and, for PostgreSQL, names longer than 63 bytes (PostgreSQL would
    silently truncate them and could then read another column).
    """
    d = _dialect(dialect)
    name = str(name)
    if "\x00" in name or not name:
        raise InputError(_("a column name may not be empty or contain NUL"), where=repr(name),
                         hint=_("rename the field"), code="indicators.bad-identifier")
    if d == "postgres" and len(name.encode("utf-8")) > 63:
        raise InputError(_("the column name %(name)r is longer than PostgreSQL's 63-byte limit") % {"name": name[:80]},
                         where=name[:80], hint=_("shorten the field name or map it with column_sql"),
                         code="indicators.bad-identifier")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str, dialect: str = "duckdb") -> str:
    """A SQL string literal for ``value``, safe whatever PostgreSQL's standard_conforming_strings."""
    d = _dialect(dialect)
    text = str(value)
    if "\x00" in text:
        raise InputError(_("a text may not contain NUL characters"), where=repr(text[:40]),
                         hint=_("delete them"), code="indicators.bad-literal")
    body = text.replace("'", "''")
    if d == "postgres" and "\\" in text:
        return "E'" + body.replace("\\", "\\\\") + "'"
    return "'" + body + "'"


def _dialect(dialect: str) -> str:
    d = DIALECTS.get(str(dialect).lower())
    if d is None:
        raise UsageError(_("unknown SQL dialect %(d)r") % {"d": str(dialect)}, where="dialect",
                         hint=_("use one of: %(list)s") % {"list": ", ".join(DIALECTS)},
                         code="indicators.expr-dialect")
    return d


# =========================================================================== the expression


_TYPE_WORDS = {
    "integer": "an integer", "decimal": "a decimal number", "text": "a text", "select_one": "a select_one",
    "select_multiple": "a select_multiple", "date": "a date", "boolean": "a condition (true/false)",
    "null": "null",
}


def _a(t: str) -> str:
    return _(_TYPE_WORDS.get(t, t))


class Expr:
    """A parsed expression.  Create it with :func:`parse`."""

    def __init__(self, text: str, root: Node, src: _Source) -> None:
        self.text = text
        self.root = root
        self._src = src
        self._types: dict[int, str] = {}
        self._dates: set[int] = set()
        self.type: str | None = None

    @property
    def source(self) -> str | None:
        return self._src.file

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    # ---- introspection
    def _walk(self):
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    def fields(self) -> set[str]:
        """The names of the fields the expression reads."""
        return {n.name for n in self._walk() if isinstance(n, Field)}

    def functions(self) -> set[str]:
        return {n.name for n in self._walk() if isinstance(n, Call)}

    # ---- type checking
    def _err(self, node: Node, message: str, *, hint=None, code="indicators.expr-type") -> ExpressionError:
        return self._src.error(message, node.offset, max(node.end - node.offset, 1), hint=hint, code=code)

    def _snippet(self, node: Node) -> str:
        text = " ".join(self.text[node.offset:node.end].split())
        return text if len(text) <= 60 else text[:57] + "…"

    def check(self, schema, expect: str | Iterable[str] | None = None) -> str:
        """Check the expression against the form's fields and return its type.

        ``expect`` is what the caller needs: ``"boolean"`` (a condition: outcomes,
        filters), ``"numeric"`` (numerators, denominators, values), a collection of those,
        or None (anything).  Raises :class:`ExpressionError` (a :class:`~lnob.errors.InputError`)
        naming the position of the first problem.
        """
        schema = Schema.of(schema)
        self._types.clear()
        self._dates.clear()
        result = self._check(self.root, schema)
        if expect is not None:
            wanted = {expect} if isinstance(expect, str) else set(expect)
            ok = ((result == "boolean" and "boolean" in wanted)
                  or (result in NUMERIC and "numeric" in wanted)
                  or (result in TEXTUAL and "text" in wanted)
                  or (result == "date" and "date" in wanted)
                  or "any" in wanted)
            if not ok:
                labels = {"boolean": _("a condition (true/false)"), "numeric": _("a number"),
                          "text": _("a text"), "date": _("a date"), "any": _("a value")}
                need = " " + _("or") + " "
                raise self._err(self.root, _("the expression gives %(got)s, but %(need)s is needed here")
                                % {"got": _a(result), "need": need.join(labels.get(w, w) for w in sorted(wanted))},
                                code="indicators.expr-result-type",
                                hint=_("for a condition compare a value, e.g. age >= 18; for a number use a numeric field or arithmetic"))
        self.type = result
        return result

    def _check(self, node: Node, schema: Schema) -> str:
        t = self._check_node(node, schema)
        self._types[id(node)] = t
        return t

    def _choices_hint(self, choices: tuple[str, ...], value: str) -> str:
        matches = close_matches(value, choices)
        shown = ", ".join(repr(c) for c in choices[:25]) + (" …" if len(choices) > 25 else "")
        if matches:
            return ("did you mean " + " or ".join(repr(m) for m in matches) + "? ") + _("choices: %(c)s") % {"c": shown}
        return _("choices: %(c)s") % {"c": shown}

    def _field_of(self, node: Node, schema: Schema) -> FieldType | None:
        return schema[node.name] if isinstance(node, Field) and node.name in schema else None

    def _check_choice(self, field_node: Node, lit: Node, schema: Schema) -> None:
        """A text literal compared with a select field must be one of its choices."""
        ft = self._field_of(field_node, schema)
        if ft is None or ft.type not in ("select_one", "select_multiple") or ft.choices is None:
            return
        if isinstance(lit, Literal) and lit.kind == "text" and lit.value not in ft.choices:
            raise self._err(lit, _("%(v)r is not a choice of %(f)s") % {"v": lit.value, "f": field_node.name},
                            hint=self._choices_hint(ft.choices, lit.value), code="indicators.unknown-choice")

    def _comparable(self, node: Node, a: Node, ta: str, b: Node, tb: str, ordering: bool, schema: Schema) -> None:
        for side, t in ((a, ta), (b, tb)):
            if t == "null" and isinstance(side, Literal):
                raise self._err(node, _("comparing with null always gives null (missing), never true"),
                                code="indicators.expr-null-compare",
                                hint=_("write %(x)s is null, or %(x)s is not null") % {"x": self._snippet(a if side is b else b)})
            if t == "select_multiple":
                raise self._err(side, _("%(x)s is a select_multiple: its value is a list of choices") % {"x": self._snippet(side)},
                                hint=_("test one choice with selected(%(x)s, 'choice') or count them with count_selected(%(x)s)")
                                % {"x": self._snippet(side)})
        # a date field against an ISO date text
        for x, tx, y, ty in ((a, ta, b, tb), (b, tb, a, ta)):
            if tx == "date" and ty == "text" and isinstance(y, Literal) and y.kind == "text":
                self._as_date(y)
                return
        kinds = {ta, tb} - {"null"}
        if len(kinds) <= 1 or kinds <= NUMERIC or kinds <= TEXTUAL:
            if ordering:
                bad = kinds & {"boolean", "select_one"}
                if bad:
                    which = bad.pop()
                    hint = (_("choices have no order: list the ones you mean with in ('a', 'b')") if which == "select_one"
                            else _("use = or != with conditions"))
                    raise self._err(node, _("%(t)s cannot be compared with <, <=, > or >=") % {"t": _a(which)}, hint=hint)
            for x, y in ((a, b), (b, a)):
                self._check_choice(x, y, schema)
            return
        raise self._err(node, _("cannot compare %(a)s with %(b)s") % {"a": _a(ta), "b": _a(tb)},
                        hint=_("%(x)s is %(tx)s and %(y)s is %(ty)s; compare values of the same kind (texts are in quotes, numbers are not)")
                        % {"x": self._snippet(a), "tx": _a(ta), "y": self._snippet(b), "ty": _a(tb)})

    def _date_texts(self, nodes: list[Node], types: list[str]) -> list[str]:
        """Next to a date, text literals are dates ('2024-01-31'); returns the new types."""
        if "date" not in types:
            return types
        out = []
        for node, t in zip(nodes, types):
            if t == "text" and isinstance(node, Literal) and node.kind == "text":
                self._as_date(node)
                t = "date"
            out.append(t)
        return out

    def _as_date(self, lit: Literal) -> None:
        try:
            if not _ISO_DATE.match(lit.value):
                raise ValueError(lit.value)
            _dt.date.fromisoformat(lit.value)
        except ValueError:
            raise self._err(lit, _("%(v)r is not a date") % {"v": lit.value},
                            hint=_("write dates as 'YYYY-MM-DD', e.g. '2024-01-31'"), code="indicators.expr-bad-date")
        self._dates.add(id(lit))
        self._types[id(lit)] = "date"

    def _unify(self, node: Node, types: list[str], nodes: list[Node], what: str) -> str:
        kinds = [t for t in types if t != "null"]
        if not kinds:
            return "null"
        if all(t in NUMERIC for t in kinds):
            return "integer" if all(t == "integer" for t in kinds) else "decimal"
        if all(t in TEXTUAL for t in kinds):
            return kinds[0] if all(t == kinds[0] for t in kinds) else "text"
        if all(t == kinds[0] for t in kinds):
            return kinds[0]
        first = next(i for i, t in enumerate(types) if t != "null")
        bad = next(i for i, t in enumerate(types) if t != "null" and t != types[first]
                   and not ({t, types[first]} <= NUMERIC or {t, types[first]} <= TEXTUAL))
        raise self._err(nodes[bad], _("the %(what)s of %(f)s mix %(a)s and %(b)s") % {
            "what": what, "f": self._snippet(node), "a": _a(types[first]), "b": _a(types[bad])},
            hint=_("give every %(what)s the same kind of value") % {"what": what})

    def _need(self, node: Node, t: str, allowed: set[str], role: str) -> None:
        if t == "null" or t in allowed:
            return
        if allowed == {"boolean"}:
            hint = _("a condition compares values (age >= 18, water = 'piped') or is a boolean field")
            if t in NUMERIC:
                hint = _("numbers are not conditions: write %(x)s > 0 or %(x)s = 1") % {"x": self._snippet(node)}
            if t == "select_multiple":
                hint = _("write selected(%(x)s, 'choice')") % {"x": self._snippet(node)}
            raise self._err(node, _("%(role)s must be a condition, but %(x)s is %(t)s")
                            % {"role": role, "x": self._snippet(node), "t": _a(t)}, hint=hint)
        raise self._err(node, _("%(role)s must be a number, but %(x)s is %(t)s") % {"role": role, "x": self._snippet(node), "t": _a(t)},
                        hint=_("texts are in quotes and cannot be used in arithmetic; use a numeric field"))

    def _no_constant_comparison(self, node: Node) -> None:
        """``"grp/q" = 'x'`` compares two fixed texts: almost surely a field in the wrong quotes."""
        if all(isinstance(k, Literal) for k in node.children()):
            raise self._err(node, _("this compares fixed values only, so it is the same for every record"),
                            code="indicators.expr-constant",
                            hint=_("fields are written bare (age) or in backquotes (`group/age`); quotes make texts"))

    def _check_node(self, node: Node, schema: Schema) -> str:
        if isinstance(node, (In, Between)) or (isinstance(node, Binary) and node.op in _COMPARE):
            self._no_constant_comparison(node)
        if isinstance(node, Literal):
            return {"number": "decimal" if not _is_integral_literal(node) else "integer",
                    "text": "text", "boolean": "boolean", "null": "null"}[node.kind]
        if isinstance(node, Field):
            if node.name not in schema:
                names = list(schema.fields)
                matches = close_matches(node.name, names)
                if matches:
                    hint = "did you mean " + " or ".join(repr(m) for m in matches) + "?"
                elif names:
                    hint = _("the fields are: %(f)s") % {"f": ", ".join(names[:20]) + (" …" if len(names) > 20 else "")}
                else:
                    hint = _("the form has no fields")
                raise self._err(node, _("unknown field %(name)r") % {"name": node.name}, hint=hint,
                                code="indicators.unknown-field")
            return schema[node.name].type
        if isinstance(node, Unary):
            t = self._check(node.operand, schema)
            if node.op == "not":
                self._need(node.operand, t, {"boolean"}, _("the operand of 'not'"))
                return "boolean"
            self._need(node.operand, t, NUMERIC, _("the operand of '-'"))
            return t if t != "null" else "null"
        if isinstance(node, BoolOp):
            for item in node.items:
                self._need(item, self._check(item, schema), {"boolean"}, _("each side of '%(op)s'") % {"op": node.op})
            return "boolean"
        if isinstance(node, Binary):
            ta = self._check(node.left, schema)
            tb = self._check(node.right, schema)
            if node.op in ("+", "-", "*", "/"):
                role = _("each side of '%(op)s'") % {"op": node.op}
                self._need(node.left, ta, NUMERIC, role)
                self._need(node.right, tb, NUMERIC, role)
                if node.op == "/" or "decimal" in (ta, tb):
                    return "decimal"
                return "integer" if "integer" in (ta, tb) else "null"
            self._comparable(node, node.left, ta, node.right, tb, node.op not in ("=", "!="), schema)
            return "boolean"
        if isinstance(node, In):
            ta = self._check(node.operand, schema)
            for item in node.items:
                ti = self._check(item, schema)
                self._comparable(node, node.operand, ta, item, ti, False, schema)
            return "boolean"
        if isinstance(node, IsNull):
            self._check(node.operand, schema)
            return "boolean"
        if isinstance(node, Between):
            ta = self._check(node.operand, schema)
            for bound in (node.low, node.high):
                self._comparable(node, node.operand, ta, bound, self._check(bound, schema), True, schema)
            return "boolean"
        if isinstance(node, Call):
            return self._check_call(node, schema)
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def _check_call(self, node: Call, schema: Schema) -> str:
        f, args = node.name, node.args
        if f in ("selected", "count_selected"):
            target = args[0]
            if not isinstance(target, Field):
                raise self._err(target, _("the first argument of %(f)s() must be a select_multiple field") % {"f": f},
                                hint=_("write %(f)s(field_name%(rest)s)") % {"f": f, "rest": ", 'choice'" if f == "selected" else ""})
            t = self._check(target, schema)
            if t != "select_multiple":
                hint = _("%(x)s is %(t)s") % {"x": target.name, "t": _a(t)}
                if t == "select_one":
                    hint += "; " + _("for a select_one write %(x)s = 'choice' or %(x)s in ('a', 'b')") % {"x": self._snippet(target)}
                raise self._err(target, _("%(f)s() needs a select_multiple field") % {"f": f}, hint=hint)
            if f == "count_selected":
                return "integer"
            choice = args[1]
            if not (isinstance(choice, Literal) and choice.kind == "text"):
                raise self._err(choice, _("the second argument of selected() must be a choice name in quotes"),
                                hint=_("write selected(%(x)s, 'choice')") % {"x": target.name})
            self._types[id(choice)] = "text"
            if not choice.value or any(c.isspace() for c in choice.value):
                raise self._err(choice, _("a choice name cannot be empty or contain spaces: %(v)r") % {"v": choice.value},
                                hint=_("select_multiple answers are stored as choice names separated by spaces"),
                                code="indicators.unknown-choice")
            self._check_choice(target, choice, schema)
            return "boolean"
        types = [self._check(a, schema) for a in args]
        if f in ("any", "all", "count_true"):
            for a, t in zip(args, types):
                self._need(a, t, {"boolean"}, _("each argument of %(f)s()") % {"f": f})
            return "integer" if f == "count_true" else "boolean"
        if f == "abs":
            self._need(args[0], types[0], NUMERIC, _("the argument of abs()"))
            return types[0]
        if f == "round":
            self._need(args[0], types[0], NUMERIC, _("the first argument of round()"))
            if len(args) == 2:
                d = args[1]
                if not (isinstance(d, Literal) and d.kind == "number" and _is_integral_literal(d) and 0 <= d.value <= 15):
                    raise self._err(d, _("the number of decimals of round() must be a whole number from 0 to 15"),
                                    hint=_("write round(x, 1)"))
                return "decimal"
            return "integer" if types[0] != "null" else "null"
        if f in ("min", "max", "coalesce", "if"):
            values = slice(1, None) if f == "if" else slice(0, None)
            types[values] = self._date_texts(args[values], types[values])
        if f in ("min", "max"):
            for a, t in zip(args, types):
                if t not in NUMERIC | {"date", "null"}:
                    raise self._err(a, _("the arguments of %(f)s() must be numbers or dates, but %(x)s is %(t)s")
                                    % {"f": f, "x": self._snippet(a), "t": _a(t)},
                                    hint=_("%(f)s() compares values within one record") % {"f": f})
            return self._unify(node, types, args, _("arguments"))
        if f == "coalesce":
            for a, t in zip(args, types):
                if t == "select_multiple":
                    raise self._err(a, _("coalesce() cannot take a select_multiple"), hint=_("use count_selected() or selected()"))
            return self._unify(node, types, args, _("arguments"))
        if f == "if":
            self._need(args[0], types[0], {"boolean"}, _("the first argument of if()"))
            return self._unify(node, types[1:], args[1:], _("branches"))
        raise AssertionError(f)  # pragma: no cover

    # ---- SQL
    def to_sql(self, dialect: str = "duckdb", column_sql: Callable[[str], str] | None = None) -> str:
        """Compile to a SQL expression for ``dialect`` (``duckdb`` or ``postgres``).

        ``column_sql(name)`` gives the SQL that reads field ``name`` (default: the quoted
        column ``"name"``); it is trusted code and must quote what it builds — use
        :func:`quote_ident` and :func:`quote_literal`.  Call :meth:`check` first so that
        date texts compared with date fields become DATE literals.
        """
        d = _dialect(dialect)
        if column_sql is None:
            def column_sql(name: str) -> str:
                return quote_ident(name, d)
        return _SQL(self, d, column_sql).emit(self.root)


def _is_integral_literal(node: Literal) -> bool:
    text = str(node.value)
    return node.kind == "number" and isinstance(node.value, decimal.Decimal) and node.value == node.value.to_integral_value() \
        and "." not in text and "E" not in text.upper()


class _SQL:
    def __init__(self, expr: Expr, dialect: str, column_sql: Callable[[str], str]) -> None:
        self.expr = expr
        self.d = dialect
        self.column_sql = column_sql

    def lit(self, text: str) -> str:
        return quote_literal(text, self.d)

    def double(self, sql: str) -> str:
        return f"CAST({sql} AS DOUBLE PRECISION)"

    def norm_tokens(self, sql: str) -> str:
        """A select_multiple's value with runs of white space made single spaces, trimmed."""
        pattern = self.lit(_WHITESPACE_RUN)
        return f"trim(regexp_replace({sql}, {pattern}, ' ', 'g'))"

    def emit(self, node: Node) -> str:
        e = self.emit
        if isinstance(node, Literal):
            if node.kind == "number":
                return _number_sql(node.value)
            if node.kind == "text":
                if id(node) in self.expr._dates:
                    return f"DATE {self.lit(node.value)}"
                return self.lit(node.value)
            if node.kind == "boolean":
                return "TRUE" if node.value else "FALSE"
            return "NULL"
        if isinstance(node, Field):
            return self.column_sql(node.name)
        if isinstance(node, Unary):
            if node.op == "not":
                return f"(NOT {e(node.operand)})"
            return f"(- {e(node.operand)})"
        if isinstance(node, BoolOp):
            return "(" + f" {node.op.upper()} ".join(e(i) for i in node.items) + ")"
        if isinstance(node, Binary):
            if node.op == "/":
                return f"({self.double(e(node.left))} / NULLIF({self.double(e(node.right))}, 0))"
            op = "<>" if node.op == "!=" else node.op
            return f"({e(node.left)} {op} {e(node.right)})"
        if isinstance(node, In):
            items = ", ".join(e(i) for i in node.items)
            return f"({e(node.operand)} {'NOT IN' if node.negated else 'IN'} ({items}))"
        if isinstance(node, IsNull):
            return f"({e(node.operand)} IS {'NOT NULL' if node.negated else 'NULL'})"
        if isinstance(node, Between):
            kw = "NOT BETWEEN" if node.negated else "BETWEEN"
            return f"({e(node.operand)} {kw} {e(node.low)} AND {e(node.high)})"
        if isinstance(node, Call):
            return self.call(node)
        raise AssertionError(node)  # pragma: no cover

    def call(self, node: Call) -> str:
        e, f, args = self.emit, node.name, node.args
        if f == "selected":
            choice = args[1].value if isinstance(args[1], Literal) else None
            if not isinstance(choice, str) or not choice or any(c.isspace() for c in choice):
                raise self.expr._err(args[1], _("the second argument of selected() must be a choice name in quotes"),
                                     hint=_("write selected(field, 'choice')"))
            return f"(strpos(' ' || {self.norm_tokens(e(args[0]))} || ' ', {self.lit(' ' + choice + ' ')}) > 0)"
        if f == "count_selected":
            v = self.norm_tokens(e(args[0]))
            return f"(CASE WHEN {v} = '' THEN 0 ELSE length({v}) - length(replace({v}, ' ', '')) + 1 END)"
        if f == "coalesce":
            return "COALESCE(" + ", ".join(e(a) for a in args) + ")"
        if f in ("min", "max"):
            return ("LEAST(" if f == "min" else "GREATEST(") + ", ".join(e(a) for a in args) + ")"
        if f == "abs":
            return f"abs({e(args[0])})"
        if f == "round":
            digits = int(args[1].value) if len(args) == 2 else 0
            inner = e(args[0])
            if self.d == "postgres":
                return f"round(CAST({inner} AS NUMERIC), {digits})"
            return f"round(CAST({inner} AS DECIMAL(38, 12)), {digits})"
        if f == "if":
            c = e(args[0])
            return f"(CASE WHEN {c} THEN {e(args[1])} WHEN NOT {c} THEN {e(args[2])} END)"
        if f == "any":
            return "(" + " OR ".join(e(a) for a in args) + ")"
        if f == "all":
            return "(" + " AND ".join(e(a) for a in args) + ")"
        if f == "count_true":
            return "(" + " + ".join(f"(CASE WHEN {e(a)} THEN 1 ELSE 0 END)" for a in args) + ")"
        raise AssertionError(f)  # pragma: no cover


def _number_sql(value: decimal.Decimal) -> str:
    """A numeric literal in plain digits (never signed, never with an exponent SQL could misread)."""
    if value == value.to_integral_value() and abs(value) < 10 ** 30:
        return str(int(value))
    text = format(value, "f")
    return text if not text.startswith("-") else f"(- {text[1:]})"


# =========================================================================== entry points


def parse(text: str, source: str | None = None) -> Expr:
    """Parse ``text`` into an :class:`Expr`.

    ``source`` says where the text comes from, for error positions: ``"wash.yml:12"``
    (the expression starts on line 12 of wash.yml) or ``"wash.yml:12:14"`` (line 12,
    column 14).  Errors are :class:`ExpressionError` with ``where`` = ``file:line:column``.
    """
    if not isinstance(text, str):
        raise InputError(_("an expression must be a text, not %(t)s") % {"t": type(text).__name__},
                         where=source, hint=_("quote it in the definition file"), code="indicators.expr-syntax")
    src = _Source(text, source)
    if len(text) > MAX_LENGTH:
        raise src.error(_("the expression is too long (%(n)d characters, at most %(max)d)") % {"n": len(text), "max": MAX_LENGTH},
                        0, code="indicators.expr-too-long", hint=_("split it into several named indicators"))
    _check_characters(src)
    tokens = tokenize(text, src)
    root = _Parser(tokens, src).parse()
    return Expr(text, root, src)


def compile_sql(text: str, schema, *, dialect: str = "duckdb", expect=None, source: str | None = None,
                column_sql: Callable[[str], str] | None = None) -> str:
    """Parse, check and compile in one call; returns the SQL."""
    expr = parse(text, source)
    expr.check(schema, expect)
    return expr.to_sql(dialect, column_sql)


__all__ = [
    "Expr", "ExpressionError", "FieldType", "Schema", "FUNCTIONS", "TYPES", "parse", "compile_sql",
    "quote_ident", "quote_literal",
]
