"""Django settings for the test run: the real settings, in a throw-away workspace."""

import os
import tempfile

os.environ.setdefault("LNOB_HOME", tempfile.mkdtemp(prefix="lnob-test-home-"))
# The whole suite on PostgreSQL (docs/deploy.md): LNOB_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test
# (pytest-django creates and drops the database test_<name> on that server).
if os.environ.get("LNOB_TEST_DATABASE_URL"):
    os.environ["LNOB_DATABASE_URL"] = os.environ["LNOB_TEST_DATABASE_URL"]

from lnob.web.settings import *  # noqa: E402,F401,F403

# No collectstatic in unit tests: serve static names unhashed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Fast hashing in tests only; production keeps Argon2 first (tested in test_settings).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns about a missing directory
LNOB_AUDIT_TRIGGERS = False  # the test runner empties tables; triggers are tested in a real workspace
