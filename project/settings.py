"""OnRecord settings, read from the environment (see README.md, "Configuration")."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    ONRECORD_DATA_DIR=(str, str(BASE_DIR / "var")),
)

DEBUG = env("DJANGO_DEBUG")
DATA_DIR = Path(env("ONRECORD_DATA_DIR")).resolve()
# The key `make run` keeps in the data directory, so that commands run in that checkout
# (python manage.py import_records …) sign what the site signs.
SECRET_KEY_FILE = DATA_DIR / "secret-key"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is not set and {SECRET_KEY_FILE} does not exist. Set it to a "
            "long random string (`make run` creates that file), or set DJANGO_DEBUG=true for "
            "local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")

if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from project.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(DATA_DIR)}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))

# Web requests: every query under a statement timeout (HTTP 503 past it, see
# project/middleware.py). The WSGI application (project/wsgi.py) asks for it; management
# commands (imports, exports) run unlimited.
ONRECORD_STATEMENT_TIMEOUT_MS = env.int("ONRECORD_STATEMENT_TIMEOUT_MS", default=3000)
if env.bool("ONRECORD_WEB_PROCESS", default=False) and ONRECORD_STATEMENT_TIMEOUT_MS > 0:
    for database in DATABASES.values():
        database.setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={ONRECORD_STATEMENT_TIMEOUT_MS}"
        )

# The cache shared by every worker and app server, which keeps the API's rate limits:
# Django's database cache by default (its table is made by migration api 0002),
# redis://host:port/db for Redis.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://onrecord_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    CACHES["default"]["BACKEND"] = "project.cache.DatabaseCache"  # an atomic incr()
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "quotes",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.throttling.RateLimitHeadersMiddleware",
    "project.middleware.RequestBodyLimitMiddleware",
    "project.middleware.StatementTimeoutMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG and env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# Bounded work per request: bodies over this many bytes get HTTP 413.
ONRECORD_MAX_BODY_BYTES = env.int("ONRECORD_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ONRECORD_MAX_BODY_BYTES

# API rate limits (api/throttling.py): anonymous clients by address, client keys by key
# (a key's own rate first), signed-in users by account; editors' and reviewers' reads are
# not limited. ONRECORD_NUM_PROXIES: how many proxies in front add to X-Forwarded-For.
ONRECORD_RATE_ANON = env("ONRECORD_RATE_ANON", default="60/min")
ONRECORD_RATE_CLIENT = env("ONRECORD_RATE_CLIENT", default="600/min")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ActionPermission"],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.RateLimitThrottle"],
    "NUM_PROXIES": env.int("ONRECORD_NUM_PROXIES", default=0),
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "PAGE_SIZE": 20,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OnRecord API",
    "DESCRIPTION": "Diplomatic and political statements: who said what, in which role, "
    "when, and where it was reported.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.strings_refuse_nul",
    ],
    "ENUM_NAME_OVERRIDES": {
        "QuoteKindEnum": "quotes.models.Quote.Kind",
        "OrganizationKindEnum": "quotes.models.Organization.Kind",
        "SourceKindEnum": "quotes.models.Source.Kind",
    },
}
