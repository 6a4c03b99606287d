"""Settings from environment variables (12-factor); see the configuration table in README.md.

HOTLINE_ENV selects the profile: ``development`` (default, also what ``hotline demo`` uses),
``test`` or ``production``. Production refuses to start with DEBUG on or without a real
SECRET_KEY (the checks at the end of this file).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOTLINE_ENV = os.environ.get("HOTLINE_ENV", "development").strip().lower()
PRODUCTION = HOTLINE_ENV == "production"
DATA_DIR = Path(os.environ.get("HOTLINE_DATA_DIR") or Path.cwd() / "var").resolve()

DEBUG = env_bool("HOTLINE_DEBUG", False)
# Demo mode is explicit: demo passwords and partner keys exist only when it is on.
DEMO_MODE = env_bool("HOTLINE_DEMO", False)
SIMULATION = env_bool("HOTLINE_SIMULATION", False)
# The roles (``hotline.orgs.choices.RoleCode`` values) that may move the simulation clock and
# run the timers through the API. Named here because core, which serves those endpoints, sits
# below orgs and may not import it (ARCHITECTURE.md, Layers); orgs checks them at start-up.
HOTLINE_SIMULATION_ROLES = ("administrator",)
DEFAULT_SECRET_KEY_MARKER = "insecure-development-key"  # noqa: S105 — refused in production


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key or PRODUCTION:
        return key or DEFAULT_SECRET_KEY_MARKER
    # Development and demo: a random key kept in the data directory, never in the repository.
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" + ("" if PRODUCTION else ",testserver")
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # django-ninja serves the API docs' swagger-ui from its own static files only when it is
    # an installed app; otherwise the page loads them from a CDN (intranets are offline)
    "ninja",
    "hotline.core",
    "hotline.orgs",
    "hotline.calendar",
    "hotline.tickets",
    "hotline.knowledge",
    "hotline.routing",
    "hotline.supervision",
    "hotline.exchange",
    "hotline.telephony",
    "hotline.analytics",
    "hotline.evaluation",
    "hotline.console",
    "hotline.config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.core.middleware.PlatformLocaleMiddleware",
    "hotline.core.middleware.MalformedRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hotline.core.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hotline.config.urls"
WSGI_APPLICATION = "hotline.config.wsgi.application"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.core.context_processors.platform",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'hotline.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the in-process timers write while pages read; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock when two writers meet.
        # synchronous=NORMAL: with WAL a commit is durable against a process crash and the
        # database can never be corrupted; only a power cut may lose the last commits.
        # A larger page cache and memory-mapped reads keep the hot pages (the ticket and
        # assignment indexes) out of read() calls once the history grows.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; "
        "PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
HOTLINE_TIMER_INTERVAL_SECONDS = int(os.environ.get("HOTLINE_TIMER_INTERVAL_SECONDS", "60"))

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The login throttle's counters (core.auth, issue 19 F7) must be seen by every process that
# serves: Redis when configured; else on PostgreSQL (several gunicorn workers) a database
# table, made by `hotline migrate` (core's post_migrate runs createcachetable); only SQLite's
# single process keeps them in its own memory.
if REDIS_URL:
    CACHES["throttle"] = CACHES["default"]
elif DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "hotline_throttle_cache",
    }
else:
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("HOTLINE_STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# WhiteNoise warns about a missing root; it is filled by `hotline collectstatic`
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the installed package too, so `pip install .` alone gives working pages.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# an expired form gets the platform's error page (and the API its JSON), not Django's own
CSRF_FAILURE_VIEW = "hotline.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only this site's own scripts, styles, images and connections (no CDN, no third party: the
# intranet rule enforced by the browser too); no framing, no plugins, forms post back here.
# Inline scripts and styles stay allowed: the pages use a few small ones.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SESSION_COOKIE_AGE = int(os.environ.get("HOTLINE_SESSION_HOURS", "10")) * 3600  # a shift
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("HOTLINE_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # HTTPS is expected in production: browsers are told to keep to it (HSTS, a year); behind
    # a TLS proxy, HOTLINE_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto and redirects
    # plain HTTP to HTTPS.
    SECURE_HSTS_SECONDS = int(os.environ.get("HOTLINE_HSTS_SECONDS", "31536000"))
    # whether every subdomain is HTTPS too (and the domain may join browsers' preload lists) is
    # the operator's to say
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HOTLINE_HSTS_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("HOTLINE_HSTS_PRELOAD", False)
    if env_bool("HOTLINE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        SECURE_SSL_REDIRECT = True

API_TOKEN_TTL_HOURS = int(os.environ.get("HOTLINE_API_TOKEN_TTL_HOURS", "12"))

HOTLINE_PROVINCE_URL = os.environ.get("HOTLINE_PROVINCE_URL", "")
HOTLINE_PROVINCE_SECRET = os.environ.get("HOTLINE_PROVINCE_SECRET", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HOTLINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# How often each process checks whether the calendar or the policy values were edited.
HOTLINE_CACHE_CHECK_SECONDS = float(os.environ.get("HOTLINE_CACHE_CHECK_SECONDS", "2"))

if HOTLINE_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # tests run in one process that reloads on every edit; a timed check would make
    # query counts depend on the clock
    HOTLINE_CACHE_CHECK_SECONDS = float(os.environ.get("HOTLINE_CACHE_CHECK_SECONDS", "3600"))

if PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    if DEBUG:
        raise ImproperlyConfigured("HOTLINE_DEBUG must be off in production")
    if SECRET_KEY == DEFAULT_SECRET_KEY_MARKER or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("production needs SECRET_KEY set to a random string (32+ chars)")
    if DEMO_MODE or SIMULATION:
        raise ImproperlyConfigured(
            "HOTLINE_DEMO and HOTLINE_SIMULATION are not allowed in production"
        )
