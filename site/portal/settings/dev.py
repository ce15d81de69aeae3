"""The embedded default for a laptop and the demo: SQLite, database search, DEBUG on."""

import os

from .base import *  # noqa: F403 -- settings modules extend the base by design
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")  # noqa: S105 -- dev settings only
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", ".localhost"]
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

# Serve static files straight from the finders: no collectstatic needed outside production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
