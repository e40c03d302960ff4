"""Settings shared by every environment; every secret and endpoint comes from the environment.

The defaults serve local use (`make run`): SQLite and a Celery broker on the filesystem.
"""
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .file_storage import storages_setting

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("MRM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # local SQLite, broker folders and media live here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
# A fixed development key is only acceptable because production.py refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# `make run` exports SITE_URL for its port; MRM_PORT (what the Procfile's web binds to) is the fallback, so that
# e-mailed links follow `PORT=8123 make run`. (Not PORT: honcho sets PORT=5000/5100/... for every process.)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('MRM_PORT', default=8000)}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mrm.core",
    "mrm.accounts",
    "mrm.tenancy",
    "mrm.jobs",
    "clients",
    "portal",
    "proposals",
    "projects",
    # Notifications: in-app inbox, e-mail and Telegram deliveries (mrm/notifications)
    "mrm.notifications",
    "comms",  # client requests and their message threads (portal now; e-mail, Telegram later)
    # Client reporting: data sources, daily metrics, file imports (reporting/)
    "reporting",
    "dashboards",  # the KPI dashboard (periods, targets, trends, drill-downs, per-AM table)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mrm.accounts.middleware.UserTimezoneMiddleware",
    "mrm.tenancy.middleware.AgencyScopeMiddleware",
    "mrm.accounts.middleware.Require2FAMiddleware",
    # Axes last, as its documentation requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mrm.urls"
WSGI_APPLICATION = "mrm.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mrm.tenancy.context_processors.tenancy",
            ],
        },
    },
]

_sqlite_path = VAR_DIR / "mrm.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{_sqlite_path}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL and a busy timeout avoid "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Covering indexes (INCLUDE columns, for PostgreSQL) are plain indexes on SQLite: nothing to warn about.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: it pays off for long analytical scans, not for a page's queries, where compiling a plan whose row
    # estimates look large (CTEs, generate_series) costs seconds (the capacity aggregate: 6 s of 7).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "mrm.accounts.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:today"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Brute-force lockout (mrm/accounts/lockout.py): five wrong passwords for one e-mail, in any spelling and from
