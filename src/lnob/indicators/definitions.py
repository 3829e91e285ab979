"""Indicator and dimension definitions: the versioned YAML format (``format: 1``) and its loader.

A definitions file holds any of these top-level keys (see docs/indicators.md):

* ``format: 1`` (required) — the version of this format;
* ``module`` — the id of the question module the file describes (``wash``, ``wgss``…);
* ``fields`` — *canonical fields*: the names the definitions use, their type and choices, and
  ``aliases`` (question names, or expressions over other forms' fields with choice recodes)
  that let one definition work with any form that has the module;
* ``members`` — household variables computed from the household's members (``any`` / ``count``
  of a person condition), usable by household and person indicators;
* ``indicators`` — the indicators;
* ``dimensions`` — the disaggregations (with ``household_head`` giving the condition that
  picks the household head, for lifting person dimensions to households).

Everything is checked when loaded (syntax of expressions, SDG codes against the catalogue,
SDMX codes against their code lists, kinds, units, duplicate ids).  Checks that need a form
(unknown fields, types, choices) run when the definitions are bound to a form
(:mod:`lnob.indicators.binding`).  Every error names ``file:line``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from lnob.errors import InputError, LnobError, did_you_mean
from lnob.i18n import _
from lnob.indicators import expr as X
from lnob.indicators.yamlsrc import LList, LMap, load, loads

FORMAT = 1
KINDS = ("proportion", "mean", "ratio", "total")
UNITS = ("household", "person")
FIELD_TYPES = ("integer", "decimal", "text", "select_one", "select_multiple", "date", "boolean")
#: UNDP's five factors of being left behind
LNOB_FACTORS = ("discrimination", "geography", "governance", "socioeconomic", "shocks")
MISSING_CODE = "_U"
LIBRARY = Path(__file__).resolve().parent / "library"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def _err(message, where, hint, code="indicators.definition") -> InputError:
    return InputError(message, where=where, hint=hint, code=code)


@dataclass
class Alias:
    """One way a form can hold a canonical field: a question name or an expression, with an
    optional recode of its choices (canonical choice -> the form's choice names)."""

    field: str | None = None
    expr: X.Expr | None = None
    choices: dict[str, list[str]] = dc_field(default_factory=dict)
    where: str = ""


@dataclass
class FieldDecl:
    name: str
    type: str
    choices: list[str] | None
    aliases: list[Alias]
    where: str


@dataclass
class Member:
    """A household variable computed from the person rows of the household."""

    name: str
    how: str  # any | count
    cond: X.Expr
    where: str


@dataclass
class Indicator:
    id: str
    title: dict[str, str]
    kind: str
    unit: str
    sdg: list[str]
    series: list[str]
    outcome: X.Expr | None
    numerator: X.Expr | None
    denominator: X.Expr | None
    population: X.Expr | None
    higher_is_better: bool
    dimensions: list[str] | None
    module: str | None
    proxy: bool
    note: dict[str, str]
    where: str
    spec: dict  # the normalised definition (for the definition hash)

    def expressions(self) -> dict[str, X.Expr]:
        out = {}
        for k in ("outcome", "numerator", "denominator", "population"):
            e = getattr(self, k)
            if e is not None:
                out[k] = e
        return out

    def fields(self) -> set[str]:
        return set().union(*(e.fields() for e in self.expressions().values()))

    def label(self, lang: str = "en") -> str:
        return text_in(self.title, lang) or self.id


@dataclass
class Category:
    code: str
    title: dict[str, str]
    when: X.Expr | None
    sdmx: str | None
    where: str


@dataclass
class Dimension:
    id: str
    title: dict[str, str]
    unit: str
    kind: str  # recode | choices | bands | wealth_index
    categories: list[Category]
    field: str | None
    sdmx: str | None  # SDMX dimension (SEX, AGE, ...) or None: a project code list
    codelist: str | None
    factors: list[str]
    household: str | None  # "head": the household gets its head's category
    head: X.Expr | None
    assets: list[X.Expr] = dc_field(default_factory=list)
    asset_field: str | None = None
    asset_exclude: list[str] = dc_field(default_factory=list)
    quantiles: int = 5
    where: str = ""
    spec: dict = dc_field(default_factory=dict)

    def fields(self) -> set[str]:
        out = set()
        for c in self.categories:
            if c.when is not None:
                out |= c.when.fields()
        if self.field:
            out.add(self.field)
        if self.asset_field:
            out.add(self.asset_field)
        for e in self.assets:
            out |= e.fields()
        return out

    def label(self, lang: str = "en") -> str:
        return text_in(self.title, lang) or self.id


@dataclass
class Library:
    fields: dict[str, FieldDecl] = dc_field(default_factory=dict)
    members: dict[str, Member] = dc_field(default_factory=dict)
    indicators: list[Indicator] = dc_field(default_factory=list)
    dimensions: list[Dimension] = dc_field(default_factory=list)
    files: list[str] = dc_field(default_factory=list)

    def indicator(self, ident: str) -> Indicator:
        for i in self.indicators:
            if i.id == ident:
                return i
        raise InputError(_("no indicator %(id)r") % {"id": ident}, where=ident,
                         hint=did_you_mean(ident, [i.id for i in self.indicators])
                         or _("run 'lnob indicators list' to see the indicators"), code="indicators.unknown-indicator")

    def dimension(self, ident: str) -> Dimension:
        for d in self.dimensions:
            if d.id == ident:
                return d
        raise InputError(_("no dimension %(id)r") % {"id": ident}, where=ident,
                         hint=did_you_mean(ident, [d.id for d in self.dimensions])
                         or _("run 'lnob indicators list' to see the dimensions"), code="indicators.unknown-dimension")


def text_in(texts: dict[str, str], lang: str = "en") -> str:
    if not texts:
        return ""
    return texts.get(lang) or texts.get(lang.split("-")[0]) or texts.get("en") or next(iter(texts.values()))


# --------------------------------------------------------------------------- readers
def _need(m: LMap, key: str, what: str):
    if key not in m or m[key] in (None, ""):
        raise _err(_("%(what)s has no %(key)r") % {"what": what, "key": key}, m.where(),
                   _("add '%(key)s:' (see docs/indicators.md)") % {"key": key}, "indicators.missing-key")
    return m[key]


def _check_keys(m: LMap, allowed: set[str], what: str) -> None:
    for k in m:
        if k not in allowed:
            hint = did_you_mean(str(k), sorted(allowed)) or _("allowed keys: %(keys)s") % {"keys": ", ".join(sorted(allowed))}
            raise _err(_("unknown key %(key)r in %(what)s") % {"key": k, "what": what}, m.where(k), hint,
                       "indicators.unknown-key")


def _ident(m: LMap, key: str, what: str) -> str:
    v = _need(m, key, what)
    if not isinstance(v, str) or not _ID.match(v):
        raise _err(_("%(what)s id %(v)r is not valid") % {"what": what, "v": v}, m.where(key),
                   _("use lower-case letters, digits and '_', starting with a letter (at most 63)"), "indicators.bad-id")
    return v


def _texts(m: LMap, key: str, required: bool = False) -> dict[str, str]:
    v = m.get(key)
    if v is None:
        if required:
            _need(m, key, "definition")
        return {}
    if isinstance(v, str):
        return {"en": v}
    if not isinstance(v, dict) or not v or not all(isinstance(t, str) for t in v.values()):
        raise _err(_("%(key)r must be a text or a mapping language -> text") % {"key": key}, m.where(key),
                   _("e.g. title: {en: Basic sanitation, vi: Vệ sinh cơ bản}"), "indicators.bad-text")
    return {str(k): str(t) for k, t in v.items()}


def _expr(m: LMap, key: str) -> X.Expr | None:
    v = m.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        v = "true" if v else "false"
    if not isinstance(v, (str, int, float)):
        raise _err(_("%(key)r must be an expression (text)") % {"key": key}, m.where(key),
                   _("write the expression as text, e.g. age >= 18"), "indicators.bad-expression")
    return X.parse(str(v), source=m.expr_source(key))


def _list(m: LMap, key: str) -> LList:
    v = m.get(key)
    if v is None:
        return LList()
    if not isinstance(v, list):
        raise _err(_("%(key)r must be a list") % {"key": key}, m.where(key), _("write it as [a, b] or one '- item' per line"),
                   "indicators.bad-list")
    return v


def _choice(m: LMap, key: str, allowed, default=None) -> str:
    v = m.get(key, default)
    if v not in allowed:
        raise _err(_("%(key)r must be one of %(allowed)s, not %(v)r") % {"key": key, "allowed": ", ".join(allowed), "v": v},
                   m.where(key), did_you_mean(str(v), allowed) or _("choose one of: %(a)s") % {"a": ", ".join(allowed)},
                   f"indicators.bad-{key}")
    return v


def _canon(obj):
    if isinstance(obj, dict):
        return {str(k): _canon(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_canon(v) for v in obj]
    return obj


def spec_hash(obj) -> str:
    return hashlib.sha256(json.dumps(_canon(obj), sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- fields, members
def _alias(v, where: str, owner: LMap | None = None, key=None) -> Alias:
    if isinstance(v, str):
        return Alias(field=v, where=where)
    if not isinstance(v, dict):
        raise _err(_("an alias is a question name or {field: ..., choices: ...} / {expr: ...}"), where,
                   _("see docs/indicators.md, 'Canonical fields'"), "indicators.bad-alias")
    _check_keys(v, {"field", "expr", "choices"}, "alias")
    if ("field" in v) == ("expr" in v):
        raise _err(_("an alias needs exactly one of 'field' and 'expr'"), v.where(), _("e.g. {field: wgq_vision}"),
                   "indicators.bad-alias")
    choices = {}
    for canon, actual in (v.get("choices") or {}).items():
        choices[str(canon)] = [str(a) for a in (actual if isinstance(actual, list) else [actual])]
    return Alias(field=v.get("field"), expr=_expr(v, "expr") if "expr" in v else None, choices=choices,
                 where=v.where())


def _read_fields(doc: LMap, lib: Library) -> None:
    fields = doc.get("fields") or {}
    if not isinstance(fields, dict):
        raise _err(_("'fields' must be a mapping name -> declaration"), doc.where("fields"), _("see docs/indicators.md"))
    for name, decl in fields.items():
        where = fields.where(name)
        if isinstance(decl, str):
            decl = LMap({"type": decl})
            decl.source, decl.line = fields.source, fields.pos[name][0]
        _check_keys(decl, {"type", "choices", "aliases"}, "field")
        ftype = _choice(decl, "type", FIELD_TYPES)
        choices = decl.get("choices")
        if choices is not None:
            choices = [str(c) for c in choices]
        aliases = [_alias(a, _list(decl, "aliases").where(i)) for i, a in enumerate(_list(decl, "aliases"))]
        if name in lib.fields and lib.fields[name].type != ftype:
            raise _err(_("field %(name)r is declared twice with different types") % {"name": name}, where,
                       _("the other declaration is at %(w)s") % {"w": lib.fields[name].where}, "indicators.duplicate-field")
        if name in lib.fields:
            prev = lib.fields[name]
            prev.aliases += aliases
            continue
        lib.fields[str(name)] = FieldDecl(str(name), ftype, choices, aliases, where)
    members = doc.get("members") or {}
    for name, decl in members.items():
        _check_keys(decl, {"any", "count"}, "member variable")
        if len(decl) != 1:
            raise _err(_("a member variable is either {any: condition} or {count: condition}"), members.where(name),
                       _("e.g. child_out_of_school: {any: \"age between 6 and 14 and attends_school = 'no'\"}"),
                       "indicators.bad-member")
        how = next(iter(decl))
        if name in lib.members:
            raise _err(_("member variable %(n)r is defined twice") % {"n": name}, members.where(name),
                       _("the other one is at %(w)s") % {"w": lib.members[name].where}, "indicators.duplicate-id")
        lib.members[str(name)] = Member(str(name), how, _expr(decl, how), members.where(name))


# --------------------------------------------------------------------------- indicators
IND_KEYS = {"id", "title", "description", "sdg", "series", "kind", "unit", "outcome", "numerator", "denominator",
            "population", "higher_is_better", "dimensions", "proxy", "note"}


def _read_indicator(m: LMap, module: str | None) -> Indicator:
    from lnob import sdg

    if not isinstance(m, LMap):
        raise _err(_("an indicator is a mapping (id:, title:, kind: ...)"), "", _("see docs/indicators.md"))
    _check_keys(m, IND_KEYS, "indicator")
    ident = _ident(m, "id", "indicator")
    title = _texts(m, "title", required=True)
    kind = _choice(m, "kind", KINDS)
    unit = _choice(m, "unit", UNITS)
    codes = []
    sdg_list = m.get("sdg") or []
    if isinstance(sdg_list, (str, int, float)):
        sdg_list = [sdg_list]
    for c in sdg_list:
        try:
            obj = sdg.get(str(c))
        except LnobError as exc:
            raise _err(exc.message, m.where("sdg"), exc.hint, exc.code) from None
        if type(obj).__name__ not in ("Indicator", "Target"):
            raise _err(_("%(c)r is not an SDG indicator or target code") % {"c": c}, m.where("sdg"),
                       _("use an indicator code such as 6.2.1"), "indicators.bad-sdg")
        codes.append(obj.code)
    series = []
    s_list = m.get("series") or []
    if isinstance(s_list, str):
        s_list = [s_list]
    for s in s_list:
        try:
            ser = sdg.series(str(s))
        except LnobError as exc:
            raise _err(exc.message, m.where("series"), exc.hint, exc.code) from None
        if codes and not set(ser.indicators) & set(codes):
            raise _err(_("SDMX series %(s)s belongs to %(i)s, not to %(c)s") % {"s": ser.code, "i": ", ".join(ser.indicators),
                                                                               "c": ", ".join(codes)},
                       m.where("series"), _("add the indicator code to 'sdg' or choose a series of it"), "indicators.bad-series")
        series.append(ser.code)
    outcome, num, den = _expr(m, "outcome"), _expr(m, "numerator"), _expr(m, "denominator")
    if kind == "ratio":
        if num is None or den is None or outcome is not None:
            raise _err(_("a ratio needs 'numerator' and 'denominator' (and no 'outcome')"), m.where(),
                       _("e.g. numerator: age < 15 or age >= 65, denominator: age between 15 and 64"), "indicators.bad-kind")
    elif outcome is None or num is not None or den is not None:
        raise _err(_("a %(kind)s needs 'outcome' (and no numerator/denominator)") % {"kind": kind}, m.where(),
                   _("a proportion's outcome is a condition; a mean's or total's outcome is a number"), "indicators.bad-kind")
    hib = m.get("higher_is_better", True)
    if not isinstance(hib, bool):
        raise _err(_("'higher_is_better' must be true or false"), m.where("higher_is_better"),
                   _("false for deprivations such as child marriage"), "indicators.bad-polarity")
    dims = m.get("dimensions")
    if dims is not None and dims != "all":
        dims = [str(d) for d in _list(m, "dimensions")]
    else:
        dims = None
    spec = {k: m[k] for k in sorted(m) if k not in ("title", "description", "note")}
    spec["module"] = module
    return Indicator(ident, title, kind, unit, codes, series, outcome, num, den, _expr(m, "population"), hib, dims,
                     module, bool(m.get("proxy", False)), _texts(m, "note"), m.where(), spec)


# --------------------------------------------------------------------------- dimensions
DIM_KEYS = {"id", "title", "unit", "field", "categories", "bands", "sdmx", "factors", "household", "from_choices",
            "assets", "exclude", "quantiles", "description"}


def _band_code(lo, hi) -> str:
    return f"Y_GE{lo}" if hi is None else f"Y{lo}T{hi}" if lo != hi else f"Y{lo}"


def _read_dimension(m: LMap, head: X.Expr | None) -> Dimension:
    from lnob import sdg

    _check_keys(m, DIM_KEYS, "dimension")
    ident = _ident(m, "id", "dimension")
    title = _texts(m, "title", required=True)
    unit = _choice(m, "unit", UNITS)
    factors = [str(f) for f in _list(m, "factors")]
    for f in factors:
        if f not in LNOB_FACTORS:
            raise _err(_("%(f)r is not one of the UNDP LNOB factors") % {"f": f}, m.where("factors"),
                       did_you_mean(f, LNOB_FACTORS) or _("choose from: %(a)s") % {"a": ", ".join(LNOB_FACTORS)},
                       "indicators.bad-factor")
    if not factors:
        raise _err(_("dimension %(id)r has no 'factors'") % {"id": ident}, m.where(),
                   _("tag it with the LNOB factors it describes: %(a)s") % {"a": ", ".join(LNOB_FACTORS)},
                   "indicators.missing-key")
    sdmx_dim = m.get("sdmx")
    codelist = None
    if sdmx_dim:
        try:
            codelist = sdg.codelist(str(sdmx_dim))
        except LnobError as exc:
            raise _err(exc.message, m.where("sdmx"), exc.hint, exc.code) from None
    household = m.get("household")
    if household not in (None, "head"):
        raise _err(_("'household' must be 'head' (the household takes its head's category)"), m.where("household"),
                   _("remove it for dimensions that only apply to persons"), "indicators.bad-household")
    if household and head is None:
        raise _err(_("'household: head' needs 'household_head:' (the condition that picks the head) in the file"),
                   m.where("household"), _("e.g. household_head: relation = 'head'"), "indicators.missing-key")
    cats: list[Category] = []
    kind = "recode"
    fld = m.get("field")
    dim = Dimension(ident, title, unit, kind, cats, fld, str(sdmx_dim) if sdmx_dim else None,
                    codelist.id if codelist else None, factors, household, head if household else None, where=m.where())
    if "assets" in m or "quantiles" in m:
        dim.kind = "wealth_index"
        a = m.get("assets")
        if isinstance(a, str):
            dim.asset_field = a
            dim.asset_exclude = [str(x) for x in _list(m, "exclude")]
        else:
            al = _list(m, "assets")
            dim.assets = [X.parse(str(e), source=al.where(i)) for i, e in enumerate(al)]
            if len(dim.assets) < 2:
                raise _err(_("a wealth index needs at least two assets"), m.where("assets"), _("list the asset conditions"),
                           "indicators.dimension-one-category")
        q = m.get("quantiles", 5)
        if not isinstance(q, int) or not 2 <= q <= 10:
            raise _err(_("'quantiles' must be a whole number from 2 to 10"), m.where("quantiles"), _("5 gives quintiles"),
                       "indicators.bad-quantiles")
        dim.quantiles = q
        for k in range(1, q + 1):
            code = f"Q{k}" if q == 5 else f"QT{q}_{k}"
            cats.append(Category(code, {"en": f"Quintile {k}" if q == 5 else f"Quantile {k} of {q}"}, None,
                                 code if q == 5 else None, m.where("quantiles")))
    elif "bands" in m:
        dim.kind = "bands"
        if not fld:
            _need(m, "field", "an age-band dimension")
        bands = _list(m, "bands")
        for i, b in enumerate(bands):
            if not (isinstance(b, list) and len(b) == 2 and isinstance(b[0], int) and (b[1] is None or isinstance(b[1], int))):
                raise _err(_("a band is [from, to] in whole years ([65, null] for 65 and over)"), bands.where(i),
                           _("e.g. bands: [[0, 4], [5, 17], [18, 59], [60, null]]"), "indicators.bad-band")
            lo, hi = b
            cond = f"`{fld}` >= {lo}" + (f" and `{fld}` <= {hi}" if hi is not None else "")
            code = _band_code(lo, hi)
            cats.append(Category(code, {"en": f"{lo}–{hi}" if hi is not None else f"{lo}+"},
                                 X.parse(cond, source=bands.where(i)), code if code in codelist else None if codelist else None,
                                 bands.where(i)))
    elif m.get("from_choices"):
        dim.kind = "choices"
        if not fld:
            _need(m, "field", "a dimension from a field's choices")
    else:
        cl = _list(m, "categories")
        for i, c in enumerate(cl):
            if not isinstance(c, dict):
                raise _err(_("a category is {code: ..., when: ...}"), cl.where(i), _("see docs/indicators.md"),
                           "indicators.bad-category")
            _check_keys(c, {"code", "when", "title", "sdmx"}, "category")
            code = str(_need(c, "code", "category"))
            sd = c.get("sdmx")
            if sd is not None:
                if codelist is None:
                    raise _err(_("'sdmx' codes need the dimension's 'sdmx:' (e.g. SEX)"), c.where("sdmx"),
                               _("add sdmx: SEX (or remove the code)"), "indicators.missing-key")
                try:
                    sd = sdg.validate_code(codelist.id, str(sd))
                except LnobError as exc:
                    raise _err(exc.message, c.where("sdmx"), exc.hint, exc.code) from None
            when = _expr(c, "when")
            if when is None:
                _need(c, "when", "category")
            cats.append(Category(code, _texts(c, "title") or {"en": code}, when, sd, c.where()))
        if len(cats) < 2:
            raise _err(_("dimension %(id)r has fewer than two categories") % {"id": ident}, m.where("categories"),
                       _("a disaggregation needs at least two groups to compare"), "indicators.dimension-one-category")
        codes = [c.code for c in cats]
        dup = {c for c in codes if codes.count(c) > 1}
        if dup:
            raise _err(_("category code %(c)r is used twice") % {"c": sorted(dup)[0]}, m.where("categories"),
                       _("each category needs its own code"), "indicators.duplicate-id")
    if dim.kind in ("bands",) and len(cats) < 2:
        raise _err(_("dimension %(id)r has fewer than two categories") % {"id": ident}, m.where(),
                   _("a disaggregation needs at least two groups to compare"), "indicators.dimension-one-category")
    dim.spec = {k: m[k] for k in sorted(m) if k not in ("title", "description")}
    if head is not None and household:
        dim.spec["household_head"] = head.text
    return dim


# --------------------------------------------------------------------------- files
def read_file(path, lib: Library | None = None) -> Library:
    """Read one definitions file into ``lib`` (a new :class:`Library` when None)."""
    return read_doc(load(path), str(path), lib)


def read_text(text: str, source: str, lib: Library | None = None) -> Library:
    """Read definitions from ``text`` (errors name ``source:line``), e.g. a project's stored version."""
    return read_doc(loads(text, source), source, lib)


def read_doc(doc, source: str, lib: Library | None = None) -> Library:
    """Read a parsed definitions document into ``lib`` (a new :class:`Library` when None)."""
    lib = lib if lib is not None else Library()
    if not isinstance(doc, LMap):
        raise _err(_("a definitions file is a mapping with 'format: 1'"), source, _("see docs/indicators.md"),
                   "indicators.bad-file")
    _check_keys(doc, {"format", "module", "title", "fields", "members", "indicators", "dimensions", "household_head",
                      "description"}, "file")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise _err(_("unsupported definitions format %(f)r") % {"f": fmt}, doc.where("format"),
                   _("this lnob reads 'format: %(n)s'") % {"n": FORMAT}, "indicators.bad-format")
    lib.files.append(doc.source)
    module = doc.get("module")
    _read_fields(doc, lib)
    ids = {i.id for i in lib.indicators}
    for i, m in enumerate(_list(doc, "indicators")):
        ind = _read_indicator(m, module)
        if ind.id in ids:
            raise _err(_("indicator %(id)r is defined twice") % {"id": ind.id}, ind.where,
                       _("the other definition is at %(w)s") % {"w": lib.indicator(ind.id).where}, "indicators.duplicate-id")
        ids.add(ind.id)
        lib.indicators.append(ind)
    head = _expr(doc, "household_head")
    dids = {d.id for d in lib.dimensions}
    for m in _list(doc, "dimensions"):
        dim = _read_dimension(m, head)
        if dim.id in dids:
            raise _err(_("dimension %(id)r is defined twice") % {"id": dim.id}, dim.where,
                       _("the other definition is at %(w)s") % {"w": lib.dimension(dim.id).where}, "indicators.duplicate-id")
        dids.add(dim.id)
        lib.dimensions.append(dim)
    return lib


def load_library(paths=None, *, builtin: bool = True, texts=None) -> Library:
    """The ready-made library (``builtin``), the definitions files in ``paths`` and the
    ``(source, text)`` pairs in ``texts`` (a project's stored definitions)."""
    lib = Library()
    files = sorted(LIBRARY.glob("*.yml")) if builtin else []
    for p in list(files) + [Path(p) for p in (paths or [])]:
        read_file(p, lib)
    for source, text in texts or []:
        read_text(text, source, lib)
    known_dims = {d.id for d in lib.dimensions}
    for ind in lib.indicators:
        for d in ind.dimensions or []:
            if d not in known_dims:
                raise _err(_("indicator %(i)r names an unknown dimension %(d)r") % {"i": ind.id, "d": d}, ind.where,
                           did_you_mean(d, known_dims) or _("define it in a dimensions file"), "indicators.unknown-dimension")
    return lib
