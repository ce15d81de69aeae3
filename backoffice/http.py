"""HTTP hardening shared by every page of the platform: malformed requests and the CSP header.

- `ControlCharactersMiddleware` keeps NUL and other control characters away from the views.
  PostgreSQL cannot store or compare a string with a NUL byte (psycopg raises `DataError`, a
  500, for `/articles/?category=%00`), and every view, Wagtail's page routing and the redirect
  middleware would otherwise need its own check before each query. No division code, slug, page
  number or search term contains a control character, so they are dealt with centrally, before
  any middleware below touches the database:

  * in the query string they are removed (ignored), which is what the search's text normaliser
    already did with them: `?q=卜寨%00` searches for 卜寨, `?category=%00` is no filter;
  * a path with one names no address of the site: 404 (JSON for the API), like any unknown code.

  Tab, line feed and carriage return are left in the query string (a pasted search term may
  carry them; the views normalise white space and PostgreSQL stores them).

- `ContentSecurityPolicyMiddleware` is django-csp's middleware with one policy per part of the
  site (settings `CONTENT_SECURITY_POLICY` and `PORTAL_ADMIN_CONTENT_SECURITY_POLICY`):

  * The public site gets a strict policy: scripts, styles, fonts and images from the site's own
    origin only (plus `data:` images), no inline script or style at all, no plugins, no framing.
    The public templates have no inline script (the search box loads `portal/search.js`), so no
    nonce is needed; that also keeps public pages byte-identical between visitors, which the page
    cache relies on (a nonce stored with a cached page would be replayed to everyone).
  * The back office under `PORTAL_ADMIN_PATH_PREFIXES` (`/admin/`) gets its own policy that
    allows inline scripts and styles: Wagtail's admin and viewflow's pages render inline
    `<script>` blocks, `onclick`-style handlers and `style` attributes that we cannot change, and
    a nonce does not cover attributes. Everything else stays closed there too (same-origin
    sources only, no plugins, no framing by other sites; `frame-ancestors 'self'` because
    Wagtail's live preview frames its own preview page).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.template.loader import render_to_string

logger = logging.getLogger("backoffice.http")

# C0 controls and DEL; the query string may keep tab, line feed and carriage return.
_PATH_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters percent-encoded (%00-%08, %0B, %0C, %0E-%1F, %7F), or raw: a cheap test
# of the raw query string before anything is decoded.
_ENCODED_CONTROLS = re.compile(
    r"%(?:0[0-8bcef]|1[0-9a-f]|7f)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", re.IGNORECASE
)


def wants_json(request: HttpRequest) -> bool:
    """Programs (the directory API, the search's JSON) get JSON errors; people get a page."""
    if request.path.startswith("/api/") or request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def clean_query_string(query: str) -> str | None:
    """The query string without control characters, or None when it has none."""
    if not _ENCODED_CONTROLS.search(query):
        return None
    pairs = parse_qsl(query, keep_blank_values=True, errors="replace", max_num_fields=None)
    return urlencode([(_QUERY_CONTROLS.sub("", key), _QUERY_CONTROLS.sub("", value)) for key, value in pairs])


def not_found(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": "unknown address"}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = HttpResponse(render_to_string("404.html", request=request), status=404)
    response["Cache-Control"] = "no-store"
    return response


class ControlCharactersMiddleware:
    """Control characters: removed from the query string, a 404 in the path (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _PATH_CONTROLS.search(request.path_info) or _PATH_CONTROLS.search(request.path):
            # The address itself is not logged: it is the client's to choose and may be anything.
            logger.info("answered 404 to a path with control characters")
            return not_found(request)
        cleaned = clean_query_string(request.META.get("QUERY_STRING", ""))
        if cleaned is not None:
            request.META["QUERY_STRING"] = cleaned
            request.GET = QueryDict(cleaned, encoding=request.encoding)
        return self.get_response(request)


def is_admin_path(path: str) -> bool:
    prefixes = getattr(settings, "PORTAL_ADMIN_PATH_PREFIXES", ("/admin/",))
    return path.startswith(tuple(prefixes))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with the back office's own policy under its path (see the module docstring)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            admin_policy = getattr(settings, "PORTAL_ADMIN_CONTENT_SECURITY_POLICY", None)
            if admin_policy:
                parts.config = admin_policy["DIRECTIVES"]
        return parts
