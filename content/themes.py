"""Themes: the look of each Wagtail Site, chosen in its 辖区设置 (JurisdictionSettings.theme).

A theme is a folder `themes/<name>/` holding a `theme.toml` (label, stylesheet, logo), static files
under `static/themes/<name>/` and, optionally, templates under `templates/` that override
`themes/default/templates/` file by file. One installation serves several jurisdictions (崇左市司法局
and 西宁市城北区司法局 in the demo), each as its own Site with its own theme.

Which theme renders the current request is held in a context variable set by `ThemeMiddleware`;
the template loaders below read it, so `render(request, "directory/village.html")` picks the
site's own copy of a template when the theme has one, and the default otherwise.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loaders import cached, filesystem

logger = logging.getLogger(__name__)

DEFAULT_THEME = "default"

# The request being handled; its theme is looked up only when a template is actually loaded, so
# requests that render nothing (health probes, feeds) never touch the settings.
_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "portal_theme_request", default=None
)
UNTHEMED_PATHS = ("/admin/", "/static/", "/media/")


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    stylesheet: str = ""  # a static path, loaded after portal/site.css
    logo: str = ""  # a static path; a logo uploaded in the site's settings wins over it
    templates: Path | None = None


def themes_dir() -> Path:
    return Path(getattr(settings, "PORTAL_THEMES_DIR", settings.BASE_DIR / "themes"))


@functools.cache
def available_themes() -> dict[str, Theme]:
    """Every folder under themes/ with a theme.toml, the default theme first."""
    found: dict[str, Theme] = {}
    root = themes_dir()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        manifest = folder / "theme.toml"
        if not manifest.is_file():
            continue
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            logger.exception("Theme manifest %s is unreadable; theme skipped", manifest)
            continue
        templates = folder / "templates"
        found[folder.name] = Theme(
            name=folder.name,
            label=str(data.get("label", folder.name)),
            stylesheet=str(data.get("stylesheet", "")),
            logo=str(data.get("logo", "")),
            templates=templates if templates.is_dir() else None,
        )
    found.setdefault(
        DEFAULT_THEME, Theme(DEFAULT_THEME, DEFAULT_THEME, templates=root / DEFAULT_THEME / "templates")
    )
    return dict(sorted(found.items(), key=lambda item: (item[0] != DEFAULT_THEME, item[0])))


def theme_choices() -> list[tuple[str, str]]:
    """Choices for the settings form; a callable so that new theme folders need no migration."""
    return [(theme.name, theme.label) for theme in available_themes().values()]


def get_theme(name: str | None) -> Theme:
    themes = available_themes()
    return themes.get(name or DEFAULT_THEME) or themes[DEFAULT_THEME]


def theme_for(request: HttpRequest) -> str:
    """The theme name of the site serving this request, memoised on the request."""
    name = getattr(request, "_portal_theme", None)
    if name is None:
        name = DEFAULT_THEME
        if not request.path.startswith(UNTHEMED_PATHS):
            from directory.areas import settings_for

            try:
                jurisdiction = settings_for(request)
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
        # site and its settings instead of a query per request (content/site_settings.py).
        match = request.resolver_match
        if match is not None and match.url_name == "wagtail_serve":
            from content import site_settings

            site_settings.prepare(request)
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
