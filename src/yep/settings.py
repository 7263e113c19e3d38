"""Django settings for YEP.

SQLite under ``YEP_DATA_DIR`` (default ``./var``) unless ``DATABASE_URL`` names another database
(PostgreSQL in production). ``YEP_ENV=production`` turns on the deployment checks and takes secrets
and allowed hosts from the environment; outside production, secrets are generated once and kept in
the data directory so a demo survives a restart.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("YEP_DATA_DIR", "var")).resolve()
PRODUCTION = os.environ.get("YEP_ENV", "development") == "production"


def _development_secrets() -> dict[str, str]:
    """Secrets for a non-production install, made once and kept beside the database."""
    path = DATA_DIR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    made = {"secret_key": secrets.token_urlsafe(50), "field_key": secrets.token_urlsafe(32)}
    path.write_text(json.dumps(made))
    path.chmod(0o600)
    return made


if PRODUCTION:
    SECRET_KEY = os.environ["YEP_SECRET_KEY"]
    # The key that encrypts NI numbers at rest; losing it loses them, so it is never derived from SECRET_KEY.
    FIELD_ENCRYPTION_KEY = os.environ["YEP_FIELD_KEY"]
    ALLOWED_HOSTS = [h.strip() for h in os.environ.get("YEP_ALLOWED_HOSTS", "").split(",") if h.strip()]
    DEBUG = False
else:
    _secrets = _development_secrets()
    SECRET_KEY = os.environ.get("YEP_SECRET_KEY", _secrets["secret_key"])
    FIELD_ENCRYPTION_KEY = os.environ.get("YEP_FIELD_KEY", _secrets["field_key"])
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "[::1]"]
    DEBUG = os.environ.get("YEP_DEBUG", "1") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules",
    "yep.web",
    "yep.people",
    "yep.access",
    "yep.identify",
    "yep.broker",
    "yep.tasks",
    "yep.track",
    "yep.transition",
    "yep.provision",
    "yep.report",
    "yep.link",
    "yep.portal",
    "yep.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the same headers as pages.
    "yep.access.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and the second factor; needs the session, the user and messages.
    "yep.access.middleware.SignInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yep.web.middleware.LanguagePreferenceMiddleware",
]

ROOT_URLCONF = "yep.urls"
WSGI_APPLICATION = "yep.wsgi.application"
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "yep.access.backends.SignInBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yep.web.context.site",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'yep.sqlite3'}",
        conn_max_age=int(os.environ.get("YEP_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo serve while a command writes; no effect on correctness.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Notifications are email. Outside production they are printed (the demo's console); production names an SMTP
# server with Django's EMAIL_* settings through YEP_EMAIL_BACKEND and friends.
EMAIL_BACKEND = os.environ.get("YEP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("YEP_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("YEP_FROM_EMAIL", "yep@localhost")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept after Argon2 only so passwords stored before it still work; each is re-hashed with Argon2 when its
    # owner next signs in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LANGUAGE_COOKIE_NAME = "yep_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Each research project's pseudonym secret lives here, one file per project, apart from the database (issue 7):
# a stolen database or extract cannot be joined back to people without it. Back it up separately.
YEP_RESEARCH_KEYS_DIR = Path(os.environ.get("YEP_RESEARCH_KEYS_DIR", DATA_DIR / "research-keys")).resolve()
# Long data hub jobs (linking a dataset) run in a background thread with a progress bar; tests run them inline.
YEP_JOBS_INLINE = os.environ.get("YEP_JOBS_INLINE", "") == "1"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [("govuk", PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day; personal data should not stay open overnight
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("YEP_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YEP_LOG_LEVEL", "WARNING")},
}

# YEP's own settings.
YEP_SEARCH_LIMIT = 50
YEP_API_TOKEN_PREFIX = "yep_"  # noqa: S105 (a prefix that marks YEP tokens in logs, not a secret)

# Signing in (access/services/authentication.py, access/middleware.py).
YEP_LOGIN_MAX_FAILURES = 5  # failed attempts for one username within the lockout window lock it
YEP_LOGIN_LOCKOUT_MINUTES = 15  # the window failures are counted over, and so how long a lockout lasts
YEP_LOGIN_IP_MAX_FAILURES = 20  # failed attempts from one address within the window lock that address
# Reverse proxies in front of YEP that append to X-Forwarded-For. The client address used for throttling is the
# one the outermost of them saw; anything further left in the header is the client's own claim and is ignored.
YEP_TRUSTED_PROXIES = int(os.environ.get("YEP_TRUSTED_PROXIES", "1" if PRODUCTION else "0"))
# A second factor (an authenticator app) for every role that sees named records. Always on in production;
# elsewhere off unless YEP_REQUIRE_TWO_FACTOR=1, so the demo (synthetic data, a person with only a browser) and the
# test suite sign in with a password alone. Read at request time, so tests can switch it on.
YEP_REQUIRE_TWO_FACTOR = PRODUCTION or os.environ.get("YEP_REQUIRE_TWO_FACTOR", "0") == "1"
YEP_SESSION_IDLE_MINUTES = 30  # signed out after this long without a request; SESSION_COOKIE_AGE caps the day
