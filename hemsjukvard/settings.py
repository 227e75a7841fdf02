"""Settings, read from the environment.

Three modes, chosen by ``HEMSJUKVARD_ENV``:

* ``development`` (default): SQLite next to the code, Celery tasks run in-process, DEBUG on.
* ``test``: like production in what it talks to (PostgreSQL, Redis) but with fast hashing.
* ``production``: refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and a PostgreSQL
  ``DATABASE_URL``; secure cookies, HSTS and the rest of ``check --deploy``.
"""

from __future__ import annotations

import re
import tempfile
import urllib.parse
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hemsjukvard.security_headers import static_file_headers

# Lets the generic classes of django-stubs (QuerySet[Model], ModelAdmin[Model]) be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENVIRONMENT = env.str("HEMSJUKVARD_ENV", default="development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"HEMSJUKVARD_ENV must be development, test or production, not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

# --- Secrets and hosts -------------------------------------------------------------------------
if PRODUCTION:
    _missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not env.str(name, "")]
    if _missing:
        raise ImproperlyConfigured(
            "Production settings need these environment variables: " + ", ".join(_missing)
        )
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-never-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    DEBUG = env.bool("DEBUG", default=ENVIRONMENT == "development")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Forwarded-For is believed, so the access log records the real client address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    # Django's admin, on the site that asks administrators for a one-time code (identity.admin_site).
    "identity.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/docs/, pinned with the package and served from our own static files.
    "drf_spectacular_sidecar",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    "django_htmx",
    "axes",
    # One-time codes (TOTP) for the administrators' password sign-in to /admin/ (ADMIN_OTP_REQUIRED).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hemsjukvard",
    "directory",
    "audit",
    "patients",
    "agreements",
    "cases",
    # Messages on a case to one party, with a reply-by date (above cases, whose records they name).
    "messaging",
    # Who handles a case for each organisation on it (hand-overs to a colleague or a team).
    "assignments",
    "documents",
    "sip",
    "consent",
    "competence",
    # The patient overview: reads every app above, writes nothing.
    "overview",
    # Files attached to a case or a SIP (STORAGES["attachments"], ATTACHMENT_* below).
    "attachments",
    "figures",
    "fhir_export",
    "integrations",
    "identity",
    # The home page and the navigation: above every app whose work it lists and whose sections it links to.
    "portal",
]
# Apps that exist only outside production: the fictional demo world (``manage.py seed_demo``, whose staff
# accounts share a password printed in the README) and the tools built on it. In production their
# commands are refused with a message saying why (``hemsjukvard.development_only``).
DEVELOPMENT_ONLY_APPS = ["demo"]
if not PRODUCTION:
    INSTALLED_APPS += DEVELOPMENT_ONLY_APPS

