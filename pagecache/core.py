"""Tags, versions, keys and entries of the page cache (see the package docstring for the design).

Settings (all optional):

- ``PAGECACHE_ENABLED`` — on by default; ``PAGECACHE_ENABLED=0`` in the environment turns it off.
- ``PAGECACHE_CACHE`` — the Django cache alias to use (default ``"default"``: Redis through
  ``CACHE_URL`` in production, else the database cache; local memory in dev and test).
- ``PAGECACHE_TIMEOUT`` — seconds an entry lives at most (default 300). Invalidation is by tag;
  the timeout only bounds what no save announces (a lecture that becomes "past" at midnight).
- ``PAGECACHE_CACHE_CONTROL`` — the ``Cache-Control`` of cacheable pages (default
  ``"public, no-cache"``: browsers and proxies may keep a copy but revalidate it on every visit,
  answered by a 304 from this cache, so a withdrawn consent reaches a visitor on their next visit).
- ``PAGECACHE_BYPASS_HEADER`` — a request header (``META`` name) that makes a request skip the
  cache; empty (off) except in the load benchmark's settings, which measure uncached pages with it.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest

logger = logging.getLogger("pagecache")

# Every page carries this tag: `manage.py pagecache_clear` bumps it after a deployment.
ALL = "all"
ENTRY_PREFIX = "pc:e:"
TAG_PREFIX = "pc:t:"
DEFAULT_TIMEOUT = 300
DEFAULT_CACHE_CONTROL = "public, no-cache"
# Entries larger than this are not stored (a cache is no place for a multi-megabyte page).
MAX_ENTRY_BYTES = 2 * 1024 * 1024


def enabled() -> bool:
    return bool(getattr(settings, "PAGECACHE_ENABLED", True))


def timeout() -> int:
    return int(getattr(settings, "PAGECACHE_TIMEOUT", DEFAULT_TIMEOUT))


def cache_control() -> str:
    return getattr(settings, "PAGECACHE_CACHE_CONTROL", DEFAULT_CACHE_CONTROL)


def store():
    return caches[getattr(settings, "PAGECACHE_CACHE", "default")]


def new_version() -> str:
    return uuid.uuid4().hex[:16]


def tag_key(tag: str) -> str:
    return TAG_PREFIX + tag


def normalised_query(request: HttpRequest) -> str:
    """The query string with its pairs sorted, so `?b=2&a=1` and `?a=1&b=2` share one entry."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    return urlencode(sorted(pairs))


def entry_key(request: HttpRequest, host: str) -> str:
    """Host (a Site), scheme, path, normalised query and whether `Accept` names JSON or HTML."""
    accept = request.headers.get("Accept", "")
    raw = "|".join(
        [
            "https" if request.is_secure() else "http",
            host.lower(),
            request.path,
            normalised_query(request),
            # Pages that answer JSON to `Accept` decide on these two media types only.
            "json" if "application/json" in accept else "",
            "html" if "text/html" in accept else "",
        ]
    )
    return ENTRY_PREFIX + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def read_versions(tags: Iterable[str]) -> dict[str, str]:
    """Current version of each tag (cache key → version), creating those the cache lacks."""
    cache = store()
    keys = sorted({tag_key(t) for t in tags})
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, new_version(), None)
        # Another process may have added its own version first: read what won.
        found.update(cache.get_many(missing))
    return found


def bump_now(tags: Iterable[str]) -> None:
    """Give each tag a new version now: every entry stored with the old one is stale."""
    tags = sorted(set(tags))
    if not tags or not enabled():
        return
    try:
        store().set_many({tag_key(t): new_version() for t in tags}, None)
    except Exception:  # the cache being down must never fail a save that has committed
        logger.exception(
            "Page cache invalidation failed for %d tags; pages may be stale for up to %d s",
            len(tags),
            timeout(),
        )
        return
    logger.debug("Page cache: bumped %d tags", len(tags))


def bump(*tags: str) -> None:
    """Invalidate pages carrying any of these tags once the current transaction commits.

    Outside a transaction this happens at once. Bumping after the commit matters: a request that
    reads the old rows before then cannot store its page under the new versions.
    """
    tags = tuple(t for t in tags if t)
    if tags and enabled():
        transaction.on_commit(partial(bump_now, tags))


def site_tags(request: HttpRequest) -> list[str]:
    """Every page shows its site's settings (theme, footer, hotline): `site:<id>` and `sites`."""
    from wagtail.models import Site

    site = Site.find_for_request(request)
    return [f"site:{site.pk if site else 'none'}", "sites", "images"]


@dataclass
class Mark:
    """What a view said about its response: the tags' versions read before it ran, and rules."""

    versions: dict[str, str] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)
    skip_cookies: set[str] = field(default_factory=set)
    timeout: int | None = None


def mark(
    request: HttpRequest,
    tags: Iterable[str],
    *,
    params: Iterable[str] = (),
    skip_cookies: Iterable[str] = (),
    timeout: int | None = None,
) -> None:
    """Let this request's response be stored for anonymous visitors, under these tags.

    Call it before the page reads what it shows (a URL rule or a hook before the view), so that
    a change committed meanwhile is seen as newer than the stored page. ``params`` are the query
    parameters the page understands (a request with any other is not stored); ``skip_cookies``
    are cookies that change the page (a visitor who has one is never served from the cache nor
    fills it). Does nothing for requests the middleware does not consider (logged-in users,
    non-GET, the cache off).
    """
    if getattr(request, "_pagecache_key", None) is None:
        return
    current: Mark = getattr(request, "_pagecache_mark", None) or Mark()
    try:
        wanted = set(tags) | set(site_tags(request)) | {ALL}
        new = [t for t in wanted if tag_key(t) not in current.versions]
        current.versions.update(read_versions(new))
    except Exception:
        logger.exception("Page cache unavailable; serving without it")
        request._pagecache_key = None
        return
    current.params.update(params)
    current.skip_cookies.update(skip_cookies)
    if timeout is not None:
        current.timeout = timeout if current.timeout is None else min(current.timeout, timeout)
    request._pagecache_mark = current


@dataclass(frozen=True)
class Rule:
    """How to tag the response of one named URL (a view the platform does not know)."""

    tags: Callable[..., Iterable[str]]
    params: frozenset[str] = frozenset()
    skip_cookies: frozenset[str] = frozenset()
    timeout: int | None = None


RULES: dict[str, Rule] = {}


def register(
    view_name: str,
    tags: Callable[..., Iterable[str]],
    *,
    params: Iterable[str] = (),
    skip_cookies: Iterable[str] = (),
    timeout: int | None = None,
) -> None:
    """Cache the view of this URL name (e.g. ``"directory:place"``) for anonymous visitors.

    ``tags(request, *args, **kwargs)`` gets the view's arguments and returns the page's tags; it
    runs before the view, so it must not fail on malformed input (the view answers that).
    """
    RULES[view_name] = Rule(tags, frozenset(params), frozenset(skip_cookies), timeout)
