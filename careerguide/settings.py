"""Settings for Career Guide, read from the environment (django-environ).

Every setting a deployment may change is listed in the README's settings table
and in `.env.example`. Defaults are safe for a laptop: DEBUG off, SQLite, no HTTPS.
"""

import datetime
import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from careerguide.http.release import release_id

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is optional; the real environment always wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# No default. A development checkout (HTTPS off) without SECRET_KEY uses the
# ignored `.secret-key` file that `make run` generates, so `manage.py` works
# without exporting anything; `check --deploy` warns when it does. With HTTPS on
# (production) SECRET_KEY must come from the environment, whatever files exist.
SECRET_KEY = env.str("SECRET_KEY", default="")
SECRET_KEY_FROM_FILE = False
_key_file = BASE_DIR / ".secret-key"
if not SECRET_KEY and not env.bool("HTTPS", default=False) and _key_file.is_file():
    SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()
    SECRET_KEY_FROM_FILE = bool(SECRET_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. `make run` creates a local one in .secret-key; with "
        "HTTPS on (production) it must be set in the environment."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

# The public origin, used for canonical URLs, sitemaps and structured data.
# Never derived from the request's Host header. Unset, it is the local server on
# PORT (`make run` exports it), so every absolute URL of a run uses its port.
# Behind a proxy or load balancer, set SITE_URL to the address readers use.
_local_origin = f"http://127.0.0.1:{env.int('PORT', default=8000)}"
SITE_URL = env.str("SITE_URL", default=_local_origin).rstrip("/")

# Where the admin lives; a less guessable path deters drive-by login attempts.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

# Review emails (roadmaps.workflow.notify): EMAIL_URL picks the backend, e.g.
# smtp+tls://user:password@smtp.example.org:587. On a laptop the default prints
# them to the console; with HTTPS on (production) it is the local mail server,
# as `check --deploy` wants a backend that really sends. Django 6.1 deprecates
# the EMAIL_* settings django-environ returns: they become the mailer's options.
_email = env.email_url(
    "EMAIL_URL",
    default="smtp://localhost:25" if env.bool("HTTPS", default=False) else "consolemail://",
)
_MAILER_OPTIONS = {"EMAIL_HOST": "host", "EMAIL_PORT": "port", "EMAIL_HOST_USER": "username",
                   "EMAIL_HOST_PASSWORD": "password", "EMAIL_USE_TLS": "use_tls",
                   "EMAIL_USE_SSL": "use_ssl", "EMAIL_TIMEOUT": "timeout",
                   "EMAIL_FILE_PATH": "file_path"}  # fmt: skip
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            option: _email[name]
            for name, option in _MAILER_OPTIONS.items()
            if _email.get(name) not in (None, "")
        },
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Career Guide <noreply@localhost>")

INSTALLED_APPS = [
    # Django's admin app, with our site as `admin.site`: staff sign in with a
    # password and then a second factor (careerguide/staff/).
    "careerguide.staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "reversion",
    "reversion_compare",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "roadmaps",
    "salaries",
    "stories",
    "careerguide",
]

MIDDLEWARE = [
    # First of all: X-Forwarded-* headers from a peer outside TRUSTED_PROXIES are
    # removed, so nothing below (HTTPS detection, lockouts, logs) believes them.
    "careerguide.http.proxy.UntrustedForwardedHeadersMiddleware",
    # Outermost after that: every response, errors included, carries a request id
    # and is logged.
    "careerguide.http.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Header-adding middleware sits above health probes, static files and the
    # page cache, so every response gets the same headers.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "careerguide.http.noindex.AdminNoindexMiddleware",
    # Before CommonMiddleware, which validates the Host header.
    "careerguide.http.health.HealthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for what the page cache did not compress (plans with answers, 404s, admin).
    "careerguide.http.compress.CompressionMiddleware",
    # Before sessions: a cached page costs one cache round trip and nothing else.
    "careerguide.http.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after auth: request.user.is_verified() (the session's second factor).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: locks out brute-force admin logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careerguide.urls"
WSGI_APPLICATION = "careerguide.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The admin needs auth and messages. Both are lazy: public templates never
            # read `user`, `perms` or `messages`, so public pages never touch the
            # session and send no `Vary: Cookie` (a test guards this).
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "careerguide.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so tests can serve it from a second process (gunicorn).
    # tests/conftest.py makes the name unique per test process.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # A stalled or unreachable database must not hang a worker for long.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The default is shared by every gunicorn worker on the machine and needs no
# server; production sets CACHE_URL=redis://… (Django's built-in Redis backend).
CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{BASE_DIR / '.cache' / 'django'}")
}
# The release id in every key: a deploy of new code, templates or static files
# never serves pages cached by the old one.
CACHES["default"]["KEY_PREFIX"] = (
    f"{env.str('CACHE_KEY_PREFIX', default='cg')}:{release_id(BASE_DIR)}"
)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A stalled or unreachable Redis costs at most these timeouts, then the
    # page is rendered from the database.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        retry_on_timeout=False,
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed (gzip/brotli) and content-hashed, so whitenoise can serve
        # them with a far-future, immutable Cache-Control.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+IP is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin brute-force protection: lock a username from one IP (not the account
