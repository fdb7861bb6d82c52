"""Settings for hocvuso, configured by environment variables.

Every setting that differs between machines comes from the environment (see
``.env.example``). The defaults give the embedded setup: SQLite under
``HOCVUSO_DATA_DIR`` (``./var`` by default), DEBUG off, Vietnamese first.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import django_stubs_ext
import environ
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent

env = environ.Env()
if Path(".env").is_file():
    environ.Env.read_env(".env")

DATA_DIR = Path(env.str("HOCVUSO_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """Return SECRET_KEY from the environment or a key kept in the data dir."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "hocvuso.core",
    "hocvuso.geo",
    "hocvuso.framework",
    "hocvuso.packs",
    "hocvuso.accounts",
    "hocvuso.learning",
    "hocvuso.assessment",
    "hocvuso.credentials",
    "hocvuso.community",
    "hocvuso.programs",
    "hocvuso.assistant",
    "hocvuso.api",
    "hocvuso.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hocvuso.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "hocvuso.api.middleware.JsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hocvuso.core.middleware.PrivateNoStoreMiddleware",
    "hocvuso.accounts.middleware.DeviceCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "hocvuso.accounts.middleware.OidcFormActionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "hocvuso.urls"
WSGI_APPLICATION = "hocvuso.wsgi.application"
ASGI_APPLICATION = "hocvuso.asgi.application"

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
                "hocvuso.core.context_processors.site",
                "hocvuso.accounts.context_processors.guidance",
            ],
        },
    }
]

# Database: SQLite (WAL, persistent connections) unless DATABASE_URL says otherwise.
_default_db = f"sqlite:///{DATA_DIR / 'hocvuso.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_db)}
_db = DATABASES["default"]
_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["hocvuso.accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # the learner's next steps (credentials/home.py)
LOGOUT_REDIRECT_URL = "home"

_PV = "django.contrib.auth.password_validation"
# Argon2id (see hocvuso/accounts/hashers.py); PBKDF2 hashes of older accounts
# are still read and re-hashed with Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "hocvuso.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
HOCVUSO_PASSWORD_MEMORY_KIB = env.int("HOCVUSO_PASSWORD_MEMORY_KIB", default=19456)
HOCVUSO_PASSWORD_TIME_COST = env.int("HOCVUSO_PASSWORD_TIME_COST", default=2)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_PV}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_PV}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": f"{_PV}.CommonPasswordValidator"},
    {"NAME": f"{_PV}.NumericPasswordValidator"},
]

# Cache: Redis when configured (production, several processes); otherwise the
# database, which every process of one machine shares (rate limits need that).
REDIS_URL = env.str("HOCVUSO_REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("HOCVUSO_CACHE_PREFIX", default="hocvuso"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hocvuso_cache",
        }
    }

