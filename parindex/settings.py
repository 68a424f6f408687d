"""The one settings module, driven by environment variables (see .env.example).

With no environment at all the app runs on SQLite with DEBUG on; DATABASE_URL switches to
PostgreSQL. Nothing here is production-only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from parindex.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

# In production (DEBUG off) collectstatic writes hashed, compressed copies, which WhiteNoise
# serves with a one-year cache; with DEBUG on the files are served as they are (runserver).
STATIC_HASHED = env_bool("STATIC_HASHED", not DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "parindex.core.apps.OperatorAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "parindex.core",
    "parindex.units",
    "parindex.accounts",
    "parindex.frameworks",
    "parindex.assessments",
    "parindex.appraisals",
    "parindex.results",
    "parindex.indicators",
    "parindex.remediation",
    "parindex.reviews",
    "parindex.notifications",
    "parindex.inbox",
    "parindex.documents",
    "parindex.dashboards",
    "parindex.dossiers",
    "parindex.external",
    "parindex.demo",  # last: the demo data writes through every app above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (hashed names, far-future caching) under gunicorn.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if STATIC_HASHED else []),
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parindex.accounts.middleware.TemporaryPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout into the Vietnamese lockout page.
    "axes.middleware.AxesMiddleware",
]
# One JSON line per request (user id, unit, duration, status): core/request_log.py.
REQUEST_LOG = env_bool("REQUEST_LOG", not DEBUG)
if REQUEST_LOG:
    MIDDLEWARE.insert(1, "parindex.core.request_log.RequestLogMiddleware")
# Prometheus metrics (django-prometheus) at /metrics: requests, latencies, database and cache
# figures. Off unless asked for; let only the monitoring host reach /metrics (docs/deployment.md).
PROMETHEUS_METRICS = env_bool("PROMETHEUS_METRICS", False)
if PROMETHEUS_METRICS:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

ROOT_URLCONF = "parindex.urls"
WSGI_APPLICATION = "parindex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parindex.core.context_processors.navigation",
                "parindex.notifications.context_processors.notifications",
                "parindex.inbox.context_processors.inbox",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_SERVER_SIDE_BINDING", True):
        # psycopg 3 sends parameters apart from the statement and prepares a statement a
        # connection has run 5 times: the same few statements of every save and page are then
        # planned once per connection (planning the locked read took 1.1 ms, running it 0.3 ms).
        # Django passes prepare_threshold=None (never prepare) unless it is named here.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", env_int("DB_PREPARE_THRESHOLD", 5))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Concurrent workflow writes wait for the lock instead of failing at once.
            "OPTIONS": {"init_command": "PRAGMA busy_timeout=5000;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "parindex.accounts.backends.AccountBackend",  # ModelBackend, the user read with their grants
]
# Failed-login throttling (django-axes, see accounts/throttling.py): an account is locked after
# AXES_ACCOUNT_FAILURE_LIMIT wrong passwords from any addresses, and an address after
# AXES_ADDRESS_FAILURE_LIMIT failures over any accounts, each for AXES_COOLOFF_MINUTES.
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", env_int("AXES_FAILURE_LIMIT", 10))
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_FAILURE_LIMIT = "parindex.accounts.throttling.failure_limit"
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = dt.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "parindex.accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "parindex.accounts.throttling.client_ip"
# A success must not wipe the address's count (one valid account would reset a spray), and
# failures during a lock must not push its end further (the page states when it ends).
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Behind a reverse proxy: the proxies' addresses (or networks) and the header they set with the
# client's address. The header is read only on requests that come from one of these proxies.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "X-Forwarded-For")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Province names, "matkhau", "123456"… with or without accents, digits and punctuation.
    {"NAME": "parindex.accounts.passwords.VietnameseCommonPasswordValidator"},
]
CSRF_FAILURE_VIEW = "parindex.core.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Vietnamese number and date conventions: decimal comma, dd/mm/yyyy (Django's "vi" formats).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_HASHED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Evidence, documents and generated files on S3-compatible object storage when S3_BUCKET is set
# (django-storages; SeaweedFS, MinIO, a cloud's bucket), on the local disk (MEDIA_ROOT)
# otherwise. Objects are private: every download goes through the app's permission check.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_secret("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "location": env_str("S3_PREFIX"),
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's (private)
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }

# Background jobs (django-tasks, database backend): the worker is `parindex db_worker`, which
# `make serve` starts beside gunicorn. With DEBUG on (make run) jobs run at once in the
# request unless TASKS_BACKEND=database. See docs/deployment.md.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in ("immediate", "database"):
    raise ImproperlyConfigured(f"TASKS_BACKEND must be immediate or database, not {TASKS_BACKEND!r}")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TASKS_BACKEND == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
# /healthz/ answers 503 when a job has waited longer than this (no worker is taking them).
HEALTHZ_QUEUE_MAX_AGE = env_int("HEALTHZ_QUEUE_MAX_AGE", 300)

# Largest evidence file (tài liệu kiểm chứng) an official may upload.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# Largest framework file (YAML/JSON/XLSX) a province admin may upload. The reference framework
# (64 nodes) is 17 KB; 1 MB holds thousands of nodes and parses (YAML, in pure Python, about
# 200 KB/s) within a few seconds, so an upload never holds a worker for long.
FRAMEWORK_UPLOAD_MAX_BYTES = env_int("FRAMEWORK_UPLOAD_MAX_BYTES", 1024 * 1024)
# Rows below the header one indicator import reads (CSV or Excel); the next row refuses the file.
INDICATOR_IMPORT_MAX_ROWS = env_int("INDICATOR_IMPORT_MAX_ROWS", 200_000)
# An indicator file larger than this is imported by the job worker, its progress on its page.
IMPORT_INLINE_BYTES = env_int("IMPORT_INLINE_BYTES", 1024 * 1024)
# Limits of the child process that checks and renders a province's own Word template.
DOCUMENT_RENDER_TIMEOUT_S = env_int("DOCUMENT_RENDER_TIMEOUT_S", 10)
DOCUMENT_RENDER_MAX_MB = env_int("DOCUMENT_RENDER_MAX_MB", 512)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "parindex@localhost")
# The address officials open parindex at; links in reminder e-mails start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# Days before a deadline when ``parindex send_reminders`` reminds (and on the day itself).
try:
    REMINDER_DAYS = sorted({int(day) for day in env_list("REMINDER_DAYS", ["7", "3", "1"])}, reverse=True)
except ValueError:
    raise ImproperlyConfigured("REMINDER_DAYS must be whole numbers separated by commas, e.g. 7,3,1") from None
# When the job worker sends the day's reminders (local time, HH:MM): notifications/tasks.py.
try:
    REMINDER_TIME = tuple(int(part) for part in env_str("REMINDER_TIME", "07:00").split(":"))
    dt.time(*REMINDER_TIME)
except (TypeError, ValueError):
    raise ImproperlyConfigured("REMINDER_TIME must be a time of day as HH:MM, e.g. 07:00") from None
if any(day < 1 for day in REMINDER_DAYS):
    raise ImproperlyConfigured("REMINDER_DAYS must be positive (the deadline day itself is always reminded)")

# Production security (all on when DEBUG is off; see docs/deployment-security in README).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^metrics$"]  # probed and scraped over plain http inside
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a TLS-terminating proxy that sets e.g. "X-Forwarded-Proto: https" (and strips it from
# clients): SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto,https. Empty: no proxy header is trusted.
_proxy_ssl = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_ssl and len(_proxy_ssl) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be 'Header-Name,value', e.g. X-Forwarded-Proto,https")
SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl[0].upper().replace("-", "_"), _proxy_ssl[1]) if _proxy_ssl else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

FORMAT_MODULE_PATH = ["parindex.formats"]

# Content-Security-Policy (django-csp, ``csp.middleware.CSPMiddleware`` after SecurityMiddleware).
# Every page runs only the scripts and styles parindex serves itself: no inline <script>, no
# inline event handler, no style="" attribute in any template (behaviour is in static/js/app.js,
# sizes set from data-* attributes through the CSSOM, which CSP does not restrict). htmx's
# injected indicator <style> and its page snapshots are turned off in base.html and ECharts
# draws its tooltips on the canvas (renderMode "richText" in charts.js) instead of as HTML with
# style attributes, so style-src needs no exception. data: images are allowed for small inline
# icons (none is used yet). tests/browser/test_csp.py visits every page under this policy and
# fails on any violation; README.md "Security headers" says how to keep templates within it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
