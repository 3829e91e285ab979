"""Data quality: each record checked against its form version; duplicates; consent.

:func:`check_records` reads the raw record (XML or imported JSON) and checks,
for every question of the record and of each repeat instance:

* **type** — the answer fits the question type (integer, decimal, date);
* **choice** — select_one / select_multiple answers are names in the choice list;
* **required** — a required question that is relevant has an answer;
* **constraint** — the XLSForm ``constraint`` holds.

``constraint``, ``relevant`` and non-literal ``required`` expressions are
evaluated by :mod:`lnob.records.quality_xpath` (a tiny parser, never eval).  An
expression outside its subset is skipped and counted (``RecordCheck.n_skipped``);
when a question's relevance cannot be evaluated its required check is skipped.
Problems are stored as :class:`~lnob.records.models.RecordIssue` rows (field,
value, rule); a record in state *received* with problems moves to *has issues*
(and back when a re-check finds none); approved/rejected records keep their
state.  Records are never dropped for their problems.

:func:`duplicates_by_keys` lists records sharing the values of chosen key
fields (the form's ``FormQualitySettings.key_fields`` or given ones), read from
the analytics store; instance IDs are unique by construction (a re-sent record
is stored once).  :func:`consent_summary` counts records whose consent question
is not ``yes``.  :func:`quality_summary` gathers it all for the quality page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dc_field

from lnob.errors import NotFound, UsageError, did_you_mean
from lnob.forms.xlsform import FormSchema, Node
from lnob.i18n import _
from lnob.records.parse import convert_value
from lnob.records.quality_xpath import NotEvaluable, compile_expr, evaluate, truth

#: choice lists we cannot check (answers come from a file or an external list)
_UNCHECKED_TYPES = ("from file", "from_file", "external")


@dataclass
class Finding:
    field: str
    value: str
    rule: str
    detail: str


@dataclass
class CheckResult:
    records: int = 0
    issues: int = 0
    skipped: int = 0
    by_rule: Counter = dc_field(default_factory=Counter)


class FormRules:
    """Per form version: binds (required, constraint, relevant) and ancestors' relevance of every field."""

    def __init__(self, survey_json: dict) -> None:
        self.schema = FormSchema(survey_json)
        self.binds: dict[str, dict] = {}
        self.relevants: dict[str, list[str]] = {}
        self.by_name = {}
        for f in self.schema.fields:
            self.by_name.setdefault(f.name, f)
        self._walk(survey_json.get("children") or [], "", [])

    def _walk(self, children, path, rel):
        for c in children:
            name = c.get("name")
            if not name:
                continue
            p = f"{path}{name}"
            bind = c.get("bind") or {}
            if c.get("type") in ("group", "repeat"):
                self._walk(c.get("children") or [], p + "/", rel + ([bind["relevant"]] if bind.get("relevant")
                                                                      else []))
            else:
                self.binds[p] = bind
                self.relevants[p] = rel + ([bind["relevant"]] if bind.get("relevant") else [])


def xml_to_doc(raw: str, schema: FormSchema) -> dict:
    """An instance document as the imported-JSON shape: full path → text, repeats as lists."""
    from defusedxml import ElementTree as ET

    root = ET.fromstring(raw)
    doc: dict = {}
    _xml_walk(root, schema.tree, doc, "")
    return doc


def _xml_walk(elem, node: Node, doc: dict, path: str) -> None:
    for child in elem:
        name = child.tag.rsplit("}", 1)[-1]
        sub = node.children.get(name)
        cpath = f"{path}{name}"
        if sub is None:
            if len(child) or (child.text and child.text.strip()):
                if not (not path and name == "meta") and node.kind != "meta":
                    doc.setdefault("_lnob_unknown", []).append(cpath)
            continue
        if sub.kind == "field":
            doc[cpath] = child.text
        elif sub.kind in ("group", "meta"):
            _xml_walk(child, sub, doc, cpath + "/")
        elif sub.kind == "repeat":
            if child.get("{http://openrosa.org/javarosa}template") is not None:
                continue
            item: dict = {}
            doc.setdefault(cpath, []).append(item)
            _xml_walk(child, sub, item, cpath + "/")


