"""Importing Kobo and ODK exports as records (``lnob import``, the web upload page).

:func:`import_file` reads a file (:mod:`lnob.records.imports_read`), matches its
columns to the fields of a form version, builds one JSON record per record row
(with its repeat rows nested), stores them with
:func:`lnob.records.services.store_records` (``raw_format="json"``, one
transaction) and then syncs the analytics store and checks the new records
(:mod:`lnob.records.quality`).

Columns are matched by full group path (``consented/demographics/hh_size``,
ODK Central's ``consented-demographics-hh_size``), by the path below the repeat
(repeat sheets), else by the field name when it is unique in its table.
select_multiple answers are read from the question's own column
(space-separated) or, when that is missing or empty, from ``question/option``
columns (``1``/``0``, ``True``/``False``).  Export metadata (``_uuid``,
``_submission_time``, ``KEY``…) is recognised; columns that match nothing are
reported as problems and kept in the raw record under ``_lnob_unmatched``;
form fields without a column are reported too.

The record's instance ID is the export's ``meta/instanceID`` (Central:
``meta-instanceID`` or ``KEY``; Kobo: ``_uuid``; else a column ``instanceID``
or ``uuid``), with ``uuid:`` put in front of a bare UUID.  A row without any
is given ``sha256:<32 hex digits>`` of its own content, so the same row
imported again gets the same ID.  The raw JSON is written with sorted keys and
without row positions, so importing the same data again stores nothing and
reports the rows as already present.

Rows are linked to their parents by Kobo's ``_parent_index`` → ``_index``
(``index`` when the parent sheet has no ``_index``) or ODK Central's
``PARENT_KEY`` → ``KEY``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from lnob.errors import InputError, Problem, UsageError
from lnob.forms.xlsform import Field, FormSchema
from lnob.i18n import _
from lnob.records.imports_read import ReadResult, Table, cell_text, read_tables, where

#: columns written by Kobo / onadata / ODK Central that are not form fields (kept under ``_lnob_meta``)
META_COLUMNS = frozenset({
    "_uuid", "_id", "_submission_time", "_submitted_by", "__version__", "_version_", "_xform_id_string",
    "_attachments", "_geolocation", "_duration", "_submission__id", "_submission__uuid",
    "_submission__submission_time", "_submission__submitted_by", "_submission___version__",
    "meta/instanceID", "meta/deprecatedID", "meta/instanceName", "meta-instanceID", "meta-deprecatedID",
    "meta-instanceName", "instanceID", "uuid", "SubmissionDate", "SubmitterID", "SubmitterName",
    "AttachmentsPresent", "AttachmentsExpected", "DeviceID", "FormVersion", "formhub/uuid",
})
#: review/workflow columns that change after collection: not part of the record (reported, not stored)
WORKFLOW_COLUMNS = frozenset({
    "_validation_status", "_notes", "_status", "_tags", "_submission__validation_status",
    "_submission__notes", "_submission__status", "_submission__tags", "Status", "ReviewState", "Edits",
})
#: columns that only link rows of one file (positions): used, not stored
LINK_COLUMNS = frozenset({"_index", "_parent_index", "_parent_table_name", "KEY", "PARENT_KEY"})
#: where the instance ID is read from, first found wins
ID_COLUMNS = ("meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_uuid", "uuid")
#: a form matches a file when at least this share of the file's data columns match its fields
MIN_MATCH = 0.5

_TRUE = frozenset({"1", "true", "yes", "selected", "x"})
_FALSE = frozenset({"0", "false", "no", ""})


@dataclass
class ImportResult:
    form_id: str = ""
    version: str = ""
    kind: str = ""
    rows: int = 0
    repeat_rows: dict[str, int] = dc_field(default_factory=dict)
    created: int = 0
    already_present: int = 0
    problems: list[Problem] = dc_field(default_factory=list)
    analytics_rows: dict[str, int] = dc_field(default_factory=dict)
    issues: int = 0


@dataclass
class _Mapping:
    """How one table's columns map to fields."""

    table: Table
    repeat: str | None
    fields: dict[int, Field]  # column index → field
    options: dict[int, tuple[Field, str]]  # column index → (select_multiple field, option)
    meta: dict[int, str]
    unknown: list[int]
    link: dict[str, int]  # link column name → index
    missing: list[Field]
    data_columns: int
    matched: int


