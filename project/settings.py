"""OnRecord settings, read from the environment (see README.md, "Configuration")."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from project.replicas import replica_databases

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
# Quote search: the tantivy index (see search/); with SEARCH_SYNC every search first brings
# the index up to date in-process (the tests), instead of an indexer process doing it.
SEARCH_DIR = Path(env("ONRECORD_SEARCH_DIR", default=str(DATA_DIR / "search"))).resolve()
SEARCH_SYNC = env.bool("ONRECORD_SEARCH_SYNC", default=False)
# Searches at once in each web process, and how long one waits for its turn before a 503
# (search/turns.py); 0: no limit.
SEARCH_CONCURRENCY = env.int("ONRECORD_SEARCH_CONCURRENCY", default=1)
SEARCH_WAIT_MS = env.int("ONRECORD_SEARCH_WAIT_MS", default=3000)
# /readyz reports the index as not ready when it lags the outbox by more (seconds).
SEARCH_MAX_LAG = env.int("ONRECORD_SEARCH_MAX_LAG", default=30)
# Intake fetches only public pages unless this is set (tests serving pages on 127.0.0.1).
INTAKE_FETCH_PRIVATE = env.bool("ONRECORD_INTAKE_FETCH_PRIVATE", default=False)
# Networks off the public internet that intake may fetch all the same (an intranet's
# newsroom, e.g. "10.20.0.0/16"); redirects elsewhere are still refused.
INTAKE_FETCH_ALLOW = env.list("ONRECORD_INTAKE_FETCH_ALLOW", default=[])
# Seconds for a whole fetch of a report's page (connection, redirects, headers and body).
INTAKE_FETCH_TIMEOUT = env.float("ONRECORD_INTAKE_FETCH_TIMEOUT", default=10.0)
# A report's text (pasted, uploaded or fetched) of more characters is refused.
INTAKE_MAX_TEXT_CHARS = env.int("ONRECORD_INTAKE_MAX_TEXT_CHARS", default=1_000_000)
# An import lists this many errors and counts the rest; its write pass stops at as many.
ONRECORD_IMPORT_MAX_ERRORS = env.int("ONRECORD_IMPORT_MAX_ERRORS", default=1_000)
# The similar-text check scores at most this many candidates a text (quotes.similarity).
ONRECORD_SIMILAR_PASSAGE_CAP = env.int("ONRECORD_SIMILAR_PASSAGE_CAP", default=20)
# Search backends by alias (search/backends/): dotted paths of SearchBackend classes.
ONRECORD_SEARCH_BACKENDS = {
    "default": "search.backends.tantivy.TantivyBackend",
    "meaning": "lineage.backend.MeaningBackend",
}
# The share of the time lineage's embedder computes; it rests the rest (lineage/embedder.py).
ONRECORD_EMBED_SHARE = env.float("ONRECORD_EMBED_SHARE", default=0.25)
if not 0 < ONRECORD_EMBED_SHARE <= 1:
    raise ImproperlyConfigured("ONRECORD_EMBED_SHARE must be more than 0 and at most 1.")
# Persistent connections save a connection's set-up on every request; the health check
# replaces a connection the server closed before it is reused.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DATABASES.update(replica_databases(env.list("DATABASE_REPLICA_URLS", default=[]), DATABASES))
DATABASE_ROUTERS = ["project.replicas.ReplicaRouter"]
REPLICA_STICKY_SECONDS = env.int("ONRECORD_REPLICA_STICKY_SECONDS", default=5)
# Only these apps' reads may go to a replica; sessions, users, tokens and login attempts
# are always read where they are written.
REPLICA_READ_APPS = ["quotes", "pghistory"]

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
if CACHES["default"]["BACKEND"].startswith("django_redis."):
    # A Redis that does not answer costs a request at most this long (seconds), not the
    # system's TCP timeout; then the rate limits are counted per process (project/cache.py).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("SOCKET_CONNECT_TIMEOUT", 0.5)
    CACHES["default"]["OPTIONS"].setdefault("SOCKET_TIMEOUT", 0.5)
# While the cache does not answer, ask it again after this many seconds.
ONRECORD_CACHE_RETRY_SECONDS = env.int("ONRECORD_CACHE_RETRY_SECONDS", default=5)

INSTALLED_APPS = [
    "quotes.apps.OnRecordAdminConfig",  # django.contrib.admin, with OnRecord's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "csp",
    # Background jobs on PostgreSQL (project/jobs.py); before the apps whose tasks.py it finds.
    "procrastinate.contrib.django",
    "quotes",
    "search",
    "api",
    "reader",
    "intake",
    "alerts",
    "dumps",
    "lineage",
    "captures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.throttling.RateLimitHeadersMiddleware",
    "project.middleware.RequestBodyLimitMiddleware",
    "project.middleware.StatementTimeoutMiddleware",
    "project.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "project.replicas.ReplicaMiddleware",
    # Inside the others, so that a 429 page gets their headers (CSP, framing).
    "reader.throttling.SiteRateLimitMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
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
    # Captures of cited pages as WARC files (captures/): a directory of the data directory,
    # or any Django storage (docs/deployment.md: S3-compatible stores via django-storages).
    "captures": {
        "BACKEND": env(
            "ONRECORD_CAPTURES_STORAGE", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "ONRECORD_CAPTURES_STORAGE_OPTIONS",
            default={"location": str(DATA_DIR / "captures")},
        ),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (14 of the 25 MB of static files, read only by developers' tools) are served
# as they are: compressing them took most of a first `make run`'s static-files step.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a TLS-terminating proxy (docs/operations.md): HTTPS only, and browsers told so.
HTTPS = env.bool("ONRECORD_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("ONRECORD_HSTS_SECONDS", default=31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = HTTPS or (not DEBUG and env.bool("DJANGO_SECURE_COOKIES", default=False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Every resource from the site itself: the admin, the API docs (drf-spectacular's sidecar
# files) and the browsable API need no other origin. Swagger UI sets inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login throttling (django-axes): 10 failures for one user name, or from one
# address, lock that name or address out for 15 minutes. Attempts are listed in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "project.login_throttling.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Proxies in front of the app servers: the client's address is read from X-Forwarded-For,
# that many hops back (0: the connection's own address).
AXES_IPWARE_PROXY_COUNT = env.int("ONRECORD_NUM_PROXIES", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# What /readyz checks, in order; each returns None when ready, else the reason.
READINESS_CHECKS = [
    "project.health.database_answers",
    "project.health.migrations_applied",
    "search.health.index_current",
    "project.jobs.worker_seen",
]
# What /readyz reports as degraded while still answering 200 (the service works without it).
DEGRADED_CHECKS = ["project.health.cache_answers"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# Background jobs (project/jobs.py): /readyz reports jobs waiting longer than this (seconds)
# with no worker seen within it.
JOBS_MAX_WAIT = env.int("ONRECORD_JOBS_MAX_WAIT", default=120)

# Mail (alerts/): Django's e-mail backends, configured by EMAIL_URL (smtp://user:password@host:587,
# smtp+tls://…, consolemail://); unset, each message is written as a file to var/mail/.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env("ONRECORD_MAIL_FROM", default="OnRecord alerts <alerts@localhost>")
# Alert sign-ups (alerts/limits.py): at most this many per address and per client an hour,
# so that nobody can make OnRecord mail a third party repeatedly.
ALERTS_SIGNUPS_PER_ADDRESS = env.int("ONRECORD_ALERTS_SIGNUPS_PER_ADDRESS", default=3)
ALERTS_SIGNUPS_PER_CLIENT = env.int("ONRECORD_ALERTS_SIGNUPS_PER_CLIENT", default=10)
# An address that never confirms is deleted after this many days (docs/operations.md).
ALERTS_UNCONFIRMED_DAYS = env.int("ONRECORD_ALERTS_UNCONFIRMED_DAYS", default=7)
# Deliveries (sent or failed) are kept this many days for the admin's outbox.
ALERTS_DELIVERY_DAYS = env.int("ONRECORD_ALERTS_DELIVERY_DAYS", default=30)

# Public dumps (dumps/): where they are written, how many versions are kept, when the job
# makes one (cron, UTC), and the licence the /dumps/ page and each manifest state.
DUMPS_DIR = Path(env("ONRECORD_DUMPS_DIR", default=str(DATA_DIR / "dumps"))).resolve()
DUMPS_KEEP = env.int("ONRECORD_DUMPS_KEEP", default=7)
DUMPS_CRON = env("ONRECORD_DUMPS_CRON", default="0 2 * * *")
DUMPS_LICENSE = env("ONRECORD_DUMPS_LICENSE", default="CC BY 4.0")
DUMPS_LICENSE_URL = env(
    "ONRECORD_DUMPS_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/"
)

# Captures of cited pages (captures/): who OnRecord says it is to the sites it fetches, whether
# it obeys their robots.txt, how long and large a fetch may be, how often a source is
# captured again (days), when the job looks for sources due (cron, UTC), and the seconds
# between two requests to one host.
CAPTURES_CONTACT = env("ONRECORD_CAPTURES_CONTACT", default="webmaster@localhost")
CAPTURES_RESPECT_ROBOTS = env.bool("ONRECORD_CAPTURES_RESPECT_ROBOTS", default=True)
CAPTURES_FETCH_TIMEOUT = env.float("ONRECORD_CAPTURES_FETCH_TIMEOUT", default=20.0)
CAPTURES_MAX_BYTES = env.int("ONRECORD_CAPTURES_MAX_BYTES", default=5_000_000)
CAPTURES_RECHECK_DAYS = env.int("ONRECORD_CAPTURES_RECHECK_DAYS", default=7)
# Sources added within this many days are captured again daily.
CAPTURES_RECENT_DAYS = env.int("ONRECORD_CAPTURES_RECENT_DAYS", default=14)
CAPTURES_CRON = env("ONRECORD_CAPTURES_CRON", default="0 3 * * *")
CAPTURES_HOST_INTERVAL = env.float("ONRECORD_CAPTURES_HOST_INTERVAL", default=5.0)
# A source's page shows readers each cited passage in its paragraph; set, the whole text
# (mind the publisher's copyright).
CAPTURES_SHOW_WHOLE_TEXT = env.bool("ONRECORD_CAPTURES_SHOW_WHOLE_TEXT", default=False)
# A page whose main text resembles the last capture of the document less than this (the
# Jaccard index of their word trigrams, 0 to 1) is taken for a different document, as a
# page gone is (captures/documents.py).
CAPTURES_SAME_DOCUMENT = env.float("ONRECORD_CAPTURES_SAME_DOCUMENT", default=0.2)

# The reader site's address, for links made outside a request (export_quotes_csv).
ONRECORD_SITE_URL = env("ONRECORD_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The authority of statements' permanent identifiers (tag: URIs, RFC 4151: a domain or
# address the publisher held on a date). Set once for a deployment and never changed: feed
# readers and other databases know statements by it.
ONRECORD_TAG_AUTHORITY = env("ONRECORD_TAG_AUTHORITY", default="onrecord.org,2026")
# At most this many quotes in a download of /api/v1/quotes/ (?format=csv or ndjson).
ONRECORD_DOWNLOAD_MAX_ROWS = env.int("ONRECORD_DOWNLOAD_MAX_ROWS", default=100_000)

# An import lists at most this many errors (and counts the others); its write pass stops
# looking once it has found as many.
ONRECORD_IMPORT_MAX_ERRORS = env.int("ONRECORD_IMPORT_MAX_ERRORS", default=1000)

# Bounded work per request: bodies over this many bytes get HTTP 413.
ONRECORD_MAX_BODY_BYTES = env.int("ONRECORD_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ONRECORD_MAX_BODY_BYTES

# API rate limits (api/throttling.py): anonymous clients by address, client keys by key
# (a key's own rate first), signed-in users by account; editors' and reviewers' reads are
# not limited. ONRECORD_NUM_PROXIES: how many proxies in front add to X-Forwarded-For.
ONRECORD_RATE_ANON = env("ONRECORD_RATE_ANON", default="60/min")
ONRECORD_RATE_CLIENT = env("ONRECORD_RATE_CLIENT", default="600/min")
# The reader site's pages and feeds, per client address (reader/throttling.py); signed-in
# users count at ONRECORD_RATE_CLIENT, editors' and reviewers' reading not at all.
ONRECORD_RATE_SITE = env("ONRECORD_RATE_SITE", default="60/min")

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
    # JSON only: the writes nest lists of objects (names, affiliations, translations,
    # citations), which form encodings cannot carry (DRF dropped them without a word).
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.RecordSchema",
    "PAGE_SIZE": 20,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OnRecord API",
    "DESCRIPTION": "Diplomatic and political statements: who said what, in which role, "
    "when, and where it was reported.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies apart from answers, so that a text field that may not be blank says
    # so (minLength 1) where it is sent, as its validation does, and not where it is read.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "/" + STATIC_URL + "quotes/favicon.svg",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.strings_refuse_nul",
    ],
    "ENUM_NAME_OVERRIDES": {
        "QuoteKindEnum": "quotes.models.Quote.Kind",
        "OrganizationKindEnum": "quotes.models.Organization.Kind",
        "SourceKindEnum": "quotes.models.Source.Kind",
        "OccasionKindEnum": "quotes.models.Occasion.Kind",
        "AccountKindEnum": "quotes.models.OccasionAccount.Kind",
        "QuoteStatusEnum": "quotes.models.Quote.Status",
        "RevisionStatusEnum": "quotes.models.QuoteRevision.Status",
    },
}

# Readers' error reports (reader/reports.py): at most this many per client address.
ONRECORD_RATE_ERROR_REPORTS = env("ONRECORD_RATE_ERROR_REPORTS", default="5/hour")
# Where readers write to the editors (the About page).
ONRECORD_CONTACT_EMAIL = env("ONRECORD_CONTACT_EMAIL", default="editors@onrecord.example")
