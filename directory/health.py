"""Liveness and readiness probes for the load balancer and the operator."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("readiness: database unavailable (%s)", exc.__class__.__name__)
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _search_state() -> dict:
    backend = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
    # The database backend is ready whenever the database is.
    return {"ok": True, "backend": backend.rsplit(".", 1)[-1]}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers and the search backend is usable."""
    database = _database_state()
    search = _search_state()
    ready = database["ok"] and search["ok"]
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "database": database, "search": search},
        status=200 if ready else 503,
    )