def _keys(f: Field, scope_path: str) -> list[str]:
    rel = f.path[len(scope_path) + 1:] if scope_path and f.path.startswith(scope_path + "/") else f.path
    keys = [f.path, f.path.replace("/", "-"), rel, rel.replace("/", "-")]
    return list(dict.fromkeys(keys))


def map_table(schema: FormSchema, table: Table, repeat: str | None, filename: str) -> _Mapping:
    """Match a table's columns to the fields of the record (``repeat=None``) or of a repeat."""
    scope = next((r.path for r in schema.repeats if r.key == repeat), "") if repeat else ""
    fields = schema.fields_of(repeat)
    by_key: dict[str, Field] = {}
    for f in fields:
        for k in _keys(f, scope):
            by_key.setdefault(k, f)
    names: dict[str, list[Field]] = {}
    for f in fields:
        names.setdefault(f.name, []).append(f)
    m = _Mapping(table, repeat, {}, {}, {}, [], {}, [], 0, 0)
    used: set[str] = set()
    for i, col in enumerate(table.header):
        if col in LINK_COLUMNS:
            m.link[col] = i
            continue
        if col in META_COLUMNS or col in WORKFLOW_COLUMNS:
            m.meta[i] = col
            continue
        f = by_key.get(col)
        if f is None and col in names and len(names[col]) == 1:
            f = names[col][0]
        if f is not None and f.path not in used:
            m.fields[i] = f
            used.add(f.path)
            m.data_columns += 1
            m.matched += 1
            continue
        opt = None
        for sep in ("/", "."):
            if sep in col:
                base, option = col.rsplit(sep, 1)
                g = by_key.get(base)
                if g is None and base in names and len(names[base]) == 1:
                    g = names[base][0]
                if g is not None and g.kind == "select_multiple":
                    opt = (g, option)
                    break
        m.data_columns += 1
        if opt is not None and (not opt[0].list_name or option in schema.choice_names(opt[0].list_name)
                                or not schema.choice_names(opt[0].list_name)):
            m.options[i] = opt
            m.matched += 1
            continue
        if col == "index" and not repeat:
            m.link["index"] = i  # humind-style exports name the record's _index "index"
            m.data_columns -= 1
            continue
        m.unknown.append(i)
    with_options = {g.path for g, _o in m.options.values()}
    m.missing = [f for f in fields if f.path not in used and f.path not in with_options]
    return m


def _find_tables(schema: FormSchema, read: ReadResult, filename: str) -> tuple[Table, dict[str, Table], list[Problem]]:
    """The record table and one table per repeat."""
    problems: list[Problem] = []
    tables = read.tables
    if read.kind == "zip":
        main = next((t for t in tables if "PARENT_KEY" not in t.header), tables[0])
    else:
        main = tables[0]
    repeats: dict[str, Table] = {}
    for t in tables:
        if t is main:
            continue
        stem = t.name[:-4] if t.name.lower().endswith(".csv") else t.name
        hit = None
        for r in schema.repeats:
            for cand in (r.key, r.name):
                if stem == cand or stem == cand[:31] or stem.endswith("-" + cand) or stem.endswith("_" + cand):
                    hit = r.key
                    break
            if hit:
                break
        if hit is None or hit in repeats:
            problems.append(Problem(
                code="records.import-unknown-table",
                message=_("this table matches no repeat of the form; it was not imported"),
                where=where(filename, t), hint=_("repeats of the form: %(r)s")
                % {"r": ", ".join(r.name for r in schema.repeats) or "—"}))
            continue
        repeats[hit] = t
    return main, repeats, problems


def _text(row, i):
    return cell_text(row[i]) if i < len(row) else None


def _instance_id(mapping: _Mapping, row) -> str | None:
    t = mapping.table
    cols = {c: i for i, c in enumerate(t.header)}
    for c in ID_COLUMNS:
        if c in cols:
            v = _text(row, cols[c])
            if v:
                v = v.strip()
                if c == "KEY" and "/" in v:  # a repeat key, not a record
                    continue
                return v if ":" in v else f"uuid:{v}"
    return None