# anywhere, lock that account for 30 minutes; other people behind the same address are not affected. A password
# reset lifts the lock. (The account + address pair is implied by the account count; it is listed because axes'
# W006 check wants an address-aware parameter. Addresses get their own, higher limit below.)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "mrm.accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "mrm.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mrm.tenancy.context.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A separate, much higher limit per client address: this many failed logins in the window pause password logins
# from that address (an office shares it) until the window ends.
LOGIN_FAILURE_IP_LIMIT = env.int("LOGIN_FAILURE_IP_LIMIT", default=100)
LOGIN_FAILURE_IP_WINDOW = env.int("LOGIN_FAILURE_IP_WINDOW", default=60 * 60)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- File storage (mrm/core/storage.py): "public" (logos, team photos, case images; served at their URL) and
# "private" (client files, brief attachments, PDFs, job results, imports; only through permission-checked
# views, no URL). Locally MEDIA_ROOT holds only public files (served at MEDIA_URL by the public_file view,
# DEBUG or not) and PRIVATE_MEDIA_ROOT, outside it, the private ones; STORAGE_BACKEND=s3 uses two buckets.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
STORAGES = storages_setting(
    backend=STORAGE_BACKEND,
    endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
    bucket_public=env.str("S3_BUCKET_PUBLIC", default=""),
    bucket_private=env.str("S3_BUCKET_PRIVATE", default=""),
    access_key_id=env.str("S3_ACCESS_KEY_ID", default=""),
    secret_access_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
    region=env.str("S3_REGION", default=""),
    public_url=env.str("S3_PUBLIC_URL", default=""),
    addressing_style=env.str("S3_ADDRESSING_STYLE", default=""),
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MRM <noreply@mrm.local>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# Sessions are read from the shared cache (Redis; written through to the database, which stays the record):
# one query fewer on every request (issue 15). Logging out everywhere still works: it bumps the user's
# session_epoch, which every session's auth hash carries.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Background jobs: the lease is the one source of truth -------------------------------------------
# A worker claims a Job for JOB_LEASE_SECONDS and extends the lease with every progress tick (heartbeat).
# The broker redelivers an unacknowledged message JOB_VISIBILITY_MARGIN_SECONDS after a lease could have
# run out; the reaper fails a running job only when its lease expired so long ago that no redelivery can
# still come (visibility timeout + a scan + JOB_REAP_GRACE_SECONDS). A queued job is failed only after
# JOB_QUEUED_MAX_SECONDS (its message was lost). All overridable by env (the worker tests use short ones).
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=5 * 60)
JOB_VISIBILITY_MARGIN_SECONDS = env.int("JOB_VISIBILITY_MARGIN_SECONDS", default=60)
JOB_VISIBILITY_TIMEOUT_SECONDS = JOB_LEASE_SECONDS + JOB_VISIBILITY_MARGIN_SECONDS
JOB_REDELIVERY_SCAN_SECONDS = env.int("JOB_REDELIVERY_SCAN_SECONDS", default=10)
JOB_REAP_GRACE_SECONDS = env.int("JOB_REAP_GRACE_SECONDS", default=5 * 60)
JOB_QUEUED_MAX_SECONDS = env.int("JOB_QUEUED_MAX_SECONDS", default=24 * 60 * 60)
JOB_MAX_TAKEOVERS = env.int("JOB_MAX_TAKEOVERS", default=3)  # a job that kills its worker every time stops

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_processed": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
else:
    # An unacknowledged message (its worker died) returns to its queue a little after the job's lease ran out,
    # so the redelivered task finds the lease expired and takes the job over; workers look for such messages
    # every JOB_REDELIVERY_SCAN_SECONDS (kombu scans every interval × throttle seconds).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": JOB_VISIBILITY_TIMEOUT_SECONDS,
        "unacked_restore_interval": JOB_REDELIVERY_SCAN_SECONDS,
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Queues per workload, so a burst of imports never delays an e-mail. Every worker command lists the queues it
# consumes (Procfile: one worker for all; docker-compose: a general worker and one for ai + pdf).
# CELERY_QUEUE_PREFIX lets the worker tests run on private queues of a shared broker.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
JOB_QUEUES = ("default", "ai", "pdf", "imports", "mail")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
CELERY_TASK_ROUTES = {
    task: {"queue": f"{CELERY_QUEUE_PREFIX}{queue}"}
    for task, queue in {
        "proposals.tasks.proposal_draft_task": "ai",
        "proposals.tasks.proposal_render_pdf_task": "pdf",
        "proposals.tasks.proposal_send_task": "mail",
        "proposals.tasks.decision_confirmation_task": "mail",  # the accepted PDF with its certificate
        "clients.tasks.import_run_task": "imports",
        "clients.tasks.import_inspect_task": "imports",
        "clients.tasks.invoice_render_pdf_task": "pdf",
        "clients.tasks.invoice_send_task": "mail",
        "projects.tasks.change_request_send_task": "mail",  # change requests: e-mail to the client's contacts
        # Notifications (mrm/notifications/tasks.py): e-mail and Telegram messages both go over "mail".
        "mrm.notifications.tasks.delivery_send_task": "mail",
        "mrm.notifications.tasks.digest_send_task": "mail",
        "mrm.accounts.tasks.magic_link_send_task": "mail",  # access: portal log-in links
    }.items()
}
# Reporting's file import (reporting/tasks.py): reading the file and the import run share the imports queue.
CELERY_TASK_ROUTES.update({task: {"queue": f"{CELERY_QUEUE_PREFIX}imports"} for task in (
    "reporting.tasks.metric_import_inspect_task", "reporting.tasks.metric_import_run_task")})
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 11 * 60
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "jobs-fail-stale": {"task": "mrm.jobs.tasks.job_fail_stale_task", "schedule": 300.0},
    "invoices-mark-overdue": {"task": "clients.tasks.invoices_mark_overdue_all_task", "schedule": 3600.0},
    "handoff-outbox-sweep": {"task": "proposals.tasks.handoff_outbox_sweep_task", "schedule": 300.0},
}
# projects: alerts — the hourly sweep of every open project (projects/alerts/tasks.py)
CELERY_BEAT_SCHEDULE["project-alerts-sweep"] = {"task": "projects.alerts.tasks.alerts_sweep_task",
                                                 "schedule": 3600.0}