# everywhere) after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
# A failure while locked out must not restart the cool-off: otherwise anyone
# could keep a victim locked out for ever by failing once every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "careerguide.http.clientip.client_ip"
# The networks of the proxies in front of gunicorn (load balancer, CDN), as
# CIDRs. Forwarded headers (X-Forwarded-For, X-Forwarded-Proto) count only when
# REMOTE_ADDR is in one of them (careerguide/http/clientip.py, proxy.py);
# gunicorn.conf.py gives gunicorn the same list. Empty: nobody is trusted and
# the client is always REMOTE_ADDR.
TRUSTED_PROXIES = [value.strip() for value in env.list("TRUSTED_PROXIES", default=[])]
TRUSTED_PROXIES = [value for value in TRUSTED_PROXIES if value]
for _network in TRUSTED_PROXIES:
    try:
        # strict, as gunicorn is: 10.0.0.1/8 (host bits set) is a typo, not a network.
        ipaddress.ip_network(_network)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_network!r} is not an IP address or network; "
            "give CIDRs separated by commas, e.g. TRUSTED_PROXIES=10.0.0.0/8,2001:db8::/32."
        ) from None
# Its predecessor counted X-Forwarded-For entries without checking who sent
# them. An old configuration must not start without the protection it asked for.
if "TRUSTED_PROXY_COUNT" in env.ENVIRON:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT was removed: it believed X-Forwarded-For from anyone. "
        "Remove it and list the networks of your proxies instead, e.g. "
        "TRUSTED_PROXIES=10.0.0.0/8 (the load balancer's subnet; add a CDN's ranges "
        "if one is in front). See docs/DEPLOY.md, 'Behind a proxy'."
    )

# Two-factor sign-in for staff (careerguide/staff/): a password, then a code from
# an authenticator app (TOTP) or a one-time recovery code. Off only for local
# development and test instruments; `check --deploy` warns when it is off with
# HTTPS on (careerguide.W003).
STAFF_2FA_REQUIRED = env.bool("STAFF_2FA_REQUIRED", default=True)
# Seconds between a correct password and the second factor before the sign-in
# starts over.
STAFF_2FA_PENDING_SECONDS = 5 * 60
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Career Guide"
# Device admins never show secrets (TOTP keys, recovery codes), not even to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Staff sessions end after this much idle time (saved on every request).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=120) * 60
SESSION_SAVE_EVERY_REQUEST = True

# HTTPS switches the redirect, HSTS and secure cookies together.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# TLS ends at a proxy: X-Forwarded-Proto says whether the reader used HTTPS.
# Believed only from TRUSTED_PROXIES (the middleware removes it from anyone
# else); `check --deploy` warns when that list is empty (careerguide.W004).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Health probes stay on plain http behind a TLS-terminating load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Django's built-in CSP. No inline scripts or styles anywhere, so no nonces:
# cached pages are shared byte for byte.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# django-permissions-policy: every feature the site never uses, allowed to no origin.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# Editors: a figure is flagged stale once its data year ended longer ago than this.
STALE_FIGURE_MONTHS = env.int("STALE_FIGURE_MONTHS", default=18)
# ... and a guide once its last review is older than this.
REVIEW_DUE_MONTHS = env.int("REVIEW_DUE_MONTHS", default=6)
# Editors' changes to published content go live only through a draft a
# publisher reviews; off, editors publish their own drafts.
REVIEW_REQUIRED = env.bool("REVIEW_REQUIRED", default=True)
# Seconds between passes of `manage.py run_schedules`: scheduled changes go live
# within this long of their time.
SCHEDULE_POLL_SECONDS = env.int("SCHEDULE_POLL_SECONDS", default=15)
# All or nothing: an import with one bad row saves nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Explicit, since the library's default lets any staff member import: importing
# changes rows (the "change" permission); exporting only reads them ("view").
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Uploads wait for "Confirm import" in the default cache (shared by every app
# server) for an hour, under their uploader's pk and a random name; the
# library's default read any file in the temp folder that the form named.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "roadmaps.importing.UploadStorage"

# Structured logs on stdout: one JSON object per line, with the request id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "careerguide.http.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "careerguide.http.logs.JSONFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Our access line replaces Django's "Not Found: …" warnings.
        "django.request": {"level": "ERROR"},
    },
}

# /.well-known/security.txt (RFC 9116): where to report a vulnerability, e.g.
# "mailto:security@example.org" or an https:// form. Unset: the file answers 404
# and `check --deploy` warns (careerguide.W002).
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default="")
