"""Microdata release: the risk summary shown before a record-level export, and the export itself.

A microdata release is **one table** of one form — the record table (``form_<id>``) or one
repeat table (``form_<id>__<repeat>``) — exported with :func:`lnob.records.export.export_project`
after a disclosure-risk check on chosen **quasi-identifiers** (variables an outsider may know:
age band, sex, village, caste or ethnicity, disability…):

* :func:`risk_summary` — records, equivalence classes, classes and records below ``k``,
  unique records, l-diversity violations on a sensitive field, what local suppression would
  blank (cells per field) and which personal fields are left out for this user;
* :func:`release` — the same check, then the export; with ``suppress`` the cells that
  :func:`lnob.disclosure.local_suppression` blanks are written as missing, so the file is
  k-anonymous on the quasi-identifiers (missing counting as a value of its own).

The check and the export run on **one** read-only connection to the analytics store: no
record can arrive between them (the store's file lock keeps writers out), so the blanked
cells are exactly the ones the check computed.  Personal fields the user may not see are
never available as quasi-identifiers or in the file.  Other tables of the form are not part
of a release: their risk is not checked (release them separately).
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lnob.errors import InputError, did_you_mean
from lnob.i18n import _

DEFAULT_K = 5
DEFAULT_L = 2
#: local suppression tries every subset of the quasi-identifiers: keep their number small
MAX_QUASI = 10
#: equivalence classes below k listed in the summary
WORST = 10

#: name patterns of likely quasi-identifiers (the page pre-selects them)
QUASI_PATTERNS = [
    re.compile(r"(^|_)(age|ages|age_?years|age_?band|age_?group|age_?cat|dob|birth_?year|year_?of_?birth)($|_)"),
    re.compile(r"(^|_)(sex|gender)($|_)"),
    re.compile(r"(village|district|ward|municipal|province|region|admin[0-9]|county|commune|upazila|union_?parishad"
               r"|tole|settlement|camp|tehsil|locality|neighbou?rhood)"),
    re.compile(r"(caste|ethnic|religio|tribe|indigenous|mother_?tongue|nationality|migra|refugee|idp)"),
    re.compile(r"(disab|(^|_)wg_|washington|functional_?diff|difficulty_)"),
]


def suggest_quasi(columns) -> list[str]:
    """The columns whose names look like quasi-identifiers (system columns ``_…`` excluded)."""
    out = []
    for c in columns:
        if c.startswith("_"):
            continue
        name = c.lower()
        if any(p.search(name) for p in QUASI_PATTERNS):
            out.append(c)
    return out


@dataclass
class ReleaseSpec:
    """What to release: a form's table, quasi-identifiers, k, and an optional sensitive field for l."""

    form_id: str
    quasi: list[str]
    k: int = DEFAULT_K
    table: str | None = None  # default: the form's record table
    sensitive: str | None = None
    l: int | None = None  # noqa: E741 - the standard name; default DEFAULT_L when sensitive is given
    suppress: bool = False

    @classmethod
    def from_args(cls, args: dict) -> ReleaseSpec:
        """From a job's or a page's arguments (``quasi``, ``k``, ``l``, ``sensitive``, ``table``…)."""
        return cls(form_id=str(args.get("form_id") or ""), quasi=list(args.get("quasi") or []),
                   k=args.get("k", DEFAULT_K), table=args.get("table") or None,
                   sensitive=args.get("sensitive") or None, l=args.get("l"), suppress=bool(args.get("suppress")))

    def as_args(self) -> dict:
        return {"form_id": self.form_id, "quasi": list(self.quasi), "k": self.k, "table": self.table,
                "sensitive": self.sensitive, "l": self.l, "suppress": self.suppress}


