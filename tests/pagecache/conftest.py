"""The page cache switched on, on local memory or (with CACHE_URL=redis://...) on Redis."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache


@pytest.fixture
def pagecache_on(settings):
    """Page cache on and empty. `CACHE_URL=redis://127.0.0.1:6379/4` runs these tests on Redis."""
    url = os.environ.get("CACHE_URL", "")
    if url.startswith("redis://"):
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
    settings.PAGECACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed (the tests run inside one)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