MIDDLEWARE = [
    # First: every log line of the request carries its id, and every answer is counted and timed.
    "hemsjukvard.observability.request_id.RequestIdMiddleware",
    "hemsjukvard.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their long cache lifetimes; before the rest, so every answer
    # of the application (errors, the lockout page, the 503 page included) carries both headers.
    "csp.middleware.CSPMiddleware",
    "hemsjukvard.security_headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL in a query string, form body or Basic credentials answers 400 (PostgreSQL cannot hold one).
    "hemsjukvard.request_checks.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session's sign-in was verified with a one-time code (the admin site asks).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page's form address opened with GET (a reload after a refused submit) answers 405 with a page
    # saying so and linking back; the API keeps its JSON body.
    "hemsjukvard.method_not_allowed.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A lost database connection answers 503 with Retry-After (JSON under /api/, a page elsewhere).
    "hemsjukvard.middleware.DatabaseUnavailableMiddleware",
    # Idle timeout, absolute lifetime, and acting only in a membership the SITHS commission allows.
    "identity.middleware.SessionRulesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hemsjukvard.urls"
WSGI_APPLICATION = "hemsjukvard.wsgi.application"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "login"
# Before emergency access a SITHS sign-in older than this is asked for again (identity.session).
EMERGENCY_REAUTHENTICATION_SECONDS = env.int("EMERGENCY_REAUTHENTICATION_SECONDS", default=5 * 60)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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

# --- Database ----------------------------------------------------------------------------------
_default_db = (
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    if ENVIRONMENT == "development"
    else "postgres://postgres@127.0.0.1:5432/hemsjukvard"
)
DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_db)}
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production needs a PostgreSQL DATABASE_URL (postgres://...).")
# DATABASE_POOLED=true: DATABASE_URL points at PgBouncer in transaction pooling mode (deploy/pgbouncer.ini),
# which lends each transaction whichever server connection is free. Nothing may then outlive a
# transaction: no server-side cursors (QuerySet.iterator() reads through a client-side cursor), no
# session-level advisory locks (figures.facts takes a transaction's), no prepared statements (off in
# Django's psycopg backend). Each gunicorn thread still keeps its connection to PgBouncer (cheap); the
# few server connections behind it are PgBouncer's (default_pool_size).
DATABASE_POOLED = env.bool("DATABASE_POOLED", default=False)
# DATABASE_REPLICA_URL: a streaming replica of the same database. The figures, the access-log review and
# the exports read from it (hemsjukvard.db_router); everything else, and every write, uses DATABASE_URL.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    # Tests have one database: the replica is the default one there (a test starts a real replica).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# A replica further behind than this, or not answering, is not read from: the primary answers (logged,
# and counted in hemsjukvard_db_replica_fallbacks_total). Its state is checked at most this often.
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=30.0)
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=5.0)
DATABASE_ROUTERS = ["hemsjukvard.db_router.ReplicaRouter"]
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
        # A connection kept open is tried before reuse: a PgBouncer or replica restart costs no error.
        _db["CONN_HEALTH_CHECKS"] = True
        _db["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLED
        _db.setdefault("OPTIONS", {})["connect_timeout"] = env.int(
            "DB_REPLICA_CONNECT_TIMEOUT" if _alias == "replica" else "DB_CONNECT_TIMEOUT",
            default=2 if _alias == "replica" else 5,
        )
    elif _alias != "default":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL URL (postgres://...).")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The covering indexes (``include=``) serve PostgreSQL; the demo's SQLite keeps only their keys.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Login lockout (django-axes) ---------------------------------------------------------------
# Repeated failed logins for one username lock that username out for a while, on the web login and
# on the API's token endpoint alike. The first backend only watches attempts; ModelBackend logs in.
AUTHENTICATION_BACKENDS = [
    "directory.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
# Per username and address together: a stranger cannot lock a nurse out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And per address over all usernames (one password tried on many accounts): more failures are allowed,
# as a whole kommun may log in from behind one address, within the same cool-off time.
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "directory.views.locked_out"
# The address the access log and every per-address rate limit use: the client behind TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "directory.actor.client_address"
AXES_VERBOSE = False

# --- Passwords and sessions --------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session unused this long, or this old, is ended (identity.middleware; HSLF-FS 2016:40).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME_HOURS", default=12) * 60 * 60

# --- Sign-in with SITHS through the region's OpenID Connect provider (identity/) -------------------
# Configured per installation from the environment; on when OIDC_ISSUER is set. The endpoints are the
# provider's (its /.well-known/openid-configuration lists them).
OIDC_OP_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_ENABLED = bool(OIDC_OP_ISSUER)
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_END_SESSION_ENDPOINT", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGORITHM", default="RS256")
# Levels of assurance accepted (the ``acr`` claim); SITHS two-factor by default.
OIDC_ACR_VALUES = env.list("OIDC_ACR_VALUES", default=["http://id.sambi.se/loa/loa3"])
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": " ".join(OIDC_ACR_VALUES)} if OIDC_ACR_VALUES else {}
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # people come from HSA (``import_hsa``), never from a sign-in
OIDC_STORE_ID_TOKEN = True  # for the provider's logout (id_token_hint)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_OP_LOGOUT_URL_METHOD = "identity.oidc.provider_logout_url"
OIDC_CLAIMS = env.dict("OIDC_CLAIMS", default={})  # claim names, when the provider's differ
# A refused SITHS sign-in is no password guess: the provider has authenticated the person, so it must
# not count towards django-axes' lockout of an address (a hospital's shared address included).
AXES_WHITELIST_CALLABLE = "identity.oidc.is_provider_callback"
# Before emergency access a SITHS sign-in older than this is asked for again (identity.session).
EMERGENCY_REAUTHENTICATION_SECONDS = env.int("EMERGENCY_REAUTHENTICATION_SECONDS", default=5 * 60)
LOGIN_REDIRECT_URL = "home"
LOGIN_REDIRECT_URL_FAILURE = "/oidc/refused/"
LOGOUT_REDIRECT_URL = "login"
LOGOUT_REDIRECT_URL_AFTER_OIDC = "/accounts/login/"
if OIDC_ENABLED:
    missing = [
        name
        for name, value in {
            "OIDC_CLIENT_ID": OIDC_RP_CLIENT_ID,
            "OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
            "OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
            "OIDC_END_SESSION_ENDPOINT": OIDC_OP_LOGOUT_ENDPOINT,
        }.items()
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"OIDC_ISSUER is set; also set {', '.join(missing)}.")
    AUTHENTICATION_BACKENDS.append("identity.oidc.SithsBackend")
# People sign in with a password only outside production, or where an installation explicitly
# allows it (HSLF-FS 2016:40 3 kap. 15 § asks for two-factor sign-in over an open network).
PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=not PRODUCTION)
if PRODUCTION and PASSWORD_LOGIN and not env.bool("ALLOW_PASSWORD_LOGIN_IN_PRODUCTION", default=False):
    raise ImproperlyConfigured(
        "PASSWORD_LOGIN is on in production; people sign in with SITHS (OIDC_ISSUER). Set "
        "ALLOW_PASSWORD_LOGIN_IN_PRODUCTION=true only for a deliberate exception."
    )
if PRODUCTION and not (PASSWORD_LOGIN or OIDC_ENABLED):
    raise ImproperlyConfigured("Nobody can sign in: set OIDC_ISSUER (and the OIDC_* endpoints).")
# The one password sign-in left in production is the administrators' (break-glass) sign-in to /admin/:
# it asks for a one-time code from an authenticator app too (``manage.py totp_enrol``). A session signed
# in with SITHS has its second factor already. Off outside production, so the demo stays one command.
ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=PRODUCTION)
if PRODUCTION and not ADMIN_OTP_REQUIRED and not env.bool("ALLOW_ADMIN_WITHOUT_OTP_IN_PRODUCTION", False):
    raise ImproperlyConfigured(
        "ADMIN_OTP_REQUIRED is off in production; administrators sign in to /admin/ with a password and a "
        "one-time code. Set ALLOW_ADMIN_WITHOUT_OTP_IN_PRODUCTION=true only for a deliberate exception."
    )
