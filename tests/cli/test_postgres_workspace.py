"""LNOB_DATABASE_URL=postgresql://… works for the whole foundation."""

from __future__ import annotations

import uuid

import pytest

from helpers import lnob


@pytest.fixture
def pg_database(postgres_url):
    import psycopg

    name = "lnob_ws_" + uuid.uuid4().hex[:10]
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'create database "{name}"')
    base = postgres_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'drop database "{name}" with (force)')


@pytest.mark.postgres
def test_workspace_on_postgresql(tmp_path, pg_database):
    env = {"LNOB_DATABASE_URL": pg_database}
    assert lnob("init", home=tmp_path, env=env).code == 0
    r = lnob("project", "create", "pg", "--name", "On PostgreSQL", home=tmp_path, env=env)
    assert r.code == 0, r.err
    r = lnob("user", "create", "ana", "--password-stdin", "--project", "pg", "--role", "analyst",
             home=tmp_path, env=env, stdin="a-long-passphrase\n")
    assert r.code == 0, r.err
    import psycopg

    with psycopg.connect(pg_database) as con:
        assert con.execute("select count(*) from core_project where slug='pg'").fetchone()[0] == 1
        assert con.execute("select role from core_membership").fetchone()[0] == "analyst"
    assert not (tmp_path / "lnob.sqlite3").exists()
