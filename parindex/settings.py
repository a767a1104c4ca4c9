"""Settings, read from the environment so the same code runs on a laptop and on a cluster.

DATABASE_URL chooses the database (SQLite under var/ by default, PostgreSQL in production);
PARINDEX_VAR_DIR is where local state lives (database, uploaded files, the generated secret).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARINDEX_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("PARINDEX_SECRET_KEY")
    if key:
        return key
    # A single machine keeps a generated key under var/; a cluster must set PARINDEX_SECRET_KEY.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("PARINDEX_DEBUG", False)
ALLOWED_HOSTS = env_list("PARINDEX_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("PARINDEX_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # First, so that its templates (sign-in, password pages) win over the admin's.
    "parindex.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "parindex.orgs",
    "parindex.methodology",
    "parindex.plans",
    "parindex.reporting",
    # Before scoring: its `assessment` command extends (and so must replace) the scoring one.
    "parindex.assessment",
    "parindex.benchmark",
    "parindex.forecasting",
    "parindex.surveys",
    "parindex.dossiers",
    "parindex.exports",
    "parindex.scoring",
    "parindex.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parindex.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parindex.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parindex.web.middleware.AuditChannelMiddleware",
    "parindex.web.middleware.BusyDatabaseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parindex.urls"
WSGI_APPLICATION = "parindex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parindex.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parindex.sqlite3'}"),
        conn_max_age=int(os.environ.get("PARINDEX_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers never wait for a writer (WAL); a write waits up to 20 s for another to finish,
    # and takes its lock when its transaction begins (IMMEDIATE), so two saves of one report
    # queue instead of failing half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("PARINDEX_SQLITE_TIMEOUT", "20")),
        }
    )
# "pages": costly parts of busy pages, keyed on the data under them (parindex/web/page_cache.py),
# in each process's memory; at most a few hundred parts of about 200 KB.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Leaders and coordinators land on where their province stands; everyone else on the home page.
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Lock-out: after this many failures for one username from one address, wait AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = int(os.environ.get("PARINDEX_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("PARINDEX_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Production serves over HTTPS only (README, "Production"): PARINDEX_HTTPS=true redirects plain
# HTTP, sends HSTS and marks cookies secure. Behind a proxy that terminates TLS, it must set
# X-Forwarded-Proto and PARINDEX_BEHIND_PROXY=true makes Django trust that header.
HTTPS = env_bool("PARINDEX_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("PARINDEX_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PARINDEX_HSTS_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("PARINDEX_HSTS_PRELOAD", HTTPS)
PARINDEX_BEHIND_PROXY = env_bool("PARINDEX_BEHIND_PROXY", False)
if PARINDEX_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PARINDEX_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form gets the product's page saying what happened, not Django's English one.
CSRF_FAILURE_VIEW = "parindex.web.views.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, fonts and images from this server only; no inline script or style, no
# plugins, no framing. Chart.js and htmx are vendored; data: URLs are the favicon and charts.
PARINDEX_CSP = os.environ.get(
    "PARINDEX_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parindex" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["parindex.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("PARINDEX_MEDIA_ROOT", VAR_DIR / "media"))
# One-stop-shop dossiers: a folder of Parquet partitions per province under this one
# (docs/dossiers.md, "Store layout"); on a cluster, a shared file system mounted on every server.
PARINDEX_DOSSIER_STORE = Path(os.environ.get("PARINDEX_DOSSIER_STORE", VAR_DIR / "dossiers"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or os.environ.get("PARINDEX_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get(
    "PARINDEX_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("PARINDEX_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PARINDEX_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PARINDEX_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARINDEX_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PARINDEX_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("PARINDEX_EMAIL_FROM", "parindex@localhost")

# Uploaded criteria tables and plan documents are parsed in memory; bigger files are refused.
PARINDEX_MAX_IMPORT_BYTES = int(os.environ.get("PARINDEX_MAX_IMPORT_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = PARINDEX_MAX_IMPORT_BYTES
# The plan review form has about 20 fields a target (text, quantities, sub-criteria): the seed
# plan's 58 targets already send over 1,000, Django's default limit (a 400 on "Save").
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000
# Submissions of the public survey form (and the API's) one client address may make in ten
# minutes; counted in the database, so every server process shares the count.
PARINDEX_SURVEY_RATE_LIMIT = int(os.environ.get("PARINDEX_SURVEY_RATE_LIMIT", "10"))
# Evidence files (PDF, DOCX, XLSX, images) attached to reports.
PARINDEX_MAX_EVIDENCE_BYTES = int(
    os.environ.get("PARINDEX_MAX_EVIDENCE_BYTES", str(20 * 1024 * 1024))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# One-stop-shop dossier exports uploaded on screen: streamed to disk and read by DuckDB, never
# held in memory; a province's year is a few hundred MB of CSV.
PARINDEX_MAX_DOSSIER_BYTES = int(
    os.environ.get("PARINDEX_MAX_DOSSIER_BYTES", str(1024 * 1024 * 1024))
)
# An import started on screen runs in a thread of the worker while the page polls its progress
# (web/dossier_jobs.py); false runs it within the request (the tests).
PARINDEX_DOSSIER_IMPORT_IN_BACKGROUND = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARINDEX_LOG_LEVEL", "WARNING")},
}