def _row_values(schema: FormSchema, m: _Mapping, row, filename: str, rownum: int, problems: list[Problem]) -> dict:
    doc: dict = {}
    for i, f in m.fields.items():
        v = _text(row, i)
        if v is not None:
            doc[f.path] = " ".join(v.split()) if f.kind == "select_multiple" else v
    chosen: dict[str, list[str]] = {}
    for i, (f, option) in m.options.items():
        v = _text(row, i)
        flag = (v or "").strip().lower()
        if flag in _TRUE:
            chosen.setdefault(f.path, []).append(option)
        elif flag not in _FALSE:
            problems.append(Problem(
                code="records.import-bad-option-flag",
                message=_("%(v)r is not 1/0 or True/False; the option was taken as not selected") % {"v": v},
                where=where(filename, m.table, rownum, m.table.header[i]),
                hint=_("option columns hold 1 (selected) or 0")))
    for path, opts in chosen.items():
        if path not in doc:
            doc[path] = " ".join(opts)
    unmatched = {}
    for i in m.unknown:
        v = _text(row, i)
        if v is not None:
            unmatched[m.table.header[i]] = v
    if unmatched:
        doc["_lnob_unmatched"] = unmatched
    meta = {}
    for i, col in m.meta.items():
        if col in WORKFLOW_COLUMNS:
            continue
        v = _text(row, i)
        if v is not None:
            meta[col] = v
    if meta:
        doc["_lnob_meta"] = meta
    return doc


def _link_key(m: _Mapping, row, which: str) -> str | None:
    """This row's own key (``which="self"``) or its parent's key (``"parent"``)."""
    names = ("KEY", "_index", "index") if which == "self" else ("PARENT_KEY", "_parent_index")
    for n in names:
        if n in m.link:
            v = _text(row, m.link[n])
            return v.strip() if v else None
    return None


