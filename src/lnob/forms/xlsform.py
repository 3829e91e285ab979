"""XLSForm → XForm conversion (with pyxform) and the form's field structure.

:func:`convert` turns an XLSForm (``.xlsx``, ``.xls``, ``.csv`` or pyxform's
markdown ``.md``) into a :class:`Converted`: the XForm XML, pyxform's survey
JSON, form id, version, title, languages and warnings.  pyxform errors become
:class:`lnob.errors.InputError` with ``where="survey sheet, row N"`` and a hint;
pyxform warnings become :class:`lnob.errors.Problem` objects of the same shape.

:class:`FormSchema` (built from the survey JSON) lists the form's fields
(:class:`Field`) and repeats (:class:`Repeat`); the record parser and the
analytics store use it to name and type columns.  Column naming: group paths
flattened with ``__`` (``wash__water_source``), relative to the nearest repeat.

Versions: when the settings sheet has no ``version``, the version is the first
12 hex digits of the file's sha256 (a time stamp would change on every
conversion and could not recognise the same file again), and it is written into
the XForm so that submissions carry it.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from lnob.errors import InputError, Problem, did_you_mean
from lnob.i18n import _

#: file types pyxform reads
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".md")
#: the largest XLSForm file, and the largest total an .xlsx may unpack to (a guard against zip bombs:
#: a few MB of deflated XML can unpack to gigabytes, which the spreadsheet reader would parse)
MAX_FORM_BYTES = 10 * 1024 * 1024
MAX_FORM_UNPACKED = 100 * 1024 * 1024


def check_size(content: bytes, filename: str) -> None:
    """Refuse a form file that is too large, or an .xlsx (a ZIP) that unpacks to too much."""
    import io
    import zipfile

    if len(content) > MAX_FORM_BYTES:
        raise InputError(_("the XLSForm file is too large (%(n)s bytes; the limit is %(max)s)")
                         % {"n": f"{len(content):,}", "max": f"{MAX_FORM_BYTES:,}"}, where=filename,
                         hint=_("an XLSForm is usually well under 1 MB; remove images or data pasted into it"),
                         code="forms.too-large")
    if content[:4] == b"PK\x03\x04":
        try:
            # the declared sizes bound what zipfile unpacks (it stops at file_size), so their sum is a limit
            total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
        except (zipfile.BadZipFile, ValueError) as exc:
            raise InputError(_("the XLSForm is a damaged .xlsx file: %(e)s") % {"e": exc}, where=filename,
                             hint=_("save it again from Excel or LibreOffice as .xlsx and upload that file"),
                             code="forms.unreadable") from None
        if total > MAX_FORM_UNPACKED:
            raise InputError(_("the XLSForm unpacks to more than %(n)s bytes") % {"n": f"{MAX_FORM_UNPACKED:,}"},
                             where=filename, hint=_("this is not an ordinary XLSForm; save it again from a "
                                                    "spreadsheet program"), code="forms.too-large")

#: pyxform JSON types → lnob's value kinds (anything else is ``text``)
_KINDS = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "range": "decimal",
    "date": "date",
    "today": "date",
    "dateTime": "datetime",
    "start": "datetime",
    "end": "datetime",
    "time": "time",
    "select one": "select_one",
    "select one external": "select_one",
    "select_one_from_file": "select_one",
    "select one from file": "select_one",
    "select all that apply": "select_multiple",
    "select_multiple_from_file": "select_multiple",
    "select all that apply from file": "select_multiple",
    "rank": "select_multiple",
}
#: element types that hold no value (still present, empty, in an instance)
NO_VALUE_TYPES = frozenset({"note"})
#: meta fields kept out of the value columns (they have their own columns)
META_SKIPPED = frozenset({"instanceID", "deprecatedID"})

_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"(?:On the|the|in the)\s+'?(survey|choices|settings|entities|external_choices)'?\s+sheet",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Field:
    """One value-holding question of a form."""

    #: path below the instance root, e.g. ``wash/water_source`` or ``roster/wg/wg_seeing``
    path: str
    name: str
    #: analytics column: group path below the nearest repeat (or root) joined by ``__``
    column: str
    #: pyxform type, e.g. ``integer``, ``select one``, ``select all that apply``
    type: str
    #: value kind: integer, decimal, date, datetime, time, select_one, select_multiple, text
    kind: str
    list_name: str | None
    #: key of the repeat the field belongs to (None: the record itself)
    repeat: str | None
    labels: dict[str, str] = dc_field(default_factory=dict, compare=False, hash=False)
    #: marked ``lnob::personal = yes`` (names, phone numbers…): never published
    personal: bool = False


@dataclass(frozen=True)
class Repeat:
    key: str
    name: str
    path: str
    parent: str | None
    labels: dict[str, str] = dc_field(default_factory=dict, compare=False, hash=False)


@dataclass
class Node:
    """A tree of element names, to walk an instance document."""

    kind: str  # "group", "repeat", "field", "meta", "skip"
    field: Field | None = None
    repeat: str | None = None
    column_prefix: str = ""
    children: dict[str, "Node"] = dc_field(default_factory=dict)


class FormSchema:
    """Fields, repeats and choice lists of one form version (from pyxform's survey JSON)."""

    def __init__(self, survey_json: dict) -> None:
        self.survey_json = survey_json
        self.root_name: str = survey_json.get("name") or "data"
        self.form_id: str = survey_json.get("id_string") or ""
        self.version: str | None = survey_json.get("version")
        self.choices: dict[str, list[dict]] = survey_json.get("choices") or {}
        self.fields: list[Field] = []
        self.repeats: list[Repeat] = []
        repeat_names = _repeat_names(survey_json.get("children") or [])
        dup = {n for n in repeat_names if repeat_names.count(n) > 1}
        self.tree = Node("group", children={})
        self._walk(survey_json.get("children") or [], self.tree, "", "", None, dup)
        self._columns: dict[str | None, list[str]] = {}
        self._by_repeat: dict[str | None, list[Field]] = {}
        for f in self.fields:
            self._by_repeat.setdefault(f.repeat, []).append(f)

    def _walk(self, children, node: Node, path: str, colprefix: str, repeat: str | None, dup: set) -> None:
        for child in children:
            name = child.get("name")
            ctype = child.get("type")
            if not name:
                continue
            cpath = f"{path}{name}"
            if ctype == "group":
                is_meta = name == "meta" and not path
                sub = Node("meta" if is_meta else "group", children={})
                node.children[name] = sub
                self._walk(child.get("children") or [], sub, cpath + "/", f"{colprefix}{name}__", repeat, dup)
            elif ctype == "repeat":
                key = cpath.replace("/", "__") if name in dup else name
                self.repeats.append(Repeat(key, name, cpath, repeat, _labels(child.get("label"))))
                sub = Node("repeat", repeat=key, children={})
                node.children[name] = sub
                self._walk(child.get("children") or [], sub, cpath + "/", "", key, dup)
            elif ctype in NO_VALUE_TYPES:
                node.children[name] = Node("skip", children={})
            elif node.kind == "meta" and name in META_SKIPPED:
                node.children[name] = Node("skip", children={})
            else:
                lnob = child.get("lnob") or {}
                personal = str(lnob.get("personal", "")).strip().lower() in ("yes", "true", "1", "y")
                f = Field(
                    path=cpath,
                    name=name,
                    column=f"{colprefix}{name}",
                    type=ctype or "text",
                    kind=_KINDS.get(ctype or "", "text"),
                    list_name=child.get("list_name") or child.get("itemset"),
                    repeat=repeat,
                    labels=_labels(child.get("label")),
                    personal=personal,
                )
                self.fields.append(f)
                node.children[name] = Node("field", field=f, children={})

    def fields_of(self, repeat: str | None = None) -> list[Field]:
        """The fields of the record (``None``) or of one repeat."""
        return list(self._by_repeat.get(repeat, []))

    def repeat_columns(self, repeat: str | None = None) -> list[str]:
        cols = self._columns.get(repeat)
        if cols is None:
            cols = self._columns[repeat] = [f.column for f in self._by_repeat.get(repeat, [])]
        return cols

    def field(self, column: str, repeat: str | None = None) -> Field:
        for f in self._by_repeat.get(repeat, []):
            if f.column == column:
                return f
        raise KeyError(column)

    def choice_names(self, list_name: str) -> list[str]:
        return [str(c.get("name")) for c in self.choices.get(list_name, [])]


def _repeat_names(children) -> list[str]:
    out: list[str] = []
    for c in children:
        if c.get("type") == "repeat":
            out.append(c.get("name"))
        if c.get("children"):
            out.extend(_repeat_names(c["children"]))
    return out


def _labels(label) -> dict[str, str]:
    if label is None:
        return {}
    if isinstance(label, dict):
        return {str(k): str(v) for k, v in label.items()}
    return {"default": str(label)}


def list_fields(survey_json: dict) -> list[Field]:
    """The form's fields: path, name, type, choice list, repeat, labels per language."""
    return FormSchema(survey_json).fields


# -- conversion ---------------------------------------------------------------------------------

@dataclass
class Converted:
    """An XLSForm converted by pyxform."""

    xform: str
    survey_json: dict
    form_id: str
    version: str
    #: True when the settings sheet had no version and it was derived from the file's sha256
    version_derived: bool
    title: str
    languages: list[str]
    default_language: str
    warnings: list[Problem]
    filename: str
    content: bytes
    sha256: str
    xform_md5: str

    @property
    def schema(self) -> FormSchema:
        return FormSchema(self.survey_json)

    def fields(self) -> list[Field]:
        return self.schema.fields


def _read(path_or_bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        if not filename:
            raise InputError(
                _("the XLSForm file name is needed to know its type"),
                hint=_("pass the original file name, e.g. 'household.xlsx'"),
                code="forms.no-filename",
            )
        return bytes(path_or_bytes), filename
    path = Path(path_or_bytes)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            _("the XLSForm file does not exist"),
            where=str(path),
            hint=_("check the path"),
            code="forms.file-missing",
        ) from None
    except OSError as exc:
        raise InputError(
            _("the XLSForm file cannot be read: %(error)s") % {"error": exc.strerror or exc},
            where=str(path),
            hint=_("check the file's permissions"),
            code="forms.file-unreadable",
        ) from None
    return data, filename or path.name


def problem_from_message(message: str, *, level: str, context: dict | None = None) -> Problem:
    """A pyxform message as a :class:`Problem` with sheet, row and a hint."""
    context = context or {}
    row = context.get("row")
    if row is None:
        m = _ROW.search(message)
        row = int(m.group(1)) if m else None
    sheet = context.get("sheet")
    if not sheet:
        m = _SHEET.search(message)
        sheet = m.group(1).lower() if m else None
    if sheet is None and row is not None:
        sheet = "survey"
    text = _ROW.sub("", message).strip()
    if sheet and row is not None:
        where = _("%(sheet)s sheet, row %(row)s") % {"sheet": sheet, "row": row}
    elif sheet:
        where = _("%(sheet)s sheet") % {"sheet": sheet}
    else:
        where = None
    if context.get("column") and where:
        where += _(", column '%(column)s'") % {"column": context["column"]}
    hint = _hint_for(text)
    code = "forms.xlsform-invalid" if level == "error" else "forms.xlsform-warning"
    return Problem(code=code, message=text, where=where, hint=hint, level=level)


def _hint_for(text: str) -> str:
    m = re.search(r"Unknown question type '([^']+)'", text)
    if m:
        from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

        known = sorted(set(QUESTION_TYPE_DICT) | {"select_one", "select_multiple", "begin_group",
                                                  "end_group", "begin_repeat", "end_repeat"})
        mean = did_you_mean(m.group(1), known)
        if mean:
            return mean
    if "choices sheet" in text or "list_name" in text:
        return _("check the choices sheet: every select_one/select_multiple list needs rows there")
    if "Reference variable" in text or "Could not find the name" in text:
        return _("a ${name} reference must name a question on the survey sheet; check the spelling")
    if "unique" in text:
        return _("give each question a different name")
    if "Unmatched" in text:
        return _("every begin_group/begin_repeat needs a matching end_group/end_repeat")
    return _("fix the XLSForm and upload it again; see https://xlsform.org for the rules")


def _version_from_hash(sha: str) -> str:
    return sha[:12]


def _languages(survey_json: dict) -> list[str]:
    found: list[str] = []

    def add(label):
        if isinstance(label, dict):
            for k in label:
                if k not in found:
                    found.append(k)

    def walk(children):
        for c in children:
            for key in ("label", "hint", "guidance_hint", "constraint_message", "required_message"):
                add(c.get(key))
            for ch in c.get("choices") or []:
                add(ch.get("label"))
            if c.get("children"):
                walk(c["children"])

    walk(survey_json.get("children") or [])
    for items in (survey_json.get("choices") or {}).values():
        for ch in items:
            add(ch.get("label"))
    default = survey_json.get("default_language") or "default"
    if default in found:
        found.remove(default)
        found.insert(0, default)
    return found


def language_code(language: str) -> str:
    """``'English (en)'`` → ``'en'``; a name without a code is returned unchanged."""
    m = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$", language)
    return m.group(1) if m else language


def convert(path_or_bytes, filename: str | None = None) -> Converted:
    """Convert an XLSForm (a path, or the file's bytes with its ``filename``)."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert as pyxform_convert

    content, filename = _read(path_or_bytes, filename)
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            _("%(name)s is not an XLSForm file") % {"name": filename},
            where=filename,
            hint=_("upload an .xlsx file (or .xls, .csv, .md)"),
            code="forms.not-xlsform",
        )
    check_size(content, filename)
    sha = hashlib.sha256(content).hexdigest()
    warnings: list[str] = []
    stem = re.sub(r"[^0-9A-Za-z_.-]+", "_", Path(filename).stem) or "form"
    with tempfile.TemporaryDirectory(prefix="lnob-xlsform-") as tmp:
        tmp_path = Path(tmp) / f"{stem}{suffix}"
        tmp_path.write_bytes(content)
        try:
            result = pyxform_convert(xlsform=str(tmp_path), warnings=warnings, file_type=suffix)
        except PyXFormError as exc:
            text = str(exc)
            if "not recognized as a supported type" in text or text.startswith("Error reading"):
                raise InputError(
                    _("the XLSForm cannot be read as %(kind)s") % {"kind": suffix},
                    where=filename,
                    hint=_("save it again from Excel or LibreOffice as .xlsx and upload that file"),
                    code="forms.unreadable",
                ) from None
            p = problem_from_message(str(exc), level="error", context=getattr(exc, "context", None))
            raise InputError(
                _("the XLSForm has an error: %(message)s") % {"message": p.message},
                where=f"{filename}: {p.where}" if p.where else filename,
                hint=p.hint,
                code="forms.xlsform-invalid",
            ) from None
        except Exception as exc:  # unreadable workbook (not a zip, broken sheet...)
            raise InputError(
                _("the XLSForm cannot be read: %(error)s") % {"error": str(exc).splitlines()[0] if str(exc) else
                                                            type(exc).__name__},
                where=filename,
                hint=_("save it again from Excel or LibreOffice as .xlsx and upload that file"),
                code="forms.unreadable",
            ) from None
    data = result._pyxform
    xform = result.xform
    version = data.get("version")
    derived = False
    if version is None or str(version).strip() == "":
        version = _version_from_hash(sha)
        derived = True
        data["version"] = version
        xform = create_survey_element_from_dict(data).to_xml(warnings=[])
    version = str(version)
    problems = [problem_from_message(w, level="warning") for w in warnings]
    default_language = data.get("default_language") or "default"
    return Converted(
        xform=xform,
        survey_json=data,
        form_id=str(data.get("id_string") or stem),
        version=version,
        version_derived=derived,
        title=str(data.get("title") or data.get("id_string") or stem),
        languages=_languages(data),
        default_language=default_language,
        warnings=problems,
        filename=filename,
        content=content,
        sha256=sha,
        xform_md5=hashlib.md5(xform.encode("utf-8")).hexdigest(),
    )
