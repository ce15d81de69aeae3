"""WSGI entry point (e.g. `gunicorn --pythonpath site portal.wsgi`)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402 -- needs the path set above

application = get_wsgi_application()
