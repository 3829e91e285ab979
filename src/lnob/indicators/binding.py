"""Binding definitions to a form: which column (or SQL) holds each name an expression uses.

A name resolves, in order, through:

1. the explicit field map (``{name: question}``, ``{name: {field: q, choices: {canon: [theirs]}}}``
   or ``{name: {expr: "..."}}``);
2. a question of the form with that name (or an analytics column with that name);
3. the aliases of the canonical field declaration (``fields:`` in the definitions).

Choice recodes become a ``CASE`` in SQL so that the form's values read as the canonical
choice names.  All SQL is built with :func:`~lnob.indicators.expr.quote_ident` and
:func:`~lnob.indicators.expr.quote_literal`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lnob.errors import InputError
from lnob.i18n import _
from lnob.indicators import expr as X
from lnob.indicators.definitions import Alias, FieldDecl, Library

_SQL_TYPES = {"BIGINT": "integer", "INTEGER": "integer", "SMALLINT": "integer", "HUGEINT": "integer",
              "TINYINT": "integer", "DOUBLE": "decimal", "FLOAT": "decimal", "REAL": "decimal", "DATE": "date",
              "BOOLEAN": "boolean", "VARCHAR": "text"}


@dataclass
class Resolved:
    name: str
    sql: str
    type: str
    choices: tuple[str, ...] | None
    origin: str  # what it was resolved to (for provenance)


class Binding:
    """The names available to expressions on one analysis table (alias ``s``)."""

    def __init__(self, lib: Library, columns: dict[str, str], form=None, field_map: dict | None = None, *,
                 repeat_first: str | None = None, alias: str = "s", extra: dict[str, Resolved] | None = None,
                 dialect: str = "duckdb") -> None:
        self.lib, self.columns, self.dialect, self.alias = lib, columns, dialect, alias
        self.field_map = field_map or {}
        self.extra = dict(extra or {})
        self.form_fields: dict[str, tuple[str, str, tuple | None]] = {}
        if form is not None:
            fields = list(form.fields)
            if repeat_first is not None:
                fields.sort(key=lambda f: f.repeat != repeat_first)
            else:
                fields.sort(key=lambda f: f.repeat is not None)
            for f in fields:
                if f.column in columns and f.name not in self.form_fields:
                    ch = tuple(form.choice_names(f.list_name)) if f.list_name and f.kind.startswith("select") else None
                    kind = f.kind if f.kind in X.TYPES else "text"
                    self.form_fields[f.name] = (f.column, kind, ch)
        self._cache: dict[str, Resolved | None] = {}

    # -- the form's own names
    def _col(self, column: str) -> str:
        return f"{self.alias}.{X.quote_ident(column, self.dialect)}"

    def _direct(self, name: str) -> Resolved | None:
        if name in self.extra:
            return self.extra[name]
        if name in self.form_fields:
            col, kind, ch = self.form_fields[name]
            return Resolved(name, self._col(col), kind, ch, col)
        if name in self.columns:
            t = _SQL_TYPES.get(self.columns[name].split("(")[0].upper(), "text")
            return Resolved(name, self._col(name), t, None, name)
        return None

    def _direct_schema(self) -> dict:
        out = {c: {"type": _SQL_TYPES.get(t.split("(")[0].upper(), "text"), "choices": None}
               for c, t in self.columns.items()}
        out.update({n: {"type": k, "choices": ch} for n, (c, k, ch) in self.form_fields.items()})
        for n, r in self.extra.items():
            out[n] = {"type": r.type, "choices": r.choices}
        return out

    def _via_alias(self, decl: FieldDecl | None, name: str, alias: Alias) -> Resolved | None:
        if alias.expr is not None:
            if not alias.expr.fields() <= (set(self.form_fields) | set(self.columns) | set(self.extra)):
                return None
            schema = self._direct_schema()
            for c, t in self.columns.items():
                schema.setdefault(c, {"type": _SQL_TYPES.get(t.split("(")[0].upper(), "text"), "choices": None})
            alias.expr.check(schema)
            sql = alias.expr.to_sql(self.dialect, column_sql=lambda n: self._direct(n).sql)
            t = decl.type if decl else alias.expr.type
            return Resolved(name, f"({sql})", t, tuple(decl.choices) if decl and decl.choices else None,
                            f"expr: {alias.expr.text}")
        base = self._direct(alias.field)
        if base is None:
            return None
        if not alias.choices:
            ch = base.choices
            if ch is not None and decl is not None and decl.choices:
                ch = tuple(ch) + tuple(c for c in decl.choices if c not in ch)
            return Resolved(name, base.sql, base.type, ch, base.origin)
        whens = []
        mapped = set()
        for canon, theirs in alias.choices.items():
            for t in theirs:
                if base.choices is not None and t not in base.choices:
                    raise InputError(
                        _("the choice recode names %(t)r, which question %(q)r does not have") % {"t": t, "q": alias.field},
                        where=alias.where, hint=_("its choices: %(c)s") % {"c": ", ".join(base.choices)},
                        code="indicators.unknown-choice")
                mapped.add(t)
                whens.append(f"WHEN {X.quote_literal(t, self.dialect)} THEN {X.quote_literal(canon, self.dialect)}")
        sql = f"(CASE {base.sql} {' '.join(whens)} ELSE {base.sql} END)"
        canon = list(decl.choices or []) if decl else []
        canon += [c for c in alias.choices if c not in canon]
        if base.choices is not None:
            canon += [c for c in base.choices if c not in mapped and c not in canon]
            choices = tuple(canon)
        else:
            choices = None
        return Resolved(name, sql, decl.type if decl else base.type, choices, f"{alias.field} (recoded)")

    def resolve(self, name: str) -> Resolved | None:
        if name in self._cache:
            return self._cache[name]
        decl = self.lib.fields.get(name)
        res = None
        mapped = self.field_map.get(name)
        if mapped is not None:
            if isinstance(mapped, str):
                mapped = {"field": mapped}
            alias = Alias(field=mapped.get("field"),
                          expr=X.parse(mapped["expr"], source=f"field map: {name}") if mapped.get("expr") else None,
                          choices={k: (v if isinstance(v, list) else [v]) for k, v in (mapped.get("choices") or {}).items()},
                          where=f"field map: {name}")
            res = self._via_alias(decl, name, alias)
            if res is None:
                raise InputError(_("the field map sends %(n)r to %(f)r, which the form does not have")
                                 % {"n": name, "f": mapped.get("field") or mapped.get("expr")},
                                 where=f"field map: {name}", hint=_("check the question name in the form"),
                                 code="indicators.unknown-field")
        if res is None:
            res = self._direct(name)
            if res is not None and decl is not None and decl.choices and res.choices is not None:
                # a canonical list may name values this form does not offer (they never match)
                res = Resolved(res.name, res.sql, res.type,
                               tuple(res.choices) + tuple(c for c in decl.choices if c not in res.choices), res.origin)
        if res is None and decl is not None:
            for a in decl.aliases:
                res = self._via_alias(decl, name, a)
                if res is not None:
                    break
        self._cache[name] = res
        return res

    def missing(self, names) -> list[str]:
        return sorted(n for n in names if self.resolve(n) is None)

    def compile(self, e: X.Expr, expect=None) -> str:
        """Check ``e`` against the resolved names and return its SQL (errors name the definition's file:line)."""
        schema = self._direct_schema()
        for n in e.fields():
            r = self.resolve(n)
            if r is not None:
                schema[n] = {"type": r.type, "choices": r.choices}
        e.check(schema, expect=expect)
        return e.to_sql(self.dialect, column_sql=lambda n: self.resolve(n).sql)
