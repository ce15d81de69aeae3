"""Settings shared by every environment.

Each production part is switched on by an environment variable (DATABASE_URL, ELASTICSEARCH_URL,
...); without them the project runs on the embedded default: SQLite and database search.
"""

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "pagecache",
    "places",
    "advisers",
    "sites",
    "directory",
    "content",
    "search",
    "workflows",
    # Flow packages on the workflow engine (workflows/README.md): one line per flow.
    "workflows.fee_filing",
    "workflows.renewal",
    "workflows.assessment",
    "funding",
    "ledger",
    "demo",
    "backoffice",
    "operations",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The workflow engine (open-source edition only); its AppConfig adds viewflow's middleware.
    "viewflow",
    "viewflow.workflow",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Templates of /sitemap.xml (portal/sitemaps.py).
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Frame options here, above anything that answers early (static files, the guard below).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (a stricter one for the public site); then NUL
    # and control characters leave the query string (a 404 in the path) before anything below
    # can query the database with them.
    "backoffice.http.ContentSecurityPolicyMiddleware",
    "backoffice.http.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous visitors' pages from the shared cache (pagecache/): before the session middleware,
    # so that a hit costs no session, user or template work; it sees every cookie on the way out.
    "pagecache.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Rate limits on login and public form posts (views limit their own GETs); before CSRF so
    # that a flood of forged posts is counted too.
    "backoffice.ratelimits.RateLimitPostsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "backoffice.security.IdleTimeoutMiddleware",
    "backoffice.security.SecondFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Templates of the site's theme (themes/<name>/templates) win over the default theme's.
    "sites.loaders.ThemeMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's templates come first so that viewflow's top-level 404/500 and
        # registration templates never shadow ours. They are found by sites.loaders.ThemeLoader:
        # the site's theme (themes/<name>/templates) first, then themes/default/templates.
        "DIRS": [BASE_DIR / "themes" / "default" / "templates"],
        "OPTIONS": {
            "loaders": [
                (
                    "sites.loaders.CachedLoader",
                    ["sites.loaders.ThemeLoader", "django.template.loaders.app_directories.Loader"],
                )
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "sites.context_processors.portal",
                "sites.context_processors.theme",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# SQLite (the embedded default): WAL lets the dev server read while the demo loader writes.
# Transactions start IMMEDIATE, taking the write lock at BEGIN: two simultaneous decisions or a
# double-posted form then wait for each other (up to `timeout` seconds) instead of one failing
# with "database is locked" when a read lock cannot be upgraded (Django 5.1+ transaction_mode).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": int(os.environ.get("SQLITE_TIMEOUT", "20")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Back office (backoffice/): at least three of upper case, lower case, digits and symbols.
    {"NAME": "backoffice.security.CharacterClassesValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Every theme's static files (themes/<name>/static); the default theme holds portal/site.css.
STATICFILES_DIRS = sorted(p for p in (BASE_DIR / "themes").glob("*/static") if p.is_dir())
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

STORAGES = {
    # Wagtail's originals (original_images/) and documents go to PRIVATE_MEDIA_ROOT, never
    # served; renditions (images/) stay public under MEDIA_ROOT (content/uploads.py).
    "default": {"BACKEND": "content.uploads.PublicRenditionsStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Outgoing mail (password reset, moderation notices): EMAIL_URL, e.g.
# smtp://user:password@mail.example.cn:587/?tls=True (dj-email-url; URL-encode the password).
# Without it, mail is written to the console here; production settings drop it and switch
# Wagtail's password reset off, so that nothing claims to have sent mail it could not send.
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
try:
    _email = dj_email_url.parse(EMAIL_URL) if EMAIL_URL else {}
except ValueError as exc:
    raise ImproperlyConfigured(f"EMAIL_URL is malformed: {exc}") from None
if EMAIL_URL and not _email.get("EMAIL_BACKEND"):
    raise ImproperlyConfigured("EMAIL_URL must start with smtp://, submission://, console:// or dummy://.")
EMAIL_BACKEND = _email.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT") or 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

WAGTAIL_SITE_NAME = "一村(社区)一法律顾问"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "modelsearch.backends.database"}}

# Public search (search/): Elasticsearch 8 when ELASTICSEARCH_URL is set, else the database
# fallback. Client timeouts stay at or below 2 s so that an outage never holds a request.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "portal")
ELASTICSEARCH_TIMEOUT = min(float(os.environ.get("ELASTICSEARCH_TIMEOUT", "2")), 2.0)
ELASTICSEARCH_REPLICAS = int(os.environ.get("ELASTICSEARCH_REPLICAS", "0"))
if ELASTICSEARCH_URL:
    # The admin's own search: modelsearch's Elasticsearch 8 backend with Chinese bigram analysis.
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.wagtail_backend",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": f"{ELASTICSEARCH_INDEX_PREFIX}-wagtail-",
            "TIMEOUT": ELASTICSEARCH_TIMEOUT,
            "OPTIONS": {"max_retries": 0, "retry_on_timeout": False},
            "INDEX_SETTINGS": {"settings": {"index": {"number_of_replicas": ELASTICSEARCH_REPLICAS}}},
        }
    }
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]