@dataclass
class RiskSummary:
    """The numbers shown before a microdata export (all counts are of rows of the released table)."""

    form_id: str
    table: str
    quasi: list[str]
    k: int
    records: int
    classes: int
    classes_below_k: int
    records_below_k: int
    records_unique: int
    sensitive: str | None = None
    l: int | None = None  # noqa: E741
    l_classes_below: int = 0
    l_records_below: int = 0
    min_l: int | None = None
    #: cells local suppression blanks, per quasi-identifier, and in all
    suppression: dict = field(default_factory=dict)
    suppressed_cells: int = 0
    records_changed: int = 0
    #: records still below k after suppression (only when the table has fewer than k rows)
    unresolved: int = 0
    #: columns of the table left out because they are personal
    personal_left_out: list = field(default_factory=list)
    #: the classes below k, most at risk first: {"values": {...}, "size": n}
    worst: list = field(default_factory=list)
    #: l-diversity and classes below k after suppression
    after_suppression: dict = field(default_factory=dict)

    @property
    def share_below_k(self) -> float:
        return self.records_below_k / self.records if self.records else 0.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["share_below_k"] = self.share_below_k
        return d


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fail(message, where, hint, code):
    raise InputError(message, where=where, hint=hint, code=code)


def _int(value, name: str, minimum: int, hint: str) -> int:
    if isinstance(value, bool):
        value = None
    try:
        n = int(str(value).strip()) if value is not None and str(value).strip() != "" else None
    except ValueError:
        n = None
    if n is None or n < minimum or n > 1000:
        _fail(_("%(n)s must be a whole number from %(min)d to 1000") % {"n": name, "min": minimum},
              name, hint, f"records.release-{name}")
    return n