# Background tasks (django-tasks): the database backend by default, in tests
# too, so that what runs in production is what the tests run; `hocvuso worker`
# executes them (`make run` starts one beside the web server). "immediate" runs
# each task inside the enqueuing process (a shell without a worker, demos).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[
            env.str(
                "HOCVUSO_TASKS_BACKEND",
                default="database",
                choices=list(_TASK_BACKENDS),
            )
        ],
        # "default" for short tasks (certificates, outbox), "bulk" for long ones
        # (pack imports, exports): a worker serves both unless told otherwise.
        "QUEUES": ["default", "bulk"],
    }
}
# A worker on another machine is presumed dead when its heartbeat is older than
# this (seconds); on the same machine a dead process is noticed at once.
HOCVUSO_WORKER_LEASE = env.int("HOCVUSO_WORKER_LEASE", default=60)
# How often a worker looks for a task when its queues are empty (seconds).
HOCVUSO_WORKER_INTERVAL = env.float("HOCVUSO_WORKER_INTERVAL", default=1.0)
# A task whose worker died this many times is marked failed, not run again.
HOCVUSO_TASK_MAX_ATTEMPTS = env.int("HOCVUSO_TASK_MAX_ATTEMPTS", default=3)
# Finished task rows older than this are pruned once a day (0: never).
HOCVUSO_TASK_RESULTS_KEEP_DAYS = env.int("HOCVUSO_TASK_RESULTS_KEEP_DAYS", default=30)
# Programs: days a report export's file is kept (`hocvuso programs_exports_cleanup`).
HOCVUSO_EXPORT_KEEP_DAYS = env.int("HOCVUSO_EXPORT_KEEP_DAYS", default=7)
# Outgoing e-mail (task reminders): HOCVUSO_EMAIL_URL such as
# smtp+tls://user:password@mail.example.org:587 (django-environ's email URL);
# unset: no e-mail is sent.
_EMAIL_URL = env.str("HOCVUSO_EMAIL_URL", default="")
if _EMAIL_URL:
    globals().update(env.email_url_config(_EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("HOCVUSO_EMAIL_FROM", default="hocvuso@localhost")
# Programs tasks: remind the assignee this many days before a deadline; also
# by e-mail (on by default when HOCVUSO_EMAIL_URL is set).
HOCVUSO_TASK_REMIND_DAYS = env.int("HOCVUSO_TASK_REMIND_DAYS", default=3)
HOCVUSO_TASK_REMINDER_EMAIL = env.bool(
    "HOCVUSO_TASK_REMINDER_EMAIL", default=bool(_EMAIL_URL)
)
# Largest evidence file on a task update (bytes).
HOCVUSO_TASK_EVIDENCE_MAX = env.int("HOCVUSO_TASK_EVIDENCE_MAX", default=10_000_000)

# Programs fact table (docs/programs.md): a refresh every N seconds (0: off),
# one DEBOUNCE seconds after counted data changed, facts from FIRST_YEAR on.
HOCVUSO_ROLLUP_EVERY = env.int("HOCVUSO_ROLLUP_EVERY", default=600)
HOCVUSO_ROLLUP_DEBOUNCE = env.int("HOCVUSO_ROLLUP_DEBOUNCE", default=30)
HOCVUSO_ROLLUP_FIRST_YEAR = env.int("HOCVUSO_ROLLUP_FIRST_YEAR", default=2025)
HOCVUSO_ROLLUP_LOCK_STALE = env.int("HOCVUSO_ROLLUP_LOCK_STALE", default=3600)

# Rate limits ("count/period", see django-ratelimit).
RATELIMIT_ENABLE = env.bool("HOCVUSO_RATELIMIT", default=True)
RATELIMIT_VIEW = "hocvuso.core.views.ratelimited"
# Sign-in (sliding windows, see hocvuso/accounts/signin_limits.py): failed
# attempts per account (and per trusted device), per minute and per hour, and
# per IP address; successful sign-ins are not counted.
HOCVUSO_LOGIN_RATE = env.str("HOCVUSO_LOGIN_RATE", default="5/m")
HOCVUSO_LOGIN_HOURLY_RATE = env.str("HOCVUSO_LOGIN_HOURLY_RATE", default="30/h")
HOCVUSO_LOGIN_IP_RATE = env.str("HOCVUSO_LOGIN_IP_RATE", default="30/m")
# Self-registration per IP address: refused attempts (invalid forms, numbers
# already registered), and a much higher cap on accounts created.
HOCVUSO_REGISTER_RATE = env.str("HOCVUSO_REGISTER_RATE", default="20/h")
HOCVUSO_REGISTER_IP_CAP = env.str("HOCVUSO_REGISTER_IP_CAP", default="300/h")
# Assisted learners (docs/assisted-learners.md): wrong claim codes per IP
# address, days a printed claim code stays valid, minutes a helper's guided
# session may sit idle before it ends.
HOCVUSO_CLAIM_RATE = env.str("HOCVUSO_CLAIM_RATE", default="10/h")
HOCVUSO_CLAIM_CODE_DAYS = env.int("HOCVUSO_CLAIM_CODE_DAYS", default=90)
# Password reset (docs/password-reset.md): the SMS sender (dotted path), how
# long codes live, how many may be asked for per phone number and per address.
HOCVUSO_SMS_SENDER = env.str(
    "HOCVUSO_SMS_SENDER", default="hocvuso.accounts.sms.ConsoleSender"
)
HOCVUSO_RESET_SMS_MINUTES = env.int("HOCVUSO_RESET_SMS_MINUTES", default=15)
HOCVUSO_RESET_IN_PERSON_HOURS = env.int("HOCVUSO_RESET_IN_PERSON_HOURS", default=24)
HOCVUSO_RESET_PHONE_RATE = env.str("HOCVUSO_RESET_PHONE_RATE", default="3/h")
HOCVUSO_RESET_IP_RATE = env.str("HOCVUSO_RESET_IP_RATE", default="10/h")
HOCVUSO_RESET_CHECK_RATE = env.str("HOCVUSO_RESET_CHECK_RATE", default="10/h")
HOCVUSO_GUIDE_IDLE_MINUTES = env.int("HOCVUSO_GUIDE_IDLE_MINUTES", default=30)
# Assessment: sittings started per user (cache) and answers per sitting (kept
# on the sitting's row, so answering costs no cache round trip).
HOCVUSO_START_RATE = env.str("HOCVUSO_START_RATE", default="20/h")
HOCVUSO_ANSWER_RATE = env.str("HOCVUSO_ANSWER_RATE", default="120/m")
# The learning assistant: questions per person (or address) in any window.
# Programs: who sets a unit's targets: "above" (the unit above), "self" (the
# unit's own officers) or "both".
HOCVUSO_TARGETS_SET_BY = env.str("HOCVUSO_TARGETS_SET_BY", default="both")
HOCVUSO_EVIDENCE_MAX_BYTES = env.int(
    "HOCVUSO_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024
)
HOCVUSO_ASSISTANT_RATE = env.str("HOCVUSO_ASSISTANT_RATE", default="30/m")
# Conversations of signed-in learners are deleted after this many days.
HOCVUSO_ASSISTANT_KEEP_DAYS = env.int("HOCVUSO_ASSISTANT_KEEP_DAYS", default=30)
# The assistant's index file (rebuilt from the lessons; see docs/assistant.md).
HOCVUSO_ASSISTANT_DIR = Path(
    env.str("HOCVUSO_ASSISTANT_DIR", default=str(DATA_DIR / "assistant"))
)
# Optional OpenAI-compatible chat endpoint (empty base URL: extractive answers only).
HOCVUSO_LLM_BASE_URL = env.str("HOCVUSO_LLM_BASE_URL", default="")
HOCVUSO_LLM_MODEL = env.str("HOCVUSO_LLM_MODEL", default="")
HOCVUSO_LLM_API_KEY = env.str("HOCVUSO_LLM_API_KEY", default="")
HOCVUSO_LLM_TIMEOUT = env.float("HOCVUSO_LLM_TIMEOUT", default=8.0)

# Internationalisation: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "hocvuso.core.storage.StaticStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Security. Cookies are secure when the site is served over HTTPS.
HTTPS = env.bool("HOCVUSO_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "hocvuso.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("HOCVUSO_HSTS_SECONDS", default=31536000)
    SECURE_SSL_REDIRECT = env.bool("HOCVUSO_SSL_REDIRECT", default=True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Personal data: the version of the privacy notice people consent to.
HOCVUSO_PRIVACY_POLICY_VERSION = "2026-01"
# Secret "pepper" for the keyed hash of national ID numbers (HMAC-SHA256).
HOCVUSO_ID_HASH_KEY = env.str("HOCVUSO_ID_HASH_KEY", default=SECRET_KEY)

# Credentials: the public address of the site (certificates' QR codes, the
# issuer's did:web) and where the issuer's Ed25519 signing keys are kept
# (outside the database; created by ``hocvuso init``).
HOCVUSO_PUBLIC_URL = env.str("HOCVUSO_PUBLIC_URL", default="http://127.0.0.1:8000")
# Public progress pages and open data: counts below this are hidden; cache age.
HOCVUSO_PROGRESS_MIN_COUNT = env.int("HOCVUSO_PROGRESS_MIN_COUNT", default=5)
HOCVUSO_PROGRESS_MAX_AGE = env.int("HOCVUSO_PROGRESS_MAX_AGE", default=300)
HOCVUSO_KEYS_DIR = Path(
    env.str("HOCVUSO_KEYS_DIR", default=str(DATA_DIR / "keys"))
).resolve()
# Public verification page: lookups per IP address; certificate downloads per
# user; the size of the revocation status list (indexes are drawn at random in
# it, so a position reveals nothing about the order of issue).
HOCVUSO_VERIFY_RATE = env.str("HOCVUSO_VERIFY_RATE", default="60/m")
HOCVUSO_CERTIFICATE_DOWNLOAD_RATE = env.str(
    "HOCVUSO_CERTIFICATE_DOWNLOAD_RATE", default="30/h"
)
HOCVUSO_STATUS_LIST_SIZE = env.int("HOCVUSO_STATUS_LIST_SIZE", default=131072)
HOCVUSO_REVOCATION_PROVIDER = "hocvuso.credentials.portable.revoked_status_indices"

# Sign-in with OpenID Connect (VNeID when the site has an agreement, or any
# provider such as Keycloak); off while no issuer is set. See docs/sign-in-oidc.md.
HOCVUSO_OIDC_ISSUER = env.str("HOCVUSO_OIDC_ISSUER", default="")
HOCVUSO_OIDC_CLIENT_ID = env.str("HOCVUSO_OIDC_CLIENT_ID", default="")
HOCVUSO_OIDC_CLIENT_SECRET = env.str("HOCVUSO_OIDC_CLIENT_SECRET", default="")
HOCVUSO_OIDC_SCOPES = env.str("HOCVUSO_OIDC_SCOPES", default="openid profile phone")
# Which claim gives what ("" for none): full name, phone, citizen ID, birth year
# (a year, or a date such as 1968-04-12 whose year is taken).
HOCVUSO_OIDC_CLAIM_NAME = env.str("HOCVUSO_OIDC_CLAIM_NAME", default="name")
HOCVUSO_OIDC_CLAIM_PHONE = env.str("HOCVUSO_OIDC_CLAIM_PHONE", default="phone_number")
HOCVUSO_OIDC_CLAIM_NATIONAL_ID = env.str(
    "HOCVUSO_OIDC_CLAIM_NATIONAL_ID", default="national_id"
)
HOCVUSO_OIDC_CLAIM_BIRTH_YEAR = env.str(
    "HOCVUSO_OIDC_CLAIM_BIRTH_YEAR", default="birthdate"
)
# The claim carrying the assurance level and how its values map to the
# account's identity level (0, 1, 2); with no mapping, the claim is a number.
HOCVUSO_OIDC_LEVEL_CLAIM = env.str("HOCVUSO_OIDC_LEVEL_CLAIM", default="acr")
HOCVUSO_OIDC_LEVEL_MAP = env.str(
    "HOCVUSO_OIDC_LEVEL_MAP", default="urn:vneid:level2=2,urn:vneid:level1=1"
)
# The provider's name in messages ("linked to VNeID") and the button's label.
HOCVUSO_OIDC_NAME = env.str("HOCVUSO_OIDC_NAME", default="VNeID")
HOCVUSO_OIDC_BUTTON_LABEL = env.str(
    "HOCVUSO_OIDC_BUTTON_LABEL", default="Đăng nhập bằng VNeID"
)
# Seconds of clock difference allowed when checking an ID token's times.
HOCVUSO_OIDC_LEEWAY = env.int("HOCVUSO_OIDC_LEEWAY", default=60)
# Seconds the provider may take to answer (discovery, token, keys, userinfo).
HOCVUSO_OIDC_TIMEOUT = env.float("HOCVUSO_OIDC_TIMEOUT", default=10.0)

# The outbox of confirmed results to the identity platform (see
# docs/credentials-outbox.md). No URL: events wait, visibly, for configuration.
HOCVUSO_IDENTITY_ADAPTER = env.str(
    "HOCVUSO_IDENTITY_ADAPTER",
    default="hocvuso.credentials.outbox.adapters.JwsHttpAdapter",
)
HOCVUSO_OUTBOX_URL = env.str("HOCVUSO_OUTBOX_URL", default="")
HOCVUSO_OUTBOX_TIMEOUT = env.float("HOCVUSO_OUTBOX_TIMEOUT", default=10.0)
# Retries: full-jitter exponential backoff, base * 2**(attempt-1) capped (s).
HOCVUSO_OUTBOX_BACKOFF_BASE = env.float("HOCVUSO_OUTBOX_BACKOFF_BASE", default=10.0)
HOCVUSO_OUTBOX_BACKOFF_CAP = env.float("HOCVUSO_OUTBOX_BACKOFF_CAP", default=3600.0)
# An event that failed this many attempts is dead-lettered (an officer replays it).
HOCVUSO_OUTBOX_MAX_ATTEMPTS = env.int("HOCVUSO_OUTBOX_MAX_ATTEMPTS", default=15)
# Events claimed per round, deliveries in flight at once, and how long a claim
# holds before another worker may take the event again (s).
HOCVUSO_OUTBOX_BATCH = env.int("HOCVUSO_OUTBOX_BATCH", default=100)
HOCVUSO_OUTBOX_CONCURRENCY = env.int("HOCVUSO_OUTBOX_CONCURRENCY", default=8)
HOCVUSO_OUTBOX_LEASE = env.float("HOCVUSO_OUTBOX_LEASE", default=300.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "hocvuso.core.logging.RedactPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["pii"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each rendering step at INFO: noise per certificate.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # granian's access log (off unless GRANIAN_LOG_ACCESS_ENABLED=true),
        # through the same redacting handler whatever LOG_LEVEL says.
        "granian.access": {
            "level": "INFO",
            "handlers": ["console"],
            "propagate": False,
        },
    },
}

SITE_NAME = _("Digital Literacy for All")
