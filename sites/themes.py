"""Themes: the look of each Wagtail Site, chosen in its 辖区设置 (JurisdictionSettings.theme).

A theme is a folder `themes/<name>/` holding a `theme.toml` (label, stylesheet, logo), static files
under `static/themes/<name>/` and, optionally, templates under `templates/` that override
`themes/default/templates/` file by file. One installation serves several jurisdictions (崇左市司法局
and 西宁市城北区司法局 in the demo), each as its own Site with its own theme.

This module finds the themes; `sites/loaders.py` renders each request in its site's theme.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_THEME = "default"

# Paths that are never rendered in a site's theme (the admin has its own look).
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