# The name an authenticator app shows for the account (otpauth:// issuer).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="hemsjukvard")
# The admin never shows a device's key or QR code: the key is shown once, by ``manage.py totp_enrol``.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Language and time -------------------------------------------------------------------------
# The statutes a SIP is made under, printed on the plan. The paragraph of the Socialtjänstlag (2025:400)
# that carries the SIP is for the agreement owner to confirm (sip/README.md); set it here when confirmed.
SIP_HSL_CITATION = env.str("SIP_HSL_CITATION", default="HSL (2017:30) 16 kap. 4 §")
SIP_SOL_CITATION = env.str("SIP_SOL_CITATION", default="SoL (2025:400)")

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"  # shown to people; stored in UTC because USE_TZ is on
USE_TZ = True

# Human case numbers, e.g. HSV-2026-000123 (cases.numbering): the installation's prefix.
CASE_NUMBER_PREFIX = env.str("CASE_NUMBER_PREFIX", default="HSV")
if not re.fullmatch(r"[A-Z0-9]{1,10}", CASE_NUMBER_PREFIX):
    raise ImproperlyConfigured("CASE_NUMBER_PREFIX must be 1 to 10 capital letters (A-Z) or digits.")

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Outside production whitenoise serves straight from the app folders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Static files carry the Content-Security-Policy too; they stay cacheable.
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers

# --- The access log: retention and archive (audit.partitions, audit.archive) ---------------------
# Kept at least five years (HSLF-FS 2016:40 4 kap. 9 §): a lower value stops every process at start
# (audit.partitions.check_retention). A month is archived and dropped once it ended that long ago.
AUDIT_LOG_RETENTION_YEARS = env.int("AUDIT_LOG_RETENTION_YEARS", default=5)
AUDIT_LOG_PARTITIONS_AHEAD = env.int("AUDIT_LOG_PARTITIONS_AHEAD", default=3)
AUDIT_LOG_ARCHIVE_DIR = env.path("AUDIT_LOG_ARCHIVE_DIR", default=BASE_DIR / "var" / "access-log-archive")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # The access log's archive of months older than the retention (audit.archive).
    "audit_log_archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(AUDIT_LOG_ARCHIVE_DIR), "file_permissions_mode": 0o440},
    },
}

