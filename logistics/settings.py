"""Settings for the school logistics site, read from the environment (django-environ).

Every variable is documented in README.md. Bad values fail loudly at start-up.
"""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SECURE_SSL=(bool, False),
    SESSION_AGE_HOURS=(int, 8),
    ATTACHMENT_MAX_MB=(int, 10),
    LOGIN_FAILURES_PER_USER=(int, 5),
    LOGIN_FAILURES_PER_IP=(int, 100),
    LOGIN_LOCKOUT_MINUTES=(int, 15),
    TRUSTED_PROXIES=(list, []),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
# Development runs (DEBUG on) get a fixed key; production must set SECRET_KEY.
SECRET_KEY = env(
    "SECRET_KEY", default="dev-only-insecure-key-do-not-use" if DEBUG else environ.Env.NOTSET
)
# Seals the audit chain (logistics/audit.py). It must not live in the database; by default it
# is derived from SECRET_KEY, so rotating SECRET_KEY needs AUDIT_KEY set to the old derivation.
AUDIT_KEY = env("AUDIT_KEY", default="") or f"audit:{SECRET_KEY}"
# Personal data in records older than this is blanked by `anonymise_personal_data`.
PERSONAL_DATA_RETENTION_YEARS = env.int("PERSONAL_DATA_RETENTION_YEARS", default=3)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

# The project-local PostgreSQL cluster (started by scripts/bootstrap.sh) listens only on a
# Unix socket inside var/run, so it never collides with another server on the machine.
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"postgres://postgres@/logistics?host={BASE_DIR / 'var' / 'run'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "logistics.apps.LogisticsConfig",
    "logistics.notices.apps.NoticesConfig",
    "logistics.staff.apps.StaffConfig",
    "canteen.apps.CanteenConfig",
    "finance.apps.FinanceConfig",
    "assets.apps.AssetsConfig",
    "safety.apps.SafetyConfig",
]

MIDDLEWARE = [
    "logistics.requestid.RequestIdMiddleware",  # first: every later log line carries the id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "logistics.middleware.ChineseFirstLocaleMiddleware",
    "logistics.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the user verified by a second factor, and holds back whoever still owes one.
    "logistics.twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "logistics.scoping.SchoolMiddleware",
    # Last, as django-axes requires: it turns a login that hit the limit into a 429.
    "axes.middleware.AxesMiddleware",
]
# Row history names the user and URL of writes only: on GET and HEAD pghistory's middleware
# would otherwise load the session and user and wrap every query of the page (no row of
# history is written by a safe request anyway).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "logistics.urls"
WSGI_APPLICATION = "logistics.wsgi.application"

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
                "logistics.context_processors.school",
            ],
        },
    },
    # The rows of long lists and the tabs only, through {% jinja %} (logistics/jinja.py: why).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "logistics.jinja.environment"},
    },
]

FORM_RENDERER = "logistics.forms.FormRenderer"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling with django-axes (see logistics/throttle.py), for our login page and the
# admin's alike: its backend refuses a locked-out login before the password is checked.
# A per-username limit stops guessing one account; a much higher per-address limit stops
# sweeps without letting one pupil behind the school's shared address lock every teacher
# out. Counters are rows in PostgreSQL, incremented under a row lock, so every process and
# host sees the same numbers.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURES_PER_USER = env("LOGIN_FAILURES_PER_USER")
LOGIN_FAILURES_PER_IP = env("LOGIN_FAILURES_PER_IP")
AXES_HANDLER = "logistics.throttle.LoginFailureHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "logistics.throttle.failure_limit"
# Failures are forgotten this long after the last one; a locked-out client that keeps trying
# does not extend its own lockout, so "wait 15 minutes" is true.
AXES_COOLOFF_TIME = timedelta(minutes=env("LOGIN_LOCKOUT_MINUTES"))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # the account's own failures only (LoginFailureHandler)
AXES_LOCKOUT_CALLABLE = "logistics.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "logistics.throttle.client_ip"
AXES_VERBOSE = False
# Two-factor sign-in (logistics/twofactor): holders of these role codes, and system
# administrators, also give a code from a phone authenticator app (TOTP) or a recovery code.
# Empty (the default, the demo site): a password alone, and no extra cost on any page.
TWO_FACTOR_ROLES = tuple(env.list("TWO_FACTOR_ROLES", default=[]))
OTP_TOTP_ISSUER = env.str("TWO_FACTOR_ISSUER", default="学校后勤")
# Wrong codes count as failed logins (axes); a typed code is not kept in its failure records.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Reverse proxies (IPs or networks) whose X-Forwarded-For is believed; empty: REMOTE_ADDR.
TRUSTED_PROXIES = [ip_network(p, strict=False) for p in env("TRUSTED_PROXIES")]

# One cache shared by every web process, for whatever caches through Django's API (sessions,
# login counters and tasks have tables of their own): a PostgreSQL table by default, Redis
# when REDIS_URL is set (e.g. redis://cache.lan:6379/0).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if (REDIS_URL := env.str("REDIS_URL", default=""))
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_entries"}
}

SESSION_COOKIE_AGE = env("SESSION_AGE_HOURS") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env("SECURE_SSL")
SECURE_SSL_REDIRECT = env("SECURE_SSL")
SECURE_HSTS_SECONDS = 31536000 if env("SECURE_SSL") else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env("SECURE_SSL")
SECURE_HSTS_PRELOAD = env("SECURE_SSL")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env("SECURE_SSL") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: everything is served from our own origin (no CDN).
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

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STORAGES = {
    # Uploaded photos and scans live outside the static tree and are served only through
    # the attachment view, which checks the school and the capability.
    # With S3_BUCKET set they go to S3-compatible object storage (django-storages) instead,
    # private: the attachment view streams them, no public or signed URL is handed out.
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("S3_SECRET_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if (S3_BUCKET := env.str("S3_BUCKET", default=""))
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
ATTACHMENT_MAX_BYTES = env("ATTACHMENT_MAX_MB") * 1024 * 1024
# A decoded photo takes about 4 bytes a pixel: 25 million pixels is about 100 MB in memory.
ATTACHMENT_MAX_PIXELS = 25_000_000
# Form fields (files aside) up to 5 MB; files over 2.5 MB are spooled to a temporary file, and
# a file is cut off while the request is read once it passes ATTACHMENT_MAX_BYTES
# (logistics/attachments.py). The reverse proxy bounds the whole body (docs/deployment.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "logistics.attachments.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Reminder e-mails (manage.py send_reminders); printed to the console unless configured.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="logistics@localhost")

# One line per record on stdout (the service manager collects it), with the request's id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "logistics.requestid.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each layout step at INFO, axes each successful login: only their
    # warnings (axes: each failed login and lockout) matter.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Background tasks (long PDF notices): the database backend, run by `manage.py db_worker`
# (`make run` starts one). django-tasks is the forward-compatible API of Django 6's tasks.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Absolute address printed in QR codes and verification links on notices.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Notices with more rows than this render their PDF in a background task, not in a request.
NOTICE_INLINE_PDF_ROWS = env.int("NOTICE_INLINE_PDF_ROWS", default=80)
