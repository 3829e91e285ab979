"""Microdata release: risk summary before the export, local suppression in the file, refusals."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections import Counter

import pytest

from lnob.audit.models import AuditEvent
from lnob.errors import InputError
from lnob.records.release import ReleaseSpec, release, risk_summary, suggest_quasi
from lnob.records.services import store_records, sync_analytics

from .conftest import small_instance

pytestmark = pytest.mark.django_db

VILLAGES = ["Ba", "Bo", "Ka", "Ki", "Ma"]


@pytest.fixture
def many(small):
    """60 households: villages and sizes skewed so that some combinations are rare."""
    project, fv, store = small
    rnd = random.Random(7)
    items = []
    for i in range(60):
        village = rnd.choice(VILLAGES[:2]) if i < 45 else rnd.choice(VILLAGES)
        size = str(rnd.choice([3, 4]) if i < 45 else rnd.randint(1, 12))
        note = rnd.choice(["a", "b"]) if i % 3 else "a"
        people = tuple((rnd.randint(0, 90), "") for _p in range(rnd.randint(0, 3)))
        items.append(small_instance(f"uuid:m{i}", head=f"Name {i}", village=village, size=size, note=note,
                                    people=people))
    store_records(project, fv, items, source="import")
    sync_analytics(project, store=store)
    return project, fv, store


def _rows(store, project, table, cols):
    with store.connect(read_only=True) as con:
        if table == "form_small":
            sql = f"select {', '.join(cols)} from form_small where _project = ?"
        else:
            sql = (f"select {', '.join(cols)} from {table} where _record_id in "
                   "(select _record_id from form_small where _project = ?)")
        return con.execute(sql, [project.slug]).fetchall()


def _csv(path, name):
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [name]
        return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))))


def test_risk_summary_counts_match_an_independent_count(many):
    project, fv, store = many
    spec = ReleaseSpec("small", ["hh__village", "hh__size"], k=3, sensitive="hh__note", l=2)
    s = risk_summary(project, spec, store=store)
    data = _rows(store, project, "form_small", ["hh__village", "hh__size", "hh__note"])
    sizes = Counter((v, z) for v, z, _n in data)
    notes: dict = {}
    for v, z, n in data:
        notes.setdefault((v, z), set()).add(n)
    assert s.records == len(data) == 60
    assert s.classes == len(sizes)
    assert s.classes_below_k == sum(1 for c in sizes.values() if c < 3) > 0
    assert s.records_below_k == sum(c for c in sizes.values() if c < 3)
    assert s.records_unique == sum(1 for c in sizes.values() if c == 1)
    assert s.l_classes_below == sum(1 for key in sizes if len(notes[key]) < 2)
    assert s.l_records_below == sum(sizes[key] for key in sizes if len(notes[key]) < 2)
    assert s.personal_left_out == ["hh__head"]
    assert sum(s.suppression.values()) == s.suppressed_cells > 0
    assert s.after_suppression["records_below_k"] == 0
    assert all(w["size"] < 3 for w in s.worst) and len(s.worst) == min(10, s.classes_below_k)


def test_release_with_suppression_is_k_anonymous_and_touches_only_quasi_identifiers(many, tmp_path):
    project, fv, store = many
    spec = ReleaseSpec("small", ["hh__village", "hh__size"], k=3, suppress=True)
    res, s = release(project, "csv", tmp_path / "rel.zip", spec, store=store, actor_name="test")
    assert res.tables == {"form_small": 60}
    rows = _csv(tmp_path / "rel.zip", "form_small.csv")
    assert "hh__head" not in rows[0], "personal fields are left out"
    sizes = Counter((r["hh__village"], r["hh__size"]) for r in rows)
    assert min(sizes.values()) >= 3, "every combination (blank counting as a value) holds k records"
    original = {str(rid): (v, z, n) for rid, v, z, n in
                _rows(store, project, "form_small", ["_record_id", "hh__village", "hh__size", "hh__note"])}
    blanked = Counter()
    for r in rows:
        v, z, n = original[r["_record_id"]]
        assert r["hh__note"] == n, "other columns are unchanged"
        if r["hh__village"] == "":
            blanked["hh__village"] += 1
        else:
            assert r["hh__village"] == v
        if r["hh__size"] == "":
            blanked["hh__size"] += 1
        else:
            assert r["hh__size"] == str(z)
    assert dict(blanked) == {q: n for q, n in s.suppression.items() if n}
    ev = AuditEvent.objects.get(action="export")
    assert ev.details["microdata"]["quasi"] == ["hh__village", "hh__size"]
    assert ev.details["microdata"]["k"] == 3 and ev.details["microdata"]["suppress"] is True
    assert ev.details["microdata"]["suppressed_cells"] == s.suppressed_cells
    assert ev.details["tables"] == {"form_small": 60}


def test_release_as_is_keeps_values_and_a_repeat_table_can_be_released(many, tmp_path):
    project, fv, store = many
    res, s = release(project, "csv", tmp_path / "as-is.zip", ReleaseSpec("small", ["hh__village", "hh__size"], k=3),
                     store=store)
    rows = _csv(tmp_path / "as-is.zip", "form_small.csv")
    assert sum(1 for r in rows if r["hh__village"] == "" or r["hh__size"] == "") == 0
    assert s.records_below_k > 0
    spec = ReleaseSpec("small", ["age"], k=2, table="form_small__people", suppress=True)
    res, s = release(project, "csv", tmp_path / "people.zip", spec, store=store)
    people = _csv(tmp_path / "people.zip", "form_small__people.csv")
    n = len(_rows(store, project, "form_small__people", ["age"]))
    assert s.records == len(people) == n
    assert min(Counter(r["age"] for r in people).values()) >= 2
    assert sum(1 for r in people if r["age"] == "") == s.suppressed_cells


def test_release_formats_blank_the_same_cells(many, tmp_path):
    import duckdb
    import openpyxl

    project, fv, store = many
    spec = ReleaseSpec("small", ["hh__village", "hh__size"], k=4, suppress=True)
    _res, s = release(project, "xlsx", tmp_path / "r.xlsx", spec, store=store)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["form_small"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    blanks = sum(1 for r in rows[1:] for c in ("hh__village", "hh__size") if r[head.index(c)] is None)
    assert blanks == s.suppressed_cells
    _res, s2 = release(project, "parquet", tmp_path / "pq", spec, store=store)
    con = duckdb.connect()
    n = con.execute(f"select count(*) filter (where hh__village is null) + count(*) filter (where hh__size is null) "
                    f"from '{tmp_path / 'pq' / 'form_small.parquet'}'").fetchone()[0]
    assert n == s2.suppressed_cells == s.suppressed_cells


@pytest.mark.parametrize("spec, code", [
    (ReleaseSpec("small", ["hh__vilage"], k=5), "records.release-unknown-column"),
    (ReleaseSpec("small", ["hh__village"], k=1), "records.release-k"),
    (ReleaseSpec("small", ["hh__village"], k="five"), "records.release-k"),
    (ReleaseSpec("small", ["hh__village"], k=-3), "records.release-k"),
    (ReleaseSpec("small", [], k=5), "records.release-quasi"),
    (ReleaseSpec("small", ["hh__village", "hh__village"], k=5), "records.release-quasi"),
    (ReleaseSpec("small", ["hh__head"], k=5), "records.release-personal"),
    (ReleaseSpec("small", ["hh__village"], k=5, sensitive="hh__village"), "records.release-sensitive"),
    (ReleaseSpec("small", ["hh__village"], k=5, l=2), "records.release-sensitive"),
    (ReleaseSpec("small", ["hh__village"], k=5, sensitive="hh__note", l=0), "records.release-l"),
    (ReleaseSpec("small", ["hh__village"], k=5, table="form_other"), "records.release-table"),
    (ReleaseSpec("nope", ["hh__village"], k=5), "forms.unknown-form"),
    (ReleaseSpec("small", ['x"; drop table form_small; --'], k=5), "records.release-unknown-column"),
])
def test_bad_specs_are_refused_with_a_typed_error(many, spec, code):
    project, fv, store = many
    with pytest.raises(InputError if code != "forms.unknown-form" else Exception) as e:
        risk_summary(project, spec, store=store)
    assert getattr(e.value, "code", None) == code
    if code == "records.release-unknown-column" and spec.quasi == ["hh__vilage"]:
        assert "hh__village" in e.value.hint


def test_personal_field_is_available_when_included(many):
    project, fv, store = many
    s = risk_summary(project, ReleaseSpec("small", ["hh__head"], k=2), store=store, include_personal=True)
    assert s.records_unique == 60 and s.personal_left_out == []


def test_too_few_records_cannot_be_released_with_suppression(small, tmp_path):
    project, fv, store = small
    store_records(project, fv, [small_instance(f"uuid:f{i}", village=v) for i, v in enumerate(["A", "B"])])
    sync_analytics(project, store=store)
    with pytest.raises(InputError) as e:
        release(project, "csv", tmp_path / "x.zip", ReleaseSpec("small", ["hh__village"], k=5, suppress=True),
                store=store)
    assert e.value.code == "records.release-too-few"
    assert not (tmp_path / "x.zip").exists()


def test_suggested_quasi_identifiers():
    cols = ["_record_id", "consent", "hh__village", "hh__size", "resp__age", "resp__sex", "gender_head",
            "district", "caste_group", "wg_seeing", "disability_any", "water_source", "message", "language_home"]
    assert suggest_quasi(cols) == ["hh__village", "resp__age", "resp__sex", "gender_head", "district",
                                   "caste_group", "wg_seeing", "disability_any"]


def test_cli_risk_report_suppress_and_refusals(tmp_path):
    from helpers import lnob

    from .conftest import SMALL_FORM

    home = tmp_path / "home"
    assert lnob("init", home=home).code == 0
    assert lnob("project", "create", "small", "--name", "Small", home=home).code == 0
    (tmp_path / "small.md").write_text(SMALL_FORM)
    assert lnob("forms", "add", "small", str(tmp_path / "small.md"), home=home).code == 0
    lines = ["consent,hh/head,hh/village,hh/size,_uuid"]
    villages = ["Ba"] * 6 + ["Bo"] * 6 + ["Ka"]
    lines += [f"yes,Head {i},{v},3,u{i}" for i, v in enumerate(villages)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    assert lnob("import", "small", str(tmp_path / "d.csv"), home=home).code == 0
    base = ("export", "small", "--form", "small", "--quasi", "hh__village,hh__size", "--k", "3")
    r = lnob(*base, "--risk-report", home=home)
    assert r.code == 0, r.err
    assert "records: 13" in r.out and "classes below k: 1" in r.out and "unique records: 1" in r.out
    # the one Ka household cannot join a class by blanking one value (missing is a value of its own):
    # it is fully blanked with two records borrowed from the largest class
    assert "local suppression would blank 6 cells in 3 records: hh__village 3, hh__size 3" in r.out
    assert "personal fields left out: hh__head" in r.out
    assert not list(tmp_path.glob("*.zip"))
    r = lnob(*base, "--suppress", "--out", str(tmp_path / "rel.zip"), home=home)
    assert r.code == 0, r.err
    assert "Local suppression blanked 6 cells." in r.out
    rows = _csv(tmp_path / "rel.zip", "form_small.csv")
    sizes = Counter((x["hh__village"], x["hh__size"]) for x in rows)
    assert sizes[("", "")] == 3 and min(sizes.values()) >= 3 and "Ka" not in {x["hh__village"] for x in rows}
    r = lnob("export", "small", "--form", "small", "--quasi", "hh__nope", "--risk-report", home=home)
    assert r.code != 0 and "records.release-unknown-column" in r.err and len(r.err.strip().splitlines()) == 1
    r = lnob(*base[:-1], "1", "--risk-report", home=home)
    assert r.code != 0 and "records.release-k" in r.err
    r = lnob("export", "small", "--quasi", "hh__village", home=home)
    assert r.code == 2 and "records.release-form" in r.err
    r = lnob("export", "small", "--form", "small", "--suppress", home=home)
    assert r.code == 2 and "records.release-quasi" in r.err
    r = lnob("export", "small", "--format", "csv", "--out", str(tmp_path / "all.zip"), home=home)
    assert r.code == 0 and "form_small (13 rows)" in r.out, "the plain export still works"
    # ... after the risk on the suggested quasi-identifiers (hh__village: Ka alone, below k = 5)
    assert "Risk: 1 of 13 records of form_small are in groups smaller than 5 on hh__village (1 unique)." in r.err
    assert "--quasi COL,COL --risk-report" in r.err


def test_released_quasi_identifiers_are_still_neutralised(small, tmp_path):
    import openpyxl

    project, fv, store = small
    villages = ["=HYPERLINK(\"http://evil\")"] * 3 + ["@SUM(A1)"] * 3 + ["-2+3"] * 3 + ["+1"]
    store_records(project, fv, [small_instance(f"uuid:n{i}", village=v) for i, v in enumerate(villages)])
    sync_analytics(project, store=store)
    spec = ReleaseSpec("small", ["hh__village"], k=3, suppress=True)
    release(project, "csv", tmp_path / "n.zip", spec, store=store)
    got = Counter(r["hh__village"] for r in _csv(tmp_path / "n.zip", "form_small.csv"))
    # the lone "+1" cannot reach k alone and no class has records to spare above k, so local
    # suppression blanks a whole class of three with it
    assert sum(got.values()) == 10 and got[""] == 4 and "+1" not in got and "'+1" not in got
    assert all(v == "" or v.startswith("'") for v in got), got
    assert all(n >= 3 for n in got.values()), got
    release(project, "xlsx", tmp_path / "n.xlsx", spec, store=store)
    ws = openpyxl.load_workbook(tmp_path / "n.xlsx")["form_small"]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("hh__village")
    values = [r[col] for r in rows[1:]]
    assert all(v is None or v.startswith("'") for v in values)


def test_a_busy_store_is_a_typed_error(many, monkeypatch):
    import duckdb

    project, fv, store = many

    def busy(*args, **kwargs):
        raise duckdb.IOException("Could not set lock on file: Conflicting lock is held")

    monkeypatch.setattr("lnob.records.analytics.connect_with_retry", busy)
    with pytest.raises(InputError) as e:
        risk_summary(project, ReleaseSpec("small", ["hh__village"]), store=store)
    assert e.value.code == "records.store-busy"
