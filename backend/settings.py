"""Waypoint settings, read from the environment (see README, "Configuration").

Without configuration Waypoint runs as the embedded default of `make run`: SQLite and files under
``var/``, Celery tasks executed in-process. ``WAYPOINT_ENV=production`` turns missing secrets and
hosts into start-up errors.
"""

import logging
import secrets
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url

import backend.env
from backend.env import (
    MissingSetting,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_required,
    env_str,
)
from backend.logs import log_format
from lib.uploads import upload_temp_dir_ready

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("WAYPOINT_VAR_DIR", str(BASE_DIR / "var")))
PRODUCTION = env_str("WAYPOINT_ENV", "development") == "production"
IN_PRODUCTION = "in production (WAYPOINT_ENV=production)"


def _development_secret_key() -> str:
    """A key kept in var/ so that sessions and the demo device token survive restarts."""
    path = backend.env.private_file(VAR_DIR / "secret_key", secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


# Production reads every secret here, at start-up: a missing one stops the process with a message
# naming it, rather than failing the first request that needs it.
if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", because=IN_PRODUCTION)
else:
    SECRET_KEY = env_str("SECRET_KEY") or _development_secret_key()
# Rotating SECRET_KEY: the previous key here keeps sessions valid meanwhile (RUNBOOK.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        # With none, gunicorn would start and answer every request but the health probes 400.
        raise MissingSetting(
            f"ALLOWED_HOSTS is required {IN_PRODUCTION}: the comma-separated host names "
            "clients use, e.g. waypoint.example.org."
        )
else:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "audit",
    "forms.apps.FormsConfig",
    "sync",
    "privacy",
    "results",
    "webforms",
]

MIDDLEWARE = [
    "backend.request_id.RequestIdMiddleware",
    "backend.health.HealthProbeMiddleware",
    "backend.request_guard.NulRefusalMiddleware",
    "backend.sign_in_pause.SignInPauseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backend.openrosa_lane.OpenRosaSubmissionLaneMiddleware",  # devices' POSTs skip the rest
    # Static files answered before anything else builds on the response (whitenoise's advice).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the switch's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.idle_sessions.SessionIdleTimeoutMiddleware",
    # The language on the person's account when this browser has no choice yet.
    "accounts.interface_language.RememberedLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refusal from the catalogue (lib.problems) that no view answered: the error page.
    "lib.problems.ProblemPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
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

if PRODUCTION:
    # No quiet fall-back to a SQLite file inside the container: name the database, even SQLite.
    DATABASE_URL = env_required("DATABASE_URL", because=IN_PRODUCTION)
else:
    DATABASE_URL = env_str("DATABASE_URL") or ""
    if not DATABASE_URL:  # the embedded file holds hashed credentials: owner only
        DATABASE_URL = f"sqlite:///{backend.env.private_file(VAR_DIR / 'waypoint.sqlite3')}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection is checked before a request reuses it (after a database restart
        # each thread's first request reconnects); on PostgreSQL with no query (backend/postgresql)
        conn_health_checks=True,
        engine="backend.postgresql" if DATABASE_URL.startswith("postgres") else None,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["accounts.auth_backends.ThrottledModelBackend"]
# After this many failed sign-ins for a user name within the window, sign-ins are refused.
WAYPOINT_LOGIN_THROTTLE_FAILURES = env_int("WAYPOINT_LOGIN_THROTTLE_FAILURES", 5)
WAYPOINT_LOGIN_THROTTLE_SECONDS = env_int("WAYPOINT_LOGIN_THROTTLE_SECONDS", 900)

# Sign-in pauses, growing from DELAY_SECONDS up to the caps: accounts/auth_backends.py.
WAYPOINT_LOGIN_ADDRESS_FAILURES = env_int("WAYPOINT_LOGIN_ADDRESS_FAILURES", 20)
WAYPOINT_LOGIN_DELAY_SECONDS = env_int("WAYPOINT_LOGIN_DELAY_SECONDS", 30)
WAYPOINT_LOGIN_MAX_DELAY_SECONDS = env_int("WAYPOINT_LOGIN_MAX_DELAY_SECONDS", 300)
WAYPOINT_LOGIN_ADDRESS_MAX_DELAY_SECONDS = env_int("WAYPOINT_LOGIN_ADDRESS_MAX_DELAY_SECONDS", 3600)
WAYPOINT_PROXY_COUNT = env_int("WAYPOINT_PROXY_COUNT", 0)  # proxies appending X-Forwarded-For
# A checked HTTP Basic credential is remembered (keyed hash): a flood costs no password hashing.
WAYPOINT_BASIC_AUTH_CACHE_SECONDS = env_int("WAYPOINT_BASIC_AUTH_CACHE_SECONDS", 60)
WAYPOINT_API_TOKEN_DAYS = env_int("WAYPOINT_API_TOKEN_DAYS", 90)  # 0: API tokens never expire
WAYPOINT_SESSION_IDLE_SECONDS = env_int("WAYPOINT_SESSION_IDLE_SECONDS", 1800)  # idle sign-out
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface: the IFRC's working languages and Ukrainian, translated in locale/ (make messages).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"),
             ("uk", "Українська")]  # fmt: skip
