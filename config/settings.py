"""Settings, read from environment variables with safe defaults.

Without `DATABASE_URL` the platform starts an embedded PostgreSQL server (data in
`.data/postgres`), and without `REDIS_URL` it runs Celery tasks in process: enough
for a first look. `.env.example` lists every variable.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:port/name?opt=v` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


DEBUG = env_bool("DEBUG", False)
# PRODUCTION turns on every hardening that needs HTTPS in front of the app.
PRODUCTION = env_bool("PRODUCTION", False)

_INSECURE_KEY = "insecure-development-key-never-use-in-production"


def env_key(name: str) -> str:
    """A signing key from the environment. Unless DEBUG is on, an empty, short,
    repetitive, placeholder or built-in key stops the start with one line (in
    production even with DEBUG on)."""
    value = env_str(name, "").strip()
    weak = (
        len(value) < 50
        or len(set(value)) < 5
        or value == _INSECURE_KEY
        or value.lower().startswith(("#", "change"))
    )
    if weak and (PRODUCTION or not DEBUG):
        sys.exit(
            f"{name} must be a random value of at least 50 characters (DEBUG is "
            f"off); generate one with: python3 -c 'import secrets; "
            f"print(secrets.token_urlsafe(50))'"
        )
    return value or _INSECURE_KEY


SECRET_KEY = env_key("SECRET_KEY")
# Keys citizen identifiers (client addresses, dossier numbers, tokens) before they
# are hashed; kept apart from SECRET_KEY so that rotating one leaves the other.
HASH_KEY = env_key("HASH_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # Tokens for one-stop systems that push dossier records (dossiers.apis).
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Login throttling: failed logins per username and address, lockouts, their log.
    "logins.apps.AxesConfig",
    "surveys",
    "dossiers",
    "indicators",
    "logins",
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "surveys.language.CookieLocaleMiddleware",
    "surveys.charset.Utf8BodiesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "surveys.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    # A first run: a PostgreSQL server from a wheel, its data in .data/postgres.
    from config.embedded_database import embedded_database_url

    DATABASE_URL = embedded_database_url()
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A survey must be accepted while Redis is down: fail fast, never hang.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The axes backend first: it refuses a locked-out username and address before
# any password is checked (and hashed, which is costly on purpose).
AUTHENTICATION_BACKENDS = [
    "logins.backends.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After LOGIN_FAILURE_LIMIT failed logins for one username from one address, each
# within LOGIN_LOCKOUT_MINUTES of the one before, that pair is refused for as long
# (admin login and the API's HTTP Basic alike). The address is the one the survey
# rate limit uses: behind the trusted proxies, never a header the client chose.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "surveys.intake.client_address"
AXES_LOCKOUT_CALLABLE = "logins.views.lockout_response"
# Lockouts are lifted in the admin by national administrators (logins.admin).
AXES_ENABLE_ADMIN = False
# Tries during a lockout neither extend it nor reach the password check.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Failures are kept (above); successful sign-ins are not recorded with their
# address and browser.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
# django-axes prints its version at every start: noise in the commands' output.
AXES_VERBOSE = False

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
# Vietnamese unless English is chosen on the site; the choice is kept a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` gathers the files (the Docker image runs it when built).
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Celery: without a broker the tasks run in process, for a first look.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when Redis is down.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CELERY_TASK_PUBLISH_RETRY = False

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "config.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only (an answers object has no form encoding); refuses duplicated
    # keys and deep nesting with a 400 (see the module).
    "DEFAULT_PARSER_CLASSES": ["surveys.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SIPAS API",
    "DESCRIPTION": "Citizen satisfaction surveys and indicators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page is served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from swagger.io: the page talks to this site only.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Survey intake: the abuse checks an official can tune without a release.
SURVEY_MIN_FILL_SECONDS = env_int("SURVEY_MIN_FILL_SECONDS", 20)
SURVEY_RATE_LIMIT = env_int("SURVEY_RATE_LIMIT", 20)  # submissions per window
SURVEY_RATE_WINDOW_SECONDS = env_int("SURVEY_RATE_WINDOW_SECONDS", 600)
SURVEY_SUGGESTION_MAX_LENGTH = env_int("SURVEY_SUGGESTION_MAX_LENGTH", 1000)
# Above this many submissions per window a client's responses are flagged BURST;
# 0 means half of SURVEY_RATE_LIMIT.
SURVEY_BURST_THRESHOLD = env_int("SURVEY_BURST_THRESHOLD", 0)
# Reverse proxies in front of the app: the client address is read from
# X-Forwarded-For only when this is set (a client could forge it otherwise).
SURVEY_TRUSTED_PROXIES = env_int("SURVEY_TRUSTED_PROXIES", 0)
# Above this many identical answer sets to one agency from one address in a
# window, the responses are flagged (0: never).
SURVEY_PATTERN_THRESHOLD = env_int("SURVEY_PATTERN_THRESHOLD", 5)
# How long a start stamp (page or API) stays valid, and remembered as spent.
SURVEY_STAMP_MAX_AGE_SECONDS = env_int("SURVEY_STAMP_MAX_AGE_SECONDS", 2 * 86400)
SURVEY_INVITATION_MAX_AGE_DAYS = env_int("SURVEY_INVITATION_MAX_AGE_DAYS", 365)
# Seconds each process remembers the questionnaire, agencies and procedures it
# read for submissions (0: read them every time). Edits through Django are seen at
# once by the process that made them, by the others within this many seconds.
SURVEY_REFERENCE_CACHE_SECONDS = env_int("SURVEY_REFERENCE_CACHE_SECONDS", 60)
INDICATOR_MIN_RESPONDENTS = env_int("INDICATOR_MIN_RESPONDENTS", 30)
# A rebuild's claim on the rollup lasts this long past its start or its latest
# part: a rebuild lost with its worker blocks the folds no longer (and the folds
# run every 300 s, so the figures move again within ten minutes).
ROLLUP_REBUILD_LEASE_SECONDS = env_int("ROLLUP_REBUILD_LEASE_SECONDS", 300)
# Seconds public result pages stay cached (keys carry the published version).
RESULTS_CACHE_SECONDS = env_int("RESULTS_CACHE_SECONDS", 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"invitations": {"()": "config.logs.MaskInvitationTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["invitations"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# With DEBUG off Django serves no static files: WhiteNoise serves the collected
# ones (the survey's stylesheet, the admin's scripts, the API docs) from the web
# process, so the image and the demo work behind any proxy or none.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Every page loads scripts, styles, images and fonts from this site only, and no
# inline script or style runs unless it carries the response's nonce (none
# does today: they are static files). data: images are the admin's and the API
# docs' icons inside their stylesheets. No page may be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