def record_doc(raw: str, schema: FormSchema) -> dict:
    import json

    if raw.lstrip()[:1] == "{":
        # columns of an imported file that match no field were reported by the import (ImportRun)
        return json.loads(raw)
    return xml_to_doc(raw, schema)


def _is_true_literal(v) -> bool | None:
    s = str(v).strip().lower()
    if s in ("yes", "true", "true()", "1"):
        return True
    if s in ("", "no", "false", "false()", "0"):
        return False
    return None


def check_doc(doc: dict, rules: FormRules) -> tuple[list[Finding], int]:
    """Problems of one record (as a doc) and how many rules could not be evaluated."""
    findings: list[Finding] = []
    skipped = [0]
    schema = rules.schema
    for p in doc.get("_lnob_unknown", []) or []:
        findings.append(Finding(str(p), "", "unknown", _("not a field of the form (kept in the raw record)")))

    def scope(obj: dict, repeat: str | None, chain: list[tuple[str | None, dict]], label: str) -> None:
        chain = chain + [(repeat, obj)]
        rpath = next((r.path for r in schema.repeats if r.key == repeat), "")

        def lookup(name: str):
            f = rules.by_name.get(name)
            if f is None:
                raise NotEvaluable(name)
            for rk, o in reversed(chain):
                if rk == f.repeat:
                    v = o.get(f.path)
                    return None if v is None or str(v).strip() == "" else str(v).strip()
            raise NotEvaluable(name)  # a question in another repeat

        for f in schema.fields_of(repeat):
            raw = obj.get(f.path)
            text = None if raw is None or isinstance(raw, (list, dict)) else str(raw)
            value = None if text is None or text.strip() == "" else (text if f.kind == "text" else text.strip())
            where = f"{label}/{f.path[len(rpath) + 1:]}" if label else f.path
            bind = rules.binds.get(f.path, {})
            # relevance
            relevant: bool | None = True
            for expr in rules.relevants.get(f.path, []):
                try:
                    if not truth(expr, dot=value, lookup=lookup):
                        relevant = False
                        break
                except (NotEvaluable, RecursionError):
                    relevant = None
            req = bind.get("required")
            required = _is_true_literal(req) if req is not None else False
            if required is None:
                try:
                    required = truth(str(req), dot=value, lookup=lookup)
                except NotEvaluable:
                    required = None
            if value is None:
                if required and relevant:
                    findings.append(Finding(where, "", "required", _("a required question has no answer")))
                elif required is None or (required and relevant is None):
                    skipped[0] += 1
                continue
            # type
            try:
                convert_value(f.kind, value)
            except ValueError:
                findings.append(Finding(where, value, "type", _("not a valid %(kind)s") % {"kind": f.kind}))
                continue
            # choices
            if f.kind in ("select_one", "select_multiple") and f.list_name and not any(
                    t in f.type for t in _UNCHECKED_TYPES):
                names = set(schema.choice_names(f.list_name))
                if names:
                    answers = value.split() if f.kind == "select_multiple" else [value]
                    bad = [a for a in answers if a not in names]
                    if bad:
                        findings.append(Finding(where, value, "choice",
                                                _("not in the choice list %(list)s: %(bad)s")
                                                % {"list": f.list_name, "bad": " ".join(bad)}))
                        continue
            # constraint
            cons = bind.get("constraint")
            if cons:
                try:
                    ok = truth(cons, dot=value, lookup=lookup)
                except (NotEvaluable, RecursionError):
                    skipped[0] += 1
                else:
                    if not ok:
                        findings.append(Finding(where, value, "constraint", cons))
        for r in schema.repeats:
            if r.parent != repeat:
                continue
            items = obj.get(r.path) or []
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items, start=1):
                if isinstance(item, dict):
                    scope(item, r.key, chain, f"{label + '/' if label else ''}{r.name}[{i}]")

    scope(doc, None, [], "")
    return findings, skipped[0]


def _rules_for(fv_id: int, cache: dict) -> FormRules:
    from lnob.forms.models import FormVersion

    rules = cache.get(fv_id)
    if rules is None:
        rules = cache[fv_id] = FormRules(FormVersion.objects.only("survey_json").get(pk=fv_id).survey_json)
    return rules


