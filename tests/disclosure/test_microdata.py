"""k-anonymity / l-diversity report and local suppression."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnob.disclosure import kanonymity_report, local_suppression
from lnob.errors import InputError

QI = ["age", "sex", "caste"]


def people(spec):
    """Rows from [(age, sex, caste, illness, count)]."""
    rows = []
    for age, sex, caste, ill, count in spec:
        rows += [{"age": age, "sex": sex, "caste": caste, "ill": ill, "id": len(rows) + i}
                 for i in range(count)]
    return rows


def test_report_counts_classes_and_risk():
    rows = people([("30", "F", "Dalit", "tb", 1), ("40", "F", "Dalit", "tb", 2),
                   ("40", "M", "Dalit", "hiv", 3), ("40", "M", "Dalit", "tb", 3),
                   ("50", "M", "Other", "none", 5)])
    rep = kanonymity_report(rows, QI, sensitive="ill", k=5, l=2)
    assert rep.records == 14 and len(rep.classes) == 4
    assert rep.classes_below_k == 2 and rep.records_below_k == 3
    assert rep.records_unique == 1 and rep.records_pairs == 2
    assert rep.classes[0].values == {"age": "30", "sex": "F", "caste": "Dalit"} and rep.classes[0].fk == 1
    assert rep.l_diversity["ill"] == {"classes_below_l": 3, "records_below_l": 8, "min_l": 1}
    summary = rep.risk_summary()
    assert summary["share_size_1"] == pytest.approx(1 / 14)
    assert summary["share_below_k"] == pytest.approx(3 / 14)
    assert not rep.k_anonymous and not rep.l_diverse
    assert kanonymity_report(rows, QI, k=1).k_anonymous


def test_wildcard_is_optimistic_about_suppressed_values():
    # one 30-year-old Dalit woman, her age suppressed; ten Dalit women aged 40
    rows = people([(None, "F", "Dalit", "tb", 1), ("40", "F", "Dalit", "none", 10)])
    cat = kanonymity_report(rows, QI, k=5)
    wild = kanonymity_report(rows, QI, k=5, missing="wildcard")
    assert cat.records_unique == 1 and not cat.k_anonymous
    assert wild.k_anonymous and min(c.fk for c in wild.classes) == 11
    # an attacker who knows she is 30 still singles her out: category mode reports it


def test_missing_values_are_none_empty_or_nan():
    rows = people([("", "F", "Dalit", "tb", 2)]) + people([(float("nan"), "F", "Dalit", "tb", 3)])
    rep = kanonymity_report(rows, QI, k=5)
    assert len(rep.classes) == 1 and rep.classes[0].size == 5 and rep.classes[0].values["age"] is None


def test_local_suppression_reaches_k_with_few_suppressions():
    rows = people([("30", "F", "Dalit", "tb", 1), ("31", "F", "Dalit", "tb", 1),
                   ("32", "F", "Dalit", "tb", 1), ("40", "F", "Dalit", "hiv", 6),
                   ("50", "M", "Other", "none", 7)])
    res = local_suppression(rows, QI, k=3)
    assert kanonymity_report(res.rows, QI, k=3).k_anonymous
    # the three unique Dalit women lose their age only (age has the most distinct values)
    assert res.suppressed == {"age": 3, "sex": 0, "caste": 0}
    assert res.importance[-1] == "age"
    changed = [i for i, (a, b) in enumerate(zip(rows, res.rows)) if a != b]
    assert sorted(rows[i]["age"] for i in changed) == ["30", "31", "32"]
    assert res.total == sum(res.suppressed.values()) == sum(
        1 for a, b in zip(rows, res.rows) for q in QI if a[q] != b[q])
    assert res.rows is not rows and rows[0]["age"] == "30"  # input untouched


def test_importance_order_is_respected():
    # four unique Dalit records: blanking sex pairs them by age, blanking age pairs them by sex
    rows = people([("30", "F", "Dalit", "x", 1), ("30", "M", "Dalit", "x", 1), ("40", "F", "Dalit", "x", 1),
                   ("40", "M", "Dalit", "x", 1), ("50", "M", "Other", "x", 3)])
    keep_age = local_suppression(rows, QI, k=2, importance=["caste", "age", "sex"])
    assert keep_age.suppressed == {"age": 0, "sex": 4, "caste": 0}
    keep_sex = local_suppression(rows, QI, k=2, importance=["caste", "sex", "age"])
    assert keep_sex.suppressed == {"age": 4, "sex": 0, "caste": 0}
    for res in (keep_age, keep_sex):
        assert kanonymity_report(res.rows, QI, k=2).k_anonymous
        assert res.rows[-1] == rows[-1]
    with pytest.raises(InputError):
        local_suppression(rows, QI, k=3, importance=["sex", "age"])


def test_fewer_than_k_rows_left_are_joined_by_borrowed_records():
    rows = people([("1", "F", "a", "x", 1), ("2", "M", "b", "x", 1), ("3", "F", "c", "x", 10)])
    res = local_suppression(rows, QI, k=5)
    rep = kanonymity_report(res.rows, QI, k=5)
    assert rep.k_anonymous and res.unresolved == 0
    # the two unique records plus three borrowed from the class of ten, all fully blanked
    assert res.suppressed == {"age": 5, "sex": 5, "caste": 5}
    assert rep.classes[0].values == {"age": None, "sex": None, "caste": None} and rep.classes[0].size == 5
    tiny = local_suppression(people([("1", "F", "a", "x", 2)]), QI, k=5)
    assert tiny.unresolved == 2


def test_errors():
    rows = people([("1", "F", "a", "x", 3)])
    with pytest.raises(InputError) as err:
        kanonymity_report(rows, ["age", "sexx"])
    assert err.value.code == "disclosure.unknown-variable" and "sex" in err.value.hint
    with pytest.raises(InputError):
        kanonymity_report(rows, [])
    with pytest.raises(InputError):
        kanonymity_report(rows, QI, k=0)
    with pytest.raises(InputError):
        kanonymity_report(rows, QI, missing="ignore")
    with pytest.raises(InputError):
        local_suppression([("a", 1)], ["age"])
    assert kanonymity_report([], QI).records == 0


@st.composite
def microdata(draw):
    nq = draw(st.integers(1, 4))
    cats = [draw(st.integers(1, 6)) for _ in range(nq)]
    n = draw(st.integers(0, 120))
    rnd = random.Random(draw(st.integers(0, 10**9)))
    qis = [f"q{j}" for j in range(nq)]
    rows = []
    for _ in range(n):
        row = {q: (None if rnd.random() < 0.05 else rnd.randrange(c) ** 2) for q, c in zip(qis, cats)}
        row["s"] = rnd.randrange(3)
        rows.append(row)
    return rows, qis, draw(st.integers(1, 6))


@settings(max_examples=60, deadline=None)
@given(microdata())
def test_local_suppression_property(data):
    rows, qis, k = data
    res = local_suppression(rows, qis, k)
    before = kanonymity_report(rows, qis, k=k)
    at_risk_keys = {tuple(c.values[q] for q in qis) for c in before.classes if c.fk < k}
    if len(rows) >= k:
        assert res.unresolved == 0
        assert kanonymity_report(res.rows, qis, k=k).k_anonymous
        # k-anonymous with missing as a value implies it with missing as a wildcard
        assert kanonymity_report(res.rows, qis, k=k, missing="wildcard").k_anonymous
    safe_changed = 0
    for a, b in zip(rows, res.rows):
        assert a["s"] == b["s"]
        for q in qis:
            assert b[q] == a[q] or b[q] is None
        if a != b and tuple(a[q] for q in qis) not in at_risk_keys:
            safe_changed += 1
    # records already safe are only touched when leftovers had to borrow whole records
    if safe_changed:
        leftovers = Counter(tuple(b[q] for q in qis) for b in res.rows)[(None,) * len(qis)]
        assert leftovers >= k


def test_100k_rows_in_a_few_seconds():
    rnd = random.Random(7)
    rows = [{"age": rnd.randrange(15, 90), "sex": rnd.choice("FM"), "caste": rnd.randrange(8),
             "village": rnd.randrange(120), "ill": rnd.randrange(4)} for _ in range(100_000)]
    qis = ["age", "sex", "caste", "village"]
    t0 = time.perf_counter()
    rep = kanonymity_report(rows, qis, sensitive="ill", k=5)
    wild = kanonymity_report(rows, qis, k=5, missing="wildcard")
    res = local_suppression(rows, qis, k=5)
    after = kanonymity_report(res.rows, qis, k=5)
    elapsed = time.perf_counter() - t0
    assert rep.records_below_k > 10_000 and wild.records == 100_000
    assert after.k_anonymous and res.total > 0
    assert elapsed < 30, f"took {elapsed:.1f} s"
