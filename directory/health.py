"""Liveness and readiness probes for the load balancer and the operator.

``/readyz`` tells everyone whether this process is ready (200 ``{"status": "ok"}``) or not (503
``{"status": "unavailable"}``), and nothing more: the database vendor, the search cluster's state,
index names and the outbox backlog are internals. They are added for staff users and for a probe
that sends ``Authorization: Bearer <PORTAL_READYZ_TOKEN>``.

Ready means: the database answers, and — under a manifest static files storage (production) —
this process loaded the manifest written by ``collectstatic``; without it every page using
``{% static %}`` is a 500, so a process that started before ``collectstatic`` (or without it)
stays unready until it is restarted.

The Elasticsearch probe can take up to the client timeout (2 s) while the cluster hangs; its
result is kept in the process for ``PORTAL_READYZ_SEARCH_PROBE_SECONDS`` so that a load balancer
polling every second does not tie up a worker per poll. An unreachable Elasticsearch does not make
the process unready: searches fall back to the database.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

_probe_lock = threading.Lock()
_search_probe: dict = {"key": None, "at": 0.0, "state": None}


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


def _static_state() -> dict:
    """Whether this process can resolve ``{% static %}``: the manifest it loaded has entries."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return {"ok": True, "manifest": None}
    entries = len(staticfiles_storage.hashed_files)
    if not entries:
        logger.error(
            "readiness: no static files manifest (%s) was loaded from STATIC_ROOT; "
            "run manage.py collectstatic, then restart the web processes",
            staticfiles_storage.manifest_name,
        )
    return {"ok": entries > 0, "manifest": staticfiles_storage.manifest_name, "entries": entries}


def _probe_search() -> dict:
    """The public search backend: Elasticsearch (reachable, alias present, outbox backlog) when
    configured, else the database fallback, which is ready whenever the database is.
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


def _search_state() -> dict:
    """The search probe, reused for a few seconds within this process (see the module doc)."""
    ttl = float(getattr(settings, "PORTAL_READYZ_SEARCH_PROBE_SECONDS", 5))
    key = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX_PREFIX)
    with _probe_lock:
        fresh = _search_probe["key"] == key and time.monotonic() - _search_probe["at"] < ttl
        if fresh:
            return _search_probe["state"]
        # Held while probing: concurrent polls of one process wait for one probe, not start more.
        state = _probe_search()
        _search_probe.update(key=key, at=time.monotonic(), state=state)
        return state


def forget_search_probe() -> None:
    """Drop the kept search probe result (tests that change Elasticsearch's state use it)."""
    with _probe_lock:
        _search_probe.update(key=None, at=0.0, state=None)


def may_see_details(request: HttpRequest) -> bool:
    """Staff users, and probes that send the configured token, see the readiness details."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = getattr(settings, "PORTAL_READYZ_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers, static files resolve, the search backend is usable."""
    database = _database_state()
    static = _static_state()
    search = _search_state()
    ready = database["ok"] and static["ok"] and search["ok"]
    body: dict = {"status": "ok" if ready else "unavailable"}
    if may_see_details(request):
        body.update(database=database, static=static, search=search)
    return JsonResponse(body, status=200 if ready else 503)
