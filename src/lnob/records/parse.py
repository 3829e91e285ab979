"""Parse an OpenRosa instance (submission XML) into typed values.

:func:`parse_instance` reads one instance document (with defusedxml) against
the form version's survey JSON and returns a :class:`ParsedInstance`:

* ``values`` — one dict for the record: a column per field, group paths
  flattened with ``__`` (``wash__water_source``);
* ``repeats`` — per repeat, a list of dicts, one per repeat instance, with
  ``_index`` (1-based running number within the record for that repeat) and
  ``_parent_index`` (the ``_index`` of the enclosing repeat instance; 0 = the
  record itself), then the repeat's own columns;
* ``instance_id``, ``deprecated_id``, ``form_id``, ``version`` from the root
  attributes and ``meta``.

Types: integer → ``int``; decimal/range → ``float``; select_one → ``str``;
select_multiple → space-separated ``str`` (normalised spacing); date → ISO
``YYYY-MM-DD`` ``str``; dateTime/time and everything else → ``str`` as sent.
Missing or empty → ``None``.  A value that does not fit its type (``"abc"``
for an integer) becomes ``None`` and is reported in ``problems``; elements the
form does not define are listed in ``unknown`` (kept in the raw XML only).

:func:`columnarise` parses a batch of records into column lists for the
analytics tables (:mod:`lnob.records.services`); it needs no Django, so worker
processes can run it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from dataclasses import field as dc_field

from lnob.errors import InputError, Problem
from lnob.forms.xlsform import FormSchema, Node
from lnob.i18n import _


@dataclass
class ParsedInstance:
    form_id: str
    version: str | None
    instance_id: str | None
    deprecated_id: str | None
    values: dict
    repeats: dict[str, list[dict]]
    unknown: list[str] = dc_field(default_factory=list)
    problems: list[Problem] = dc_field(default_factory=list)


_SCHEMAS: dict[int, tuple[dict, FormSchema]] = {}


def schema_for(survey_json_or_schema) -> FormSchema:
    """A :class:`FormSchema` for a survey JSON (cached while the same dict object is alive)."""
    if isinstance(survey_json_or_schema, FormSchema):
        return survey_json_or_schema
    key = id(survey_json_or_schema)
    hit = _SCHEMAS.get(key)
    if hit is not None and hit[0] is survey_json_or_schema:
        return hit[1]
    schema = FormSchema(survey_json_or_schema)
    if len(_SCHEMAS) > 64:
        _SCHEMAS.clear()
    _SCHEMAS[key] = (survey_json_or_schema, schema)
    return schema


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def convert_value(kind: str, text: str | None):
    """``text`` as a value of ``kind``; raises ValueError when it does not fit."""
    if text is None:
        return None
    text = text.strip() if kind != "text" else text
    if text == "" or (kind == "text" and text.strip() == ""):
        return None
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            f = float(text)  # "3.0" from some clients
            if f != int(f):
                raise
            return int(f)
    if kind == "decimal":
        return float(text)
    if kind == "select_multiple":
        return " ".join(text.split())
    if kind == "select_one":
        return text
    if kind == "date":
        return _dt.date.fromisoformat(text[:10]).isoformat()
    return text


def parse_record(raw: str | bytes, survey_json) -> ParsedInstance:
    """Parse a stored record: an instance document (XML) or an imported JSON record."""
    head = raw.lstrip()[:1]
    if head in ("{", b"{"):
        return parse_json(raw, survey_json)
    return parse_instance(raw, survey_json)


#: keys of an imported JSON record that are not form data (kept in the raw record only)
JSON_RESERVED_PREFIXES = ("_", "meta/", "formhub/", "__")


def parse_json(raw: str | bytes, survey_json) -> ParsedInstance:
    """Parse an imported record (Kobo's JSON submission shape) against the form.

    The record is one JSON object whose keys are full field paths
    (``consented/demographics/hh_size``) with text values exactly as in the
    imported file; a repeat is a list of objects under the repeat's path, whose
    keys are full paths too.  ``meta/instanceID`` holds the instance ID; keys
    starting with ``_`` (``_uuid``, ``_submission_time``, ``_lnob_unmatched``)
    are not form data.
    """
    import json

    schema = schema_for(survey_json)
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise InputError(
            _("the record is not a JSON object: %(error)s") % {"error": exc},
            hint=_("imported records are stored as JSON objects"),
            code="records.bad-json",
        ) from None
    out = ParsedInstance(
        form_id=str(doc.get("_xform_id_string") or schema.form_id),
        version=doc.get("__version__") if isinstance(doc.get("__version__"), str) else None,
        instance_id=doc.get("meta/instanceID"),
        deprecated_id=doc.get("meta/deprecatedID"),
        values={f.column: None for f in schema.fields_of(None)},
        repeats={r.key: [] for r in schema.repeats},
    )
    counters: dict[str, int] = {}
    _json_level(schema, doc, None, out.values, out, counters, 0)
    return out


def _json_value(f, text, out: ParsedInstance, where: str):
    if text is None or isinstance(text, (dict, list)):
        return None
    try:
        return convert_value(f.kind, str(text))
    except ValueError:
        out.problems.append(Problem(
            code="records.bad-value",
            message=_("%(value)r is not a valid %(kind)s") % {"value": text, "kind": f.kind},
            where=where,
            hint=_("the value was left empty in the analysis tables; the raw record keeps it"),
        ))
        return None


def _json_level(schema: FormSchema, obj: dict, repeat: str | None, row: dict, out: ParsedInstance,
                counters: dict, parent_index: int) -> None:
    known = set()
    for f in schema.fields_of(repeat):
        known.add(f.path)
        if f.path in obj:
            row[f.column] = _json_value(f, obj[f.path], out, f.path)
    for r in schema.repeats:
        if r.parent != repeat:
            continue
        known.add(r.path)
        items = obj.get(r.path) or []
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            idx = counters.get(r.key, 0) + 1
            counters[r.key] = idx
            rrow = {"_index": idx, "_parent_index": parent_index}
            rrow.update(dict.fromkeys(schema.repeat_columns(r.key)))
            out.repeats[r.key].append(rrow)
            _json_level(schema, item, r.key, rrow, out, counters, idx)
    for key in obj:
        if key not in known and not key.startswith(JSON_RESERVED_PREFIXES):
            v = obj[key]
            if v not in (None, "", []):
                out.unknown.append(key)


def parse_instance(xml: str | bytes, survey_json) -> ParsedInstance:
    """Parse one instance document against the form's survey JSON (or a :class:`FormSchema`)."""
    from defusedxml import ElementTree as ET
    from defusedxml.common import DefusedXmlException

    schema = schema_for(survey_json)
    try:
        root = ET.fromstring(xml)
    except DefusedXmlException:
        raise InputError(
            _("the record contains forbidden XML (entities or DTDs)"),
            hint=_("send the instance as ODK Collect produces it"),
            code="records.forbidden-xml",
        ) from None
    except ET.ParseError as exc:
        raise InputError(
            _("the record is not well-formed XML: %(error)s") % {"error": exc},
            where=_("line %(line)s, column %(col)s") % {"line": exc.position[0], "col": exc.position[1]}
            if getattr(exc, "position", None) else None,
            hint=_("check that the file is a complete OpenRosa instance"),
            code="records.bad-xml",
        ) from None
    out = ParsedInstance(
        form_id=root.get("id") or "",
        version=root.get("version"),
        instance_id=None,
        deprecated_id=None,
        values={f.column: None for f in schema.fields_of(None)},
        repeats={r.key: [] for r in schema.repeats},
    )
    counters: dict[str, int] = {}
    _walk(schema, root, schema.tree, out.values, out, counters, 0, "")
    return out


def _walk(schema: FormSchema, elem, node: Node, row: dict, out: ParsedInstance, counters: dict,
          parent_index: int, path: str) -> None:
    children = node.children
    for child in elem:
        name = _local(child.tag)
        sub = children.get(name)
        cpath = f"{path}{name}"
        if sub is None:
            if node.kind == "group" and not path and name == "meta":
                _meta(child, out)
            elif node.kind == "meta":
                pass  # metadata the form does not declare (deprecatedID, audit…): not data
            elif len(child) or (child.text and child.text.strip()):
                out.unknown.append(cpath)
            continue
        kind = sub.kind
        if kind == "field":
            f = sub.field
            try:
                row[f.column] = convert_value(f.kind, child.text)
            except ValueError:
                row[f.column] = None
                out.problems.append(Problem(
                    code="records.bad-value",
                    message=_("%(value)r is not a valid %(kind)s") % {"value": child.text, "kind": f.kind},
                    where=f.path,
                    hint=_("the value was left empty in the analysis tables; the raw record keeps it"),
                ))
        elif kind == "group":
            _walk(schema, child, sub, row, out, counters, parent_index, cpath + "/")
        elif kind == "meta":
            _meta(child, out)
            _walk(schema, child, sub, row, out, counters, parent_index, cpath + "/")
        elif kind == "repeat":
            if child.get("{http://openrosa.org/javarosa}template") is not None:
                continue
            key = sub.repeat
            idx = counters.get(key, 0) + 1
            counters[key] = idx
            rrow = {"_index": idx, "_parent_index": parent_index}
            rrow.update(dict.fromkeys(schema.repeat_columns(key)))
            out.repeats[key].append(rrow)
            _walk(schema, child, sub, rrow, out, counters, idx, cpath + "/")
        # "skip" nodes (notes, instanceID…) hold no value


def _meta(elem, out: ParsedInstance) -> None:
    for child in elem:
        name = _local(child.tag)
        text = (child.text or "").strip() or None
        if name == "instanceID":
            out.instance_id = text
        elif name == "deprecatedID":
            out.deprecated_id = text


# -- batches as columns (used by the analytics sync, also in worker processes: no Django here) --------

#: DuckDB column type per value kind (anything else is VARCHAR)
DUCK_TYPES = {"integer": "BIGINT", "decimal": "DOUBLE", "date": "DATE"}

_RECORD_META = ("_record_id", "_project", "_instance_id", "_form_version")


def record_columns(schema: FormSchema) -> list[tuple[str, str]]:
    return ([("_record_id", "BIGINT"), ("_project", "VARCHAR"), ("_instance_id", "VARCHAR"),
             ("_form_version", "VARCHAR")]
            + [(f.column, DUCK_TYPES.get(f.kind, "VARCHAR")) for f in schema.fields_of(None)])


def repeat_columns(schema: FormSchema, key: str) -> list[tuple[str, str]]:
    return ([("_record_id", "BIGINT"), ("_index", "INTEGER"), ("_parent_index", "INTEGER")]
            + [(f.column, DUCK_TYPES.get(f.kind, "VARCHAR")) for f in schema.fields_of(key)])


def layout(schemas: dict) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Union of the columns of the versions (newest version first)."""
    main_cols: dict[str, str] = {}
    rep_cols: dict[str, dict[str, str]] = {}
    for fv_id in sorted(schemas, reverse=True):
        schema = FormSchema(schemas[fv_id][1])
        for c, t in record_columns(schema):
            main_cols.setdefault(c, t)
        for r in schema.repeats:
            for c, t in repeat_columns(schema, r.key):
                rep_cols.setdefault(r.key, {}).setdefault(c, t)
    return main_cols, rep_cols


def columnarise(batch, schemas: dict, project_slug: str) -> dict:
    """Parse a batch of records into column lists (runs in worker processes too).

    ``batch``: (record id, instance id, form version id, raw XML, deprecated id) tuples;
    ``schemas``: form version id → (version, survey JSON).
    """
    main_cols, rep_cols = layout(schemas)
    parsed_schemas = {k: (v, FormSchema(sj)) for k, (v, sj) in schemas.items()}
    main_data: dict[str, list] = {c: [] for c in main_cols}
    rep_data: dict[str, dict[str, list]] = {k: {c: [] for c in cols} for k, cols in rep_cols.items()}
    deprecated: list[str] = []
    problems: list[Problem] = []
    field_cols = [c for c in main_cols if c not in _RECORD_META]
    n = 0
    for rid, iid, fv_id, raw, dep in batch:
        version, schema = parsed_schemas[fv_id]
        try:
            parsed = parse_record(raw, schema)
        except InputError as exc:
            problems.append(Problem(code=exc.code, message=exc.message, where=iid, hint=exc.hint,
                                    level="error"))
            continue
        for p in parsed.problems:
            problems.append(Problem(code=p.code, message=p.message, where=f"{iid}: {p.where}", hint=p.hint))
        for path in parsed.unknown:
            problems.append(Problem(
                code="records.unknown-element",
                message=_("the record has an element the form does not define"),
                where=f"{iid}: {path}",
                hint=_("it is kept in the raw record but not in the analysis tables")))
        values = parsed.values
        main_data["_record_id"].append(rid)
        main_data["_project"].append(project_slug)
        main_data["_instance_id"].append(iid)
        main_data["_form_version"].append(version)
        for c in field_cols:
            main_data[c].append(values.get(c))
        for key, rows in parsed.repeats.items():
            cols = rep_data[key]
            for r in rows:
                cols["_record_id"].append(rid)
                for c, lst in cols.items():
                    if c != "_record_id":
                        lst.append(r.get(c))
        if dep:
            deprecated.append(dep)
        n += 1
    return {"main": main_data, "repeats": rep_data, "deprecated": deprecated, "problems": problems, "n": n}


