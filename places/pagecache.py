"""Page-cache tags for places: what a change at a division touches, and what a place page shows.

The vocabulary every domain app uses for things that belong to a division (a contract, a
liaison officer, a lecture, a county's settings):

- ``in:<prefix>`` — something inside the area with this code prefix changed; ``in:`` (no prefix)
  is the whole country. A change at 451402001201 bumps ``in:``, ``in:45``, ``in:4514``,
  ``in:451402``, ``in:451402001`` and ``in:451402001201``, so a county listing sees a contract
  change in any of its villages.
- ``at:<code>`` — something attached to that very division changed (its name, a lecture for a
  whole township). A village page shows its township's and county's names and lectures, so it
  carries ``at:`` of each ancestor besides its own ``in:``.
- ``divisions`` — some division's name changed (pages that print place names of anywhere).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

import pagecache

from . import codes
from .models import Division
from .signals import divisions_imported

RENAMED = "divisions"


def change_tags(code: str) -> list[str]:
    """Tags to bump when something at this division changes (see the module docstring)."""
    if not codes.is_valid_code(code):
        return []
    return ["in:", *(f"in:{a}" for a in codes.ancestor_codes(code)), f"in:{code}", f"at:{code}"]


def changes_tags(codes_: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for code in codes_:
        found.update(change_tags(code))
    return found


def page_tags(code: str) -> list[str]:
    """Tags of a page about this division: all inside it, and what is attached to its ancestors."""
    if not codes.is_valid_code(code):
        return []
    return [f"in:{code}", f"at:{code}", *(f"at:{a}" for a in codes.ancestor_codes(code))]


def area_tags(prefixes: Iterable[str]) -> list[str]:
    """Tags of a page over whole areas (a site's area; no prefixes means the country)."""
    prefixes = [p for p in prefixes if p] or [""]
    return [f"in:{p}" for p in prefixes]


def division_changed(sender, instance: Division, **kwargs) -> None:
    pagecache.bump(RENAMED, *change_tags(instance.code))


def divisions_import_changed(sender, report, **kwargs) -> None:
    """New and renamed divisions (the import writes in bulk, so no per-row signal fires)."""
    touched = [*report.created_codes, *report.renamed_codes]
    if touched:
        pagecache.bump(RENAMED, *changes_tags(touched))


def connect() -> None:
    uid = "places_pagecache"
    post_save.connect(division_changed, sender=Division, dispatch_uid=f"{uid}_save")
    post_delete.connect(division_changed, sender=Division, dispatch_uid=f"{uid}_delete")
    divisions_imported.connect(divisions_import_changed, dispatch_uid=f"{uid}_imported")