def check_records(project, *, form=None, records=None, recheck: bool = False, batch_size: int = 1000,
                  progress=None) -> CheckResult:
    """Check records not checked yet (``recheck``: all) and store their problems."""
    from django.db import transaction

    from lnob.records.models import Record, RecordCheck, RecordIssue, ReviewEvent

    qs = Record.objects.filter(project=project) if records is None else Record.objects.filter(
        pk__in=[r.pk for r in records])
    if form is not None:
        qs = qs.filter(form=form)
    if not recheck:
        qs = qs.filter(quality_check__isnull=True)
    result = CheckResult()
    cache: dict = {}
    total = qs.count()
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk").only(
            "pk", "raw", "form_version_id", "review_state", "instance_id", "deprecated_id")[:batch_size])
        if not batch:
            break
        last = batch[-1].pk
        issues, checks, events, states = [], [], [], []
        for rec in batch:
            rules = _rules_for(rec.form_version_id, cache)
            try:
                found, skipped = check_doc(record_doc(rec.raw, rules.schema), rules)
            except Exception as exc:  # unreadable raw (bad XML/JSON): a problem of the record, not a crash
                found, skipped = [Finding("", "", "unreadable", str(exc)[:500])], 0
            result.records += 1
            result.skipped += skipped
            result.issues += len(found)
            for f in found:
                result.by_rule[f.rule] += 1
                issues.append(RecordIssue(record=rec, field=f.field[:512], value=f.value[:2000], rule=f.rule,
                                          detail=f.detail))
            checks.append(RecordCheck(record=rec, n_issues=len(found), n_skipped=skipped))
            new = rec.review_state
            if found and rec.review_state == Record.Review.RECEIVED:
                new = Record.Review.HAS_ISSUES
            elif not found and rec.review_state == Record.Review.HAS_ISSUES:
                new = Record.Review.RECEIVED
            if new != rec.review_state:
                events.append(ReviewEvent(record=rec, kind=ReviewEvent.Kind.STATE, actor_name="lnob quality check",
                                          from_state=rec.review_state, to_state=new,
                                          details={"issues": len(found)}))
                rec.review_state = new
                states.append(rec)
            if rec.deprecated_id and not recheck:
                events.append(ReviewEvent(record=rec, kind=ReviewEvent.Kind.EDIT, actor_name="collector",
                                          comment=_("edit of %(old)s") % {"old": rec.deprecated_id},
                                          details={"replaces": rec.deprecated_id}))
        with transaction.atomic():
            ids = [r.pk for r in batch]
            RecordIssue.objects.filter(record_id__in=ids).delete()
            RecordCheck.objects.filter(record_id__in=ids).delete()
            RecordIssue.objects.bulk_create(issues, batch_size=2000)
            RecordCheck.objects.bulk_create(checks, batch_size=2000)
            ReviewEvent.objects.bulk_create(events, batch_size=2000)
            if states:
                Record.objects.bulk_update(states, ["review_state"], batch_size=2000)
        if progress:
            progress("checks", result.records, total)
    return result


# -- duplicates and consent (read from the analytics store) -----------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def key_fields_of(form) -> list[str]:
    from lnob.records.models import FormQualitySettings

    s = FormQualitySettings.objects.filter(form=form).first()
    return list(s.key_fields) if s else []


def set_key_fields(form, fields: list[str]) -> list[str]:
    """Choose the record-level columns whose repeated values mark duplicates (checked against the form)."""
    from lnob.records.models import FormQualitySettings

    columns = set()
    for sj in form.versions.values_list("survey_json", flat=True):
        columns.update(f.column for f in FormSchema(sj).fields_of(None))
    for f in fields:
        if f not in columns:
            raise UsageError(_("form %(form)s has no record-level field %(f)r") % {"form": form.form_id, "f": f},
                             where=f, hint=did_you_mean(f, columns) or _("use analytics column names such as "
                                                                         "location__village"),
                             code="records.unknown-key-field")
    FormQualitySettings.objects.update_or_create(form=form, defaults={"key_fields": list(fields)})
    return list(fields)


