"""Settings for the embedded default and the base of every other settings module.

With nothing in the environment the service runs on a SQLite file in the project,
Celery tasks run in-process and e-mail goes to the console. Production is chosen by
setting ``DATABASE_URL`` and ``CELERY_BROKER_URL`` (and using ``config.settings.production``).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
# A development secret is generated per checkout so that no secret is ever committed.
_dev_secret_file = BASE_DIR / ".dev-secret-key"
if os.environ.get("SECRET_KEY"):
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    if not _dev_secret_file.exists():
        from django.core.management.utils import get_random_secret_key

        _dev_secret_file.write_text(get_random_secret_key())
    SECRET_KEY = _dev_secret_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Demo mode turns on the shared demo password; it must never be on in production.
DEMO_MODE = env_bool("DEMO_MODE", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "clusters",
    "programme",
    "timesheets",
    "pipeline",
    "insights",
    "engagement",
    "reports",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.ExplainedFailureMiddleware",
    # axes must come last (see its documentation)
    "axes.middleware.AxesMiddleware",
]

# Headers (issue 16). The pages run only the service's own script and style files: no inline
# script, no inline style, nothing from elsewhere. Charts are images in data: addresses.
# The admin (staff only, Django's own templates) is left out; the API's two documentation
# pages allow inline styles, which Swagger UI and Redoc write (api/urls.py).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# no page needs a camera, a microphone, the location or the rest
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.service",
            ],
        },
    },
]
# Every form, including django-filter's and django.contrib.auth's, renders GOV.UK markup.
FORM_RENDERER = "core.forms.GovukFormRenderer"

DATABASES = {
    # connections are kept for a minute and checked before each request reuses one, so a
    # database restart costs no request a 500
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions make SQLite serialise writers, so rules that read then
    # write (caps, one-per-month) hold on the embedded default as on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Five failures lock the account (the e-mail) for 30 minutes; the login page says so.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
# Failures count against the account alone: a guesser cannot start afresh from another
# address, and behind a proxy (one address for everyone) one person's typos lock no one else
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.lockout.account_of"
# axes warns that without the address a guesser is not limited per address: deliberate
# (one council proxy is one address for hundreds of people); the per-address limit is a
# separate, higher one (accounts.throttle)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_CLIENT_IP_CALLABLE = "core.net.client_address"
# Failed sign-ins from one address before it is refused for the window (any accounts)
SIGN_IN_ADDRESS_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_LIMIT", "50"))
SIGN_IN_ADDRESS_WINDOW_MINUTES = int(os.environ.get("SIGN_IN_ADDRESS_WINDOW_MINUTES", "15"))
# Behind a reverse proxy: the header it sets with the client's address and how many proxies
# of ours the request passes (core.net). Unset: the connection's own address.
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "")  # e.g. HTTP_X_FORWARDED_FOR
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))

# Sessions end after IDLE_TIMEOUT_MINUTES without a request, and SESSION_MAX_HOURS after
# signing in whatever the activity (accounts.middleware.SessionLimitsMiddleware)
IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# Plausible values (core.forms.keep_plausible): every date entered in a form lies in this
# span (the programme's, with a margin for vetting dates and earlier records), and every
# multi-line text is at most this long
PLAUSIBLE_DATES_FROM = datetime.date.fromisoformat(
    os.environ.get("PLAUSIBLE_DATES_FROM", "2010-01-01")
)
PLAUSIBLE_DATES_TO = datetime.date.fromisoformat(os.environ.get("PLAUSIBLE_DATES_TO", "2035-12-31"))
TEXT_MAX_CHARACTERS = int(os.environ.get("TEXT_MAX_CHARACTERS", "10000"))

# The second factor (accounts.mfa): the name an authenticator app shows for the account
OTP_TOTP_ISSUER = "Fostering programme tracker"
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static" / "src",
    ("build", BASE_DIR / "static" / "build"),
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@example.org")
# where the tracker is reached: links in reminder e-mails start with it
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: with no broker configured, tasks run in-process (eagerly) so that the
# embedded default needs no Redis. With CELERY_BROKER_URL they go to a real worker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 12 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker lost mid-task (killed, out of memory) gives its task back to the queue; the
# broker hands an unacknowledged task to another worker only after an hour, longer than
# any task may run (CELERY_TASK_TIME_LIMIT), so no task runs twice at once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
# With the broker down, a request gives up queueing within about two seconds (the work is
# saved and its sweep queues it later) rather than hanging for twenty.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# A worker whose broker goes away keeps trying to reconnect, however long it takes.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

DJANGO_TABLES2_TEMPLATE = "django_tables2/govuk.html"
DJANGO_TABLES2_PAGE_RANGE = 8
# a filter's empty choice reads "Any" (django-filter's default is "---------")
FILTERS_EMPTY_CHOICE_LABEL = "Any"

# The training gate (spec §26-27): training older than this many days keeps a
# delivery-partner user out of pipeline data and reports.
DATA_PROTECTION_TRAINING_VALID_DAYS = 365

# Key for the keyed hash (HMAC-SHA256) that lets the pipeline count one person once across
# LAs without storing who they are. It lives only in the environment, never in the database.
PIPELINE_IDENTITY_KEY = os.environ.get("PIPELINE_IDENTITY_KEY", "development-only-identity-key")

# Uploads larger than this are refused before they are read.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What an uploaded spreadsheet (XLSX or CSV) may hold, checked before it is read and again
# while it is read: a 5 KB XLSX can claim 17 billion cells, a 200 KB one hide a 200 MB text.
# A file past a limit is refused with a message naming the limit.
UPLOAD_LIMITS = {
    "rows": int(os.environ.get("UPLOAD_MAX_ROWS", "500000")),
    "columns": int(os.environ.get("UPLOAD_MAX_COLUMNS", "200")),
    "cells": int(os.environ.get("UPLOAD_MAX_CELLS", "10000000")),
    # Excel's own limit for one cell
    "cell_characters": int(os.environ.get("UPLOAD_MAX_CELL_CHARACTERS", "32767")),
    # an XLSX is a zip: what it may expand to, in all and per part (real sheets expand 5-20x)
    "uncompressed_bytes": int(
        os.environ.get("UPLOAD_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024))
    ),
    "compression_ratio": int(os.environ.get("UPLOAD_MAX_COMPRESSION_RATIO", "100")),
}

# A shared cache (Redis in production) so per-token API limits hold across processes.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The API: token authentication only (no sessions, so no CSRF), JSON errors with a
# stable code, a request budget per token, and an OpenAPI 3 schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_RATE_PER_TOKEN", "300/min")},
    "EXCEPTION_HANDLER": "api.errors.handle",
    "DEFAULT_SCHEMA_CLASS": "api.schema.TrackerAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fostering programme tracker API",
    "DESCRIPTION": "Submit monthly returns and case-management exports for one LA; read funnels "
    "and issued reports. Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # names for the choice sets that share a field name across the API's resources
    "ENUM_NAME_OVERRIDES": {
        "TokenKindEnum": "api.models.TokenKind.values",
        "ReturnStatusEnum": "pipeline.models.ReturnStatus.values",
        "ImportStatusEnum": "pipeline.models.BatchStatus.values",
        "ReportKindEnum": "reports.models.Kind.values",
        "ReportStatusEnum": ["issued"],
    },
    "TAGS": [
        {"name": "tokens", "description": "The token in use"},
        {"name": "reference", "description": "Reference data"},
        {"name": "returns", "description": "Monthly returns (LA tokens, their own LA only)"},
        {"name": "imports", "description": "Case-management exports (LA tokens)"},
        {"name": "funnels", "description": "Funnel figures (LA tokens: their LA; DfE: all)"},
        {"name": "reports", "description": "Issued reports (DfE tokens)"},
    ],
}

# Scheduled tasks (Celery beat, one scheduler process: `make beat`); areas add theirs here.
CELERY_BEAT_SCHEDULE: dict = {
    # contract §31: last month's progress report drafted on the 5th, ready for the summary
    "reports-draft-last-month": {
        "task": "reports.draft_last_month",
        "schedule": crontab(minute=0, hour=6, day_of_month=5),
    },
    # engagement reminders, each sent once per occasion (engagement.Reminder's unique key)
    "engagement-remind-late-returns": {
        "task": "engagement.remind_late_returns",
        "schedule": crontab(minute=0, hour=7),
    },
    "engagement-remind-past-dates": {
        "task": "engagement.remind_past_dates",
        "schedule": crontab(minute=10, hour=7),
    },
    "engagement-send-digest": {
        "task": "engagement.send_digest",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon"),
    },
    "engagement-remind-no-time": {
        "task": "engagement.remind_no_time",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon"),
    },
    # background work whose worker was lost, or that was never queued because the broker
    # was down, is queued again or ended with a message; raw uploads never outlive this
    "core-heartbeat": {"task": "core.heartbeat", "schedule": 60},  # read by /health/
    "pipeline-sweep-imports": {"task": "pipeline.sweep_imports", "schedule": 300},
    "reports-sweep-builds": {"task": "reports.sweep_builds", "schedule": 300},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
