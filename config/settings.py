"""Settings read from the environment.

With nothing set, the app runs in development on SQLite (``db.sqlite3``). Set
``DJANGO_ENV=production`` and the variables it then requires (``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL``) to run in production; a missing or malformed
value stops start-up with a message naming the variable.
"""

import importlib.metadata
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import cache, storage
from config.env import env_bool, env_choice, env_int, env_list, env_secret_key, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

# Off unless asked for (DEBUG=1), in development too: `make run` is what a council tries first,
# and it serves the friendly error pages, not Django's technical ones listing every address.
DEBUG = env_bool("DEBUG", False)
if PRODUCTION:
    SECRET_KEY = env_secret_key("SECRET_KEY")  # refuses a key Django's deploy check would warn about
    # seals every history row (config/history_seal.py); kept apart from SECRET_KEY so that
    # rotating that does not break history, and never stored in the database
    HISTORY_SEAL_KEY = env_secret_key("HISTORY_SEAL_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated) in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-secret-key-not-for-production-use-0123456789")
    HISTORY_SEAL_KEY = env_str("HISTORY_SEAL_KEY", "development-only-history-seal-key-" + SECRET_KEY)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")


def _package_version() -> str:
    try:
        return importlib.metadata.version("golden-thread")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "checkout"


COUNCIL_NAME = env_str("COUNCIL_NAME", "Northmoor County Council")
# the council's name in Welsh, shown when the interface is in Welsh (empty: the English name)
COUNCIL_NAME_CY = env_str("COUNCIL_NAME_CY", "Cyngor Sir Northmoor")
# an action's spend is flagged on the scorecard when it is further than this percentage from
# its budget profile to date, unless its plan sets its own threshold (decision 0023)
BUDGET_VARIANCE_THRESHOLD = env_int("BUDGET_VARIANCE_THRESHOLD", 10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # the public pages' sitemap.xml (issue 16)
    "django.forms",
    "mptt",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "audit",
    "partners",
    "planning",
    "monitoring",
    "public",
    "api",
    "demo",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.nul_bytes.RefuseNulBytesMiddleware",  # before anything that reads a file, a session or the database
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.health.HealthCheckMiddleware",  # before sessions: /health/ reads no session and no user
    "config.compression.CompressPagesMiddleware",  # gzip for pages over 1 KB; sees every response body last
    "config.db_unavailable.DatabaseUnavailableMiddleware",  # before anything that reads the database
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, else the browser's (0029)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.language.PersonLanguageMiddleware",  # after auth: a signed-in person's own choice wins
    "config.no_store.NoStoreWhenSignedInMiddleware",  # after auth: answers to signed-in people are not cached
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.session_timeouts.SessionTimeoutMiddleware",  # after auth and messages: it signs out and says why
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.council",
            ],
        },
    },
]
FORM_RENDERER = "config.forms.GovukFormRenderer"

_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", None if PRODUCTION else _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers otherwise fail with "database is locked" (tree-and-history.md #10).
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "config.auth_backend.PeopleBackend",  # ModelBackend, reading the signed-in person in one plain statement
    # sessions signed in before PeopleBackend came still name ModelBackend: listed after it, so
    # those people stay signed in (it never signs anyone in while PeopleBackend answers first)
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# An invitation's link works once, for this many hours (partners.services.invitation_send);
# someone whose link has expired may ask for a fresh one from the page it opens.
INVITATION_LIFETIME_HOURS = env_int("INVITATION_LIFETIME_HOURS", 72)
if not 1 <= INVITATION_LIFETIME_HOURS <= 24 * 30:
    raise ImproperlyConfigured("INVITATION_LIFETIME_HOURS must be between 1 and 720 (30 days).")
# Single sign-on with OpenID Connect (Microsoft Entra ID, Google Workspace, any provider that
# publishes its discovery document): off unless OIDC_DISCOVERY_URL is set, and then the
# client's id and secret are required (partners/sign_on.py, docs/admin-guide.md).
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL", "").strip()
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "").strip()
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your organisation's account").strip()
if OIDC_DISCOVERY_URL:
    if not OIDC_DISCOVERY_URL.startswith(("https://", "http://127.0.0.1:", "http://localhost:")):
        raise ImproperlyConfigured(
            "OIDC_DISCOVERY_URL must be an https:// address (the provider's discovery document)."
        )
    if not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured("Set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET with OIDC_DISCOVERY_URL.")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "monitoring:start"  # members land on their scorecards, everyone else on the plans
LOGOUT_REDIRECT_URL = "login"

# Ten failures lock one username from one address for an hour: the pair, so that no one
# can lock a colleague out from elsewhere, nor a whole office sharing an address. The
# address is the client's as the trusted proxies report it (config/client_ip.py).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)  # proxies in front of the app that append X-Forwarded-For
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front of the app.")

