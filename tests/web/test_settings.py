"""Production settings: check --deploy is clean; environment drives the configuration."""

from __future__ import annotations

import os
import subprocess
import sys


def _django(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LNOB_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "lnob.web.settings", "LNOB_HOME": str(tmp_path)}, **env_extra)
    return subprocess.run([sys.executable, "-m", "django", *args], capture_output=True, text=True, env=env)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    r = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"LNOB_SECRET_KEY": "x7!" * 20 + "q-Long-random-secret-key-for-the-test", "LNOB_HTTPS": "1",
         "LNOB_ALLOWED_HOSTS": "data.example.org"},
        tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in (r.stdout + r.stderr)


def test_settings_from_environment(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);print(s.ALLOWED_HOSTS);print(s.SESSION_COOKIE_SECURE);"
        "print(s.PASSWORD_HASHERS[0])"
    )
    env = {"LNOB_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test", "LNOB_ALLOWED_HOSTS": "a.org,b.org",
           "LNOB_HTTPS": "1", "LNOB_SECRET_KEY": "k" * 60}
    r = _django(["shell", "--no-imports", "-c", code], env, tmp_path)
    assert r.returncode == 0, r.stderr
    engine, hosts, secure, hasher = r.stdout.strip().splitlines()
    assert engine == "django.db.backends.postgresql"
    assert hosts == "['a.org', 'b.org']" and secure == "True"
    assert hasher.endswith("Argon2PasswordHasher")
