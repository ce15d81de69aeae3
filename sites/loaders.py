"""The template loader and middleware that render each request in its site's theme.

Which theme renders the current request is held in a context variable set by `ThemeMiddleware`;
the template loaders below read it, so `render(request, "directory/village.html")` picks the
site's own copy of a template when the theme has one, and the default otherwise. The theme is
looked up only when a template is actually loaded, so requests that render nothing (health
probes, feeds, JSON) never touch the site or its settings.
"""

from __future__ import annotations

import contextvars
import logging
from pathlib import Path

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loaders import cached, filesystem

from sites import memo
from sites.models import JurisdictionSettings
from sites.themes import DEFAULT_THEME, UNTHEMED_PATHS, available_themes, get_theme, themes_dir

logger = logging.getLogger(__name__)

# The request being handled, read by the loaders below.
_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "portal_theme_request", default=None
)


def theme_for(request: HttpRequest) -> str:
    """The theme name of the site serving this request, memoised on the request."""
    name = getattr(request, "_portal_theme", None)
    if name is None:
        name = DEFAULT_THEME
        if not request.path.startswith(UNTHEMED_PATHS):
            try:
                jurisdiction = JurisdictionSettings.for_request(request)
            except DatabaseError:
                # An error page must still render when the database is down: use the default look.
                logger.exception("Site settings unavailable; rendering with the default theme")
                jurisdiction = None
            name = get_theme(jurisdiction.theme if jurisdiction else None).name
        request._portal_theme = name
    return name


def active_theme() -> str:
    request = _current_request.get()
    return theme_for(request) if request is not None else DEFAULT_THEME


class ThemeMiddleware:
    """Make the request's site theme the one templates are loaded from while it is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        # Wagtail's page serving looks its site up first thing; hand it the process's copy of the
        # site and its settings instead of a query per request (sites/memo.py).
        match = request.resolver_match
        if match is not None and match.url_name == "wagtail_serve":
            memo.prepare(request, JurisdictionSettings)
        return None


class ThemeLoader(filesystem.Loader):
    """Look in the active theme's templates, then in the default theme's."""

    def get_dirs(self) -> list[Path]:
        themes = available_themes()
        dirs = []
        theme = themes.get(active_theme())
        if theme and theme.name != DEFAULT_THEME and theme.templates:
            dirs.append(theme.templates)
        dirs.append(themes_dir() / DEFAULT_THEME / "templates")
        return dirs


class CachedLoader(cached.Loader):
    """Django's cached loader, keyed by theme as well as by name, so themes never leak into each other."""

    def cache_key(self, template_name, skip=None):
        return f"{active_theme()}:{super().cache_key(template_name, skip)}"
