"""Parts of pages in the shared cache, under the page cache's tags (``{% fragment %}``).

The page cache serves a whole page only to anonymous visitors without a page-changing cookie.
Every other request renders the page again — a visitor who chose their village (the home page's
"my village" part), a logged-in officer, any request right after a change, the load benchmark's
uncached runs — and most of what it renders is the same for everyone: a township's list of villages
and advisers, the latest article cards of a site, an article's body with its pictures. A fragment
is such a part, rendered once and stored under the *versions of the tags it shows*, read just
before it renders (the same tags the page cache uses, plus the site's own). A save that bumps one
of those tags changes the key, so the next request renders the part afresh: a change is seen on
the next request after its transaction commits, as with whole pages. Nothing scans keys.

What it costs: one ``get_many`` of the tag versions and one ``get`` of the fragment (two Redis
round trips), instead of the queries and template work of the part. What a fragment must never
contain: anything that differs between visitors (a CSRF token, a cookie's value) — the parts
chosen are the ones every visitor of the page sees. The key names the fragment, the host, the
scheme, the language, the day (lists of upcoming lectures move on at midnight) and whatever the
template passes as ``vary`` values; previews (``request.is_preview``) always render afresh.

Fragments follow the page cache's switch: ``PAGECACHE_ENABLED=0`` turns them off too, and
``PAGECACHE_TIMEOUT`` bounds their life. When the cache cannot be read they render as if absent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from . import core

logger = logging.getLogger("pagecache")

FRAGMENT_PREFIX = "pc:f:"


def usable(request: HttpRequest | None) -> bool:
    """Whether this request may read and fill fragments (not previews, not with the cache off)."""
    return request is not None and core.enabled() and not getattr(request, "is_preview", False)


def fragment_key(request: HttpRequest, name: str, versions: dict[str, str], vary: Iterable[object]) -> str:
    raw = "|".join(
        [
            name,
            "https" if request.is_secure() else "http",
            request.get_host().lower(),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            *(str(value) for value in vary),
            *(f"{tag}={version}" for tag, version in sorted(versions.items())),
        ]
    )
    return FRAGMENT_PREFIX + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _versions(request: HttpRequest, tags: set[str]) -> dict[str, str]:
    """The tags' versions, read once per request for fragments sharing them (a page's head and body)."""
    memo = request.__dict__.setdefault("_pagecache_fragment_versions", {})
    key = frozenset(tags)
    if key not in memo:
        memo[key] = core.read_versions(tags)
    return memo[key]


def versions(request: HttpRequest | None, tags: Iterable[str]) -> dict[str, str] | None:
    """The versions fragments of these tags are stored under (the site's tags added), read once
    per request; None when fragments are unusable here (previews, cache off or unreachable).

    For per-process copies that must follow the same changes as a fragment (the pages Wagtail's
    routing reads, `content/models/routing.py`): asking with the fragment's own tags costs no
    further cache read, since the request keeps what it read.
    """
    if not usable(request):
        return None
    try:
        return _versions(request, {*tags, *core.site_tags(request), core.ALL})
    except DisallowedHost:
        return None
    except Exception:
        logger.exception("Page cache unavailable; versions not read")
        return None


def render(
    request: HttpRequest | None,
    name: str,
    tags: Iterable[str],
    produce: Callable[[], str],
    vary: Iterable[object] = (),
) -> SafeString:
    """The fragment `name` from the shared cache, else `produce()` stored under its tags' versions.

    `tags` are what the fragment shows (e.g. ``in:451402001``); the site's own tags are added, as
    for pages. `produce` must do the fragment's queries itself, so that a hit skips them.
    """
    if not usable(request):
        return mark_safe(produce())  # noqa: S308 -- produce() is rendered template output
    try:
        versions = _versions(request, {*tags, *core.site_tags(request), core.ALL})
        key = fragment_key(request, name, versions, vary)
        found = core.store().get(key)
    except DisallowedHost:
        return mark_safe(produce())  # noqa: S308 -- as above
    except Exception:
        logger.exception("Page cache unavailable; fragment %s rendered without it", name)
        return mark_safe(produce())  # noqa: S308 -- as above
    if found is not None:
        return mark_safe(found)  # noqa: S308 -- stored from rendered template output
    html = str(produce())
    try:
        core.store().set(key, html, core.timeout())
    except Exception:
        logger.exception("Page cache unavailable; fragment %s not stored", name)
    return mark_safe(html)  # noqa: S308 -- rendered template output