# --- Attachments: files on cases and SIPs (attachments) -----------------------------------------
# The largest file taken, in bytes, and how many files one case or plan may hold (removed ones not counted).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENTS_PER_RECORD = env.int("ATTACHMENTS_PER_RECORD", default=20)
if ATTACHMENT_MAX_BYTES < 1 or ATTACHMENTS_PER_RECORD < 1:
    raise ImproperlyConfigured("ATTACHMENT_MAX_BYTES and ATTACHMENTS_PER_RECORD must be at least 1.")
# Where the files are kept: "local" (a folder, ATTACHMENT_ROOT) or "s3" (S3-compatible object storage
# through django-storages; the bucket should be private and encrypted at rest, files are never served
# from it directly).
ATTACHMENT_STORAGE = env.str("ATTACHMENT_STORAGE", default="local")
# Tests keep their files out of the working tree (each attachment test also uses a folder of its own).
_attachment_root = (
    Path(tempfile.gettempdir()) / "hemsjukvard-test-attachments"
    if ENVIRONMENT == "test"
    else Path(str(MEDIA_ROOT)) / "attachments"
)
if ATTACHMENT_STORAGE == "local":
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(env.path("ATTACHMENT_ROOT", default=_attachment_root)),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
elif ATTACHMENT_STORAGE == "s3":
    _missing = [name for name in ("ATTACHMENT_S3_BUCKET",) if not env.str(name, "")]
    if _missing:
        raise ImproperlyConfigured("ATTACHMENT_STORAGE=s3 needs: " + ", ".join(_missing))
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ATTACHMENT_S3_BUCKET"),
            "endpoint_url": env.str("ATTACHMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ATTACHMENT_S3_REGION", default="") or None,
            # Without keys, boto3 takes them from its usual places (instance role, AWS_* variables).
            "access_key": env.str("ATTACHMENT_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ATTACHMENT_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ATTACHMENT_S3_PREFIX", default="attachments"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured(f"ATTACHMENT_STORAGE must be local or s3, not {ATTACHMENT_STORAGE!r}.")

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=ENVIRONMENT == "development")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits stay well inside the broker's visibility timeout, so a task is never handed to a second
# worker while the first one may still be running it.
# A killed worker's unacknowledged message comes back after this many seconds: minutes, not hours.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 900)}
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
_visibility_timeout = CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < _visibility_timeout:
    raise ImproperlyConfigured(
        "Celery limits must satisfy 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT "
        "< CELERY_VISIBILITY_TIMEOUT."
    )
CELERY_TIMEZONE = "Europe/Stockholm"
# A worker rendering a document renews its claim every DOCUMENT_CLAIM_HEARTBEAT_SECONDS; a claim not
# renewed for DOCUMENT_CLAIM_LEASE_SECONDS belongs to a worker that is gone, and the
# documents-requeue-stale sweep queues the document again (documents.services). A queued document whose
# message may be lost (a Redis that lost what it had accepted) is sent again after
# DOCUMENT_QUEUED_RESEND_SECONDS.
DOCUMENT_CLAIM_LEASE_SECONDS = env.int("DOCUMENT_CLAIM_LEASE_SECONDS", default=30)
DOCUMENT_CLAIM_HEARTBEAT_SECONDS = env.float(
    "DOCUMENT_CLAIM_HEARTBEAT_SECONDS", default=DOCUMENT_CLAIM_LEASE_SECONDS / 3
)
DOCUMENT_QUEUED_RESEND_SECONDS = env.int("DOCUMENT_QUEUED_RESEND_SECONDS", default=600)
if not 0 < DOCUMENT_CLAIM_HEARTBEAT_SECONDS < DOCUMENT_CLAIM_LEASE_SECONDS:
    raise ImproperlyConfigured("DOCUMENT_CLAIM_HEARTBEAT_SECONDS must be above 0 and below the lease.")
