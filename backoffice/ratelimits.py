"""Rate limits per client address, counted by django-ratelimit in the shared cache.

Each limit is a named group in `settings.PORTAL_RATE_LIMITS` ("60/m"; empty switches it off), so
every web process counts in the same window (Redis in production; the local-memory cache of a
dev server is one process anyway). The whole mechanism follows django-ratelimit's own switch,
`RATELIMIT_ENABLE` (`PORTAL_RATE_LIMITS=0` in the environment); the test settings turn it off
because the suite searches far more often than any visitor, and the rate-limit tests turn it back
on for themselves.

- Views limit their own requests with `@rate_limit("search")` (search, suggest, the directory
  API, notice boards, "my village").
- `RateLimitPostsMiddleware` limits POSTs that no view of ours owns: the admin login, password
  reset and second-factor check ("login"), and any POST outside the back office ("form").

A limited request gets a 429 with `Retry-After` (seconds until the window ends) and
`Cache-Control: no-store`: a page in Chinese for people, JSON for programs. The client is
`backoffice.security.client_address(request)`; IPv6 clients are counted per /64, the block one
household or phone is usually given. When the cache cannot be reached, requests are let through
and a warning is logged: the public information matters more than the limit.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.urls import ResolverMatch
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from .http import is_admin_path, wants_json
from .security import client_address

logger = logging.getLogger("backoffice.ratelimits")

# The back office's own POSTs that guard accounts (URL names): counted in the "login" group.
LOGIN_URL_NAMES = frozenset({"wagtailadmin_login", "wagtailadmin_password_reset", "backoffice_two_factor"})

ViewFunc = Callable[..., HttpResponseBase]


def client_key(group: str, request: HttpRequest) -> str:
    """The counted client: its address, IPv6 reduced to its /64 network."""
    address = client_address(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def configured_rate(group: str, request: HttpRequest | None = None) -> str | None:
    """The group's "count/period" from settings, None when switched off."""
    rate = (getattr(settings, "PORTAL_RATE_LIMITS", {}) or {}).get(group, "")
    return rate.strip() or None


def retry_after(request: HttpRequest, group: str) -> int | None:
    """Count this request in its group; the seconds to wait when it is over the limit, else None."""
    try:
        usage = get_usage(
            request, group=group, key=client_key, rate=configured_rate, method=get_usage.ALL, increment=True
        )
    except Exception:  # any cache failure: serve the page rather than refuse it
        logger.warning("rate limit %s not checked: the cache did not answer", group, exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    if usage["limit"] == 0:
        # django-ratelimit reports a cache that failed to count as a limit of 0: let it through.
        logger.warning("rate limit %s not checked: the cache did not count", group)
        return None
    if usage["count"] == usage["limit"] + 1:
        # Once per client and window, without the address (personal data).
        logger.warning("rate limit %s reached (%s) on %s", group, configured_rate(group), request.path)
    # django-ratelimit's window still counts at its last second (time_left 0): wait one more.
    return max(1, int(usage["time_left"]) + 1)


def too_many_requests(request: HttpRequest, seconds: int, *, as_json: bool) -> HttpResponse:
    """The 429 answer: Chinese for people, JSON for programs, never cached."""
    message = _("请求太频繁了，请在 %(seconds)d 秒后再试。") % {"seconds": seconds}
    if as_json:
        response: HttpResponse = JsonResponse(
            {"error": message, "retry_after": seconds}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        html = render_to_string("429.html", {"message": message, "seconds": seconds}, request=request)
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def rate_limit(
    group: str, *, json: bool | Callable[[HttpRequest], bool] | None = None
) -> Callable[[ViewFunc], ViewFunc]:
    """Limit a view to `settings.PORTAL_RATE_LIMITS[group]` per client address.

    `json` says whether the 429 is JSON: True, False, or a function of the request; by default
    JSON for `/api/`, `?format=json` and clients that accept only JSON.
    """

    def decide(request: HttpRequest) -> bool:
        if json is None:
            return wants_json(request)
        return json(request) if callable(json) else json

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            seconds = retry_after(request, group)
            if seconds is not None:
                return too_many_requests(request, seconds, as_json=decide(request))
            return view(request, *args, **kwargs)

        return limited

    return decorator


def post_group(request: HttpRequest, match: ResolverMatch | None) -> str | None:
    """Which limit a POST counts against, if any."""
    if request.method != "POST":
        return None
    if match is not None and match.url_name in LOGIN_URL_NAMES:
        return "login"
    if is_admin_path(request.path_info):
        return None  # editors' and officers' own work is not limited
    return "form"


class RateLimitPostsMiddleware:
    """Limits the login posts and public form posts (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: ViewFunc, view_args: tuple, view_kwargs: dict
    ) -> HttpResponseBase | None:
        group = post_group(request, getattr(request, "resolver_match", None))
        if group is None:
            return None
        seconds = retry_after(request, group)
        if seconds is None:
            return None
        return too_many_requests(request, seconds, as_json=wants_json(request))
