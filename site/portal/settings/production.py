"""Production: refuses to start without a secret key, allowed hosts and a real database."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403 -- settings modules extend the base by design
from .base import DATABASES, EMAIL_URL, RENDITIONS_CACHE, STORAGES


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Production settings need the environment variable {name}.")
    return value


DEBUG = False
# Commands that must not run on a real installation (load_demo) check this.
PORTAL_IS_PRODUCTION = True
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
_required("DATABASE_URL")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production settings need DATABASE_URL to point at PostgreSQL.")

CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,
    # WhiteNoise's compressed manifest storage, tolerating one broken viewflow file (see storage.py).
    "staticfiles": {"BACKEND": "portal.storage.PortalStaticFilesStorage"},
}

if os.environ.get("CACHE_URL", "").startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }
else:
    # Shared between processes without another service: the database cache table.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
# Renditions in the shared cache, read without a write-back (content/renditions.py).
CACHES["renditions"] = RENDITIONS_CACHE

# Back office: bureau roles and superusers must pass a TOTP second factor (等保 2.0 level 3).
PORTAL_REQUIRE_2FA_FOR_BUREAUS = True

# Links in mail and notifications point at the public address (default: the first allowed host).
WAGTAILADMIN_BASE_URL = (
    os.environ.get("WAGTAILADMIN_BASE_URL", "").strip() or f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
)
if not EMAIL_URL:
    # No mail server: mail is dropped (the console would put reset links in the logs), and
    # Wagtail's "forgot password" is off rather than saying it sent a link nobody receives.
    # Staff reset passwords for each other (admin › 用户) or with manage.py changepassword.
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    WAGTAIL_PASSWORD_RESET_ENABLED = False
# Production runs behind one reverse proxy (README): take the client address from the hop it
# appends to X-Forwarded-For. Set 0 if gunicorn faces clients directly, 2 behind a CDN and a proxy.
PORTAL_TRUSTED_PROXY_COUNT = int(os.environ.get("PORTAL_TRUSTED_PROXY_COUNT", "1"))
