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
    """The public search backend: Elasticsearch (reachable, alias present, outbox backlog) when
    configured, else the database fallback, which is ready whenever the database is.

    An unreachable Elasticsearch does not make the site unready: searches are answered from the
    database meanwhile. It is reported so that the operator sees it.
    """
    from search import es, outbox

    wagtail = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].rsplit(".", 1)[-1]
    if not es.configured():
        return {"ok": True, "backend": "database", "wagtail_backend": wagtail}
    state = es.state()
    try:
        backlog = outbox.backlog()
    except DatabaseError:
        backlog = None
    return {
        "ok": True,
        "backend": "elasticsearch" if state.get("ok") else "database-fallback",
        "wagtail_backend": wagtail,
        "elasticsearch": state,
        "outbox_backlog": backlog,
    }


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
