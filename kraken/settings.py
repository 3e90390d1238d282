"""Settings, read from the environment (django-environ); see README "Settings"."""

import os

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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
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
]

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
GRAPHENE = {"SCHEMA": "kraken.graphql.schema.schema", "ATOMIC_MUTATIONS": True}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kraken core platform API",
    "DESCRIPTION": "Data Import API and Consumer Data Right endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