# Notifications (mrm/notifications/tasks.py): the daily digest, stuck deliveries, Telegram polling (when no webhook).
CELERY_BEAT_SCHEDULE.update({
    "notifications-digest": {"task": "mrm.notifications.tasks.digest_all_task",
                             "schedule": crontab(hour=env.int("NOTIFICATION_DIGEST_HOUR_UTC", default=6), minute=0)},
    "notifications-fail-stuck": {"task": "mrm.notifications.tasks.deliveries_fail_stuck_task", "schedule": 600.0},
})
# Portal NPS (portal/tasks.py): the daily run that creates and e-mails due surveys (idempotent per period).
CELERY_BEAT_SCHEDULE["portal-nps-schedule"] = {"task": "portal.tasks.nps_schedule_all_task",
                                               "schedule": crontab(hour=env.int("NPS_SURVEY_HOUR_UTC", default=7),
                                                                   minute=15)}
# Client reports (reporting/tasks_reports.py): the hourly run of report schedules (one report per period).
CELERY_BEAT_SCHEDULE["report-schedules"] = {"task": "reporting.tasks_reports.report_schedules_all_task", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mrm.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # One permission class for the whole API: the role policy of mrm/tenancy/policy.py.
    "DEFAULT_PERMISSION_CLASSES": ["mrm.tenancy.permissions.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Adds the 400/401/403/404 answers (and their bodies) to every operation.
    "DEFAULT_SCHEMA_CLASS": "mrm.core.api.AutoSchema",
    "EXCEPTION_HANDLER": "mrm.core.api.exception_handler",
}
# API throttling (mrm/accounts/throttling.py): per API key, per user (all their keys and the session together) and
# per client address for anonymous calls; wrong API keys are counted per client address and answered with 429
# after API_KEY_FAILURE_LIMIT of them in API_KEY_FAILURE_WINDOW seconds.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "mrm.accounts.throttling.ApiKeyRateThrottle",
    "mrm.accounts.throttling.UserRateThrottle",
    "mrm.accounts.throttling.AnonRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "api_key": env.str("API_RATE_KEY", default="300/min"),
    "user": env.str("API_RATE_USER", default="600/min"),
    "anon": env.str("API_RATE_ANON", default="60/min"),
}
API_KEY_FAILURE_LIMIT = env.int("API_KEY_FAILURE_LIMIT", default=20)
API_KEY_FAILURE_WINDOW = env.int("API_KEY_FAILURE_WINDOW", default=60)
SPECTACULAR_SETTINGS = {
    "TITLE": "MRM API",
    "DESCRIPTION": "Clients, proposals, projects and reports of one agency. "
    "Authenticate with `Authorization: Token <key>` (a key is created on the profile page and "
    "belongs to one agency).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DEFAULT_GENERATOR_CLASS": "mrm.core.api.SchemaGenerator",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SECURITY": [{"TokenAuth": []}],
    # Choice sets that share a field name across apps get their own schema names.
    "ENUM_NAME_OVERRIDES": {
        "MessageChannelEnum": "comms.models.Channel",
        "NpsChannelEnum": "portal.models.nps.NpsResponse.Channel",
        "NotificationChannelEnum": "mrm.notifications.models.Channel",
        "PriceKindEnum": "proposals.models.catalog.LineKind",
        "CustomFieldKindEnum": "clients.models.custom.CustomField.Kind",
        "PipelineKindEnum": "clients.models.pipelines.Pipeline.Kind",
    },
}

# --- Integrations -------------------------------------------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
# --- Notifications and Telegram (mrm/notifications, mrm/integrations/telegram.py) ---
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="")  # for the t.me/<bot>?start=<code> link
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")  # empty: no webhook, poll getUpdates
TELEGRAM_POLL = env.bool("TELEGRAM_POLL", default=False)  # beat polls getUpdates every minute (no webhook)
TELEGRAM_TIMEOUT_SECONDS = env.float("TELEGRAM_TIMEOUT_SECONDS", default=10.0)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)  # backoff: base × 2^n
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_SEND_LEASE_SECONDS = env.int("NOTIFICATION_SEND_LEASE_SECONDS", default=15 * 60)
if TELEGRAM_POLL:
    CELERY_BEAT_SCHEDULE["notifications-telegram-poll"] = {
        "task": "mrm.notifications.tasks.telegram_poll_task", "schedule": 60.0}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Trust boundaries, shared cache and public-form limits (hardening #9) -------------------------
# How many reverse proxies of ours stand in front of the app. 0 (default): X-Forwarded-For is ignored and
# REMOTE_ADDR is the client; N: the Nth X-Forwarded-For address from the right is (see tenancy.context.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "mrm.tenancy.context.client_ip"  # the login lockout counts the same address

# Rate limits and other counters must be shared by every web/worker process: Redis in production and CI
# (REDIS_URL, or any django-environ CACHE_URL), a file cache under var/ for `make run`.
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
if _cache_url:
    CACHES = {"default": env.cache_url_config(_cache_url)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="mrm"))

