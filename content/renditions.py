"""The `renditions` cache alias: Wagtail's rendition cache in the shared cache, without write-backs.

Wagtail 8.0 looks renditions up in the cache alias `renditions` (else `default`) and then
writes back every rendition it found there: `Image.get_renditions()` (the `{% picture %}` and
`{% srcset_image %}` tags) marks only prefetched renditions as "from the cache", and
`Image.get_rendition()` (the `{% image %}` tag) writes whatever it found, prefetched or not. On
Redis that is one needless round trip per image; on Django's database cache each write is a
transaction of three statements (`SELECT COUNT(*)` for culling, `SELECT`, `UPDATE`), which made a
warm article page run about 100 queries.

`RenditionCache` stores nothing itself: it hands every call to the cache alias named by its
`LOCATION` (the shared `default` cache unless told otherwise), so every web process sees the same
renditions and Wagtail's own invalidation (`Rendition.purge_from_cache()` on delete) reaches them
all. What it adds: every rendition it returns is marked `_from_cache`, Wagtail's own flag for
"already cached", and a write of a rendition carrying that flag is skipped. A rendition's key
names the image, the hash of its file, the focal point and the filter spec, so a value found under
a key is still the right value for it: skipping its write-back loses nothing but a refreshed
expiry, and an expired entry is simply read from the database and stored again.

Hand-written rather than a library: the behaviour fixed is Wagtail's own, and no package we know
of changes it; Wagtail documents the `renditions` alias as the place to configure this cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

FROM_CACHE = "_from_cache"  # the attribute wagtail.images.models checks before writing back


def _mark(value: Any) -> Any:
    try:
        setattr(value, FROM_CACHE, True)
    except (AttributeError, TypeError):  # not an object that takes attributes (never a rendition)
        pass
    return value


def _already_cached(value: Any) -> bool:
    return bool(getattr(value, FROM_CACHE, False))


class RenditionCache(BaseCache):
    """Delegates to the cache alias in `LOCATION` and drops write-backs of values it returned."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.alias = location or DEFAULT_CACHE_ALIAS

    @property
    def store(self) -> BaseCache:
        if self.alias == "renditions":
            raise ValueError("The renditions cache must delegate to another cache alias (LOCATION).")
        return caches[self.alias]

    def _timeout(self, timeout: float | None | object) -> float | None:
        # This alias's own TIMEOUT applies when Wagtail passes none (it never does today).
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout  # type: ignore[return-value]

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        missing = object()
        value = self.store.get(key, missing, version=version)
        return default if value is missing else _mark(value)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return {key: _mark(value) for key, value in self.store.get_many(keys, version=version).items()}

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self.store.has_key(key, version=version)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        if not _already_cached(value):
            self.store.set(key, value, self._timeout(timeout), version=version)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        if _already_cached(value):
            return False
        return self.store.add(key, value, self._timeout(timeout), version=version)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        fresh = {key: value for key, value in data.items() if not _already_cached(value)}
        if not fresh:
            return []
        return self.store.set_many(fresh, self._timeout(timeout), version=version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self.store.touch(key, self._timeout(timeout), version=version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self.store.delete(key, version=version)

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        self.store.delete_many(keys, version=version)

    def clear(self) -> None:
        # The entries live among everything else in the shared cache; emptying that (sessions of
        # other backends, rate-limit counters, cached pages) is not this alias's to do.
        raise NotImplementedError(
            "The renditions cache shares its store; delete renditions with Rendition.purge_from_cache()."
        )

    def close(self, **kwargs: Any) -> None:
        # The store is closed by Django's own request_finished handler for its alias.
        pass