# Welsh and English (docs/decisions/0029): the interface in either, chosen by the person
# (remembered on their record and in a cookie) or offered by the browser; English otherwise
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # the project's templates/ and config/; each app keeps its own
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence files and PDFs: the local disk (MEDIA_ROOT) unless FILE_STORAGE=s3 or azure asks
# for object storage, which several app servers and the worker share (config/storage.py).
STORAGES = {
    "default": storage.default_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# WhiteNoise serves the static files: collected (STATIC_ROOT) in production; straight from the
# app's folders in development, with DEBUG on or off, and picking up edits.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Each process's memory unless CACHE_URL (or REDIS_URL) names a Redis server that several app
# servers share (config/cache.py). Sessions stay in the database either way.
CACHES = cache.caches()

# Background tasks (PDFs): queued in the database, run by ``manage.py db_worker`` (``make run``
# starts one beside the server). TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs each task at once in the request instead; tests that render PDFs override TASKS so.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A PDF not produced PDF_RENDER_TIMEOUT seconds after it was asked for is taken to be lost (its
# worker was killed, or none is running): the person waiting is offered to try again, and the
# task row left running is marked failed (monitoring.tasks.release_lost). The largest PDF
# takes under half a minute.
PDF_RENDER_TIMEOUT = env_int("PDF_RENDER_TIMEOUT", 10 * 60)
if PDF_RENDER_TIMEOUT < 60:
    raise ImproperlyConfigured("PDF_RENDER_TIMEOUT must be at least 60 seconds.")

# Signed out after SESSION_IDLE_TIMEOUT seconds without a request and SESSION_ABSOLUTE_TIMEOUT
# seconds after signing in, however active (config/session_timeouts.py).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 8 * 60 * 60)
if SESSION_IDLE_TIMEOUT < 120:  # the activity stamp is refreshed once a minute
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT must be at least 120 seconds.")
if SESSION_ABSOLUTE_TIMEOUT < SESSION_IDLE_TIMEOUT:
    raise ImproperlyConfigured("SESSION_ABSOLUTE_TIMEOUT must be at least SESSION_IDLE_TIMEOUT.")
SESSION_ENGINE = "config.sessions"  # database sessions, read in one plain statement
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", SESSION_ABSOLUTE_TIMEOUT)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "golden-thread@localhost")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds: a hung mail server must not hang a request or the sender
# The address people reach the app at: links in emails and PDFs (which are produced in the
# background and shared by every reader, so never from one request's Host header). `make run`
# sets it from HOST and PORT; in production it defaults to https:// and the first of
# ALLOWED_HOSTS, and must be set when that is a pattern (".example.org", "*").
SITE_URL = env_str("SITE_URL", "").rstrip("/")
if not SITE_URL and PRODUCTION:
    if ALLOWED_HOSTS[0].startswith(".") or "*" in ALLOWED_HOSTS[0]:
        raise ImproperlyConfigured("Set SITE_URL (the app's public address, https://…) in production.")
    SITE_URL = f"https://{ALLOWED_HOSTS[0]}"
SITE_URL = SITE_URL or "http://127.0.0.1:8000"
if not SITE_URL.startswith(("http://", "https://")) or "/" in SITE_URL.split("://", 1)[1]:
    raise ImproperlyConfigured(f"SITE_URL must be an address such as https://plans.example.org, not {SITE_URL!r}.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Public pages (issue 16, public/caching.py): how long a browser or proxy may keep one
# before asking again, and the release named in their ETags, so that a new release's pages
# are never answered "not modified" from the old one's (set RELEASE when deploying; the
# package's version otherwise)
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 300)

# How the ratings of what contributes to an item combine into one (issue 17,
# monitoring/rollup_rules.py, decision 0021): "worst" (any red is red, any amber amber) or
# "share" (any red is red, amber when a quarter or more are amber). Both never hide a red.
ROLLUP_RULES = ("worst", "share")
ROLLUP_RULE = env_choice("ROLLUP_RULE", "worst", ROLLUP_RULES)
PUBLIC_RELEASE = env_str("RELEASE", _package_version())

# The read API (api/, issue 16, docs/decisions/0018): JSON only (no browsable pages), read
# only, anonymous or an API token (``Authorization: Bearer``): a browser's session is not
# accepted, so the API has no CSRF to ask about and a signed-in officer's browser reads it
# as the public does.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Golden Thread API",
    "DESCRIPTION": (
        "Read-only access to plans, their items, links and editions, reporting quarters, "
        "accepted progress returns and scorecards. Without a token, what the public pages show; "
        "with an API token, what its person may read in the app."
    ),
    "VERSION": "1",
    # OpenAPI 3.1: its schemas are JSON Schema, so a nullable object is said plainly
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # two models have a "kind" and a "status": each choice set gets its own name
    "ENUM_NAME_OVERRIDES": {
        "PlanKindEnum": "planning.models.Plan.Kind",
        "ItemKindEnum": "planning.models.PlanItem.Kind",
        "PlanStatusEnum": "planning.models.Plan.Status",
        "ItemStatusEnum": "planning.models.PlanItem.Status",
    },
}
