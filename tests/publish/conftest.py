from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

INDICATORS = "basic_sanitation,child_marriage,school_attendance,birth_registration"


@pytest.fixture(scope="session")
def pub_home(tmp_path_factory):
    """The default 5,000-household demo with four indicators run (full design, depth 2)."""
    from helpers import lnob

    home = tmp_path_factory.mktemp("pub_demo")
    r = lnob("demo", "--no-serve", home=home)
    assert r.code == 0, r.err
    r = lnob("run", "demo", "--indicator", INDICATORS, home=home, timeout=600)
    assert r.code == 0, r.err
    return home


@pytest.fixture(scope="session")
def raw_results(pub_home):
    import json

    from helpers import lnob

    r = lnob("results", "demo", "--format", "json", home=pub_home)
    assert r.code == 0, r.err
    return json.loads(r.out)


@pytest.fixture(scope="session")
def audit_events():
    return _audit_events


def _audit_events(home: Path, action: str = "publication") -> list[dict]:
    import json
    import sqlite3

    [db] = [p for p in home.iterdir() if p.suffix in (".sqlite3", ".sqlite", ".db")]
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT target, details FROM audit_auditevent WHERE action = ?", (action,)).fetchall()
    finally:
        con.close()
    return [{"target": t, "details": json.loads(d) if isinstance(d, str) else d} for t, d in rows]