# The compiled catalogues sit beside the code in a checkout; an installed wheel has no locale/
# of its own, so the image copies it and names it here (deploy/Dockerfile).
LOCALE_PATHS = [Path(env_str("WAYPOINT_LOCALE_DIR", str(BASE_DIR / "locale")))]
FORMAT_MODULE_PATH = ["backend.formats"]  # English dates in ISO order
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the language switch is remembered for a year
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

STATIC_URL = "static/"
# collectstatic writes here and whitenoise serves from here (the image bakes it in at build).
STATIC_ROOT = Path(env_str("WAYPOINT_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("WAYPOINT_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Sealed quarantine files, form media and the readiness probe go through default_storage: the
# file system under MEDIA_ROOT unless an S3-compatible bucket is configured (django-storages).
WAYPOINT_STORAGE = env_str(
    "WAYPOINT_STORAGE", "s3" if env_str("WAYPOINT_S3_BUCKET") else "filesystem"
)
_default_storage: dict[str, Any]
if WAYPOINT_STORAGE == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif WAYPOINT_STORAGE == "s3":
    from boto3.s3.transfer import TransferConfig as _TransferConfig
    from botocore.config import Config as _BotoConfig

    _sse = env_str("WAYPOINT_S3_SERVER_SIDE_ENCRYPTION")  # AES256 or aws:kms
    _kms_key = env_str("WAYPOINT_S3_KMS_KEY_ID")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("WAYPOINT_S3_BUCKET", because="with WAYPOINT_STORAGE=s3"),
            "endpoint_url": env_str("WAYPOINT_S3_ENDPOINT_URL"),
            "region_name": env_str("WAYPOINT_S3_REGION"),
            # Without keys boto3 uses its own chain (AWS_* variables, instance or pod role).
            "access_key": env_str("WAYPOINT_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("WAYPOINT_S3_SECRET_ACCESS_KEY"),
            "location": env_str("WAYPOINT_S3_PREFIX", ""),
            # django-storages overwrites by default; Waypoint relies on the file-system rule
            # instead: a taken name gets a new one. Replacing a form's media file saves the new
            # one and deletes the old name after commit, which would delete the new file if
            # both had the same key. Quarantine names are random, so they are never renamed.
            "file_overwrite": False,
            # No ACL header by default: objects stay private to the bucket owner, and AWS
            # buckets with ACLs disabled (the default since 2023) refuse a "private" ACL.
            "default_acl": env_str("WAYPOINT_S3_ACL"),
            "object_parameters": {
                **({"ServerSideEncryption": _sse} if _sse else {}),
                **({"SSEKMSKeyId": _kms_key} if _kms_key else {}),
            },
            "client_config": _BotoConfig(
                s3={"addressing_style": env_str("WAYPOINT_S3_ADDRESSING_STYLE", "auto")},
                # An unreachable store fails the readiness probe within seconds (5 s per attempt,
                # 3 attempts), not botocore's default of 60 s per attempt.
                connect_timeout=5,
                read_timeout=60,
                retries={"mode": "standard", "max_attempts": 3},
            ),
            # A photo is one PUT from the request's own thread: boto3's default starts a pool
            # of threads for every upload, a measurable share of a submission's CPU.
            "transfer_config": _TransferConfig(use_threads=False),
        },
    }
else:
    raise MissingSetting(f"WAYPOINT_STORAGE must be filesystem or s3, not {WAYPOINT_STORAGE!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# The public address devices use; device URLs and QR codes are built from it. Without it, the
# address of the request that created the device is used.
WAYPOINT_PUBLIC_URL = env_str("WAYPOINT_PUBLIC_URL", "")

# XLSForm uploads larger than this are refused before pyxform sees them.
WAYPOINT_FORM_MAX_BYTES = env_int("WAYPOINT_FORM_MAX_BYTES", 10 * 1024 * 1024)
WAYPOINT_MEDIA_MAX_BYTES = env_int("WAYPOINT_MEDIA_MAX_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django refuses a multipart body of over 100 files by default; Collect splits a submission by
# size only, so a form with a repeat of photos would be refused on every retry (a stuck tablet).
# The body size limit (WAYPOINT_SUBMISSION_MAX_BYTES) is what bounds a request.
DATA_UPLOAD_MAX_NUMBER_FILES = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger uploads wait on disk in a private folder, not /tmp (lib/uploads.py).
FILE_UPLOAD_TEMP_DIR = upload_temp_dir_ready()
# ODK Validate (JavaRosa, shipped in the pyxform wheel) catches bad XPath such as a broken
# `relevant`; "auto" runs it when a Java runtime is on the PATH, a yes/no forces it on or off.
WAYPOINT_ODK_VALIDATE: str | bool = "auto"
if env_str("WAYPOINT_ODK_VALIDATE", "auto").strip().lower() != "auto":
    WAYPOINT_ODK_VALIDATE = env_bool("WAYPOINT_ODK_VALIDATE")

# OpenRosa submissions: the body limit devices are told (X-OpenRosa-Accept-Content-Length).
WAYPOINT_SUBMISSION_MAX_BYTES = env_int("WAYPOINT_SUBMISSION_MAX_BYTES", 50 * 1024 * 1024)
# Per device and minute (sync/quota.py): submissions and bytes; past either, 429 + Retry-After.
WAYPOINT_DEVICE_POSTS_PER_MINUTE = env_int("WAYPOINT_DEVICE_POSTS_PER_MINUTE", 120)
WAYPOINT_DEVICE_BYTES_PER_MINUTE = env_int("WAYPOINT_DEVICE_BYTES_PER_MINUTE", 200 * 1024 * 1024)
# Quarantine encryption keys (base64, 32 bytes each, comma-separated; the first seals), and the
# master secret per-project pseudonym keys are derived from (never stored in the database).
# Development generates both into var/ when unset (lib/crypto.py).
if PRODUCTION:
    WAYPOINT_QUARANTINE_KEYS = env_required("WAYPOINT_QUARANTINE_KEYS", because=IN_PRODUCTION)
    WAYPOINT_PSEUDONYM_SECRET = env_required("WAYPOINT_PSEUDONYM_SECRET", because=IN_PRODUCTION)
else:
    WAYPOINT_QUARANTINE_KEYS = env_str("WAYPOINT_QUARANTINE_KEYS", "")
    WAYPOINT_PSEUDONYM_SECRET = env_str("WAYPOINT_PSEUDONYM_SECRET", "")
# Countries of origin whose phone formats free-text redaction recognises, besides the service
# points' own countries (ISO 3166-1 alpha-2).
# A table of codes: the formatter would give each its own line.
_ORIGIN_REGIONS = [
    "AF", "SY", "UA", "ER", "SD", "SS", "SO", "ET", "VE", "CO", "HT", "HN", "GT", "IQ", "IR", "PK",
    "BD", "MM", "NG", "ML", "GN", "CI", "CD", "YE", "LY", "TN", "MA", "TR",
]  # fmt: skip
WAYPOINT_ORIGIN_REGIONS = env_list("WAYPOINT_ORIGIN_REGIONS", _ORIGIN_REGIONS)
# Fault-injection knobs are not read here: tests set them (backend/settings_test.py).

from backend.api_settings import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# Remembered Basic credentials and device quotas: per process, or shared through Redis.
_cache = env_str("WAYPOINT_CACHE_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache}
    if _cache else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # fmt: skip

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A Redis that accepts connections but never answers must not hang publishing for ever
    # (each web process would pile up blocked sender threads); the sweep redoes what failed.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "waypoint")
# A busy form's next disclosure-control run waits FACTOR times its last run's computing time,
# at least MIN and at most MAX seconds (privacy.disclosure.scheduling): checks after every batch
# would keep the workers from anonymising, a fixed long wait leaves a load's end unchecked.
WAYPOINT_DISCLOSURE_MIN_INTERVAL = env_float("WAYPOINT_DISCLOSURE_MIN_INTERVAL", 3.0)
WAYPOINT_DISCLOSURE_INTERVAL_FACTOR = env_float("WAYPOINT_DISCLOSURE_INTERVAL_FACTOR", 2.0)
WAYPOINT_DISCLOSURE_MAX_INTERVAL = env_float("WAYPOINT_DISCLOSURE_MAX_INTERVAL", 30.0)
# While a form's records keep changing, its run waits for this pause in the changes, at most
# the busy interval after its last run (privacy.disclosure.scheduling.disclosure_wait).
WAYPOINT_DISCLOSURE_QUIET = env_float("WAYPOINT_DISCLOSURE_QUIET", 2.0)
WAYPOINT_DISCLOSURE_BUSY_INTERVAL = env_float("WAYPOINT_DISCLOSURE_BUSY_INTERVAL", 30.0)
CELERY_BEAT_SCHEDULE = {
    "anonymise-pending": {"task": "privacy.anonymise_pending", "schedule": 60.0},
    "purge-raw": {"task": "privacy.purge_raw", "schedule": 3600.0},
    "sync-orphans": {"task": "sync.orphans_sweep", "schedule": 3600.0},
}

# One line per record, JSON in production (backend/logs.py): request id, method, masked path;
# Celery's task id in tasks (workers use this format on their own handlers: backend/celery.py).
LOG_FORMAT = log_format()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "backend.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "backend.logs.JsonFormatter"},
        "text": {"()": "backend.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # runserver's request lines would otherwise bypass the masking formatter.
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django's own console handler (DEBUG only) would print paths unmasked, device tokens
        # included ("Internal Server Error: /key/..."): its records go through ours instead.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
logging.captureWarnings(True)  # warnings too become log lines, in the same format

# Content Security Policy (django-csp), in development too, so that the browser tests prove the
# pages work under it: scripts and styles come from static files only, Swagger UI's included
# (backend/templates/api_docs.html). QR codes are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# The pages' own styles and scripts (kept out of the HTML for the policy above).
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Device URLs carry the device's token: never send a URL to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # TLS ends at the proxy in front, which must set X-Forwarded-Proto (and drop a client's own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # ODK Collect follows the redirect to https. The health probes are answered before it, over
    # plain HTTP and whatever the Host (backend.health.HealthProbeMiddleware).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds the whole registrable domain (a National Society's own, usually shared
    # with its other sites) to HTTPS in browsers for months, and cannot be undone quickly: the
    # domain's owner decides, so it is opt-in, and Django's reminder (W021) is silenced until then.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
