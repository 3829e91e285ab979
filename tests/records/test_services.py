"""store_records and the incremental analytics sync."""

from __future__ import annotations

import datetime as dt

import pytest

from lnob.core import services
from lnob.forms.services import add_form
from lnob.records.analytics import AnalyticsStore
from lnob.records.models import Record
from lnob.records.services import (
    RecordItem,
    reset_analytics,
    store_records,
    sync_analytics,
)

pytestmark = pytest.mark.django_db

FORM = """
| survey   |                 |          |          |
|          | type            | name     | label    |
|          | date            | visit    | Visit    |
|          | integer         | members  | Members  |
|          | select_one yn   | toilet   | Toilet   |
|          | begin_repeat    | roster   | People   |
|          | text            | name     | Name     |
|          | integer         | age      | Age      |
|          | end_repeat      |          |          |
{extra}
| choices  |                 |          |          |
|          | list_name       | name     | label    |
|          | yn              | yes      | Yes      |
|          | yn              | no       | No       |
| settings |                 |          |          |
|          | form_id         | version  |          |
|          | visit           | {v}      |          |
"""


def instance(iid, members, ages, *, version="1", dep=None, extra=""):
    people = "".join(f"<roster><name>P{i}</name><age>{a}</age></roster>" for i, a in enumerate(ages))
    meta = f"<instanceID>{iid}</instanceID>" + (f"<deprecatedID>{dep}</deprecatedID>" if dep else "")
    return (f'<data id="visit" version="{version}"><visit>2025-01-0{members}</visit><members>{members}</members>'
            f"<toilet>yes</toilet>{people}{extra}<meta>{meta}</meta></data>")


@pytest.fixture
def setup(tmp_path):
    project = services.create_project("wash", "WASH survey")
    path = tmp_path / "visit.md"
    path.write_text(FORM.format(v="1", extra=""), encoding="utf-8")
    fv, _ = add_form(project, path)
    store = AnalyticsStore(tmp_path / "analytics.duckdb")
    return project, fv, store, tmp_path


def rows(store, sql):
    with store.connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def test_store_records_duplicates_conflicts_and_rejects(setup):
    project, fv, _store, _ = setup
    a = instance("uuid:a", 2, [30, 5])
    res = store_records(project, fv, [a, RecordItem(instance("uuid:b", 1, [60]), "uuid:b")], source="import")
    assert res.created == 2 and not res.duplicates and not res.conflicts
    rec = Record.objects.get(instance_id="uuid:a")
    assert rec.raw == a and rec.source == "import" and rec.form_version == fv
    import hashlib
    assert rec.raw_sha256 == hashlib.sha256(a.encode()).hexdigest()
    res = store_records(project, fv, [a, instance("uuid:b", 2, [1]), "<data", '<data id="other"/>',
                                      '<data id="visit"><meta/></data>'])
    assert res.created == 0
    assert res.duplicates == ["uuid:a"]
    assert [c.where for c in res.conflicts] == ["uuid:b"]
    assert [r.code for r in res.rejected] == ["records.bad-xml", "records.other-form", "records.no-instance-id"]
    assert Record.objects.count() == 2


def test_sync_is_typed_and_incremental(setup):
    project, fv, store, _ = setup
    store_records(project, fv, [instance("uuid:a", 2, [30, 5]), instance("uuid:b", 1, [60])])
    res = sync_analytics(project, store=store)
    assert res.records == 2 and res.rows == {"form_visit": 2, "form_visit__roster": 3}
    got = rows(store, "select _project, _instance_id, _form_version, visit, members, toilet from form_visit "
                      "order by _record_id")
    assert got == [("wash", "uuid:a", "1", dt.date(2025, 1, 2), 2, "yes"),
                   ("wash", "uuid:b", "1", dt.date(2025, 1, 1), 1, "yes")]
    types = dict(rows(store, "select column_name, data_type from information_schema.columns "
                             "where table_name = 'form_visit__roster'"))
    assert types == {"_record_id": "BIGINT", "_index": "INTEGER", "_parent_index": "INTEGER",
                     "name": "VARCHAR", "age": "BIGINT"}
    assert sync_analytics(project, store=store).records == 0  # nothing new
    store_records(project, fv, [instance("uuid:c", 3, [1, 2, 3])])
    res = sync_analytics(project, store=store)
    assert res.records == 1 and res.rows["form_visit__roster"] == 3
    assert rows(store, "select count(*) from form_visit")[0][0] == 3