def duplicates_by_keys(project, form, keys: list[str] | None = None, *, store=None, limit: int = 200):
    """Groups of records sharing the key fields' values: ``[(values, count, [instance ids…])]``."""
    from lnob.records.analytics import table_name
    from lnob.records.services import default_store

    keys = key_fields_of(form) if keys is None else keys
    if not keys:
        return []
    store = store or default_store()
    table = table_name(form.form_id)
    if table not in store.tables():
        return []
    with store.connect(read_only=True) as con:
        cols = {r[0] for r in con.execute("select column_name from information_schema.columns where table_name=?",
                                          [table]).fetchall()}
        for k in keys:
            if k not in cols:
                raise NotFound(_("the analytics table has no column %(c)r") % {"c": k}, where=table,
                               hint=did_you_mean(k, cols), code="records.unknown-key-field")
        kl = ", ".join(_q(k) for k in keys)
        nonnull = " and ".join(f"{_q(k)} is not null" for k in keys)
        rows = con.execute(
            f"select {kl}, count(*) as n, list(_instance_id order by _record_id) from {_q(table)} "
            f"where _project = ? and {nonnull} group by {kl} having count(*) > 1 order by n desc limit ?",
            [project.slug, limit]).fetchall()
    return [(r[:len(keys)], r[len(keys)], r[len(keys) + 1]) for r in rows]


def consent_field(schema: FormSchema):
    fields = schema.fields_of(None)
    return next((f for f in fields if f.name == "consent"), None) or next(
        (f for f in fields if f.name.endswith("consent") and f.kind == "select_one"), None)


def consent_summary(project, form, *, store=None) -> dict | None:
    """``{"field", "yes", "no", "missing"}`` record counts for the form's consent question (None: no such question)."""
    from lnob.records.analytics import table_name
    from lnob.records.services import default_store

    fv = form.current_version
    if fv is None:
        return None
    f = consent_field(FormSchema(fv.survey_json))
    if f is None:
        return None
    store = store or default_store()
    table = table_name(form.form_id)
    out = {"field": f.path, "yes": 0, "no": 0, "missing": 0}
    if table not in store.tables():
        return out
    with store.connect(read_only=True) as con:
        rows = con.execute(f"select lower(trim({_q(f.column)})), count(*) from {_q(table)} where _project = ? "
                           "group by 1", [project.slug]).fetchall()
    for v, n in rows:
        if v in ("yes", "1", "true", "y", "oui", "si", "sí"):
            out["yes"] += n
        elif v is None or v == "":
            out["missing"] += n
        else:
            out["no"] += n
    return out


def quality_summary(project, *, store=None) -> dict:
    """Everything the data-quality page shows, per project."""
    from django.db.models import Count

    from lnob.forms.models import Form
    from lnob.records.models import Record, RecordCheck, RecordIssue

    states = dict(Record.objects.filter(project=project).values_list("review_state").annotate(n=Count("id"))
                  .values_list("review_state", "n"))
    by_field: Counter = Counter()
    for field, rule, n in (RecordIssue.objects.filter(record__project=project).values_list("field", "rule")
                           .annotate(n=Count("id")).values_list("field", "rule", "n")):
        import re

        by_field[(re.sub(r"\[\d+\]", "[]", field), rule)] += n
    forms = []
    for form in Form.objects.filter(project=project).order_by("form_id"):
        try:
            dups = duplicates_by_keys(project, form, store=store)
        except NotFound:
            dups = []
        forms.append({"form": form, "keys": key_fields_of(form), "duplicates": dups,
                      "consent": consent_summary(project, form, store=store)})
    checks = RecordCheck.objects.filter(record__project=project)
    from django.db.models import Sum

    return {
        "states": {s: states.get(s, 0) for s in Record.Review.values},
        "total": sum(states.values()),
        "unchecked": Record.objects.filter(project=project, quality_check__isnull=True).count(),
        "skipped": checks.aggregate(n=Sum("n_skipped"))["n"] or 0,
        "by_field": [(f, r, n) for (f, r), n in by_field.most_common()],
        "forms": forms,
    }


def validate_expression(text: str) -> bool:
    """True when ``text`` is inside the evaluable subset."""
    try:
        compile_expr(text)
        return True
    except NotEvaluable:
        return False


__all__ = ["check_records", "check_doc", "FormRules", "duplicates_by_keys", "consent_summary", "quality_summary",
           "set_key_fields", "key_fields_of", "evaluate", "record_doc"]
