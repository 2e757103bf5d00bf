"""Settings read from the environment with django-environ.

Defaults serve development on one machine (SQLite and a filesystem Celery broker under var/,
emails written to var/mail/). Production is DJANGO_ENV=production: then every secret and
address must come from the environment, and `manage.py check --deploy` is clean.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from config.logging import init_error_reporting, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise environ.ImproperlyConfigured("DJANGO_ENV must be development, production or test")
PRODUCTION = DJANGO_ENV == "production"


def _strict_bool(name: str, default: bool) -> bool:
    """Reject yes-ish values: a typo must not silently turn DEBUG on in production."""
    raw = env.str(name, default="true" if default else "false").strip().lower()
    if raw in {"1", "true", "on"}:
        return True
    if raw in {"0", "false", "off"}:
        return False
    raise environ.ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DEBUG = _strict_bool("DEBUG", default=not PRODUCTION)


def _dev_secret() -> str:
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
    _email = env.email_url("EMAIL_URL")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'send.sqlite3'}")}
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _email = env.email_url("EMAIL_URL", default="filemail://") if env.str("EMAIL_URL", default="") else {}

# Rotating SECRET_KEY: put the old key here for a session lifetime, so sessions and signed links made with it
# still work (docs/operations.md). Comma-separated.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 60 if PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real Celery worker in an integration test can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=str(VAR_DIR / "test.sqlite3"))}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}

# An optional streaming read replica of the same database (trusts.replica, README "Running at scale"): figures,
# board and SEN information reports and exports read from it; writes, and a person's reads for
# DATABASE_REPLICA_PIN_SECONDS after they post, stay on the primary. DATABASE_REPLICA_READS=false sends every read
# back to the primary without removing the replica (e.g. while it is rebuilt).
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
DATABASE_REPLICA_READS = False
DATABASE_ROUTERS: list[str] = []
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise environ.ImproperlyConfigured("DATABASE_REPLICA_URL must be a replica of DATABASE_URL (same engine)")
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    # Tests create their database on the primary; streaming replication brings it to the replica, which is
    # then read under the same test database name (Django's TEST MIRROR).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICA_READS = _strict_bool("DATABASE_REPLICA_READS", default=True)
    DATABASE_ROUTERS = ["trusts.replica.ReplicaRouter"]

# Slow-moving aggregates (the trust dashboard) are cached; use Redis in production (CACHE_URL=redis://...).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# /healthz (trusts.health): each check gives up after this many seconds; the deadline sweep (every 5 minutes)
# is reported stale after HEALTH_SWEEP_MAX_AGE_SECONDS.
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)
HEALTH_SWEEP_MAX_AGE_SECONDS = env.int("HEALTH_SWEEP_MAX_AGE_SECONDS", default=1800)
# With a read replica, /healthz is "degraded" once its replay is this many seconds behind the primary.
HEALTH_REPLICA_MAX_LAG_SECONDS = env.float("HEALTH_REPLICA_MAX_LAG_SECONDS", default=30.0)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A Redis that stops answering must cost a page (and /healthz) seconds, not hang it.
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", HEALTH_CHECK_TIMEOUT)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", HEALTH_CHECK_TIMEOUT)

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "guardian",
    "csp",
    "trusts",
    "pupils",
    "register",
    "graduated",
    "ehcp",
    "reviews",
    "reports",
]

MIDDLEWARE = [
    # First, so its one line per request times everything and sees the final status (config/logging.py).
    "config.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "trusts.middleware.SessionLifetimeMiddleware",
    "trusts.middleware.TenantScopeMiddleware",
    "trusts.middleware.AuditContextMiddleware",
    "trusts.middleware.MFAThisSessionMiddleware",
    "trusts.middleware.NoStoreMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]
if DATABASE_ROUTERS:
    # Reads stay on the primary for the rest of a request that wrote, and for a few seconds after a POST.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("trusts.middleware.TenantScopeMiddleware"), "trusts.replica.ReadYourWritesMiddleware"
    )

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
                "reports.navigation.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "trusts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env.bool("FAST_PASSWORD_HASHER", default=False) and not PRODUCTION
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

# allauth: email sign-in, no self sign-up (accounts are made by the trust), TOTP + recovery codes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# An address is an account's only once its owner proves they receive mail there (trusts.identity).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old one only after it is confirmed
ACCOUNT_EMAIL_NOTIFICATIONS = True  # the old address is told when the email or password changes
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "account_email"
ACCOUNT_ADAPTER = "trusts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "trusts.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Per-trust OpenID Connect secrets are encrypted with a key derived from this (default: SECRET_KEY).
SSO_SECRET_KEY = env.str("SSO_SECRET_KEY", default="")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = False if not PRODUCTION else {}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SEND Casework] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SEND Casework"
MFA_REQUIRED = _strict_bool("MFA_REQUIRED", default=PRODUCTION)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "reports:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Lock-out after repeated failures for the same username from the same address, with a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "trusts.adapters.axes_username"
AXES_LOCKOUT_TEMPLATE = "trusts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT hops from the right of
# X-Forwarded-For when that many proxies we run sit in front (trusts.http.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise environ.ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
AXES_CLIENT_IP_CALLABLE = "trusts.http.client_ip"

# Sessions: idle timeout and an absolute lifetime, both enforced by trusts.middleware.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=10))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# Content Security Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The container healthcheck calls /healthz over plain HTTP from inside (no proxy in between).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "en-gb"
# Our own wording of libraries' strings (django-allauth's account pages and emails in sentence case).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request limits. Multipart file bytes are not counted by DATA_UPLOAD_MAX_MEMORY_SIZE: a file over the
# document limit (10 MB) reaches the form and is explained there; cap the whole body at the proxy too
# (nginx client_max_body_size, see docs/operations.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # form fields other than files (the largest form is far below)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB: larger uploads go to a temporary file, not memory
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500  # the largest form (a review record with 30 actions) has under 100
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # one per document; a concern's evidence may attach several

# Email: the embedded default writes each message to a file in var/mail/.
if _email:
    vars().update(_email)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SEND Casework <no-reply@send.invalid>")
# A mail server that accepts the connection and never answers holds one delivery this long, not the worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)

# Celery: filesystem broker under var/ needs no server; Redis in production.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu otherwise writes its exchange table to ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Email runs on its own queue (and worker), so the deadline sweep never waits on a mail server.
# Deadlines the sweep locks and works in one transaction.
DEADLINE_SWEEP_CHUNK = env.int("DEADLINE_SWEEP_CHUNK", default=200)
CELERY_EMAIL_QUEUE = env.str("CELERY_EMAIL_QUEUE", default="email")
CELERY_TASK_ROUTES = {
    "trusts.tasks.email_notification": {"queue": CELERY_EMAIL_QUEUE},
    "trusts.tasks.email_pending_notifications": {"queue": CELERY_EMAIL_QUEUE},
    "trusts.tasks.send_invitation_email": {"queue": CELERY_EMAIL_QUEUE},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "email-pending-notifications": {"task": "trusts.tasks.email_pending_notifications", "schedule": 120.0},
    # Extend each trust's audit hash chain over new entries (verify with `manage.py verify_audit`).
    "seal-audit-trails": {"task": "trusts.tasks.seal_audit_trails", "schedule": 60.0},
    # Statutory deadlines: reminders, missed deadlines and escalation (idempotent; catches up after downtime).
    "sweep-deadlines": {"task": "ehcp.tasks.sweep_deadlines", "schedule": 300.0},
    "expire-access-grants": {"task": "pupils.tasks.expire_access_grants", "schedule": crontab(hour=1, minute=5)},
    "delete-stale-imports": {"task": "pupils.tasks.delete_stale_imports", "schedule": crontab(hour=1, minute=20)},
    # Retention: former pupils past DOB + 31 years listed for the data protection lead (destroys nothing).
    # Individual health care plans: reminders to the SENCO and headteacher before and when a review is overdue.
    "remind-health-plan-reviews": {
        "task": "pupils.tasks.remind_health_plan_reviews",
        "schedule": crontab(hour=6, minute=40),
    },
    "list-records-due-for-destruction": {
        "task": "pupils.tasks.list_records_due_for_destruction",
        "schedule": crontab(hour=2, minute=10),
    },
    # Access arrangements: into a new phase marked "to review"; review reminders (idempotent).
    "sweep-access-arrangements": {
        "task": "graduated.tasks.sweep_access_arrangements",
        "schedule": crontab(hour=6, minute=30),
    },
}

# Logs (config/logging.py): never pupils' data; one line per request with its URL pattern, status, duration
# and the person's and trust's ids. LOG_FORMAT=json writes one JSON object a line for a log collector.
LOGGING = logging_config(
    log_format=env.str("LOG_FORMAT", default="plain"),
    level=env.str("LOG_LEVEL", default="INFO" if PRODUCTION else "WARNING"),
)
# Celery workers keep the same handlers and filters instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Optional error reports: only when SENTRY_DSN is set (pip install 'send-casework[sentry]'); no personal data.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_error_reporting(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        release=env.str("SENTRY_RELEASE", default=""),
    )
LOGIN_URL_PATH = "/accounts/login/"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
