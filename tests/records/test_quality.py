"""Quality checks on crafted records, the safe XPath subset, duplicates, consent, review history."""

from __future__ import annotations

import math

import pytest

from lnob.errors import UsageError
from lnob.records import review
from lnob.records.models import Record, RecordCheck, RecordIssue, ReviewEvent
from lnob.records.quality import (
    check_records,
    consent_summary,
    duplicates_by_keys,
    quality_summary,
    set_key_fields,
)
from lnob.records.quality_xpath import NotEvaluable, evaluate, truth
from lnob.records.services import store_records, sync_analytics

from .conftest import small_instance

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("expr, dot, refs, expected", [
    (". >= 0 and . <= 120", "35", {}, True),
    (". >= 0 and . <= 120", "121", {}, False),
    (". >= 0 and . <= 120", None, {}, False),  # empty is NaN
    (". != ''", "", {}, False),
    (". != ''", "x", {}, True),
    (". >= 10 and . <= ${age}", "12", {"age": "22"}, True),
    (". >= 10 and . <= ${age}", "23", {"age": "22"}, False),
    ("not(selected(., 'none') and count-selected(.) > 1)", "none tv", {}, False),
    ("not(selected(., 'none') and count-selected(.) > 1)", "radio tv", {}, True),
    ("${a} = 'yes' or ${b} mod 2 = 1", None, {"a": "no", "b": "3"}, True),
    ("string-length(.) <= 3 and -1 < 0", "abc", {}, True),
    ("(. div 2) * 2 = .", "4", {}, True),
])
def test_xpath_subset(expr, dot, refs, expected):
    assert truth(expr, dot=dot, lookup=lambda n: refs[n]) is expected


@pytest.mark.parametrize("expr", ["regex(., '^a+$')", "today() > .", "/data/x = 1", "__import__('os')",
                                  ". = 1; drop", "instance('x')/root/item"])
def test_xpath_outside_the_subset_is_not_evaluated(expr):
    with pytest.raises(NotEvaluable):
        evaluate(expr, dot="1", lookup=lambda n: "1")


def test_xpath_nan_comparisons():
    assert math.isnan(evaluate(". + 1", dot="x"))
    assert truth(". = 'x'", dot="x")


def _store(project, fv, store, xmls):
    res = store_records(project, fv, xmls, source="import")
    sync_analytics(project, store=store)
    return res


def test_problems_found_and_stored_per_record(small):
    project, fv, store = small
    _store(project, fv, store, [
        small_instance("uuid:good"),
        small_instance("uuid:bad", size="40", assets="none tv", village="", people=((200, ""), (8, ""))),
        small_instance("uuid:types", size="three", assets="radio car"),
        small_instance("uuid:noconsent", consent="no", head="", village="", size="", assets="", people=()),
        small_instance("uuid:regex", note="Hello"),
    ])
    res = check_records(project)
    assert res.records == 5
    issues = {(i.record.instance_id, i.field, i.rule, i.value) for i in RecordIssue.objects.select_related("record")}
    assert issues == {
        ("uuid:bad", "hh/size", "constraint", "40"),
        ("uuid:bad", "hh/assets", "constraint", "none tv"),
        ("uuid:bad", "hh/village", "required", ""),
        ("uuid:bad", "people[1]/age", "constraint", "200"),
        ("uuid:bad", "people[2]/school", "required", ""),
        ("uuid:types", "hh/size", "type", "three"),
        ("uuid:types", "hh/assets", "choice", "radio car"),
    }
    # the regex() constraint is skipped and counted, never guessed
    assert RecordCheck.objects.get(record__instance_id="uuid:regex").n_skipped == 1
    assert res.skipped == 1
    states = dict(Record.objects.values_list("instance_id", "review_state"))
    assert states["uuid:bad"] == "has_issues" and states["uuid:types"] == "has_issues"
    assert states["uuid:good"] == "received" and states["uuid:noconsent"] == "received"
    # nothing dropped: every record is still there, checked once
    assert Record.objects.count() == 5 and check_records(project).records == 0
    # a re-check replaces the issues instead of adding copies
    assert check_records(project, recheck=True).issues == 7 and RecordIssue.objects.count() == 7
    c = consent_summary(project, fv.form, store=store)
    assert c == {"field": "consent", "yes": 4, "no": 1, "missing": 0}


def test_review_transitions_with_history(small):
    project, fv, store = small
    _store(project, fv, store, [small_instance("uuid:r1", size="99")])
    check_records(project)
    rec = Record.objects.get()
    assert rec.review_state == "has_issues"
    with pytest.raises(UsageError) as e:
        review.set_state(rec, "rejected", actor_name="asha")
    assert e.value.code == "records.reject-needs-comment"
    with pytest.raises(UsageError) as e:
        review.set_state(rec, "aproved", actor_name="asha")
    assert "approved" in e.value.hint
    review.add_comment(rec, "size 99 looks wrong; call back", actor_name="asha")
    review.set_state(rec, "rejected", actor_name="asha", comment="household visited twice")
    review.set_state(rec, "approved", actor_name="binh", comment="reopened after call-back")
    rec.refresh_from_db()
    assert rec.review_state == "approved"
    hist = [(e.kind, e.from_state, e.to_state, e.actor_name) for e in review.history(rec)]
    assert hist == [("state", "received", "has_issues", "lnob quality check"), ("comment", "", "", "asha"),
                    ("state", "has_issues", "rejected", "asha"), ("state", "rejected", "approved", "binh")]
    # approved records keep their state on a re-check
    check_records(project, recheck=True)
    rec.refresh_from_db()
    assert rec.review_state == "approved"
    assert ReviewEvent.objects.count() == 4


def test_duplicates_by_key_fields_and_summary(small):
    project, fv, store = small
    _store(project, fv, store, [small_instance("uuid:d1", village="Ba", size="3"),
                                small_instance("uuid:d2", village="Ba", size="3"),
                                small_instance("uuid:d3", village="Ca", size="3")])
    with pytest.raises(UsageError) as e:
        set_key_fields(fv.form, ["hh__villag"])
    assert "hh__village" in e.value.hint
    set_key_fields(fv.form, ["hh__village", "hh__size"])
    dups = duplicates_by_keys(project, fv.form, store=store)
    assert dups == [(("Ba", 3), 2, ["uuid:d1", "uuid:d2"])]
    check_records(project)
    s = quality_summary(project, store=store)
    assert s["total"] == 3 and s["states"]["received"] == 3 and s["unchecked"] == 0
    assert s["forms"][0]["duplicates"] == dups


def test_edit_is_in_the_history(small):
    from lnob.records.services import RecordItem

    project, fv, store = small
    _store(project, fv, store, [small_instance("uuid:e1")])
    store_records(project, fv, [RecordItem(small_instance("uuid:e2", size="4"), "uuid:e2", deprecated_id="uuid:e1")])
    check_records(project)
    ev = ReviewEvent.objects.get(kind="edit")
    assert ev.record.instance_id == "uuid:e2" and ev.details == {"replaces": "uuid:e1"}
