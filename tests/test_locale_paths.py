"""LOCALE_PATHS names folders that exist and hold the project's compiled Simplified Chinese catalog.

Django silently skips a LOCALE_PATHS folder that is missing, so a wrong path would only show as
English (or slower) strings; this test says which path is wrong instead.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def test_every_locale_path_exists_with_the_compiled_catalog():
    assert settings.LOCALE_PATHS
    for folder in map(Path, settings.LOCALE_PATHS):
        assert folder.is_dir(), f"LOCALE_PATHS names {folder}, which does not exist"
        assert (folder / "zh_Hans" / "LC_MESSAGES" / "django.mo").is_file(), folder