# One queue per kind of work, each with a worker service of its own (docker-compose.yml): a PDF never
# waits behind webhook retries to slow receivers, nor a webhook behind a batch of PDFs, nor an e-mail to
# a person behind either. Everything else (the outbox relay, the sweeps and snapshots) goes to the
# default queue.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {
    "documents.tasks.render_document": {"queue": "documents"},
    "figures.tasks.render_figures_report": {"queue": "documents"},
    "integrations.tasks.deliver_webhook": {"queue": "webhooks"},
    "integrations.tasks.requeue_overdue_deliveries": {"queue": "webhooks"},
    # E-mail to people: a notice that it is someone's turn never waits behind a sweep or a snapshot.
    "cases.tasks.notifications_email": {"queue": "notifications"},
    "cases.tasks.notification_digest_email": {"queue": "notifications"},
    "audit.tasks.sample_notifications_email": {"queue": "notifications"},
    "competence.tasks.delegation_expiry_email": {"queue": "notifications"},
    "competence.tasks.training_expiry_email": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "cases-remind-overdue": {"task": "cases.tasks.remind_overdue", "schedule": 15 * 60},
    # Messages whose reply-by date has passed unanswered: sender and addressed party reminded, once.
    "messaging-remind-overdue": {"task": "messaging.tasks.remind_overdue_messages", "schedule": 60 * 60},
    # A version put in force ahead of its first day comes into force on it (agreements.services).
    "agreements-start-scheduled-versions": {
        "task": "agreements.tasks.start_scheduled_versions",
        "schedule": 60 * 60,
    },
    # The daily digest of notifications, for the people who chose it (cases.services.notifications).
    "cases-notifications-digest": {
        "task": "cases.tasks.notifications_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # Re-reviews due, and trainings and delegations about to end (competence.reminders).
    "competence-safety-reminders": {
        "task": "competence.tasks.safety_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "audit-sample-access-log": {"task": "audit.tasks.sample_access_log", "schedule": 60 * 60},
    # The access log's monthly partitions: created months ahead; a month older than the retention is
    # archived and dropped (audit.partitions, audit.archive).
    "audit-create-log-partitions": {"task": "audit.tasks.create_log_partitions", "schedule": 6 * 60 * 60},
    "audit-archive-log-partitions": {
        "task": "audit.tasks.archive_log_partitions",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-idempotency-records": {
        "task": "hemsjukvard.tasks.purge_idempotency_records",
        "schedule": 60 * 60,
    },
    # The transactional outbox (hemsjukvard.outbox): publish what could not be sent while Redis was down.
    "hemsjukvard-relay-outbox": {"task": "hemsjukvard.tasks.relay_outbox", "schedule": 60},
    "hemsjukvard-purge-outbox": {"task": "hemsjukvard.tasks.purge_outbox", "schedule": 60 * 60},
    # Documents whose worker is gone (claim not renewed) are queued again within seconds.
    "documents-requeue-stale": {"task": "documents.tasks.requeue_stale_documents", "schedule": 15},
    # The snapshot the key figures are counted from (figures.facts); the pages say how old it is.
    "figures-refresh-facts": {"task": "figures.tasks.refresh_figure_facts", "schedule": 15 * 60},
}

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# For the file backend (``django.core.mail.backends.filebased.EmailBackend``): one file per connection.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hemsjukvard@localhost")

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: it decides API clients' tokens (prefix hsvat_) and leaves every other token alone.
        "integrations.authentication.ApiClientTokenAuthentication",
        "directory.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "integrations.permissions.ClientAccessPermission",
    ],
    # Per API client and per person, counted in CACHES["default"] (shared by all workers).
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.throttling.ApiClientRateThrottle",
        "integrations.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env.str("API_RATE_LIMIT_CLIENT", default="600/min"),
        "user": env.str("API_RATE_LIMIT_USER", default="120/min"),
        "oauth_token": env.str("API_RATE_LIMIT_OAUTH_TOKEN", default="30/min"),
        "auth_token": env.str("API_RATE_LIMIT_AUTH_TOKEN", default="20/min"),
    },
    # Limits per address count directory.actor.client_address (TRUSTED_PROXIES); should a throttle ever
    # fall back on DRF's own get_ident, it takes REMOTE_ADDR and no X-Forwarded-For that anyone can write.
    "NUM_PROXIES": 0,
    # JSON nested too deep, or a NUL in JSON or a multipart form, answers 400 before any view sees it.
    "DEFAULT_PARSER_CLASSES": [
        "hemsjukvard.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "hemsjukvard.api.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "hemsjukvard.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "hemsjukvard.api.pagination.DefaultPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "hemsjukvard.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hemsjukvard API",
    "DESCRIPTION": (
        "The shared case register in which a region and its kommuner settle who is responsible "
        "for each part of a patient's home health care."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # /api/docs/: Swagger UI from drf-spectacular-sidecar's static files (its version is the package's, in
    # uv.lock), never a CDN; no online validator badge, which would send the schema's address elsewhere.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # drf-spectacular's enum naming first, then a captured response example for every operation, then
    # the links from each answer naming a resource to what can be done with it next.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hemsjukvard.api.examples.add_response_examples",
        "hemsjukvard.api.links.add_links",
    ],
    # Several records have a field called "kind" or "status"; name each enum after its record.
    "ENUM_NAME_OVERRIDES": {
        "OverviewKindEnum": "overview.api.serializers.KINDS",
        "OrganisationKindEnum": "directory.models.OrganisationKind",
        "TaskKindEnum": "agreements.choices.TaskKind",
        "DocumentKindEnum": "documents.models.DocumentKind",
        "CaseEventKindEnum": "cases.models.EventKind",
        "SharedPartEnum": "consent.models.SharedPart",
        "SharingBasisKindEnum": "consent.models.BasisKind",
        "NotificationKindEnum": "cases.models.NotificationKind",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "SipStatusEnum": "sip.models.SipStatus",
        "SipVersionStatusEnum": "sip.models.VersionStatus",
        "SipConsentGivenByEnum": "sip.models.ConsentGivenBy",
        "SipContactPeriodEnum": "sip.models.ContactPeriod",
        "SipParticipantKindEnum": "sip.models.ParticipantKind",
        "SipOtherActorKindEnum": "sip.models.OtherActorKind",
        "SipFollowUpOutcomeEnum": "sip.models.FollowUpOutcome",
        "SipLegalBasisEnum": "sip.models.LegalBasis",
        "SipAttendanceEnum": "sip.models.Attendance",
        "SipRecipientKindEnum": "sip.models.RecipientKind",
        "SipDistributionMethodEnum": "sip.models.DistributionMethod",
        "AgreementStatusEnum": "agreements.choices.AgreementStatus",
        "DocumentStatusEnum": "documents.models.DocumentStatus",
        "AnalysisStatusEnum": "cases.models.AnalysisStatus",
        "CaseProposalStatusEnum": "cases.models.ProposalStatus",
        "TaskReviewAnswerEnum": "cases.models.ReviewAnswer",
        "RuleProposalStatusEnum": "agreements.choices.ProposalStatus",
        "WebhookEventKindEnum": "integrations.models.WebhookEventKind",
        "WebhookDeliveryStatusEnum": "integrations.models.DeliveryStatus",
        "AttachmentKindEnum": "attachments.models.AttachmentKind",
        "AttachmentContentTypeEnum": "attachments.models.AttachmentContentType",
        "TimeBandEnum": "agreements.choices.TimeBand",
    },
}
API_TOKEN_LIFETIME_HOURS = env.int("API_TOKEN_LIFETIME_HOURS", default=12)

