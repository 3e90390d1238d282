"""Settings, read from the environment (django-environ); see README "Settings"."""

import os
from datetime import timedelta

import environ

from kraken import services

BASE_DIR = services.BASE_DIR
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

_services = services.resolve()
SERVICE_ORIGINS = {"database": _services.database_origin, "redis": _services.redis_origin}
REDIS_URL = _services.redis_url

INSTALLED_APPS = [
    "kraken.apps.OpsAdminConfig",  # django.contrib.admin with the back office's site (kraken/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "graphene_django",
    "django_celery_beat",
    "accounts",
    "metering",
    "devices",
    "billing",
    "imports",
    "cdr",
    "kraken",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# --- Back-office security --------------------------------------------------------------------------
# Login throttling and lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one username
# from one address, that pair is locked out for AXES_COOLOFF_TIME; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
# Sessions end after SESSION_IDLE_MINUTES without a request (the expiry slides with each request) and
# when the browser closes; cookies are HttpOnly, and Secure where the site is served over HTTPS. They
# live in the cache (Redis), so sliding the expiry on every request writes nothing to PostgreSQL.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_AGE = 60 * env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

ROOT_URLCONF = "kraken.urls"
WSGI_APPLICATION = "kraken.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": services.database_settings(_services.database_url)}
# Web processes pool their connections (psycopg_pool through Django's native `pool` option): a
# gthread worker's threads share a few warm connections instead of opening one per request. Only
# the web server sets DATABASE_POOL_MAX_SIZE: Celery's prefork children must not inherit a pool
# (with its background threads) opened in their parent, so workers keep plain connections.
# A crashed worker must not hold row locks for hours: the server ends a session left idle inside a
# transaction, probes a silent client every few seconds (also while a query runs), and drops it
# after a few unanswered keepalives, so its locks are released within a minute.
SESSION_SAFETY = (
    f"-c idle_in_transaction_session_timeout={env.int('DATABASE_IDLE_IN_TRANSACTION_SECONDS', default=60)}s"
    " -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"
    " -c client_connection_check_interval=5s"
)
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} {SESSION_SAFETY}".strip()
_options.update(keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
# The customer graph's hot reads run as server-side prepared statements (kernel.prepared), which
# psycopg refuses on a connection whose prepare_threshold is None (Django's default). No other
# query is prepared: Django's cursors bind on the client, and the threshold is never reached by
# count. Turn it off behind a pooler that cannot keep prepared statements (PgBouncer in
# transaction mode before 1.21, or without max_prepared_statements).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
_options["prepare_threshold"] = 2**31 - 1 if DATABASE_PREPARED_STATEMENTS else None
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)
if DATABASE_POOL_MAX_SIZE:
    _options["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Parallel test runs (several developers or helpers on one server) each get their own test database.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_kraken")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".local" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# One Redis, several stacks: `KRAKEN_INSTANCE` names this stack's slice of it (queue names, broker
# keys, cache keys), so a test run beside `make run` never takes, purges or counts the other's work.
# Unset for a normal deployment; the test runner sets a fresh one per run (tests/settings.py).
INSTANCE = env("KRAKEN_INSTANCE", default="")
REDIS_KEY_PREFIX = f"{INSTANCE}:" if INSTANCE else ""


def _queue(name: str) -> str:
    return f"{name}.{INSTANCE}" if INSTANCE else name


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": INSTANCE,
    }
}

# Celery: Redis broker; queues per workload so billing cannot starve imports (DESIGN.md "Scale-out").
CELERY_BROKER_URL = services.celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    **({"global_keyprefix": REDIS_KEY_PREFIX} if REDIS_KEY_PREFIX else {}),
}
CELERY_TASK_ALWAYS_EAGER = False
# A pool process keeps its database connection from task to task (Celery's Django fixup would close
# it around every task, so each billing chunk paid a new server process with cold caches: its
# catalogue, its foreign-key check plans); kraken/celery.py closes it after CELERY_WORKER_CONN_MAX_AGE
# seconds, or at once if it broke, as Django does between requests.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_WORKER_CONN_MAX_AGE = env.int("CELERY_WORKER_CONN_MAX_AGE", default=300)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
DEFAULT_QUEUE = _queue("default")
BILLING_QUEUE = _queue("billing")
PAYMENTS_QUEUE = _queue("payments")
IMPORTS_QUEUE = _queue("imports")
ALL_QUEUES = [DEFAULT_QUEUE, BILLING_QUEUE, PAYMENTS_QUEUE, IMPORTS_QUEUE]
CELERY_TASK_DEFAULT_QUEUE = DEFAULT_QUEUE

