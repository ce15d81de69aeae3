"""One entry point for the public search: Elasticsearch when it answers, else the database.

When Elasticsearch is configured but fails (down, slow beyond the 2 s client timeout, or any
error), the request is answered from the database fallback and flagged `degraded`, and this
process stops asking Elasticsearch for a short while, so that an outage costs each process one
timeout rather than one per request.
"""

from __future__ import annotations

import logging
import threading
import time

from places.models import Division

from . import dbindex, es
from .results import SearchRequest, SearchResults

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 15.0

_lock = threading.Lock()
_unavailable_until = 0.0


def elasticsearch_suspended() -> bool:
    return time.monotonic() < _unavailable_until


def _suspend(exc: Exception) -> None:
    global _unavailable_until
    with _lock:
        _unavailable_until = time.monotonic() + RETRY_AFTER_S
    logger.warning(
        "search: Elasticsearch unavailable (%s); answering from the database for %.0f s",
        exc.__class__.__name__,
        RETRY_AFTER_S,
    )


def suspend(exc: Exception) -> None:
    """Record an outage seen elsewhere (the admin's search backend), so that every search skips it."""
    _suspend(exc)


def reset() -> None:
    """Forget a recorded outage (tests, and the worker once the cluster answers again)."""
    global _unavailable_until
    with _lock:
        _unavailable_until = 0.0


def run(search: SearchRequest) -> SearchResults:
    """Search with the best backend available; never raises for a backend outage."""
    results: SearchResults | None = None
    if es.configured() and not elasticsearch_suspended():
        try:
            results = es.search(search)
        except es.UNAVAILABLE as exc:
            _suspend(exc)
    if results is None:
        results = dbindex.search(search)
        results.degraded = es.configured()
    _label_counties(results)
    return results


def _label_counties(results: SearchResults) -> None:
    values = results.facets.get("county", [])
    codes = [v.value for v in values]
    if not codes:
        return
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    parents = dict(Division.objects.filter(code__in={c[:4] for c in codes}).values_list("code", "name"))
    for value in values:
        name = names.get(value.value, value.value)
        city = parents.get(value.value[:4], "")
        value.label = f"{city}{name}" if city and city not in ("市辖区", "县") else name
