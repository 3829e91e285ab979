"""Django settings, all from the environment (and the workspace).

Environment variables (all optional):

``LNOB_HOME``            the workspace directory (default ``./lnob-data``)
``LNOB_DATABASE_URL``    database URL (default: SQLite ``<home>/lnob.sqlite3``;
                         ``postgresql://user@host:5432/db`` works)
``LNOB_SECRET_KEY``      secret key (default: the one generated in ``<home>/lnob.toml``)
``LNOB_ALLOWED_HOSTS``   comma-separated host names (default ``127.0.0.1,localhost``)
``LNOB_DEBUG``           ``1`` for Django's debug pages (never in production)
``LNOB_HTTPS``           ``1`` when served behind HTTPS: secure cookies, HSTS, redirect
``LNOB_CSRF_TRUSTED_ORIGINS``  comma-separated origins (e.g. ``https://data.example.org``)
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("LNOB_HOME", "lnob-data")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def _workspace_secret() -> str | None:
    path = HOME / "lnob.toml"
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh).get("secret_key")
    except (OSError, tomllib.TOMLDecodeError):
        return None


DEBUG = _flag("LNOB_DEBUG")
SECRET_KEY = os.environ.get("LNOB_SECRET_KEY") or _workspace_secret() or ""
if not SECRET_KEY:
    # No workspace yet (e.g. `lnob --help`, or the test runner).  A throw-away key
    # is safe: nothing signed with it outlives the process.
    import secrets

    SECRET_KEY = "ephemeral-" + secrets.token_urlsafe(48)

ALLOWED_HOSTS = _list("LNOB_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _list("LNOB_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "lnob.core",
    "lnob.forms",
    "lnob.records",
    "lnob.openrosa",
    "lnob.audit",
    "lnob.indicators",
    "lnob.web",
    "lnob.jobs",
    "lnob.webhooks",
    "lnob.api",
    "lnob.coalition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lnob.web.middleware.SecurityHeadersMiddleware",
    "lnob.web.middleware.HeadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lnob.audit.log.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lnob.openrosa.views.OpenRosaHeaderMiddleware",
]

ROOT_URLCONF = "lnob.web.urls"
WSGI_APPLICATION = "lnob.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("LNOB_DATABASE_URL") or f"sqlite:///{HOME / 'lnob.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server read while the CLI writes; immediate
            # transactions avoid "database is locked" on concurrent writers.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # not a validator: records the HTTP Digest partial when a password is set (OpenRosa)
    {"NAME": "lnob.openrosa.auth.DigestPartialRecorder"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- languages -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("hi", "हिन्दी"), ("vi", "Tiếng Việt"), ("bn", "বাংলা")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static files (served by WhiteNoise; no CDN) ----------------------------
STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": HOME / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = HOME / "media"

# --- security ----------------------------------------------------------------
HTTPS = _flag("LNOB_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- OpenRosa ---------------------------------------------------------------------
#: largest submission (XML + attachments) accepted, in bytes; told to phones on HEAD
OPENROSA_MAX_SUBMISSION_SIZE = int(os.environ.get("LNOB_OPENROSA_MAX_SUBMISSION_SIZE", 10_000_000))
#: sync the analytics store from a thread of the web process after submissions (off under
#: `lnob serve`, whose companion `lnob sync --watch` process does it)
LNOB_BACKGROUND_SYNC = _flag("LNOB_BACKGROUND_SYNC", True)
#: allow HTTP Basic auth over plain HTTP (development only; phones send passwords in clear)
OPENROSA_ALLOW_BASIC_HTTP = _flag("LNOB_OPENROSA_ALLOW_BASIC_HTTP")

# --- API, background jobs, webhooks (docs/api.md, docs/jobs.md) ----------------------
#: requests per token per API_RATE_WINDOW seconds (sliding window; 429 with Retry-After beyond)
API_RATE_LIMIT = int(os.environ.get("LNOB_API_RATE_LIMIT", 600))
API_RATE_WINDOW = 60
#: a running job whose worker has not sent a heartbeat for this many seconds is requeued
JOBS_STALE_AFTER = float(os.environ.get("LNOB_JOBS_STALE_AFTER", 120))
#: seconds an idle worker waits before looking for new jobs
JOBS_POLL = float(os.environ.get("LNOB_JOBS_POLL", 1.0))
#: deliveries are retried this many times in all, after 10 s, 20 s, 40 s… (LNOB_WEBHOOK_BACKOFF)
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("LNOB_WEBHOOK_MAX_ATTEMPTS", 8))
WEBHOOK_BACKOFF = float(os.environ.get("LNOB_WEBHOOK_BACKOFF", 10))
WEBHOOK_TIMEOUT = float(os.environ.get("LNOB_WEBHOOK_TIMEOUT", 10))
#: allow webhooks to private, loopback and link-local addresses (off: no SSRF into the server's network)
WEBHOOK_ALLOW_PRIVATE = _flag("LNOB_WEBHOOK_ALLOW_PRIVATE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LNOB_LOG_LEVEL", "WARNING")},
}