# --- API clients and webhooks (integrations) ---------------------------------------------------
# OAuth2 client-credentials access tokens are short-lived; a rotated secret stays valid this long.
API_CLIENT_TOKEN_LIFETIME_SECONDS = env.int("API_CLIENT_TOKEN_LIFETIME_SECONDS", default=15 * 60)
API_CLIENT_SECRET_GRACE_HOURS = env.int("API_CLIENT_SECRET_GRACE_HOURS", default=24)
# Webhooks go to public addresses over https only (integrations.webhooks). These host names, exactly
# (comma-separated, e.g. journal.kommun.local), are receivers in the installation's own network: their
# addresses are not checked and they may use plain http. Empty everywhere unless set, tests included.
WEBHOOK_ALLOWED_INTERNAL_HOSTS = [
    host.strip().strip("[]").rstrip(".").lower()
    for host in env.list("WEBHOOK_ALLOWED_INTERNAL_HOSTS", default=[])
    if host.strip()
]
if any("*" in host or "/" in host for host in WEBHOOK_ALLOWED_INTERNAL_HOSTS):
    raise ImproperlyConfigured("WEBHOOK_ALLOWED_INTERNAL_HOSTS names hosts exactly, without wildcards.")
# Where payload links point: the public address of the site (no trailing slash), e.g. https://hsv.example.se.
WEBHOOKS_API_BASE_URL = env.str("WEBHOOKS_API_BASE_URL", default="")
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
# A retry waits in Redis as a delayed message: kept well inside the visibility timeout, or Redis would
# hand it out twice.
WEBHOOK_RETRY_MAX_SECONDS = min(
    env.float("WEBHOOK_RETRY_MAX_SECONDS", default=30 * 60.0),
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] / 2,
)
# People and units from HSA (identity.hsa), where the export is delivered to a file.
HSA_EXPORT_PATH = env.str("HSA_EXPORT_PATH", default="")
if HSA_EXPORT_PATH:
    CELERY_BEAT_SCHEDULE["identity-import-hsa"] = {
        "task": "identity.tasks.import_hsa_export",
        "schedule": 24 * 60 * 60,
    }
