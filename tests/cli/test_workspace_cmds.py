"""init / project create / user create, end to end in a real workspace."""

from __future__ import annotations

import sqlite3
import tomllib

import pytest

from helpers import lnob


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("ws")
    r = lnob("init", home=home)
    assert r.code == 0, r.err
    return home


def _count(home, sql):
    con = sqlite3.connect(home / "lnob.sqlite3")
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_init_creates_settings_database_analytics_store(home):
    settings = tomllib.loads((home / "lnob.toml").read_text())
    assert settings["format"] == 1 and len(settings["secret_key"]) >= 50
    assert (home / "lnob.toml").stat().st_mode & 0o077 == 0, "the settings file holds a secret"
    assert (home / "analytics.duckdb").is_file()
    assert (home / "static" / "lnob").is_dir()
    assert _count(home, "select count(*) from django_migrations where app='core'") >= 1


def test_init_is_idempotent(home):
    before = (home / "lnob.toml").read_text()
    r = lnob("init", home=home)
    assert r.code == 0, r.err
    assert "nothing to create" in r.out
    assert (home / "lnob.toml").read_text() == before


def test_project_and_user_create(home):
    r = lnob("project", "create", "wash-2025", "--name", "WASH survey 2025", "--org", "Dalit Rights Network", home=home)
    assert r.code == 0, r.err
    r = lnob("user", "create", "asha", "--password-stdin", "--project", "wash-2025", "--role", "enumerator",
             home=home, stdin="a-long-passphrase\n")
    assert r.code == 0, r.err
    assert _count(home, "select count(*) from core_membership m join auth_user u on u.id=m.user_id "
                        "where u.username='asha' and m.role='enumerator'") == 1
    password = _count(home, "select password from auth_user where username='asha'")
    assert password.startswith("argon2$"), "passwords are hashed with Argon2"


def test_duplicate_project_is_refused(home):
    lnob("project", "create", "dup", "--name", "Dup", home=home)
    r = lnob("project", "create", "dup", "--name", "Dup again", home=home)
    assert r.code == 1 and "core.project-exists" in r.err


@pytest.mark.parametrize(
    "args, code, needle",
    [
        (["--project", "no-such", "--role", "viewer"], "core.unknown-project", "no-such"),
        (["--project", "wash-2025", "--role", "boss"], "core.unknown-role", "roles are"),
        (["--project", "wash-2025"], "usage.project-role", "--role"),
    ],
)
def test_user_create_bad_input_writes_nothing(home, args, code, needle):
    lnob("project", "create", "wash-2025", "--name", "W", home=home)
    before = _count(home, "select count(*) from auth_user")
    r = lnob("user", "create", "ravi", "--password-stdin", *args, home=home, stdin="a-long-passphrase\n")
    assert r.code != 0
    assert code in r.err and needle in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert _count(home, "select count(*) from auth_user") == before, "nothing half-written"


def test_bad_project_slug(home):
    r = lnob("project", "create", "Bad Slug!", "--name", "x", home=home)
    assert r.code == 1 and "core.bad-slug" in r.err


def test_workspace_from_newer_version_is_refused(tmp_path):
    home = tmp_path / "newer"
    assert lnob("init", home=home).code == 0
    path = home / "lnob.toml"
    path.write_text(path.read_text().replace("format = 1", "format = 99"))
    r = lnob("project", "create", "x", "--name", "X", home=home)
    assert r.code == 1 and "workspace.newer" in r.err and "upgrade" in r.err


def test_database_migrated_by_newer_version_is_refused(tmp_path):
    home = tmp_path / "newerdb"
    assert lnob("init", home=home).code == 0
    con = sqlite3.connect(home / "lnob.sqlite3")
    con.execute("insert into django_migrations(app, name, applied) values ('core', '9999_future', '2030-01-01')")
    con.commit()
    con.close()
    r = lnob("init", home=home)
    assert r.code == 1 and "workspace.newer" in r.err and "9999_future" in r.err


def test_unreadable_settings_file(tmp_path):
    home = tmp_path / "broken"
    home.mkdir()
    (home / "lnob.toml").write_text("this is = = not toml")
    r = lnob("init", home=home)
    assert r.code == 1 and "workspace.unreadable" in r.err


def test_workspace_path_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    r = lnob("init", home=target)
    assert r.code == 1 and "workspace.not-a-directory" in r.err


def test_demo_builds_the_demo_project_and_prints_the_login(tmp_path):
    r = lnob("demo", "--households", "300", "--seed", "3", "--no-serve", home=tmp_path)
    assert r.code == 0, r.err
    assert "http://127.0.0.1:8000/" in r.out and "user 'demo'" in r.out and "password '" in r.out
    assert _count(tmp_path, "select count(*) from records_record r join core_project p on p.id=r.project_id "
                            "where p.slug='demo'") == 300
    assert _count(tmp_path, "select count(*) from forms_form") == 1
    role = _count(tmp_path, "select m.role from core_membership m join auth_user u on u.id=m.user_id "
                            "where u.username='demo'")
    assert role == "owner"
    # running it again rebuilds the same demo (same seed → same records), nothing duplicated
    again = lnob("demo", "--households", "300", "--seed", "3", "--no-serve", home=tmp_path)
    assert again.code == 0, again.err
    assert _count(tmp_path, "select count(*) from records_record") == 300


def test_demo_refuses_a_busy_port_before_building(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = lnob("demo", "--households", "300", "--port", str(port), home=tmp_path)
    assert r.code == 1 and "serve.port-in-use" in r.err
    assert not (tmp_path / "lnob.toml").exists(), "nothing built when the server could not start"