def test_edit_replaces_the_deprecated_record(setup):
    project, fv, store, _ = setup
    store_records(project, fv, [instance("uuid:a", 2, [30, 5])])
    sync_analytics(project, store=store)
    store_records(project, fv, [instance("uuid:a2", 3, [30, 5, 1], dep="uuid:a")])
    sync_analytics(project, store=store)
    assert rows(store, "select _instance_id, members from form_visit") == [("uuid:a2", 3)]
    assert rows(store, "select count(*) from form_visit__roster")[0][0] == 3


def test_new_version_adds_columns_and_unknown_elements_are_reported(setup):
    project, fv, store, tmp_path = setup
    store_records(project, fv, [instance("uuid:a", 2, [30, 5], extra="<water>tap</water>")])
    res = sync_analytics(project, store=store)
    assert [p.code for p in res.problems] == ["records.unknown-element"]
    path = tmp_path / "visit.md"
    path.write_text(FORM.format(v="2", extra="|          | text            | water    | Water    |"),
                    encoding="utf-8")
    fv2, created = add_form(project, path)
    assert created
    store_records(project, fv2, [instance("uuid:b", 1, [60], version="2", extra="<water>tap</water>")])
    res = sync_analytics(project, store=store)
    assert res.problems == []
    assert rows(store, "select _instance_id, _form_version, water from form_visit order by _record_id") == [
        ("uuid:a", "1", None), ("uuid:b", "2", "tap")]


def test_reset_removes_only_this_projects_rows(setup):
    project, fv, store, tmp_path = setup
    other = services.create_project("other", "Other")
    ofv, _ = add_form(other, tmp_path / "visit.md")
    store_records(project, fv, [instance("uuid:a", 2, [30, 5])])
    store_records(other, ofv, [instance("uuid:z", 1, [9])])
    sync_analytics(project, store=store)
    sync_analytics(other, store=store)
    assert rows(store, "select count(*) from form_visit")[0][0] == 2
    reset_analytics(project, fv.form, store=store)
    assert rows(store, "select _project, _instance_id from form_visit") == [("other", "uuid:z")]
    assert rows(store, "select age from form_visit__roster") == [(9,)]
    assert sync_analytics(project, store=store).records == 1  # resynced from the start
    reset_analytics(project, fv.form, store=store)
    reset_analytics(other, ofv.form, store=store)
    assert "form_visit" not in AnalyticsStore(store.path).tables()  # empty tables are dropped


def test_parallel_parsing_gives_the_same_rows(setup):
    project, fv, store, tmp_path = setup
    store_records(project, fv, [instance(f"uuid:{i}", 1 + i % 3, [20 + i, 3]) for i in range(40)])
    sync_analytics(project, store=store, workers=2, batch_size=7)
    parallel = rows(store, "select * exclude (_record_id) from form_visit order by _instance_id")
    parallel_r = rows(store, "select * from form_visit__roster order by _record_id, _index")
    reset_analytics(project, fv.form, store=store)
    sync_analytics(project, store=store, workers=1)
    assert rows(store, "select * exclude (_record_id) from form_visit order by _instance_id") == parallel
    assert rows(store, "select * from form_visit__roster order by _record_id, _index") == parallel_r
    assert len(parallel) == 40 and len(parallel_r) == 80


def test_a_broken_worker_pool_falls_back_to_parsing_here(setup, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from lnob.records import services as svc

    class Broken:
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("workers died")

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(svc, "_make_pool", lambda n: Broken())
    project, fv, store, _ = setup
    store_records(project, fv, [instance(f"uuid:{i}", 1, [i]) for i in range(5)])
    res = sync_analytics(project, store=store, workers=2)
    assert res.records == 5 and rows(store, "select count(*) from form_visit")[0][0] == 5


def test_records_of_another_version_are_rejected(setup):
    project, fv, _store, _ = setup
    res = store_records(project, fv, [instance("uuid:v9", 1, [3], version="9")])
    assert res.created == 0 and [r.code for r in res.rejected] == ["records.other-version"]


def test_a_locked_store_gives_a_clear_error(setup, monkeypatch):
    import subprocess
    import sys

    from lnob.errors import LnobError
    from lnob.records import services as records_services

    monkeypatch.setattr(records_services, "WRITE_LOCK_WAIT", 0.5)  # writes wait for a lock, briefly here
    project, fv, store, _ = setup
    store.ensure()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ok', flush=True); time.sleep(60)", str(store.path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        store_records(project, fv, [instance("uuid:a", 1, [3])])
        with pytest.raises(LnobError) as exc:
            sync_analytics(project, store=store)
        assert exc.value.code == "records.analytics-locked" and exc.value.hint
    finally:
        holder.kill()
        holder.wait()