CELERY_BEAT_SCHEDULE["integrations-requeue-overdue-deliveries"] = {
    "task": "integrations.tasks.requeue_overdue_deliveries",
    "schedule": 5 * 60,
}

# --- Cache (rate limits) -----------------------------------------------------------------------
# Shared by every gunicorn worker and container outside development: Redis, on a database number of its
# own (not the broker's, whose queues a cache clear would wipe). In development, memory per process.
if ENVIRONMENT == "development" and not env.str("CACHE_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    from urllib.parse import urlsplit as _urlsplit

    _broker = _urlsplit(CELERY_BROKER_URL)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=_broker._replace(path="/1").geturl()),
            # Test runs against different databases share one Redis: keep their counters apart.
            "KEY_PREFIX": env.str(
                "CACHE_KEY_PREFIX",
                default=f"hsv-test-{DATABASES['default']['NAME']}" if ENVIRONMENT == "test" else "hsv",
            ),
        }
    }
if CACHES["default"]["BACKEND"].endswith("RedisCache") and CACHES["default"]["LOCATION"] == CELERY_BROKER_URL:
    raise ImproperlyConfigured("CACHE_URL must not be the Celery broker's Redis database.")

# --- Security ----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Only our own files run and style the pages: no inline script, no inline style, no event-handler
# attributes, nothing from another origin (Swagger UI is served from the static files too). Injected
# markup can then neither run script nor restyle a page. Charts are SVG images (data: URLs, which cannot
# run script in an <img>); htmx is told by a meta tag in base.html not to insert its own <style> and not
# to evaluate code. Any change here is a security decision: say why in the commit.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if OIDC_ENABLED:
    # Logging out posts to /accounts/logout/, which redirects to the provider's end-session endpoint;
    # browsers hold a form's redirects to form-action too.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        urllib.parse.urlsplit(OIDC_OP_LOGOUT_ENDPOINT)._replace(path="", query="", fragment="").geturl()
    )
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^livez$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: JSON lines in production (LOG_FORMAT=json), text elsewhere; every line carries the request id
# (hemsjukvard.observability.request_id) and nothing shaped like a personnummer (…redaction).
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if ENVIRONMENT == "production" else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOG_JSON_FIELDS = "{asctime}{levelname}{name}{message}{request_id}{process}"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "hemsjukvard.observability.request_id.RequestIdFilter"},
        "personal_data": {"()": "hemsjukvard.observability.redaction.PersonalDataFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": LOG_JSON_FIELDS,
            "style": "{",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# Prometheus metrics at /metrics, for a scraper that sends "Authorization: Bearer <METRICS_TOKEN>";
# without a token the path does not exist.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Reservnummer ---------------------------------------------------------------------------------
# The region's reserve numbers for people without personnummer or samordningsnummer (asylum seekers,
# unidentified patients; Socialstyrelsen's term "reservnummer"). There is no national format: each
# region sets its own. The default is Region Stockholm's (Vårdgivarguiden): twelve digits starting with
# 99, then the century and year the number was handed out, then six random digits. The pattern is
# matched against the number as typed without spaces and dashes, in capitals; the description is what
# a person is told when a number does not fit. The FHIR system is the region's identifier system (an
# OID as urn:oid:…); the default is this register's own.
RESERVNUMMER_PATTERN = env.str("RESERVNUMMER_PATTERN", default=r"^99[0-9]{10}$")
try:
    re.compile(RESERVNUMMER_PATTERN)
except re.error as _error:
    raise ImproperlyConfigured(f"RESERVNUMMER_PATTERN is not a valid regular expression: {_error}") from None
if len(RESERVNUMMER_PATTERN) > 200:
    raise ImproperlyConfigured("RESERVNUMMER_PATTERN is longer than 200 characters.")
RESERVNUMMER_DESCRIPTION = env.str("RESERVNUMMER_DESCRIPTION", default="")
RESERVNUMMER_FHIR_SYSTEM = env.str("RESERVNUMMER_FHIR_SYSTEM", default="urn:hemsjukvard:reservnummer")