def build_records(schema: FormSchema, read: ReadResult, filename: str,
                  progress: Callable[[str, int, int], None] | None = None):
    """Match columns and build the JSON records: ``(items, problems, counts, main_mapping)``.

    ``items``: ``(instance_id, json_text)`` in file order.  Raises
    :class:`InputError` when the file is not for this form or rows cannot be linked.
    """
    problems: list[Problem] = list(read.warnings)
    main, rep_tables, tprob = _find_tables(schema, read, filename)
    problems.extend(tprob)
    mm = map_table(schema, main, None, filename)
    if mm.data_columns == 0 or mm.matched / mm.data_columns < MIN_MATCH:
        raise InputError(
            _("only %(m)d of the %(n)d data columns match the fields of form %(form)s: the file is for another "
              "form") % {"m": mm.matched, "n": mm.data_columns, "form": schema.form_id},
            where=where(filename, main),
            hint=_("import it with the form it was collected with (--form FORM_ID); nothing was imported"),
            code="records.import-other-form",
        )
    maps = {None: mm}
    for key, t in rep_tables.items():
        maps[key] = map_table(schema, t, key, filename)
    for m in maps.values():
        for i in m.unknown:
            col = m.table.header[i]
            if all(_text(r, i) is None for r in m.table.rows) and col.startswith("#"):
                continue
            problems.append(Problem(
                code="records.import-unknown-column",
                message=_("the column matches no field of the form; its values are kept in the raw record only"),
                where=where(filename, m.table, None, col),
                hint=did_you_mean_field(col, schema, m.repeat)))
        dropped = [c for c in m.meta.values() if c in WORKFLOW_COLUMNS]
        if dropped:
            problems.append(Problem(
                code="records.import-workflow-columns",
                message=_("review/workflow columns are not imported: %(c)s") % {"c": ", ".join(dropped)},
                where=where(filename, m.table),
                hint=_("review the records in lnob instead")))
        for f in m.missing:
            problems.append(Problem(
                code="records.import-missing-column",
                message=_("the form's field %(f)s has no column in the file; it stays empty") % {"f": f.path},
                where=where(filename, m.table), hint=None))
    for r in schema.repeats:
        if r.key not in rep_tables and any(f.repeat == r.key for f in schema.fields):
            if read.kind != "csv":
                problems.append(Problem(
                    code="records.import-missing-repeat",
                    message=_("the file has no table for the repeat %(r)s; it stays empty") % {"r": r.path},
                    where=filename, hint=None))
    # repeat rows grouped by their parent's key, per repeat
    children: dict[str, dict[str, list]] = {}
    counts: dict[str, int] = {}
    for key, t in rep_tables.items():
        m = maps[key]
        if not any(n in m.link for n in ("PARENT_KEY", "_parent_index")):
            raise InputError(
                _("the repeat table has no PARENT_KEY or _parent_index column, so its rows cannot be linked "
                  "to their records"), where=where(filename, t, 1),
                hint=_("export with the link columns (Kobo: 'include all versions' off; Central: the CSV zip)"),
                code="records.import-no-link")
        groups: dict[str, list] = {}
        for n, row in enumerate(t.rows):
            if all(c in (None, "") for c in row):
                continue
            pk = _link_key(m, row, "parent")
            if pk is None:
                raise InputError(_("the repeat row has no parent key"),
                                 where=where(filename, t, t.first_row + n, "_parent_index"),
                                 hint=_("every repeat row needs the _parent_index (or PARENT_KEY) of its record"),
                                 code="records.import-orphan-row")
            groups.setdefault(pk, []).append((n, row))
        children[key] = groups
        counts[key] = sum(len(v) for v in groups.values())
    repeat_parent = {r.key: r.parent for r in schema.repeats}
    repeat_path = {r.key: r.path for r in schema.repeats}
    linked = {k: 0 for k in rep_tables}

    def nest(doc: dict, parent: str | None, key: str | None) -> None:
        for rk, groups in children.items():
            if repeat_parent.get(rk) != parent or key is None:
                continue
            items = []
            m = maps[rk]
            for n, row in groups.get(key, []):
                linked[rk] += 1
                sub = _row_values(schema, m, row, filename, m.table.first_row + n, problems)
                nest(sub, rk, _link_key(m, row, "self"))
                items.append(sub)
            if items:
                doc[repeat_path[rk]] = items

    items: list[tuple[str, str]] = []
    total = len(main.rows)
    for n, row in enumerate(main.rows):
        if all(c in (None, "") for c in row):
            continue
        rownum = main.first_row + n
        doc = _row_values(schema, mm, row, filename, rownum, problems)
        if children:
            own = _link_key(mm, row, "self") or str(n + 1)
            nest(doc, None, own)
        iid = _instance_id(mm, row)
        if iid is None:
            iid = "sha256:" + hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False)
                                             .encode("utf-8")).hexdigest()[:32]
        doc["meta/instanceID"] = iid
        items.append((iid, json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))))
        if progress and (n % 500 == 0 or n + 1 == total):
            progress("rows", n + 1, total)
    for rk, groups in children.items():
        if linked[rk] != counts[rk]:
            m = maps[rk]
            raise InputError(
                _("%(n)d rows of the repeat table link to no record of the file") % {"n": counts[rk] - linked[rk]},
                where=where(filename, m.table),
                hint=_("their _parent_index / PARENT_KEY names no row of the parent table; export all sheets "
                       "together"), code="records.import-orphan-row")
    return items, problems, counts, mm


def did_you_mean_field(col: str, schema: FormSchema, repeat) -> str | None:
    from lnob.errors import did_you_mean

    return did_you_mean(col.rsplit("/", 1)[-1], [f.name for f in schema.fields_of(repeat)])


def _pick_form(project, read: ReadResult, form_id: str | None, filename: str):
    from lnob.forms.models import Form
    from lnob.forms.services import get_form

    if form_id:
        return get_form(project, form_id)
    forms = list(Form.objects.filter(project=project))
    if not forms:
        raise UsageError(_("project %(p)s has no forms") % {"p": project.slug},
                         hint=_("add the form first: 'lnob form add PROJECT FORM.xlsx'"),
                         code="records.import-no-form")
    if len(forms) == 1:
        return forms[0]
    scores = []
    for fm in forms:
        fv = fm.current_version
        schema = FormSchema(fv.survey_json)
        m = map_table(schema, read.tables[0], None, filename)
        scores.append((m.matched / m.data_columns if m.data_columns else 0, fm))
    scores.sort(key=lambda s: -s[0])
    if scores[0][0] >= MIN_MATCH and (len(scores) == 1 or scores[1][0] < scores[0][0]):
        return scores[0][1]
    raise UsageError(_("cannot tell which form the file is for"), where=filename,
                     hint=_("name it with --form; forms: %(f)s") % {"f": ", ".join(f.form_id for f in forms)},
                     code="records.import-which-form")


