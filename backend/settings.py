"""Waypoint settings, read from the environment (see README, "Configuration").

Without configuration Waypoint runs as the embedded default of `make run`: SQLite and files under
``var/``, Celery tasks executed in-process. ``WAYPOINT_ENV=production`` turns missing secrets and
hosts into start-up errors.
"""

import secrets
from pathlib import Path

import dj_database_url

from backend.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("WAYPOINT_VAR_DIR", str(BASE_DIR / "var")))
PRODUCTION = env_str("WAYPOINT_ENV", "development") == "production"


def _development_secret_key() -> str:
    """A key kept in var/ so that sessions and the demo device token survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env_str("SECRET_KEY", required=PRODUCTION) or _development_secret_key()
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "backend.accounts",
    "backend.audit",
    "forms.apps.FormsConfig",
    "sync",
    "backend.privacy",
    "backend.results",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waypoint.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["backend.accounts.auth_backends.ThrottledModelBackend"]
# After this many failed sign-ins for a user name within the window, sign-ins are refused.
WAYPOINT_LOGIN_THROTTLE_FAILURES = env_int("WAYPOINT_LOGIN_THROTTLE_FAILURES", 5)
WAYPOINT_LOGIN_THROTTLE_SECONDS = env_int("WAYPOINT_LOGIN_THROTTLE_SECONDS", 900)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("WAYPOINT_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# The public address devices use; device URLs and QR codes are built from it. Without it, the
# address of the request that created the device is used.
WAYPOINT_PUBLIC_URL = env_str("WAYPOINT_PUBLIC_URL", "")

# XLSForm uploads larger than this are refused before pyxform sees them.
WAYPOINT_FORM_MAX_BYTES = env_int("WAYPOINT_FORM_MAX_BYTES", 10 * 1024 * 1024)
WAYPOINT_MEDIA_MAX_BYTES = env_int("WAYPOINT_MEDIA_MAX_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# ODK Validate (JavaRosa, shipped in the pyxform wheel) catches bad XPath such as a broken
# `relevant`; "auto" runs it when a Java runtime is on the PATH.
WAYPOINT_ODK_VALIDATE = env_str("WAYPOINT_ODK_VALIDATE", "auto")

# OpenRosa submissions: the body limit devices are told (X-OpenRosa-Accept-Content-Length).
WAYPOINT_SUBMISSION_MAX_BYTES = env_int("WAYPOINT_SUBMISSION_MAX_BYTES", 50 * 1024 * 1024)
# Quarantine encryption keys (base64, 32 bytes each, comma-separated; the first seals).
WAYPOINT_QUARANTINE_KEYS = env_str("WAYPOINT_QUARANTINE_KEYS", "")
# The master secret per-project pseudonym keys are derived from (never stored in the database).
WAYPOINT_PSEUDONYM_SECRET = env_str("WAYPOINT_PSEUDONYM_SECRET", "")
# Countries of origin whose phone formats free-text redaction recognises, besides the service
# points' own countries (ISO 3166-1 alpha-2).
WAYPOINT_ORIGIN_REGIONS = env_list(
    "WAYPOINT_ORIGIN_REGIONS",
    ["AF", "SY", "UA", "ER", "SD", "SS", "SO", "ET", "VE", "CO", "HT", "HN", "GT", "IQ", "IR", "PK",
     "BD", "MM", "NG", "ML", "GN", "CI", "CD", "YE", "LY", "TN", "MA", "TR"],
)  # fmt: skip
# Seconds the disclosure-control run waits after a new record, so bursts make one run.
WAYPOINT_DISCLOSURE_DEBOUNCE = env_int("WAYPOINT_DISCLOSURE_DEBOUNCE", 30)
# Fault injection for the killed-worker test: the anonymisation task sleeps this long mid-task.
WAYPOINT_ANONYMISE_TEST_DELAY = float(env_str("WAYPOINT_ANONYMISE_TEST_DELAY", "0") or 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "backend.api_errors.exception_handler",
    # `?format=csv|xlsx|json` chooses a results download, not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Waypoint API",
    "DESCRIPTION": (
        "Waypoint hosts XLSForm questionnaires for Humanitarian Service Points, receives "
        "submissions from ODK Collect, KoboCollect and Enketo over OpenRosa, anonymises them "
        "and serves aggregated results. Authenticate with `Authorization: Token <token>` "
        "(from `manage.py demo --json` or the admin) or a session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from this server (drf-spectacular-sidecar): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["backend.openapi.add_refusals"],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "backend.accounts.models.Role",
        "FormStateEnum": "forms.models.FormState",
    },
}

# Celery: with no broker configured, tasks run eagerly in the calling process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "waypoint")
CELERY_BEAT_SCHEDULE = {
    "anonymise-pending": {"task": "privacy.anonymise_pending", "schedule": 60.0},
    "purge-raw": {"task": "privacy.purge_raw", "schedule": 3600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
