"""Render OpenRosa instance documents from column arrays, following the form's structure.

Owns the fast XML writer of the demo.  The element order, groups, repeats,
notes and ``meta`` come from pyxform's survey JSON, so the documents are what
ODK Collect would send for that form version (non-relevant questions are sent
as empty elements, as Collect does).  Values are given per column
(:class:`Cat` for choice codes, :class:`Val` for strings), rendered once per
distinct value where possible, and joined with plain string operations — no
DOM, no per-element function calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from xml.sax.saxutils import escape

import numpy as np

ROOT_NAMESPACES = 'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'


@dataclass
class Cat:
    """A categorical column: ``codes`` index ``names``; -1 = empty."""

    codes: np.ndarray
    names: list[str]


@dataclass
class Val:
    """A column of strings (None = empty)."""

    values: list


def multi(flags: np.ndarray, names: list[str]) -> Cat:
    """A select_multiple column from a boolean matrix (rows × choices); no choice → empty."""
    bits = (flags.astype(np.int64) << np.arange(flags.shape[1], dtype=np.int64)).sum(axis=1)
    uniq, inverse = np.unique(bits, return_inverse=True)
    labels = [" ".join(n for i, n in enumerate(names) if b >> i & 1) for b in uniq.tolist()]
    codes = inverse.astype(np.int64)
    if labels and labels[0] == "":
        codes = np.where(uniq[inverse] == 0, -1, codes)
    return Cat(codes, labels)


def ints(values: np.ndarray, present: np.ndarray | None = None) -> Val:
    vals = values.tolist()
    if present is None:
        return Val([str(v) for v in vals])
    return Val([str(v) if p else None for v, p in zip(vals, present.tolist(), strict=True)])


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _plan(children, prefix: str, out: list, repeats: dict, path: str = "") -> None:
    for child in children:
        name, ctype = child.get("name"), child.get("type")
        if not name:
            continue
        if ctype == "group":
            out.append(("const", f"<{name}>"))
            _plan(child.get("children") or [], f"{prefix}{name}__", out, repeats, f"{path}{name}/")
            out.append(("const", f"</{name}>"))
        elif ctype == "repeat":
            sub: list = []
            _plan(child.get("children") or [], "", sub, repeats, f"{path}{name}/")
            repeats[name] = [("const", f"<{name}>")] + sub + [("const", f"</{name}>")]
            out.append(("repeat", name))
        else:
            out.append(("col", f"{prefix}{name}", name))


def _merge(items: list) -> list:
    merged: list = []
    for it in items:
        if it[0] == "const" and merged and merged[-1][0] == "const":
            merged[-1] = ("const", merged[-1][1] + it[1])
        else:
            merged.append(it)
    return merged


class InstanceWriter:
    """Writes instance documents of one form version."""

    def __init__(self, survey_json: dict) -> None:
        self.root = survey_json.get("name") or "data"
        self.form_id = survey_json.get("id_string") or ""
        self.version = survey_json.get("version") or ""
        items: list = []
        self.repeat_plans: dict[str, list] = {}
        _plan(survey_json.get("children") or [], "", items, self.repeat_plans)
        head = (f"<?xml version='1.0' ?><{self.root} {ROOT_NAMESPACES} "
                f'id="{_attr(self.form_id)}" version="{_attr(self.version)}">')
        self.plan = _merge([("const", head)] + items + [("const", f"</{self.root}>")])
        self.repeat_plans = {k: _merge(v) for k, v in self.repeat_plans.items()}

    def columns(self, repeat_name: str | None = None) -> list[str]:
        plan = self.plan if repeat_name is None else self.repeat_plans[repeat_name]
        return [it[1] for it in plan if it[0] == "col"]

    def render(self, n: int, columns: dict, repeats: dict[str, list[str]] | None = None,
               repeat_name: str | None = None) -> list[str]:
        """``n`` documents (or repeat instances): columns by name; repeats: per row, the joined XML."""
        plan = self.plan if repeat_name is None else self.repeat_plans[repeat_name]
        parts = []
        for it in plan:
            if it[0] == "const":
                parts.append(repeat(it[1], n))
            elif it[0] == "repeat":
                parts.append((repeats or {}).get(it[1]) or repeat("", n))
            else:
                parts.append(_element_strings(it[2], columns.get(it[1]), n))
        return ["".join(row) for row in zip(*parts, strict=True)]


def _element_strings(tag: str, col, n: int):
    empty = f"<{tag}/>"
    if col is None:
        return repeat(empty, n)
    if isinstance(col, Cat):
        opts = np.array([f"<{tag}>{escape(str(v))}</{tag}>" for v in col.names] + [empty], dtype=object)
        return opts[col.codes].tolist()
    if isinstance(col, Val):
        open_, close = f"<{tag}>", f"</{tag}>"
        return [empty if v is None else open_ + escape(v) + close for v in col.values]
    raise TypeError(type(col))


def group_join(items: list[str], counts: np.ndarray) -> list[str]:
    """Join consecutive ``items`` into one string per group of ``counts[i]`` items."""
    out = []
    pos = 0
    for c in counts.tolist():
        out.append("".join(items[pos:pos + c]))
        pos += c
    return out
