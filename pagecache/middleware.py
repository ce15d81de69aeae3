"""Serve anonymous visitors' pages from the shared cache without running the view.

Place it right after WhiteNoise, before the session middleware: a hit then costs no session,
authentication or template work, and on the way out the middleware sees every cookie and header
the inner ones added. What is never served from nor stored in the cache:

- requests other than GET and HEAD (HEAD is answered from a GET's entry; only GET stores);
- any request carrying the session cookie (a logged-in user, an editor, a preview), or a cookie
  that the page declared changes it (the "my village" cookie on the home page);
- responses that are not 200, set a cookie, use the CSRF token, say ``private``/``no-store``,
  stream, or answer a query parameter the page does not understand.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from . import core

logger = logging.getLogger("pagecache")

SKIPPED_HEADERS = {"set-cookie", "x-page-cache"}


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request._pagecache_key = self.lookup_key(request)
        if request._pagecache_key is None:
            return self.get_response(request)
        hit = self.hit(request, request._pagecache_key)
        if hit is not None:
            return hit
        response = self.get_response(request)
        self.finish(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if getattr(request, "_pagecache_key", None) is None or request.resolver_match is None:
            return None
        rule = core.RULES.get(request.resolver_match.view_name)
        if rule is not None:
            core.mark(
                request,
                rule.tags(request, *view_args, **view_kwargs),
                params=rule.params,
                skip_cookies=rule.skip_cookies,
                timeout=rule.timeout,
            )
        return None

    @staticmethod
    def lookup_key(request: HttpRequest) -> str | None:
        if not core.enabled() or request.method not in ("GET", "HEAD"):
            return None
        bypass = getattr(settings, "PAGECACHE_BYPASS_HEADER", "")
        if bypass and bypass in request.META:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None  # the inner middleware answers it as usual (400)
        return core.entry_key(request, host)

    @staticmethod
    def hit(request: HttpRequest, key: str) -> HttpResponse | None:
        cache = core.store()
        try:
            entry = cache.get(key)
            if entry is None or any(name in request.COOKIES for name in entry["skip"]):
                return None
            if cache.get_many(list(entry["tags"])) != entry["tags"]:
                return None
        except Exception:
            logger.exception("Page cache unavailable; serving without it")
            request._pagecache_key = None
            return None
        content = b"" if request.method == "HEAD" else entry["content"]
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return get_conditional_response(request, etag=entry["etag"], response=response)

    @staticmethod
    def storable(request: HttpRequest, response: HttpResponse, mark: core.Mark) -> bool:
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return False
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        control = response.get("Cache-Control", "").lower()
        if "private" in control or "no-store" in control:
            return False
        if any(name not in mark.params for name in request.GET):
            return False
        if any(name in request.COOKIES for name in mark.skip_cookies):
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        return len(response.content) <= core.MAX_ENTRY_BYTES

    def finish(self, request: HttpRequest, response: HttpResponse) -> None:
        mark = getattr(request, "_pagecache_mark", None)
        if mark is None or not self.storable(request, response, mark):
            return
        etag = '"%s"' % hashlib.md5(response.content, usedforsecurity=False).hexdigest()  # noqa: UP031 -- an ETag is quoted
        response["ETag"] = etag
        response["Cache-Control"] = core.cache_control()
        entry = {
            "status": response.status_code,
            "headers": [(k, v) for k, v in response.items() if k.lower() not in SKIPPED_HEADERS],
            "content": response.content,
            "tags": mark.versions,
            "skip": sorted(mark.skip_cookies),
            "etag": etag,
        }
        try:
            core.store().set(request._pagecache_key, entry, mark.timeout or core.timeout())
        except Exception:
            logger.exception("Page cache unavailable; page not stored")
            return
        response["X-Page-Cache"] = "miss"