# The public brief form /b/<slug>/: briefs per visitor address and per agency per hour, and confirmation
# e-mails per submitter address per day (over that the brief is still saved, only the mail is skipped).
BRIEF_FORM_LIMIT_PER_IP = env.int("BRIEF_FORM_LIMIT_PER_IP", default=10)
BRIEF_FORM_LIMIT_PER_AGENCY = env.int("BRIEF_FORM_LIMIT_PER_AGENCY", default=100)
BRIEF_CONFIRMATION_LIMIT_PER_EMAIL = env.int("BRIEF_CONFIRMATION_LIMIT_PER_EMAIL", default=3)

# --- Ad and analytics connectors (reporting/connectors, h-connectors) ---------------------------------
# Base URLs are settings so staging and tests point them at a fake. Tokens are encrypted with Fernet under
# CONNECTOR_TOKEN_KEY (a Fernet key, or any passphrase: it is stretched); empty → derived from SECRET_KEY.
YANDEX_DIRECT_API_URL = env.str("YANDEX_DIRECT_API_URL", default="https://api.direct.yandex.com").rstrip("/")
YANDEX_METRICA_API_URL = env.str("YANDEX_METRICA_API_URL", default="https://api-metrika.yandex.net").rstrip("/")
VK_ADS_API_URL = env.str("VK_ADS_API_URL", default="https://ads.vk.com").rstrip("/")
CONNECTOR_TOKEN_KEY = env.str("CONNECTOR_TOKEN_KEY", default="")
CONNECTOR_TIMEOUT_SECONDS = env.float("CONNECTOR_TIMEOUT_SECONDS", default=60.0)
CONNECTOR_RETRIES = env.int("CONNECTOR_RETRIES", default=5)  # 429 / 5xx / network: tries before giving up
CONNECTOR_BACKOFF_SECONDS = env.float("CONNECTOR_BACKOFF_SECONDS", default=2.0)  # × 2ⁿ, capped by Retry-After
CONNECTOR_MAX_WAIT_SECONDS = env.float("CONNECTOR_MAX_WAIT_SECONDS", default=900.0)  # offline report polling
CONNECTOR_SYNC_DAYS = env.int("CONNECTOR_SYNC_DAYS", default=7)  # the daily sync re-reads this many days
CELERY_BEAT_SCHEDULE["reporting-sources-sync"] = {
    "task": "reporting.tasks_sync.sources_sync_all_task",
    "schedule": crontab(hour=env.int("CONNECTOR_SYNC_HOUR_UTC", default=3), minute=30)}
CELERY_TASK_ROUTES["reporting.tasks_sync.source_sync_task"] = {"queue": f"{CELERY_QUEUE_PREFIX}imports"}
# Dashboards (dashboards/tasks.py): the nightly rebuild of every agency's daily KPI rollup (also rebuilt after changes).
CELERY_BEAT_SCHEDULE["dashboards-kpi-rollup"] = {
    "task": "dashboards.tasks.kpi_rollup_nightly_task",
    "schedule": crontab(hour=env.int("KPI_ROLLUP_HOUR_UTC", default=1), minute=30)}
# The portfolio page's per-client rollup (dashboards/portfolio_rollup.py), nightly and after changes.
CELERY_BEAT_SCHEDULE["dashboards-client-economics"] = {
    "task": "dashboards.tasks.client_economics_nightly_task",
    "schedule": crontab(hour=env.int("KPI_ROLLUP_HOUR_UTC", default=1), minute=45)}
# Dashboards: the nightly rebuild of every agency's client health scores (dashboards/health_rollups.py).
CELERY_BEAT_SCHEDULE["dashboards-health-rollup"] = {
    "task": "dashboards.tasks.health_rollup_nightly_task",
    "schedule": crontab(hour=env.int("HEALTH_ROLLUP_HOUR_UTC", default=1), minute=55)}