# Wagtail's rendition cache, kept in the default cache without writing back what it read there
# (content/renditions.py); every settings module that redefines CACHES adds this alias again.
RENDITIONS_CACHE = {"BACKEND": "content.renditions.RenditionCache", "LOCATION": "default", "TIMEOUT": 86400}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
    },
    "renditions": RENDITIONS_CACHE,
}

# Page cache for anonymous visitors (pagecache/): in the cache above, invalidated by tags when a
# save commits; an entry lives at most PAGECACHE_TIMEOUT seconds. PAGECACHE_ENABLED=0 turns it off.
PAGECACHE_ENABLED = os.environ.get("PAGECACHE_ENABLED", "1") == "1"
PAGECACHE_TIMEOUT = int(os.environ.get("PAGECACHE_TIMEOUT", "300"))

LOGIN_URL = "wagtailadmin_login"

# --- HTTP hardening (backoffice/http.py) ------------------------------------------------------
# SecurityMiddleware's headers in every configuration (production adds HSTS and HTTPS redirects).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The public site: own origin only, no inline script or style. The one hash is the <style> of
# themes/default/templates/500.html, which must render without static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-gcNBGnLSH3edYN5IgVQMESX2QCzyH6J7fMyweBLOr3o='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The back office (Wagtail admin, viewflow) renders inline scripts, handlers and style attributes
# it owns, so scripts and styles may be inline there; sources stay same-origin. Wagtail's live
# preview frames its own pages (frame-ancestors 'self'); image uploads preview from blob: URLs.
PORTAL_ADMIN_PATH_PREFIXES = ("/admin/",)
PORTAL_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# The admin calls no outside host (connect-src 'self'; gravatar.com is unreachable in China and
# would receive a hash of each user's e-mail address).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Rate limits (backoffice/ratelimits.py, django-ratelimit over the shared cache) -----------
# Requests per client address (backoffice.security.client_address) and window, as
# "<count>/<period>" with period s, m, h or d ("60/m"); an empty value switches that one off.
RATELIMIT_ENABLE = os.environ.get("PORTAL_RATE_LIMITS", "1") == "1"
RATELIMIT_USE_CACHE = "default"
PORTAL_RATE_LIMITS = {
    # /search/ and /search/suggest together (the suggest box sends one request per pause).
    "search": os.environ.get("PORTAL_RATE_LIMIT_SEARCH", "60/m"),
    # /api/directory/<code>
    "api": os.environ.get("PORTAL_RATE_LIMIT_API", "120/m"),
    # The printable notice boards (PNG and PDF are drawn on demand).
    "notice_board": os.environ.get("PORTAL_RATE_LIMIT_NOTICE_BOARD", "20/m"),
    # /my-village/ and any POST outside the back office.
    "form": os.environ.get("PORTAL_RATE_LIMIT_FORM", "10/m"),
    # POSTs to the admin login, password reset and second-factor check.
    "login": os.environ.get("PORTAL_RATE_LIMIT_LOGIN", "10/m"),
}

# True under production settings only: load_demo refuses to run there without its flag.
PORTAL_IS_PRODUCTION = False

# The public service hotline of the judicial administration (12348 公共法律服务热线).
PORTAL_HOTLINE = "12348"

# /readyz (directory/health.py): the public sees ok / not ok; staff and probes sending
# "Authorization: Bearer <token>" also see the database, static manifest and search details.
PORTAL_READYZ_TOKEN = os.environ.get("PORTAL_READYZ_TOKEN", "")
# The Elasticsearch probe's result is reused for this many seconds within a process.
PORTAL_READYZ_SEARCH_PROBE_SECONDS = float(os.environ.get("PORTAL_READYZ_SEARCH_PROBE_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "places": {"level": "INFO"},
        "advisers": {"level": "INFO"},
        "directory": {"level": "INFO"},
        "search": {"level": "INFO"},
    },
}

