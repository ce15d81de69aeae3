"""Settings for the test suite: SQLite unless DATABASE_URL points at PostgreSQL."""

import os

from .base import *  # noqa: F403 -- settings modules extend the base by design
from .base import BASE_DIR, DATABASES, INSTALLED_APPS

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105 -- test settings only
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".cache" / "test-media"
PRIVATE_MEDIA_ROOT = BASE_DIR / ".cache" / "test-private"
STORAGES = {
    "default": {"BACKEND": "content.uploads.PublicRenditionsStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
DATABASES["default"]["CONN_MAX_AGE"] = 0

# A throw-away flow defined in the test suite from the workflow engine alone
# (tests/workflows/test_engine_flow.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflows.throwaway"]

# The page cache (pagecache/) would carry pages from one test into the next; tests/pagecache/
# switches it on for itself.
PAGECACHE_ENABLED = False
# Each process's copy of the sites' settings (sites/memo.py) follows saves once they
# commit, which a test's saves never do; tests of the copies switch them on for themselves.
PORTAL_SITE_SETTINGS_MEMO = False

# Serve static files straight from the finders: no collectstatic needed outside production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None

# Elasticsearch in tests: `make test` exports ELASTICSEARCH_URL for the local test node. The
# suite runs on the database search by default (deterministic, no shared state); the search
# tests switch Elasticsearch on for themselves with this URL and a per-session index prefix.
ELASTICSEARCH_TEST_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_URL = ""
# Each test sees Elasticsearch's current state on /readyz (tests of the probe cache set it).
PORTAL_READYZ_SEARCH_PROBE_SECONDS = 0
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "modelsearch.backends.database"}}

# Rate limits off: the suite searches and posts far faster than any visitor, from one address.
# tests/test_rate_limits.py switches them on (RATELIMIT_ENABLE=True) for its own requests.
RATELIMIT_ENABLE = False