def table_columns(con, table: str) -> list[tuple[str, str]]:
    return [tuple(r) for r in con.execute(
        "select column_name, data_type from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table]).fetchall()]


def release_tables(form) -> list[str]:
    """The tables of a form that can be released: the record table first, then the repeats."""
    from lnob.records.services import analytics_tables

    return analytics_tables(form)


def available_columns(con, project, form, table: str, include_personal: bool) -> tuple[list[tuple[str, str]],
                                                                                           list[str]]:
    """(columns the user may release, personal columns left out) of ``table``."""
    from lnob.records.export import personal_columns

    cols = table_columns(con, table)
    drop = set() if include_personal else personal_columns(form).get(table, set())
    return [(c, t) for c, t in cols if c not in drop], [c for c, _t in cols if c in drop]


def _check(con, project, spec: ReleaseSpec, include_personal: bool):
    """Validate ``spec`` against the store; returns (form, table, is_repeat, columns, left out, k, l)."""
    from lnob.forms.services import get_form

    form = get_form(project, spec.form_id)
    tables = release_tables(form)
    table = spec.table or tables[0]
    if table not in tables:
        _fail(_("%(t)s is not a table of form %(f)s") % {"t": table, "f": form.form_id}, table,
              did_you_mean(table, tables) or _("tables: %(t)s") % {"t": ", ".join(tables)},
              "records.release-table")
    cols, left_out = available_columns(con, project, form, table, include_personal)
    if not cols:
        _fail(_("form %(f)s has no records in the analytics store yet") % {"f": form.form_id}, table,
              _("import or collect records first (and let the analytics sync run)"), "records.export-empty")
    k = _int(spec.k, "k", 2, _("k is the smallest group size allowed, e.g. 5 (at least 2)"))
    quasi = [q.strip() for q in spec.quasi if q and q.strip()]
    if not quasi:
        _fail(_("choose at least one quasi-identifier"), "quasi",
              _("quasi-identifiers are variables an outsider may know: age band, sex, village, caste…"),
              "records.release-quasi")
    if len(set(quasi)) != len(quasi):
        _fail(_("a quasi-identifier is listed twice"), "quasi", None, "records.release-quasi")
    if len(quasi) > MAX_QUASI:
        _fail(_("at most %(n)d quasi-identifiers") % {"n": MAX_QUASI}, "quasi",
              _("group or leave out variables an outsider is unlikely to know"), "records.release-quasi")
    names = [c for c, _t in cols if not c.startswith("_")]
    for name in quasi + ([spec.sensitive] if spec.sensitive else []):
        if name in left_out:
            _fail(_("%(c)s is a personal field, left out of your export") % {"c": name}, name,
                  _("personal fields cannot be released; an owner can grant access to personal data"),
                  "records.release-personal")
        if name not in names:
            _fail(_("no column %(c)s in %(t)s") % {"c": name, "t": table}, name,
                  did_you_mean(name, names) or _("columns: %(c)s") % {"c": ", ".join(names[:40])},
                  "records.release-unknown-column")
    l_val = None
    if spec.sensitive:
        if spec.sensitive in quasi:
            _fail(_("the sensitive field cannot also be a quasi-identifier"), spec.sensitive, None,
                  "records.release-sensitive")
        l_val = _int(spec.l if spec.l not in (None, "") else DEFAULT_L, "l", 1,
                     _("l is the fewest distinct values of the sensitive field in every group, e.g. 2"))
    elif spec.l not in (None, ""):
        _fail(_("l-diversity needs a sensitive field"), "l", _("choose the sensitive field, e.g. a health "
                                                               "condition"), "records.release-sensitive")
    return form, table, table != tables[0], left_out, quasi, k, l_val


def _rows(con, project, form, table: str, repeat: bool, names: list[str]):
    from lnob.records.analytics import table_name

    main = table_name(form.form_id)
    keys = "_record_id, _parent_index, _index" if repeat else "_record_id, 0, 0"
    sel = ", ".join(_q(c) for c in names)
    if repeat:
        sql = (f"select {keys}, {sel} from {_q(table)} where _record_id in "
               f"(select _record_id from {_q(main)} where _project = ?)")
    else:
        sql = f"select {keys}, {sel} from {_q(table)} where _project = ?"
    rows, ids = [], []
    for r in con.execute(sql, [project.slug]).fetchall():
        ids.append((int(r[0]), int(r[1] or 0), int(r[2] or 0)))
        rows.append(dict(zip(names, r[3:])))
    return ids, rows


def _missing(v) -> bool:
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def assess(con, project, spec: ReleaseSpec, *, include_personal: bool = False):
    """The risk summary and the cells suppression blanks: ``(RiskSummary, [(rid, pidx, idx, column)])``."""
    from lnob.disclosure import kanonymity_report, local_suppression

    form, table, repeat, left_out, quasi, k, l_val = _check(con, project, spec, include_personal)
    names = quasi + ([spec.sensitive] if spec.sensitive else [])
    ids, rows = _rows(con, project, form, table, repeat, names)
    summary = RiskSummary(form_id=form.form_id, table=table, quasi=quasi, k=k, records=len(rows), classes=0,
                          classes_below_k=0, records_below_k=0, records_unique=0, sensitive=spec.sensitive,
                          l=l_val, personal_left_out=left_out)
    if not rows:
        return summary, []
    report = kanonymity_report(rows, quasi, sensitive=spec.sensitive, k=k, l=l_val or 1)
    summary.classes = len(report.classes)
    summary.classes_below_k = report.classes_below_k
    summary.records_below_k = report.records_below_k
    summary.records_unique = report.records_unique
    summary.worst = [{"values": {q: (None if _missing(v) else str(v)) for q, v in c.values.items()},
                      "size": c.size} for c in report.classes if c.fk < k][:WORST]
    if spec.sensitive:
        ld = report.l_diversity[spec.sensitive]
        summary.l_classes_below, summary.l_records_below = ld["classes_below_l"], ld["records_below_l"]
        summary.min_l = ld["min_l"]
    supp = local_suppression(rows, quasi, k=k)
    masks, changed = [], 0
    for key, before, after in zip(ids, rows, supp.rows):
        cols = [q for q in quasi if after[q] is None and not _missing(before[q])]
        masks += [(*key, q) for q in cols]
        changed += bool(cols)
    summary.suppression = {q: supp.suppressed[q] for q in quasi}
    summary.suppressed_cells = supp.total
    summary.records_changed = changed
    summary.unresolved = supp.unresolved
    after = kanonymity_report(supp.rows, quasi, sensitive=spec.sensitive, k=k, l=l_val or 1)
    summary.after_suppression = {"classes": len(after.classes), "classes_below_k": after.classes_below_k,
                                 "records_below_k": after.records_below_k}
    if spec.sensitive:
        summary.after_suppression["l_classes_below"] = after.l_diversity[spec.sensitive]["classes_below_l"]
    return summary, masks


@contextmanager
def reading(store):
    """A read-only connection to the analytics store; a store held too long by a writer is a typed error."""
    import duckdb

    try:
        cm = store.connect(read_only=True)
        con = cm.__enter__()
    except duckdb.IOException:
        raise InputError(_("the analytics store is busy (records are being written)"), where=str(store.path),
                         hint=_("try again in a moment"), code="records.store-busy") from None
    try:
        yield con
    finally:
        cm.__exit__(None, None, None)


def risk_summary(project, spec: ReleaseSpec, *, include_personal: bool = False, store=None) -> RiskSummary:
    """The risk summary of releasing ``spec`` (nothing is written)."""
    from lnob.records.services import default_store

    with reading(store or default_store()) as con:
        return assess(con, project, spec, include_personal=include_personal)[0]


def default_risks(project, form_id: str | None = None, *, k: int = DEFAULT_K, include_personal: bool = False,
                  store=None) -> list[RiskSummary]:
    """The risk summary of each table of each form (records and repeats) on the suggested quasi-identifiers
    (:func:`suggest_quasi`) — what a full export shows before it writes record-level data.
    Forms without data or without a likely quasi-identifier are skipped."""
    from lnob.forms.models import Form
    from lnob.records.services import default_store

    forms = Form.objects.filter(project=project).order_by("form_id")
    if form_id:
        forms = forms.filter(form_id=form_id)
    out = []
    with reading(store or default_store()) as con:
        for form in forms:
            for table in release_tables(form):
                cols, _left = available_columns(con, project, form, table, include_personal)
                quasi = suggest_quasi([c for c, _t in cols])[:MAX_QUASI]
                if not quasi:
                    continue
                spec = ReleaseSpec(form_id=form.form_id, quasi=quasi, k=k, table=table)
                out.append(assess(con, project, spec, include_personal=include_personal)[0])
    return out


def release(project, fmt: str, out: str | Path | None, spec: ReleaseSpec, *, include_personal: bool = False,
            store=None, actor=None, actor_name: str = "", progress=None, overwrite: bool = False):
    """Check and export one table as microdata; returns ``(ExportResult, RiskSummary)``.

    With ``spec.suppress`` the cells local suppression blanks are written as missing; a
    table with fewer than k rows cannot be made k-anonymous and is refused.  The audit event
    (``export``) carries the quasi-identifiers, k, l and the risk numbers.
    """
    from lnob.forms.services import get_form
    from lnob.records.export import export_project

    holder: dict = {}
    details: dict = {}

    def masker(con):
        summary, masks = assess(con, project, spec, include_personal=include_personal)
        if spec.suppress and summary.unresolved:
            _fail(_("the table has fewer than k = %(k)d rows: no release of it can be k-anonymous")
                  % {"k": summary.k}, summary.table, _("lower k, or wait for more records"),
                  "records.release-too-few")
        holder["summary"] = summary
        details["microdata"] = {
            "table": summary.table, "quasi": summary.quasi, "k": summary.k, "l": summary.l,
            "sensitive": summary.sensitive, "suppress": spec.suppress, "records": summary.records,
            "records_below_k": summary.records_below_k, "classes_below_k": summary.classes_below_k,
            "l_classes_below": summary.l_classes_below,
            "suppressed_cells": summary.suppressed_cells if spec.suppress else 0}
        if progress:
            progress("risk", 1, 1)
        return {summary.table: masks} if spec.suppress else {}

    form = get_form(project, spec.form_id)
    table = spec.table or release_tables(form)[0]
    result = export_project(project, fmt, out, form_id=form.form_id, include_personal=include_personal, store=store,
                            actor=actor, actor_name=actor_name, progress=progress, overwrite=overwrite,
                            only=[table], masker=masker, audit_details=details)
    return result, holder["summary"]