# Payment vendors this platform has no adapter for may be served by one standing in for them, e.g.
# "STRIPE=localpay": in development LocalPay, the local payment server `make run` starts, collects the
# demo's STRIPE mandates. Unset in production.
PAYMENT_VENDOR_STAND_INS = env.dict("PAYMENT_VENDOR_STAND_INS", default={})

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
# Customer REST API v1: requests a minute per user (per client address when anonymous).
REST_API_RATE_LIMITS = {
    "anonymous": env.int("REST_API_RATE_LIMIT_ANONYMOUS", default=600),
    "authenticated": env.int("REST_API_RATE_LIMIT_AUTHENTICATED", default=1200),
}
# Secrets the keys encrypting customers' API keys at rest are derived from, newest first (rotate by
# prepending a new one); SECRET_KEY when unset. See docs/ARCHITECTURE.md, "Customer API keys".
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
GRAPHENE = {"SCHEMA": "kraken.graphql.schema.schema", "ATOMIC_MUTATIONS": True}
# Check every GraphQL view (dict value) against the contract as it is built: a key that is not a
# field of its type, or a view answered where another type is expected, raises (kernel.graphql.binding).
GRAPHQL_CHECK_VIEWS = env.bool("GRAPHQL_CHECK_VIEWS", default=DEBUG)
# Query limits (kraken/graphql/limits.py) and roots switched off on this instance (KT-CT-1113).
GRAPHQL_MAX_COMPLEXITY = env.int("GRAPHQL_MAX_COMPLEXITY", default=200)
GRAPHQL_MAX_NODES = env.int("GRAPHQL_MAX_NODES", default=10_000)
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=15)
GRAPHQL_DISABLED_FIELDS = env.list("GRAPHQL_DISABLED_FIELDS", default=[])
SPECTACULAR_SETTINGS = {
    "TITLE": "Kraken core platform API",
    "DESCRIPTION": "Data Import API, customer REST API v1 and Consumer Data Right endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Money actions in the back office ----------------------------------------------------------------
# Per currency, in major units: `limit` is the most one adjustment may move (larger amounts are a form
# error), `approval_threshold` the amount above which it waits for a second ops user's approval.
# Ofgem's renewal notice: a fixed-term customer hears of the next tariff 42 to 49 days before the
# end, and from then on may renew.
TARIFF_RENEWAL_WINDOW_DAYS = env.int("TARIFF_RENEWAL_WINDOW_DAYS", default=49)

# Override with a JSON object in MONEY_ACTION_LIMITS; a currency missing here takes no money actions.
MONEY_ACTION_LIMITS = env.json(
    "MONEY_ACTION_LIMITS",
    default={
        "GBP": {"limit": "10000.00", "approval_threshold": "500.00"},
        "EUR": {"limit": "10000.00", "approval_threshold": "500.00"},
        "USD": {"limit": "10000.00", "approval_threshold": "500.00"},
        "AUD": {"limit": "15000.00", "approval_threshold": "750.00"},
        "NZD": {"limit": "15000.00", "approval_threshold": "750.00"},
        "JPY": {"limit": "1500000", "approval_threshold": "75000"},
    },
)
# Whether billing runs hold their bills for review before issuing them (the default of the "Hold
# bills for review" box on a new run, and the setting scheduled runs follow).
BILLING_HOLD_BILLS_FOR_REVIEW = env.bool("BILLING_HOLD_BILLS_FOR_REVIEW", default=False)
# Accounts per billing chunk task (a new run's default; admin can set another per run). 1,000:
# a chunk pays a fixed cost (the claim's commit, ~15 set-based queries, five COPYs, one commit whose
# deferred foreign-key checks and WAL flush are most of it), which at 200 was most of a register
# bill's time. In process, 2,000-6,000 register accounts on one worker: 1,000 billed 1.7-2.2x faster
# than 200, 2,000 no faster than 1,000; half-hourly, 1,000 a quarter faster than 250. A chunk stays
# well under a second of work (a lost one is cheap to redo; a 100,000-account run still spreads over
# 100 chunks) and a half-hourly chunk holds ~12 MB of half hours.
BILLING_CHUNK_SIZE = env.int("BILLING_CHUNK_SIZE", default=1000)
# Leases on billing and collection work (billing/operations/_leases.py): a worker holds run items
# it took for BILLING_LEASE_SECONDS (its transaction then locks them) and a collection attempt for
# COLLECTION_LEASE_SECONDS (longer than the vendor's timeout); work rung on the queue waits
# BILLING_QUEUED_LEASE_SECONDS for a worker; the sweep (every 30 s) hands expired work to another
# worker, and records FAILED run items that lost BILLING_MAX_ATTEMPTS workers.
BILLING_LEASE_SECONDS = env.int("BILLING_LEASE_SECONDS", default=10)
COLLECTION_LEASE_SECONDS = env.int("COLLECTION_LEASE_SECONDS", default=30)
BILLING_QUEUED_LEASE_SECONDS = env.int("BILLING_QUEUED_LEASE_SECONDS", default=600)
BILLING_MAX_ATTEMPTS = env.int("BILLING_MAX_ATTEMPTS", default=3)
# Requests sent with one idempotency key while the vendor is unavailable before the attempt is
# reconciled with the vendor and ends SUCCEEDED or FAILED.
COLLECTION_MAX_TRIES = env.int("COLLECTION_MAX_TRIES", default=6)
# Seconds before an attempt's key is re-sent after the vendor could not answer; doubled each time.
PAYMENT_RETRY_BASE_SECONDS = env.float("BILLING_PAYMENT_RETRY_BASE_SECONDS", default=30.0)
# Dunning: seconds after each FAILED collection attempt of a bill before the hourly collection job
# collects it again; after the last, ops decide.
COLLECTION_RETRY_DELAYS = env.list(
    "COLLECTION_RETRY_DELAYS", cast=int, default=[24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600]
)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login's reset at INFO; lockouts still show as warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Saving sessions ---------------------------------------------------------------------------------
# Grams of CO2e per kWh of electricity, to state what a saving session's kWh saved avoided. Default:
# the UK Government's greenhouse gas reporting conversion factors 2024 (DESNZ), "UK electricity",
# generation, 0.20705 kg CO2e/kWh. A supplier elsewhere sets its own grid's figure.
GRID_CARBON_INTENSITY_G_PER_KWH = env("GRID_CARBON_INTENSITY_G_PER_KWH", default="207.05")