def import_file(project, path=None, *, content: bytes | None = None, filename: str | None = None,
                form_id: str | None = None, user=None, store=None,
                progress: Callable[[str, int, int], None] | None = None, check: bool = True) -> ImportResult:
    """Import a Kobo/ODK export into ``project``; see the module docstring.

    Nothing is written when the file cannot be read, is for another form, or a
    row conflicts with a stored record (same instance ID, different content).
    """
    from django.db import transaction

    from lnob.records.models import ImportRun, Record
    from lnob.records.services import RecordItem, store_records, sync_analytics

    if content is None:
        p = Path(path)
        filename = filename or p.name
        try:
            size = p.stat().st_size
        except FileNotFoundError:
            raise InputError(_("no such file"), where=str(path), hint=_("check the path"),
                             code="records.import-no-file") from None
        from lnob.records.imports_read import max_size

        if size > max_size():
            raise InputError(_("the file is too large (%(size)s bytes; the limit is %(limit)s)")
                             % {"size": f"{size:,}", "limit": f"{max_size():,}"}, where=filename,
                             hint=_("split the export and import the parts, or raise LNOB_IMPORT_MAX_SIZE"),
                             code="records.import-too-large")
        content = p.read_bytes()
    filename = filename or "upload"
    read = read_tables(content, filename)
    form = _pick_form(project, read, form_id, filename)
    versions = list(form.versions.all())
    fv = versions[0]  # newest
    schema = FormSchema(fv.survey_json)
    items, problems, counts, mm = build_records(schema, read, filename, progress)
    # rows filled in with an older version name it (Kobo __version__, Central FormVersion)
    by_version = {v.version: v for v in versions}
    vcols = [i for i, c in mm.meta.items() if c in ("__version__", "FormVersion", "_submission___version__")]
    result = ImportResult(form_id=form.form_id, version=fv.version, kind=read.kind, rows=len(items),
                          repeat_rows=counts, problems=problems)
    groups: dict[int, list] = {}
    if vcols:
        for iid, raw in items:
            v = json.loads(raw).get("_lnob_meta", {})
            name = next((v[c] for c in ("__version__", "FormVersion", "_submission___version__") if c in v), None)
            groups.setdefault(by_version.get(name, fv).pk, []).append((iid, raw))
    else:
        groups[fv.pk] = items
    vmap = {v.pk: v for v in versions}
    with transaction.atomic():
        for pk, group in groups.items():
            res = store_records(project, vmap[pk], (RecordItem(raw, iid, raw_format="json") for iid, raw in group),
                                source=Record.Source.IMPORT)
            if res.conflicts:
                first = res.conflicts[0]
                raise InputError(
                    _("%(n)d rows have the instance ID of a stored record but different content")
                    % {"n": len(res.conflicts)},
                    where=f"{filename}: {first.where}",
                    hint=_("an edited record needs a new instance ID; nothing was imported"),
                    code="records.import-conflict")
            result.created += res.created
            result.already_present += len(res.duplicates)
        ImportRun.objects.create(
            project=project, form_version=fv, filename=filename[:255],
            sha256=hashlib.sha256(content).hexdigest(), kind=read.kind, rows=len(items), created=result.created,
            already_present=result.already_present,
            problems=[{"code": p.code, "message": p.message, "where": p.where} for p in problems[:500]],
            actor_name=(user.get_username() if user is not None and getattr(user, "is_authenticated", False)
                        else "")[:150])
    if result.created:
        sync = sync_analytics(project, form=form, store=store, progress=progress)
        result.analytics_rows = dict(sync.rows)
        result.problems.extend(sync.problems)
        if check:
            from lnob.records.quality import check_records

            result.issues = check_records(project, form=form).issues
    return result