# --- Back office (backoffice/): account security --------------------------------------------
# Lockout after repeated failed logins, kept in the database so that every web process sees it
# (等保 2.0: 登录失败处理): the pair (account, address) after 5 failures in the window, the account
# for every address after 50 (the owner gets an e-mail), an address for every account after 30.
PORTAL_LOGIN_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT", "50"))
PORTAL_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
PORTAL_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("PORTAL_LOGIN_LOCKOUT_MINUTES", "15"))
# Client addresses (lockout, rate limits): the number of our own reverse proxies in front of the
# web process, and the header they append the client's address to. With 0 the header is ignored
# and REMOTE_ADDR is the client; with N the Nth entry from the right is (entries further left are
# written by the client and never trusted). Production settings default to 1 proxy.
PORTAL_TRUSTED_PROXY_COUNT = int(os.environ.get("PORTAL_TRUSTED_PROXY_COUNT", "0"))
PORTAL_CLIENT_IP_HEADER = os.environ.get("PORTAL_CLIENT_IP_HEADER", "X-Forwarded-For")
# A bureau account enrols its authenticator only with a one-time code from a superuser, valid
# this many hours (`manage.py issue_2fa_enrolment <username>` or the admin's user list).
PORTAL_2FA_ENROLMENT_CODE_HOURS = int(os.environ.get("PORTAL_2FA_ENROLMENT_CODE_HOURS", "72"))
# How long a back-office form page's one-time token stays valid (backoffice/idempotency.py).
PORTAL_FORM_TOKEN_HOURS = int(os.environ.get("PORTAL_FORM_TOKEN_HOURS", "24"))
# Idle back-office sessions end after 30 minutes without a request.
PORTAL_IDLE_TIMEOUT_SECONDS = 30 * 60
SESSION_COOKIE_AGE = 8 * 60 * 60
# A TOTP second factor for bureau roles (city and county bureaus, township offices) and
# superusers; on in production settings.
PORTAL_REQUIRE_2FA_FOR_BUREAUS = os.environ.get("PORTAL_REQUIRE_2FA_FOR_BUREAUS", "0") == "1"
OTP_TOTP_ISSUER = "一村一法律顾问"
WAGTAILADMIN_USER_LOGIN_FORM = "backoffice.forms.LoginForm"
AUTHENTICATION_BACKENDS = ["backoffice.security.LockoutModelBackend"]

# --- Work ledger and workflows (ledger/, workflows/) ------------------------------------------
# Attachments that may name villagers live outside MEDIA_ROOT and are served by scoped views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PORTAL_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
# Time limit of the county bureau's decision on a fee filing, in working days (限时办结制); an
# overdue task is escalated to the bureau head by `manage.py workflow_timers` (run it from cron).
FEE_FILING_REVIEW_WORKING_DAYS = int(os.environ.get("FEE_FILING_REVIEW_WORKING_DAYS", "5"))
# Counties with their own limit: "451402=3,451421=7" (county code = working days).
FEE_FILING_REVIEW_WORKING_DAYS_BY_COUNTY = {
    code.strip(): int(days)
    for code, _sep, days in (
        item.partition("=")
        for item in os.environ.get("FEE_FILING_REVIEW_WORKING_DAYS_BY_COUNTY", "").split(",")
    )
    if code.strip() and days.strip()
}
# Public holidays and the weekend days worked in exchange (调休), ISO dates, comma-separated.
WORKFLOW_HOLIDAYS = [d for d in os.environ.get("WORKFLOW_HOLIDAYS", "").split(",") if d.strip()]
WORKFLOW_MAKEUP_WORKDAYS = [d for d in os.environ.get("WORKFLOW_MAKEUP_WORKDAYS", "").split(",") if d.strip()]
# Time limits of the annual assessment's steps, in working days (workflows/assessment/flow.py).
ASSESSMENT_SELF_REPORT_WORKING_DAYS = int(os.environ.get("ASSESSMENT_SELF_REPORT_WORKING_DAYS", "10"))
ASSESSMENT_COMMITTEE_WORKING_DAYS = int(os.environ.get("ASSESSMENT_COMMITTEE_WORKING_DAYS", "10"))
ASSESSMENT_TOWNSHIP_WORKING_DAYS = int(os.environ.get("ASSESSMENT_TOWNSHIP_WORKING_DAYS", "5"))
ASSESSMENT_BUREAU_WORKING_DAYS = int(os.environ.get("ASSESSMENT_BUREAU_WORKING_DAYS", "10"))

# --- Funding (funding/) ---------------------------------------------------------------------------
# The region's subsidy per village and year (about 2,000 yuan, 崇政办发〔2017〕101号 五(二)): the
# default of each county's yearly budget record, shown on the funding page.
PORTAL_REGIONAL_SUBSIDY_PER_VILLAGE = os.environ.get("PORTAL_REGIONAL_SUBSIDY_PER_VILLAGE", "2000")

# --- Backups (operations/): `manage.py backup` and `manage.py restore` -------------------------
# Where archives go, how many of them `backup` keeps (0: all), and the directory of pg_dump and
# pg_restore when they are not on PATH (default: the server's major version under
# /usr/lib/postgresql/<major>/bin, then PATH).
PORTAL_BACKUP_DIR = Path(os.environ.get("PORTAL_BACKUP_DIR", VAR_DIR / "backups"))
PORTAL_BACKUP_KEEP = int(os.environ.get("PORTAL_BACKUP_KEEP", "0"))
PORTAL_PG_BIN_DIR = os.environ.get("PORTAL_PG_BIN_DIR", "")
